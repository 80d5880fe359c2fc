package io.notifier.schedule;

import static io.notifier.db.jooq.Tables.NOTIFIER_SCHEDULER_STATE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.notifier.db.jooq.tables.records.AppointmentsRecord;
import io.notifier.db.jooq.tables.records.ClientsRecord;
import io.notifier.db.jooq.tables.records.UsersRecord;
import io.notifier.db.jooq.tables.records.WorkspacesRecord;
import io.notifier.ledger.Delivery;
import io.notifier.model.DedupKeys;
import io.notifier.model.NotificationKind;
import io.notifier.model.NotificationStatus;
import io.notifier.queue.RedisJobQueue;
import io.notifier.testing.RedisTestSupport;
import io.notifier.testing.TestDatabase;
import io.notifier.testing.TestRedis;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.UUID;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

/** {@code notifier producer tick --at T --dry-run} and {@code notifier trigger KIND --user ID}. */
class DryRunAndTriggerTest extends ProducerTestBase {

  private static final Instant START = Instant.parse("2027-03-14T11:00:00Z");

  DryRunAndTriggerTest(TestDatabase database, TestRedis redis) {
    super(database, redis);
  }

  @Nested
  class DryRun {

    @Test
    void aDryRunReportsWhatATickWouldWriteAndWritesNothing() {
      scenario(START);
      WorkspacesRecord boston = harness.fixtures.workspace().timezone("America/New_York").create();
      // 08:00 EDT on the day the US springs forward is 12:00Z; 06:00 EDT is 10:00Z.
      UsersRecord onTime =
          harness
              .fixtures
              .user(boston)
              .settings(s -> s.allOff().digest("08:00", EVERY_DAY))
              .create();
      UsersRecord late =
          harness
              .fixtures
              .user(boston)
              .settings(s -> s.allOff().digest("06:00", EVERY_DAY))
              .create();
      Producer producer = harness.producer("p1");
      producer.tick(Instant.parse("2027-03-14T07:00:00Z"), false);
      int rowsBefore = harness.deliveries().size();

      // The producer was down since 07:02Z; what would a tick at 12:00Z do?
      TickReport dry = producer.tick(Instant.parse("2027-03-14T12:00:00Z"), true);

      assertThat(dry.dryRun()).isTrue();
      assertThat(dry.windowFrom()).isEqualTo(Instant.parse("2027-03-14T07:02:00Z"));
      assertThat(dry.windowTo()).isEqualTo(Instant.parse("2027-03-14T12:02:00Z"));
      assertThat(dry.rows())
          .extracting(
              TickReport.PlannedRow::userId,
              TickReport.PlannedRow::dueAt,
              TickReport.PlannedRow::outcome,
              TickReport.PlannedRow::skipReason)
          .containsExactlyInAnyOrder(
              org.assertj.core.groups.Tuple.tuple(
                  onTime.getId(),
                  Instant.parse("2027-03-14T12:00:00Z"),
                  TickReport.Outcome.PENDING,
                  null),
              org.assertj.core.groups.Tuple.tuple(
                  late.getId(),
                  Instant.parse("2027-03-14T10:00:00Z"),
                  TickReport.Outcome.PENDING,
                  null));
      assertThat(dry.rows())
          .allSatisfy(
              r -> {
                assertThat(r.kind()).isEqualTo(NotificationKind.DAILY_DIGEST);
                assertThat(r.localDate()).isEqualTo(LocalDate.of(2027, 3, 14));
                assertThat(r.dedupKey())
                    .isEqualTo(
                        DedupKeys.daily(NotificationKind.DAILY_DIGEST, r.userId(), r.localDate()));
              });
      // Nothing written, nothing queued, the watermark where it was.
      assertThat(harness.deliveries()).hasSize(rowsBefore);
      assertThat(harness.queuedIds()).isEmpty();
      assertThat(harness.coveredUntil()).isEqualTo(Instant.parse("2027-03-14T07:02:00Z"));

      // Later still, 06:00 is more than two hours late: the dry run says it would be skipped.
      TickReport later = producer.tick(Instant.parse("2027-03-14T12:30:00Z"), true);
      assertThat(later.rows())
          .filteredOn(r -> r.userId().equals(late.getId()))
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.outcome()).isEqualTo(TickReport.Outcome.SKIPPED);
                assertThat(r.skipReason()).isEqualTo("stale");
              });
      assertThat(later.counts().get(NotificationKind.DAILY_DIGEST))
          .isEqualTo(new TickReport.KindCounts(2, 1, 1, 0));

      // The real tick then does exactly what the first dry run said.
      TickReport real = producer.tick(Instant.parse("2027-03-14T12:00:00Z"), false);
      assertThat(real.rows())
          .extracting(TickReport.PlannedRow::dedupKey, TickReport.PlannedRow::outcome)
          .containsExactlyInAnyOrderElementsOf(
              dry.rows().stream()
                  .map(r -> org.assertj.core.groups.Tuple.tuple(r.dedupKey(), r.outcome()))
                  .toList());
      assertThat(harness.queuedIds()).hasSize(2);
    }

    @Test
    void aDryRunOnAFreshDatabaseCreatesNoWatermark() {
      scenario(START);
      Producer producer = harness.producer("p1");

      TickReport dry = producer.tick(START, true);

      assertThat(dry.windowFrom()).isEqualTo(START.minus(Duration.ofMinutes(1)));
      assertThat(harness.dsl().fetchCount(NOTIFIER_SCHEDULER_STATE)).isZero();
    }
  }

  @Nested
  class Trigger {

    private WorkspacesRecord workspace;
    private UsersRecord user;
    private AppointmentsRecord appointment;
    private ManualTrigger trigger;

    private void aPractice() {
      scenario(START);
      workspace = harness.fixtures.workspace().timezone("Pacific/Kiritimati").create();
      ClientsRecord client = harness.fixtures.client(workspace).create();
      user = harness.fixtures.user(workspace).settings(s -> s.reminder(30)).create();
      appointment =
          harness
              .fixtures
              .appointment(workspace, client)
              .startingAt(START.plus(Duration.ofHours(3)))
              .create();
      trigger = new ManualTrigger(harness.dsl(), harness.queue, harness.clock, harness.metrics);
    }

    @Test
    void aTriggeredDigestIsDueNowForTheUsersLocalDateAndQueued() {
      aPractice();

      ManualTrigger.Triggered triggered =
          trigger.trigger(NotificationKind.DAILY_DIGEST, user.getId(), null);

      Delivery row = triggered.delivery();
      assertThat(triggered.enqueued()).isTrue();
      assertThat(row.status()).isEqualTo(NotificationStatus.PENDING);
      assertThat(row.dueAt()).isEqualTo(START);
      // 11:00Z is already 01:00 the next day at +14:00.
      assertThat(row.localDate()).isEqualTo(LocalDate.of(2027, 3, 15));
      assertThat(row.dedupKey()).startsWith("daily_digest:" + user.getId() + ":manual:");
      assertThat(row.enqueuedAt()).isNotNull();
      assertThat(harness.queuedReadyAt()).containsEntry(row.id(), START);
      // Twice is twice: support asked for two.
      trigger.trigger(NotificationKind.DAILY_DIGEST, user.getId(), null);
      assertThat(harness.deliveriesOf(user)).hasSize(2);
      assertThat(harness.counter("notifier_jobs_enqueued", "kind", "daily_digest")).isEqualTo(2.0);
    }

    @Test
    void aTriggeredReminderCarriesTheAppointmentAndTheUsersOffset() {
      aPractice();

      Delivery row =
          trigger
              .trigger(NotificationKind.APPOINTMENT_REMINDER, user.getId(), appointment.getId())
              .delivery();

      assertThat(row.appointmentId()).isEqualTo(appointment.getId());
      assertThat(row.reminderMinutes()).isEqualTo(30);
      assertThat(row.appointmentStart()).isEqualTo(START.plus(Duration.ofHours(3)));
      assertThat(row.localDate()).isNull();
      assertThat(harness.queuedJob(row.id()).appointmentId()).isEqualTo(appointment.getId());
    }

    @Test
    void unknownOrMismatchedIdsGetAClearErrorAndWriteNothing() {
      aPractice();
      UUID nobody = UUID.randomUUID();
      WorkspacesRecord elsewhere = harness.fixtures.workspace().create();
      AppointmentsRecord foreign =
          harness
              .fixtures
              .appointment(elsewhere, harness.fixtures.client(elsewhere).create())
              .create();

      assertThatThrownBy(() -> trigger.trigger(NotificationKind.DAILY_DIGEST, nobody, null))
          .isInstanceOf(ManualTrigger.TriggerException.class)
          .hasMessage("no user with id " + nobody);
      assertThatThrownBy(
              () -> trigger.trigger(NotificationKind.APPOINTMENT_REMINDER, user.getId(), nobody))
          .isInstanceOf(ManualTrigger.TriggerException.class)
          .hasMessage("no appointment with id " + nobody);
      assertThatThrownBy(
              () -> trigger.trigger(NotificationKind.APPOINTMENT_REMINDER, user.getId(), null))
          .isInstanceOf(ManualTrigger.TriggerException.class)
          .hasMessageContaining("needs an appointment id");
      assertThatThrownBy(
              () ->
                  trigger.trigger(
                      NotificationKind.APPOINTMENT_REMINDER, user.getId(), foreign.getId()))
          .isInstanceOf(ManualTrigger.TriggerException.class)
          .hasMessageContaining("is not in the workspace of user");
      assertThatThrownBy(
              () ->
                  trigger.trigger(NotificationKind.DAILY_DIGEST, user.getId(), appointment.getId()))
          .isInstanceOf(ManualTrigger.TriggerException.class)
          .hasMessageContaining("only appointment reminders take an appointment id");
      assertThat(harness.deliveries()).isEmpty();
    }

    @Test
    void withRedisDownTheTriggerIsKeptInTheLedgerForTheReconciler() {
      aPractice();
      RedissonClient broken = RedisTestSupport.redisson(redis);
      RedisJobQueue brokenQueue =
          new RedisJobQueue(broken, RedisTestSupport.queueConfig(redis), harness.clock);
      broken.shutdown();
      ManualTrigger cutOff =
          new ManualTrigger(harness.dsl(), brokenQueue, harness.clock, harness.metrics);

      ManualTrigger.Triggered triggered =
          cutOff.trigger(NotificationKind.SESSION_NOTES_REMINDER, user.getId(), null);

      assertThat(triggered.enqueued()).isFalse();
      assertThat(triggered.delivery().status()).isEqualTo(NotificationStatus.PENDING);
      assertThat(harness.producer("p1").reconcile()).isEqualTo(1);
      assertThat(harness.queuedIds()).containsExactly(triggered.delivery().id());
    }
  }
}
