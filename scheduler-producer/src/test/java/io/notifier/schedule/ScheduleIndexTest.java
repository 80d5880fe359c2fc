package io.notifier.schedule;

import static io.notifier.db.jooq.Tables.NOTIFIER_USER_SCHEDULE;
import static io.notifier.db.jooq.Tables.USERS;
import static io.notifier.db.jooq.Tables.USER_NOTIFICATION_SETTINGS;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.notifier.db.jooq.tables.records.UsersRecord;
import io.notifier.db.jooq.tables.records.WorkspacesRecord;
import io.notifier.ledger.Delivery;
import io.notifier.testing.TestDatabase;
import io.notifier.testing.TestRedis;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The schedule index follows PazPaz's settings: a change reaches the next tick through updated_at,
 * a change that slipped past updated_at is caught (and reported) by the full re-sync, and a change
 * made inside the look-ahead takes effect the next day.
 */
class ScheduleIndexTest extends ProducerTestBase {

  private static final Instant START = Instant.parse("2027-01-11T08:00:00Z"); // London = UTC

  ScheduleIndexTest(TestDatabase database, TestRedis redis) {
    super(database, redis);
  }

  private UsersRecord digestAtNine() {
    WorkspacesRecord workspace = harness.fixtures.workspace().timezone("Europe/London").create();
    return harness
        .fixtures
        .user(workspace)
        .settings(s -> s.allOff().digest("09:00", EVERY_DAY))
        .create();
  }

  @Test
  void aChangedTimeReachesTheNextTick() {
    scenario(START);
    UsersRecord user = digestAtNine();
    Producer producer = harness.producer("p1");
    harness.tickEveryMinute(producer, START, START.plus(Duration.ofMinutes(5)));

    harness.updateSettings(user, s -> s.setDigestTime("08:30"));
    harness.tickEveryMinute(
        producer, START.plus(Duration.ofMinutes(6)), START.plus(Duration.ofMinutes(65)));

    assertThat(harness.deliveriesOf(user))
        .singleElement()
        .satisfies(d -> assertThat(d.dueAt()).isEqualTo(Instant.parse("2027-01-11T08:30:00Z")));
  }

  @Test
  void aTimeChangedInsideTheLookAheadTakesEffectTheNextDay() {
    scenario(START);
    UsersRecord user = digestAtNine();
    Producer producer = harness.producer("p1");
    // The 08:28 tick resolved everything due up to 08:30, with the user still at 09:00.
    harness.tickEveryMinute(producer, START, Instant.parse("2027-01-11T08:28:00Z"));

    harness.updateSettings(user, s -> s.setDigestTime("08:30")); // at 08:29, for 08:30
    harness.tickEvery(
        producer,
        Instant.parse("2027-01-11T08:29:00Z"),
        Instant.parse("2027-01-12T08:40:00Z"),
        Duration.ofMinutes(20));

    assertThat(harness.deliveriesOf(user))
        .singleElement()
        .satisfies(d -> assertThat(d.dueAt()).isEqualTo(Instant.parse("2027-01-12T08:30:00Z")));
  }

  @Test
  void aChangeThatSlippedPastUpdatedAtIsCorrectedByTheFullResyncAndReportedAsDrift() {
    scenario(START);
    UsersRecord user = digestAtNine();
    Producer producer =
        harness.producer(harness.config("p1").fullResyncInterval(Duration.ofMinutes(30)).build());
    harness.settingsLastChangedLongAgo();
    harness.tickEveryMinute(producer, START, START.plus(Duration.ofMinutes(1)));

    // Written behind the ORM's back: updated_at does not move.
    harness
        .dsl()
        .update(USER_NOTIFICATION_SETTINGS)
        .set(USER_NOTIFICATION_SETTINGS.DIGEST_TIME, "08:45")
        .where(USER_NOTIFICATION_SETTINGS.USER_ID.eq(user.getId()))
        .execute();
    try (LogCapture log = new LogCapture(Producer.class)) {
      harness.tickEvery(
          producer,
          START.plus(Duration.ofMinutes(2)),
          Instant.parse("2027-01-11T09:10:00Z"),
          Duration.ofMinutes(1));

      assertThat(log.messages(Level.WARN))
          .anySatisfy(w -> assertThat(w).contains("corrected 1 schedule-index rows"));
      // Every full pass says what it cost: once an hour it makes one tick longer.
      assertThat(log.messages(Level.INFO))
          .anySatisfy(
              i ->
                  assertThat(i)
                      .matches(
                          "full re-sync of the schedule index in \\d+ ms: 1 rows corrected, 0 of"
                              + " users without settings dropped"));
    }

    // The re-sync at 08:30 found the change, in time for 08:45; before it, the index still
    // nominated 09:00, which the check against PazPaz's row would have refused.
    assertThat(harness.counter("notifier_schedule_drift_rows")).isEqualTo(1.0);
    assertThat(harness.deliveriesOf(user))
        .singleElement()
        .satisfies(d -> assertThat(d.dueAt()).isEqualTo(Instant.parse("2027-01-11T08:45:00Z")));
  }

  @Test
  void aStaleIndexRowNeverSendsAndRowsOfDeletedUsersAreDropped() {
    scenario(START);
    UsersRecord user = digestAtNine();
    Producer producer =
        harness.producer(harness.config("p1").fullResyncInterval(Duration.ofMinutes(30)).build());
    harness.settingsLastChangedLongAgo();
    harness.tickEveryMinute(producer, START, START.plus(Duration.ofMinutes(1)));
    assertThat(harness.dsl().fetchCount(NOTIFIER_USER_SCHEDULE)).isEqualTo(1);

    // Disabled behind the ORM's back: the index still says 09:00 until the re-sync...
    harness
        .dsl()
        .update(USER_NOTIFICATION_SETTINGS)
        .set(USER_NOTIFICATION_SETTINGS.DIGEST_ENABLED, false)
        .where(USER_NOTIFICATION_SETTINGS.USER_ID.eq(user.getId()))
        .execute();
    harness
        .dsl()
        .update(NOTIFIER_USER_SCHEDULE)
        .set(NOTIFIER_USER_SCHEDULE.DIGEST_TIME, "08:10")
        .execute();
    harness.tickEveryMinute(
        producer, START.plus(Duration.ofMinutes(2)), START.plus(Duration.ofMinutes(15)));
    // ...and its nomination at 08:10 is refused by the check against PazPaz's own row.
    assertThat(harness.deliveriesOf(user)).isEmpty();

    harness.dsl().deleteFrom(USERS).where(USERS.ID.eq(user.getId())).execute();
    harness.tickEvery(
        producer,
        START.plus(Duration.ofMinutes(16)),
        START.plus(Duration.ofMinutes(40)),
        Duration.ofMinutes(4));
    assertThat(harness.dsl().fetchCount(NOTIFIER_USER_SCHEDULE)).isZero();
    assertThat(harness.deliveries()).extracting(Delivery::userId).doesNotContain(user.getId());
  }
}
