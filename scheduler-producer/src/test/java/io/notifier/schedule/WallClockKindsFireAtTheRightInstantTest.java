package io.notifier.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.notifier.db.jooq.tables.records.ClientsRecord;
import io.notifier.db.jooq.tables.records.UsersRecord;
import io.notifier.db.jooq.tables.records.WorkspacesRecord;
import io.notifier.ledger.Delivery;
import io.notifier.model.DedupKeys;
import io.notifier.model.NotificationKind;
import io.notifier.model.NotificationStatus;
import io.notifier.testing.TestDatabase;
import io.notifier.testing.TestRedis;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Each wall-clock kind (session-notes reminder, daily digest, tomorrow digest) is resolved by the
 * tick whose window holds its due instant, and carries that exact instant, in every zone family the
 * issue names, on ordinary days and on the days of their 2027 DST transitions.
 */
class WallClockKindsFireAtTheRightInstantTest extends ProducerTestBase {

  WallClockKindsFireAtTheRightInstantTest(TestDatabase database, TestRedis redis) {
    super(database, redis);
  }

  @ParameterizedTest(name = "{0}: {2} {1} fires at {3}")
  @CsvSource({
    // zone, local wall time, local date, expected UTC instant
    "America/New_York, 08:00, 2027-01-15, 2027-01-15T13:00:00Z",
    "America/New_York, 02:30, 2027-03-14, 2027-03-14T07:00:00Z", // spring gap: the transition
    "America/New_York, 08:00, 2027-03-14, 2027-03-14T12:00:00Z",
    "America/New_York, 01:30, 2027-11-07, 2027-11-07T05:30:00Z", // fall-back: first occurrence
    "America/New_York, 08:00, 2027-11-07, 2027-11-07T13:00:00Z",
    "Europe/London, 01:30, 2027-03-28, 2027-03-28T01:00:00Z",
    "Europe/London, 08:00, 2027-03-28, 2027-03-28T07:00:00Z",
    "Europe/London, 01:30, 2027-10-31, 2027-10-31T00:30:00Z",
    "Europe/London, 08:00, 2027-10-31, 2027-10-31T08:00:00Z",
    "Asia/Jerusalem, 02:30, 2027-03-26, 2027-03-26T00:00:00Z",
    "Asia/Jerusalem, 08:00, 2027-03-26, 2027-03-26T05:00:00Z",
    "Asia/Jerusalem, 01:30, 2027-10-31, 2027-10-30T22:30:00Z",
    "Asia/Jerusalem, 08:00, 2027-10-31, 2027-10-31T06:00:00Z",
    "Asia/Kolkata, 08:00, 2027-03-14, 2027-03-14T02:30:00Z",
    "Asia/Kathmandu, 08:00, 2027-03-14, 2027-03-14T02:15:00Z",
    "Asia/Kathmandu, 00:00, 2027-03-14, 2027-03-13T18:15:00Z",
    "Australia/Lord_Howe, 01:45, 2027-04-04, 2027-04-03T14:45:00Z", // 30-minute fall-back
    "Australia/Lord_Howe, 08:00, 2027-04-04, 2027-04-03T21:30:00Z",
    "Australia/Lord_Howe, 02:15, 2027-10-03, 2027-10-02T15:30:00Z", // 30-minute gap
    "Australia/Lord_Howe, 08:00, 2027-10-03, 2027-10-02T21:00:00Z",
    "Pacific/Kiritimati, 08:00, 2027-03-14, 2027-03-13T18:00:00Z",
    "Pacific/Kiritimati, 23:59, 2027-03-14, 2027-03-14T09:59:00Z",
    "Pacific/Pago_Pago, 08:00, 2027-03-14, 2027-03-14T19:00:00Z",
    "Pacific/Pago_Pago, 23:30, 2027-03-14, 2027-03-15T10:30:00Z",
  })
  void eachKindIsResolvedOneLookAheadEarlyForItsExactInstant(
      String zone, String time, LocalDate localDate, Instant expected) {
    Instant twoTicksBefore = expected.minus(Duration.ofMinutes(4));
    scenario(twoTicksBefore);
    WorkspacesRecord workspace = harness.fixtures.workspace().timezone(zone).create();
    UsersRecord notes =
        harness.fixtures.user(workspace).settings(s -> s.allOff().notesReminder(time)).create();
    ClientsRecord client = harness.fixtures.client(workspace).create();
    harness.fixtures.draftNote(notes, client);
    UsersRecord digest =
        harness.fixtures.user(workspace).settings(s -> s.allOff().digest(time, EVERY_DAY)).create();
    UsersRecord tomorrow =
        harness
            .fixtures
            .user(workspace)
            .settings(s -> s.allOff().tomorrowDigest(time, EVERY_DAY))
            .create();
    Producer producer = harness.producer("p1");

    // Ticks at T-4, T-3: their windows end at T-2, T-1: nothing yet.
    List<TickReport> early =
        harness.tickEveryMinute(producer, twoTicksBefore, expected.minus(Duration.ofMinutes(3)));
    assertThat(early).allSatisfy(r -> assertThat(r.totalDue()).isZero());
    assertThat(harness.deliveries()).isEmpty();

    // The tick at T-2 covers (T-1, T]: all three, due exactly at T.
    TickReport report = producer.tick(expected.minus(Duration.ofMinutes(2)), false);
    harness.clock.set(expected.minus(Duration.ofMinutes(2)));

    assertThat(report.totalCreated()).isEqualTo(3);
    Map<String, Delivery> rows = harness.byDedupKey();
    assertThat(rows)
        .containsOnlyKeys(
            DedupKeys.daily(NotificationKind.SESSION_NOTES_REMINDER, notes.getId(), localDate),
            DedupKeys.daily(NotificationKind.DAILY_DIGEST, digest.getId(), localDate),
            DedupKeys.daily(NotificationKind.TOMORROW_DIGEST, tomorrow.getId(), localDate));
    assertThat(rows.values())
        .allSatisfy(
            d -> {
              assertThat(d.dueAt()).isEqualTo(expected);
              assertThat(d.localDate()).isEqualTo(localDate);
              assertThat(d.status()).isEqualTo(NotificationStatus.PENDING);
              assertThat(d.workspaceId()).isEqualTo(workspace.getId());
            });
    // Queued for the due second, not the tick's.
    Map<java.util.UUID, Instant> readyAt = harness.queuedReadyAt();
    assertThat(readyAt).hasSize(3);
    assertThat(readyAt.values()).containsOnly(expected);
  }

  @Test
  void aWallTimeInTheSpringGapFiresOnceAtTheTransitionWhenTickedMinuteByMinute() {
    scenario(Instant.parse("2027-03-14T06:00:00Z"));
    WorkspacesRecord newYork = harness.fixtures.workspace().timezone("America/New_York").create();
    UsersRecord user =
        harness
            .fixtures
            .user(newYork)
            .settings(s -> s.allOff().digest("02:30", EVERY_DAY))
            .create();
    Producer producer = harness.producer("p1");

    harness.tickEveryMinute(
        producer, Instant.parse("2027-03-14T06:00:00Z"), Instant.parse("2027-03-14T08:00:00Z"));

    assertThat(harness.deliveriesOf(user))
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.dueAt()).isEqualTo(Instant.parse("2027-03-14T07:00:00Z"));
              assertThat(d.localDate()).isEqualTo(LocalDate.of(2027, 3, 14));
            });
  }

  @Test
  void aWallTimeInTheRepeatedHourFiresOnceAtItsFirstOccurrenceWhenTickedMinuteByMinute() {
    scenario(Instant.parse("2027-11-07T05:00:00Z"));
    WorkspacesRecord newYork = harness.fixtures.workspace().timezone("America/New_York").create();
    UsersRecord user =
        harness
            .fixtures
            .user(newYork)
            .settings(s -> s.allOff().digest("01:30", EVERY_DAY))
            .create();
    Producer producer = harness.producer("p1");

    List<TickReport> reports =
        harness.tickEveryMinute(
            producer, Instant.parse("2027-11-07T05:00:00Z"), Instant.parse("2027-11-07T07:30:00Z"));

    assertThat(harness.deliveriesOf(user))
        .singleElement()
        .satisfies(d -> assertThat(d.dueAt()).isEqualTo(Instant.parse("2027-11-07T05:30:00Z")));
    // The second 01:30 (06:30Z) resolves nothing at all: not even an already-present row.
    assertThat(reports.stream().mapToInt(TickReport::totalDue).sum()).isEqualTo(1);
  }
}
