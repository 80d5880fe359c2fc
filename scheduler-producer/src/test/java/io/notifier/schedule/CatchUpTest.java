package io.notifier.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.notifier.db.jooq.tables.records.AppointmentsRecord;
import io.notifier.db.jooq.tables.records.ClientsRecord;
import io.notifier.db.jooq.tables.records.UsersRecord;
import io.notifier.db.jooq.tables.records.WorkspacesRecord;
import io.notifier.ledger.Delivery;
import io.notifier.model.NotificationKind;
import io.notifier.model.NotificationStatus;
import io.notifier.testing.TestDatabase;
import io.notifier.testing.TestRedis;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A producer that was down catches up from its durable watermark: what is still worth sending goes
 * out late, once; what its staleness rule says is too late is recorded as skipped and counted; a
 * watermark older than the maximum catch-up gives its oldest part up, loudly.
 */
class CatchUpTest extends ProducerTestBase {

  /** Local times every three hours, at half past: spread over the day in every zone. */
  private static final List<String> TIMES =
      List.of("00:30", "03:30", "06:30", "09:30", "12:30", "15:30", "18:30", "21:30");

  private static final Instant T0 = Instant.parse("2027-06-01T12:00:00Z");

  CatchUpTest(TestDatabase database, TestRedis redis) {
    super(database, redis);
  }

  /**
   * London (+01:00 in June) and Kolkata (+05:30): one user per time with a daily digest, a notes
   * reminder and a draft. Returns what is due in {@code (from, to]}, by the oracle.
   */
  private ExpectedNotifications everyThreeHoursInLondonAndKolkata(Instant from, Instant to) {
    ExpectedNotifications expected = new ExpectedNotifications(from, to);
    for (String zone : List.of("Europe/London", "Asia/Kolkata")) {
      WorkspacesRecord workspace = harness.fixtures.workspace().timezone(zone).create();
      ClientsRecord client = harness.fixtures.client(workspace).create();
      for (String time : TIMES) {
        UsersRecord user =
            harness
                .fixtures
                .user(workspace)
                .settings(s -> s.allOff().digest(time, EVERY_DAY).notesReminder(time))
                .create();
        harness.fixtures.draftNote(user, client);
        expected
            .wallClock(
                NotificationKind.DAILY_DIGEST, user.getId(), ZoneId.of(zone), time, EVERY_DAY)
            .wallClock(
                NotificationKind.SESSION_NOTES_REMINDER,
                user.getId(),
                ZoneId.of(zone),
                time,
                EVERY_DAY);
      }
    }
    return expected;
  }

  private Map<String, Instant> ledgerDueAfter(Instant from) {
    return harness.deliveries().stream()
        .filter(d -> d.kind() != NotificationKind.APPOINTMENT_REMINDER)
        .filter(d -> d.dueAt().isAfter(from))
        .collect(Collectors.toMap(Delivery::dedupKey, Delivery::dueAt, (a, b) -> a, TreeMap::new));
  }

  @Test
  void aProducerStoppedForThirtyMinutesSendsEverythingLateByAtMostTheOutage() {
    scenario(T0);
    Instant lastTick = Instant.parse("2027-06-01T12:55:00Z");
    Instant resumed = lastTick.plus(Duration.ofMinutes(30));
    Instant coveredBefore = lastTick.plus(ProducerConfig.DEFAULT_LOOK_AHEAD);
    Instant coveredAfter = resumed.plus(ProducerConfig.DEFAULT_LOOK_AHEAD);
    ExpectedNotifications expected = everyThreeHoursInLondonAndKolkata(coveredBefore, coveredAfter);
    WorkspacesRecord clinic = harness.fixtures.workspace().timezone("Europe/London").create();
    ClientsRecord client = harness.fixtures.client(clinic).create();
    UsersRecord hourAhead =
        harness.fixtures.user(clinic).settings(s -> s.allOff().reminder(60)).create();
    // Its reminder is due at 13:10Z, during the outage; it starts at 14:10Z, after it.
    AppointmentsRecord later =
        harness
            .fixtures
            .appointment(clinic, client)
            .startingAt(Instant.parse("2027-06-01T14:10:00Z"))
            .create();
    harness.appointmentsBookedLongAgo();
    Producer producer = harness.producer("p1");
    harness.tickEveryMinute(producer, T0, lastTick);

    harness.clock.set(resumed);
    TickReport catchUp = producer.tick(resumed, false);

    assertThat(catchUp.windowFrom()).isEqualTo(coveredBefore);
    assertThat(catchUp.windowTo()).isEqualTo(coveredAfter);
    // Kolkata's 18:30 (13:00Z) fell in the outage, for both kinds, and the reminder.
    assertThat(expected.all()).hasSize(2);
    assertThat(ledgerDueAfter(coveredBefore)).isEqualTo(expected.all());
    List<Delivery> caughtUp =
        harness.deliveries().stream().filter(d -> d.dueAt().isAfter(coveredBefore)).toList();
    assertThat(caughtUp).hasSize(3);
    assertThat(caughtUp)
        .filteredOn(d -> d.kind() == NotificationKind.APPOINTMENT_REMINDER)
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.appointmentId()).isEqualTo(later.getId());
              assertThat(d.userId()).isEqualTo(hourAhead.getId());
              assertThat(d.dueAt()).isEqualTo(Instant.parse("2027-06-01T13:10:00Z"));
            });
    Map<UUID, Instant> queued = harness.queuedReadyAt();
    assertThat(caughtUp)
        .allSatisfy(
            d -> {
              assertThat(d.status()).isEqualTo(NotificationStatus.PENDING);
              // Queued for its own due instant: already past, so ready at once.
              assertThat(queued.get(d.id())).isEqualTo(d.dueAt());
              assertThat(Duration.between(d.dueAt(), resumed))
                  .isPositive()
                  .isLessThanOrEqualTo(Duration.ofMinutes(30));
            });
    assertThat(catchUp.totalStaleSkipped()).isZero();
  }

  @Test
  void aProducerStoppedForADaySendsWhatItsRulesAllowAndRecordsTheRestAsSkipped() {
    scenario(T0);
    Instant resumed = T0.plus(Duration.ofDays(1));
    Instant coveredBefore = T0.plus(ProducerConfig.DEFAULT_LOOK_AHEAD);
    ExpectedNotifications expected =
        everyThreeHoursInLondonAndKolkata(
            coveredBefore, resumed.plus(ProducerConfig.DEFAULT_LOOK_AHEAD));
    WorkspacesRecord clinic = harness.fixtures.workspace().timezone("Asia/Jerusalem").create();
    ClientsRecord client = harness.fixtures.client(clinic).create();
    UsersRecord dayAhead =
        harness.fixtures.user(clinic).settings(s -> s.allOff().reminder(1440)).create();
    UsersRecord hourAhead =
        harness.fixtures.user(clinic).settings(s -> s.allOff().reminder(60)).create();
    // Its 24-hour reminder was due 22 hours before the producer is back; it has not started.
    AppointmentsRecord tomorrowAfternoon =
        harness
            .fixtures
            .appointment(clinic, client)
            .startingAt(Instant.parse("2027-06-02T14:00:00Z"))
            .create();
    // Its one-hour reminder was due during the outage, and it started before the producer is back.
    AppointmentsRecord thisMorning =
        harness
            .fixtures
            .appointment(clinic, client)
            .startingAt(Instant.parse("2027-06-02T09:00:00Z"))
            .create();
    harness.appointmentsBookedLongAgo();
    Producer producer = harness.producer("p1");
    producer.tick(T0, false);

    harness.clock.set(resumed);
    TickReport catchUp = producer.tick(resumed, false);

    // Every time of day fired once in the missed day, in both zones: 16 digests, 16 reminders.
    // Only those due at most two hours before the producer came back are still sent: London's
    // 12:30 (11:30Z) and Kolkata's 15:30 (10:00Z, exactly two hours late).
    for (NotificationKind kind :
        List.of(NotificationKind.DAILY_DIGEST, NotificationKind.SESSION_NOTES_REMINDER)) {
      TickReport.KindCounts counts = catchUp.counts().get(kind);
      assertThat(counts.due()).as(kind.code()).isEqualTo(16);
      assertThat(counts.created()).as(kind.code()).isEqualTo(2);
      assertThat(counts.staleSkipped()).as(kind.code()).isEqualTo(14);
      assertThat(harness.counter("notifier_jobs_skipped", "kind", kind.code(), "reason", "stale"))
          .isEqualTo(14.0);
    }
    Map<UUID, Delivery> reminders =
        harness.deliveries(NotificationKind.APPOINTMENT_REMINDER).stream()
            .collect(Collectors.toMap(Delivery::appointmentId, d -> d));
    assertThat(reminders.get(tomorrowAfternoon.getId()))
        .satisfies(
            d -> {
              assertThat(d.userId()).isEqualTo(dayAhead.getId());
              assertThat(d.status()).isEqualTo(NotificationStatus.PENDING);
            });
    assertThat(reminders.get(thisMorning.getId()))
        .satisfies(
            d -> {
              assertThat(d.userId()).isEqualTo(hourAhead.getId());
              assertThat(d.status()).isEqualTo(NotificationStatus.SKIPPED);
              assertThat(d.skipReason()).isEqualTo("appointment_started");
            });
    assertThat(
            harness.counter(
                "notifier_jobs_skipped",
                "kind",
                "appointment_reminder",
                "reason",
                "appointment_started"))
        .isEqualTo(1.0);

    // The missed day is in the ledger, notification by notification; every one found more than
    // two hours late is skipped, every other pending.
    assertThat(ledgerDueAfter(coveredBefore)).isEqualTo(expected.all());
    assertThat(harness.deliveries())
        .filteredOn(d -> d.kind() != NotificationKind.APPOINTMENT_REMINDER)
        .filteredOn(d -> d.dueAt().isAfter(coveredBefore))
        .hasSize(32)
        .allSatisfy(
            d ->
                assertThat(d.status())
                    .isEqualTo(
                        d.dueAt().isBefore(resumed.minus(Duration.ofHours(2)))
                            ? NotificationStatus.SKIPPED
                            : NotificationStatus.PENDING));
    // Only the pending ones were queued.
    Set<UUID> pending =
        harness.deliveries().stream()
            .filter(d -> d.status() == NotificationStatus.PENDING)
            .map(Delivery::id)
            .collect(Collectors.toSet());
    assertThat(harness.queuedIds()).isEqualTo(pending);
    // The day was resolved in one-hour transactions, ending where a normal tick would.
    assertThat(catchUp.windowFrom()).isEqualTo(T0.plus(ProducerConfig.DEFAULT_LOOK_AHEAD));
    assertThat(catchUp.windowTo()).isEqualTo(resumed.plus(ProducerConfig.DEFAULT_LOOK_AHEAD));
    assertThat(harness.coveredUntil()).isEqualTo(resumed.plus(ProducerConfig.DEFAULT_LOOK_AHEAD));
  }

  @Test
  void aWatermarkOlderThanTheMaximumCatchUpAbandonsTheOldestPartWithACounter() {
    scenario(T0);
    Instant resumed = T0.plus(Duration.ofHours(30));
    Instant oldest = resumed.minus(ProducerConfig.DEFAULT_MAX_CATCH_UP);
    Instant coveredBefore = T0.plus(ProducerConfig.DEFAULT_LOOK_AHEAD);
    ExpectedNotifications kept =
        everyThreeHoursInLondonAndKolkata(oldest, resumed.plus(ProducerConfig.DEFAULT_LOOK_AHEAD));
    Producer producer = harness.producer("p1");
    producer.tick(T0, false);

    harness.clock.set(resumed);
    TickReport catchUp = producer.tick(resumed, false);

    assertThat(catchUp.abandoned()).isEqualTo(Duration.between(coveredBefore, oldest));
    assertThat(catchUp.windowFrom()).isEqualTo(oldest);
    assertThat(harness.counter("notifier_catch_up_abandoned")).isEqualTo(1.0);
    assertThat(harness.counter("notifier_catch_up_abandoned_seconds"))
        .isEqualTo((double) catchUp.abandoned().toSeconds());
    // Nothing due in the abandoned stretch exists; everything after it does, once.
    assertThat(ledgerDueAfter(coveredBefore)).isEqualTo(kept.all());
    assertThat(catchUp.totalDue()).isEqualTo(kept.all().size());
  }
}
