package io.notifier.schedule;

import static io.notifier.db.jooq.Tables.WORKSPACES;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.notifier.db.jooq.tables.records.UsersRecord;
import io.notifier.db.jooq.tables.records.WorkspacesRecord;
import io.notifier.ledger.Delivery;
import io.notifier.model.NotificationKind;
import io.notifier.testing.TestDatabase;
import io.notifier.testing.TestRedis;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;

/**
 * Day-of-week rules (an Israeli Sunday-to-Thursday week; skipped days send nothing) and the
 * time-zone values PazPaz lets through: NULL, names that are not zones, zones that appear or change
 * between two refreshes of the zone list.
 */
class DaysAndTimeZonesTest extends ProducerTestBase {

  DaysAndTimeZonesTest(TestDatabase database, TestRedis redis) {
    super(database, redis);
  }

  private static List<LocalDate> dates(List<Delivery> deliveries) {
    return deliveries.stream().map(Delivery::localDate).sorted().toList();
  }

  @Test
  void anIsraeliSundayToThursdayWeekSendsNothingOnItsSkippedDays() {
    Instant saturday = Instant.parse("2027-01-09T00:00:00Z");
    scenario(saturday);
    WorkspacesRecord telAviv = harness.fixtures.workspace().timezone("Asia/Jerusalem").create();
    UsersRecord israeli =
        harness
            .fixtures
            .user(telAviv)
            .settings(
                s ->
                    s.allOff()
                        .digest("07:30", 0, 1, 2, 3, 4)
                        // The evening before each working day: Saturday to Wednesday.
                        .tomorrowDigest("21:00", 6, 0, 1, 2, 3))
            .create();
    WorkspacesRecord boston = harness.fixtures.workspace().timezone("America/New_York").create();
    UsersRecord american =
        harness
            .fixtures
            .user(boston)
            .settings(s -> s.allOff().digest("07:30", 1, 2, 3, 4, 5))
            .create();

    // Every 100 minutes: each digest is found at most that late, within its two-hour grace.
    harness.tickEvery(
        harness.producer("p1"),
        saturday,
        saturday.plus(Duration.ofDays(8)),
        Duration.ofMinutes(100));

    assertThat(
            dates(
                harness.deliveriesOf(israeli).stream()
                    .filter(d -> d.kind() == NotificationKind.DAILY_DIGEST)
                    .toList()))
        .containsExactly(
            LocalDate.of(2027, 1, 10), // Sunday
            LocalDate.of(2027, 1, 11),
            LocalDate.of(2027, 1, 12),
            LocalDate.of(2027, 1, 13),
            LocalDate.of(2027, 1, 14)); // Thursday; Friday and Saturday skipped
    assertThat(
            dates(
                harness.deliveriesOf(israeli).stream()
                    .filter(d -> d.kind() == NotificationKind.TOMORROW_DIGEST)
                    .toList()))
        .containsExactly(
            LocalDate.of(2027, 1, 9), // Saturday evening, about Sunday
            LocalDate.of(2027, 1, 10),
            LocalDate.of(2027, 1, 11),
            LocalDate.of(2027, 1, 12),
            LocalDate.of(2027, 1, 13), // Wednesday, about Thursday
            LocalDate.of(2027, 1, 16));
    assertThat(harness.deliveriesOf(israeli))
        .filteredOn(d -> d.kind() == NotificationKind.DAILY_DIGEST)
        .allSatisfy(
            d ->
                assertThat(d.dueAt())
                    .isEqualTo(d.localDate().atTime(5, 30).toInstant(java.time.ZoneOffset.UTC)));
    assertThat(dates(harness.deliveriesOf(american)))
        .containsExactly(
            LocalDate.of(2027, 1, 11),
            LocalDate.of(2027, 1, 12),
            LocalDate.of(2027, 1, 13),
            LocalDate.of(2027, 1, 14),
            LocalDate.of(2027, 1, 15));
  }

  @Test
  void aNullTimeZoneMeansUtcSilently() {
    Instant start = Instant.parse("2027-01-11T07:50:00Z");
    scenario(start);
    WorkspacesRecord noZone = harness.fixtures.workspace().timezone(null).create();
    UsersRecord user =
        harness.fixtures.user(noZone).settings(s -> s.allOff().digest("08:00", EVERY_DAY)).create();

    try (LogCapture zoneLog = new LogCapture(ZoneCache.class)) {
      harness.tickEveryMinute(harness.producer("p1"), start, start.plus(Duration.ofMinutes(15)));

      assertThat(zoneLog.messages(Level.WARN)).isEmpty();
    }
    assertThat(harness.deliveriesOf(user))
        .singleElement()
        .satisfies(d -> assertThat(d.dueAt()).isEqualTo(Instant.parse("2027-01-11T08:00:00Z")));
    assertThat(harness.counter("notifier_invalid_timezone")).isZero();
  }

  @Test
  void anInvalidTimeZoneMeansUtcWithOneWarningPerRefreshNamingTheWorkspacesAndACounter() {
    Instant start = Instant.parse("2027-01-11T07:50:00Z");
    scenario(start);
    WorkspacesRecord typo = harness.fixtures.workspace().timezone("Asia/Jerusalen").create();
    WorkspacesRecord empty = harness.fixtures.workspace().timezone("").create();
    UsersRecord a =
        harness.fixtures.user(typo).settings(s -> s.allOff().digest("08:00", EVERY_DAY)).create();
    UsersRecord b =
        harness.fixtures.user(empty).settings(s -> s.allOff().digest("08:00", EVERY_DAY)).create();

    try (LogCapture zoneLog = new LogCapture(ZoneCache.class)) {
      // 15 minutes with a 5-minute cache: the zone list is read three times.
      harness.tickEveryMinute(harness.producer("p1"), start, start.plus(Duration.ofMinutes(14)));

      List<String> warnings = zoneLog.messages(Level.WARN);
      assertThat(warnings).hasSize(6);
      assertThat(warnings.stream().filter(w -> w.contains("'Asia/Jerusalen'")))
          .hasSize(3)
          .allSatisfy(w -> assertThat(w).contains(typo.getId().toString()).contains("UTC"));
      assertThat(warnings.stream().filter(w -> w.contains("''")))
          .hasSize(3)
          .allSatisfy(w -> assertThat(w).contains(empty.getId().toString()));
    }
    assertThat(harness.counter("notifier_invalid_timezone")).isEqualTo(6.0);
    assertThat(harness.deliveriesOf(a))
        .singleElement()
        .satisfies(d -> assertThat(d.dueAt()).isEqualTo(Instant.parse("2027-01-11T08:00:00Z")));
    assertThat(harness.deliveriesOf(b))
        .singleElement()
        .satisfies(d -> assertThat(d.dueAt()).isEqualTo(Instant.parse("2027-01-11T08:00:00Z")));
  }

  @Test
  void aZoneThatComesIntoUseBetweenTwoRefreshesIsScheduledAtOnce() {
    Instant start = Instant.parse("2027-01-11T07:50:00Z");
    scenario(start);
    harness.fixtures.workspace().timezone("Europe/London").create();
    Producer producer = harness.producer("p1");
    producer.tick(start, false);

    // One minute later, long before the zone list's TTL: the first practice in Tokyo.
    WorkspacesRecord tokyo = harness.fixtures.workspace().timezone("Asia/Tokyo").create();
    UsersRecord user =
        harness.fixtures.user(tokyo).settings(s -> s.allOff().digest("16:55", EVERY_DAY)).create();
    harness.tickEveryMinute(
        producer, start.plus(Duration.ofMinutes(1)), start.plus(Duration.ofMinutes(6)));

    assertThat(harness.deliveriesOf(user))
        .singleElement()
        .satisfies(d -> assertThat(d.dueAt()).isEqualTo(Instant.parse("2027-01-11T07:55:00Z")));
  }

  @Test
  void aWorkspaceThatMovesToAnotherZoneIsScheduledInItsNewZoneFromTheNextTick() {
    Instant start = Instant.parse("2027-01-11T07:50:00Z");
    scenario(start);
    WorkspacesRecord practice = harness.fixtures.workspace().timezone("Europe/London").create();
    UsersRecord user =
        harness
            .fixtures
            .user(practice)
            .settings(s -> s.allOff().digest("08:00", EVERY_DAY))
            .create();
    harness.fixtures.workspace().timezone("Europe/Paris").create(); // Paris is in use already
    Producer producer = harness.producer("p1");
    producer.tick(start, false);

    // The practice moves to Paris: 08:00 there is 07:00Z, already past today, so tomorrow.
    harness
        .dsl()
        .update(WORKSPACES)
        .set(WORKSPACES.TIMEZONE, "Europe/Paris")
        .set(WORKSPACES.UPDATED_AT, DSL.currentOffsetDateTime())
        .where(WORKSPACES.ID.eq(practice.getId()))
        .execute();
    harness.tickEvery(
        producer,
        start.plus(Duration.ofMinutes(1)),
        Instant.parse("2027-01-12T08:30:00Z"),
        Duration.ofMinutes(60));

    assertThat(harness.deliveriesOf(user))
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.localDate()).isEqualTo(LocalDate.of(2027, 1, 12));
              assertThat(d.dueAt()).isEqualTo(Instant.parse("2027-01-12T07:00:00Z"));
            });
  }
}
