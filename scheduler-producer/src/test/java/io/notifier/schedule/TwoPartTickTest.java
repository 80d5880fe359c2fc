package io.notifier.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.notifier.db.jooq.tables.records.ClientsRecord;
import io.notifier.db.jooq.tables.records.UsersRecord;
import io.notifier.db.jooq.tables.records.WorkspacesRecord;
import io.notifier.ledger.Delivery;
import io.notifier.model.NotificationKind;
import io.notifier.testing.TestDatabase;
import io.notifier.testing.TestRedis;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jooq.exception.DataAccessException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A real tick resolves its window in two parts at once: the wall-clock kinds in the transaction
 * that holds the watermark, the appointment reminders in their own on a second connection.
 * Whichever part fails, the watermark stays where it was, nothing is lost, and the next tick writes
 * and queues every notification exactly once. The failures are real PostgreSQL errors, raised by a
 * trigger on the ledger for one kind.
 */
class TwoPartTickTest extends ProducerTestBase {

  /** 18:00 in Berlin (UTC+1 in January): the notes reminder and the 19:00 appointment's. */
  private static final Instant DUE = Instant.parse("2027-01-12T17:00:00Z");

  private static final Instant QUIET_TICK = DUE.minusSeconds(10 * 60);
  private static final Instant TICK = DUE.minusSeconds(2 * 60);

  TwoPartTickTest(TestDatabase database, TestRedis redis) {
    super(database, redis);
  }

  @AfterEach
  void dropTheFailingTrigger() {
    database.dsl().execute("DROP TRIGGER IF EXISTS fail_one_kind ON notifier_deliveries");
    database.dsl().execute("DROP FUNCTION IF EXISTS fail_one_kind()");
  }

  /** A therapist with a draft note, a notes reminder at 18:00 and a 19:00 appointment. */
  private Producer aTherapistWithANotesReminderAndAnAppointmentReminderDueTogether() {
    scenario(QUIET_TICK);
    WorkspacesRecord workspace = harness.fixtures.workspace().timezone("Europe/Berlin").create();
    ClientsRecord client = harness.fixtures.client(workspace).create();
    UsersRecord therapist =
        harness
            .fixtures
            .user(workspace)
            .settings(s -> s.allOff().notesReminder("18:00").reminder(60))
            .create();
    harness.fixtures.draftNote(therapist, client);
    harness.fixtures.appointment(workspace, client).startingAt(DUE.plusSeconds(3600)).create();
    harness.appointmentsBookedLongAgo();
    harness.settingsLastChangedLongAgo();
    Producer producer = harness.producer("two-parts");
    // Places the watermark before the window, so a failed tick has one to leave alone.
    assertThat(producer.tick(QUIET_TICK, false).totalDue()).isZero();
    return producer;
  }

  private void ledgerInsertsFailFor(NotificationKind kind) {
    database
        .dsl()
        .execute(
            "CREATE FUNCTION fail_one_kind() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                + " RAISE EXCEPTION 'test: no % rows', NEW.kind; END $$");
    database
        .dsl()
        .execute(
            "CREATE TRIGGER fail_one_kind BEFORE INSERT ON notifier_deliveries FOR EACH ROW WHEN"
                + " (NEW.kind = '"
                + kind.code()
                + "') EXECUTE FUNCTION fail_one_kind()");
  }

  private Set<UUID> ledgerIds() {
    return harness.deliveries().stream().map(Delivery::id).collect(Collectors.toSet());
  }

  @Test
  void aTickWritesAndQueuesBothPartsOfItsWindow() {
    Producer producer = aTherapistWithANotesReminderAndAnAppointmentReminderDueTogether();

    TickReport report = producer.tick(TICK, false);

    assertThat(report.counts().get(NotificationKind.SESSION_NOTES_REMINDER).created()).isOne();
    assertThat(report.counts().get(NotificationKind.APPOINTMENT_REMINDER).created()).isOne();
    assertThat(report.enqueued()).isEqualTo(2);
    assertThat(report.enqueueError()).isNull();
    assertThat(harness.deliveries()).extracting(Delivery::dueAt).containsOnly(DUE);
    assertThat(harness.queuedIds()).isEqualTo(ledgerIds()).hasSize(2);
    assertThat(harness.coveredUntil()).isEqualTo(TICK.plus(ProducerConfig.DEFAULT_LOOK_AHEAD));
  }

  @Test
  void whenTheAppointmentReminderPartFailsNothingOfTheWindowIsKeptAndTheNextTickWritesBoth() {
    Producer producer = aTherapistWithANotesReminderAndAnAppointmentReminderDueTogether();
    Instant before = harness.coveredUntil();
    ledgerInsertsFailFor(NotificationKind.APPOINTMENT_REMINDER);

    assertThatThrownBy(() -> producer.tick(TICK, false))
        .isInstanceOf(DataAccessException.class)
        .hasMessageContaining("test: no appointment_reminder rows");

    // The wall-clock part waited for the reminders' commit, which never came: rolled back.
    assertThat(harness.deliveries()).isEmpty();
    assertThat(harness.queuedIds()).isEmpty();
    assertThat(harness.coveredUntil()).isEqualTo(before);

    dropTheFailingTrigger();
    harness.clock.set(TICK.plusSeconds(60));
    TickReport retry = producer.tick(TICK.plusSeconds(60), false);

    assertThat(retry.totalCreated()).isEqualTo(2);
    assertThat(harness.deliveries())
        .extracting(Delivery::kind)
        .containsExactlyInAnyOrder(
            NotificationKind.SESSION_NOTES_REMINDER, NotificationKind.APPOINTMENT_REMINDER);
    assertThat(harness.queuedIds()).isEqualTo(ledgerIds()).hasSize(2);
  }

  @Test
  void whenTheWallClockPartFailsTheCommittedRemindersStayQueuedOnceAndTheNextTickAddsTheRest() {
    Producer producer = aTherapistWithANotesReminderAndAnAppointmentReminderDueTogether();
    Instant before = harness.coveredUntil();
    ledgerInsertsFailFor(NotificationKind.SESSION_NOTES_REMINDER);

    assertThatThrownBy(() -> producer.tick(TICK, false))
        .isInstanceOf(DataAccessException.class)
        .hasMessageContaining("test: no session_notes_reminder rows");

    // The reminders had committed on their own connection and were queued; the watermark did not
    // move, because the transaction that holds it failed.
    assertThat(harness.deliveries())
        .extracting(Delivery::kind)
        .containsExactly(NotificationKind.APPOINTMENT_REMINDER);
    assertThat(harness.queuedIds()).isEqualTo(ledgerIds()).hasSize(1);
    assertThat(harness.coveredUntil()).isEqualTo(before);

    dropTheFailingTrigger();
    harness.clock.set(TICK.plusSeconds(60));
    TickReport retry = producer.tick(TICK.plusSeconds(60), false);

    assertThat(retry.counts().get(NotificationKind.SESSION_NOTES_REMINDER).created()).isOne();
    assertThat(retry.counts().get(NotificationKind.APPOINTMENT_REMINDER).alreadyPresent()).isOne();
    assertThat(retry.enqueued()).isOne();
    assertThat(harness.deliveries()).hasSize(2);
    assertThat(harness.queuedIds()).isEqualTo(ledgerIds()).hasSize(2);
  }
}
