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
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Simulated weeks across the 2027 DST transitions of every zone family the issue names, ticked
 * through by the producer and compared, notification by notification, with an independent
 * brute-force oracle: nothing missing, nothing extra, nothing twice, each at its instant.
 *
 * <p>The weeks tick every 50 minutes: the watermark makes any step resolve the same rows, as long
 * as no notification is found later than its staleness rule allows (these weeks use reminder
 * offsets of 60 minutes and more; a digest may be two hours late). The hours around New York's
 * fall-back tick every minute, with 15- and 30-minute reminders, against the same oracle.
 */
class SimulatedWeeksTest extends ProducerTestBase {

  private static final List<String> ZONES =
      List.of(
          "America/New_York",
          "Europe/London",
          "Asia/Jerusalem",
          "Asia/Kolkata",
          "Asia/Kathmandu",
          "Australia/Lord_Howe",
          "Pacific/Kiritimati",
          "Pacific/Pago_Pago");

  /** A NULL and an invalid time zone: both read as UTC. */
  private static final String NULL_ZONE = null;

  private static final String INVALID_ZONE = "Mars/Olympus_Mons";

  SimulatedWeeksTest(TestDatabase database, TestRedis redis) {
    super(database, redis);
  }

  @Test
  void aFallWeekThroughEuropeanIsraeliAndAmericanFallBacksMatchesTheOracle() {
    simulate(
        Instant.parse("2027-10-29T12:00:00Z"),
        Instant.parse("2027-11-08T00:00:00Z"),
        Duration.ofMinutes(50),
        new int[] {60, 1440},
        Duration.ofMinutes(430));
  }

  @Test
  void aSpringWeekThroughIsraeliAndEuropeanGapsAndLordHowesFallBackMatchesTheOracle() {
    simulate(
        Instant.parse("2027-03-25T12:00:00Z"),
        Instant.parse("2027-04-04T00:00:00Z"),
        Duration.ofMinutes(50),
        new int[] {60, 1440},
        Duration.ofMinutes(430));
  }

  @Test
  void newYorksFallBackTickedMinuteByMinuteMatchesTheOracle() {
    simulate(
        Instant.parse("2027-11-07T04:00:00Z"),
        Instant.parse("2027-11-07T08:30:00Z"),
        Duration.ofMinutes(1),
        new int[] {15, 30, 60},
        Duration.ofMinutes(37));
  }

  private void simulate(
      Instant start, Instant end, Duration step, int[] reminderOffsets, Duration every) {
    scenario(start);
    // The first tick's window starts one tick before it; the last ends one look-ahead after the
    // last tick (the last multiple of the step from the start, at or before the end).
    Instant lastTick = start.plus(step.multipliedBy(Duration.between(start, end).dividedBy(step)));
    Instant coveredFrom = start.minus(Duration.ofMinutes(1));
    Instant coveredTo = lastTick.plus(ProducerConfig.DEFAULT_LOOK_AHEAD);
    ExpectedNotifications expected = new ExpectedNotifications(coveredFrom, coveredTo);

    List<String> zones = new ArrayList<>(ZONES);
    zones.add(NULL_ZONE);
    zones.add(INVALID_ZONE);
    for (String zoneName : zones) {
      ZoneId zone = ZoneCatalog.parse(zoneName).orElse(ZoneOffset.UTC);
      WorkspacesRecord workspace = harness.fixtures.workspace().timezone(zoneName).create();
      ClientsRecord client = harness.fixtures.client(workspace).create();

      // Ordinary times, an Israeli working week, and the times DST transitions skip or repeat.
      UsersRecord a =
          harness
              .fixtures
              .user(workspace)
              .settings(
                  s ->
                      s.allOff()
                          .notesReminder("18:00")
                          .digest("08:00", 0, 1, 2, 3, 4)
                          .tomorrowDigest("20:00", EVERY_DAY))
              .create();
      harness.fixtures.draftNote(a, client);
      UsersRecord b =
          harness
              .fixtures
              .user(workspace)
              .settings(
                  s ->
                      s.allOff()
                          .notesReminder("01:30")
                          .digest("02:30", EVERY_DAY)
                          .tomorrowDigest("00:00", 5, 6))
              .create();
      harness.fixtures.draftNote(b, client);
      UsersRecord c =
          harness
              .fixtures
              .user(workspace)
              .settings(
                  s ->
                      s.allOff()
                          .notesReminder("02:15")
                          .digest("01:45", EVERY_DAY)
                          .tomorrowDigest("23:59", EVERY_DAY))
              .create();
      harness.fixtures.draftNote(c, client);
      expected
          .wallClock(NotificationKind.SESSION_NOTES_REMINDER, a.getId(), zone, "18:00", EVERY_DAY)
          .wallClock(NotificationKind.DAILY_DIGEST, a.getId(), zone, "08:00", 0, 1, 2, 3, 4)
          .wallClock(NotificationKind.TOMORROW_DIGEST, a.getId(), zone, "20:00", EVERY_DAY)
          .wallClock(NotificationKind.SESSION_NOTES_REMINDER, b.getId(), zone, "01:30", EVERY_DAY)
          .wallClock(NotificationKind.DAILY_DIGEST, b.getId(), zone, "02:30", EVERY_DAY)
          .wallClock(NotificationKind.TOMORROW_DIGEST, b.getId(), zone, "00:00", 5, 6)
          .wallClock(NotificationKind.SESSION_NOTES_REMINDER, c.getId(), zone, "02:15", EVERY_DAY)
          .wallClock(NotificationKind.DAILY_DIGEST, c.getId(), zone, "01:45", EVERY_DAY)
          .wallClock(NotificationKind.TOMORROW_DIGEST, c.getId(), zone, "23:59", EVERY_DAY);

      // One user per reminder offset; appointments at odd minutes through the span (and a day
      // beyond it for the 24-hour reminders), plus one cancelled that must never remind.
      List<UsersRecord> reminded = new ArrayList<>();
      for (int offset : reminderOffsets) {
        reminded.add(
            harness.fixtures.user(workspace).settings(s -> s.allOff().reminder(offset)).create());
      }
      for (Instant at = start.plus(Duration.ofMinutes(7));
          at.isBefore(end.plus(Duration.ofDays(1)));
          at = at.plus(every)) {
        AppointmentsRecord appointment =
            harness.fixtures.appointment(workspace, client).startingAt(at).create();
        for (int i = 0; i < reminderOffsets.length; i++) {
          expected.reminder(appointment.getId(), reminded.get(i).getId(), reminderOffsets[i], at);
        }
      }
      harness
          .fixtures
          .appointment(workspace, client)
          .startingAt(start.plus(Duration.ofHours(3)))
          .status("cancelled")
          .create();
    }
    harness.appointmentsBookedLongAgo();
    Producer producer = harness.producer("p1");

    List<TickReport> reports = harness.tickEvery(producer, start, end, step);

    Map<String, Delivery> ledger = harness.byDedupKey();
    Map<String, Instant> actual =
        ledger.values().stream()
            .collect(
                Collectors.toMap(Delivery::dedupKey, Delivery::dueAt, (x, y) -> x, TreeMap::new));
    Map<String, Instant> missing = new TreeMap<>(expected.all());
    missing.keySet().removeAll(actual.keySet());
    Map<String, Instant> extra = new TreeMap<>(actual);
    extra.keySet().removeAll(expected.all().keySet());
    assertThat(missing).as("due but not in the ledger").isEmpty();
    assertThat(extra).as("in the ledger but not due").isEmpty();
    assertThat(actual).as("the ledger, key by key").isEqualTo(expected.all());
    assertThat(ledger.values())
        .allSatisfy(d -> assertThat(d.status()).isEqualTo(NotificationStatus.PENDING));
    // Every notification was resolved exactly once, by exactly one tick.
    assertThat(reports.stream().mapToInt(TickReport::totalDue).sum()).isEqualTo(ledger.size());
    assertThat(reports.stream().mapToInt(TickReport::totalAlreadyPresent).sum()).isZero();
    // And queued exactly once, for its due instant.
    Map<UUID, Instant> queued = harness.queuedReadyAt();
    assertThat(queued).hasSize(ledger.size());
    assertThat(ledger.values())
        .allSatisfy(d -> assertThat(queued.get(d.id())).as(d.dedupKey()).isEqualTo(d.dueAt()));
    assertThat(Arrays.stream(NotificationKind.values()))
        .allSatisfy(
            kind ->
                assertThat(ledger.values().stream().filter(d -> d.kind() == kind))
                    .as("some %s in the simulation", kind)
                    .isNotEmpty());
  }
}
