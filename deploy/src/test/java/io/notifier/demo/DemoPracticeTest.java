package io.notifier.demo;

import static io.notifier.db.jooq.Tables.APPOINTMENTS;
import static io.notifier.db.jooq.Tables.CLIENTS;
import static io.notifier.db.jooq.Tables.USERS;
import static io.notifier.db.jooq.Tables.USER_NOTIFICATION_SETTINGS;
import static io.notifier.db.jooq.Tables.WORKSPACES;
import static org.assertj.core.api.Assertions.assertThat;

import io.notifier.db.crypto.ClientNameCipher;
import io.notifier.db.fixtures.Fixtures;
import io.notifier.health.Heartbeats;
import io.notifier.metrics.NotifierMetrics;
import io.notifier.model.NotificationKind;
import io.notifier.queue.RedisJobQueue;
import io.notifier.schedule.Producer;
import io.notifier.schedule.ProducerConfig;
import io.notifier.schedule.TickReport;
import io.notifier.testing.RealServicesTest;
import io.notifier.testing.RedisTestSupport;
import io.notifier.testing.SettableClock;
import io.notifier.testing.TestDatabase;
import io.notifier.testing.TestRedis;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

/**
 * The demo practice against the real producer: what the seeder says to expect is exactly what a
 * tick at the seeding instant resolves, on an ordinary night and in the hour London's clocks go
 * back (when a "01:30" setting has already fired). Client names are encrypted as PazPaz does, with
 * the demo's keys, and only the one late booking looks freshly booked.
 */
@RealServicesTest
class DemoPracticeTest {

  private final ClientNameCipher cipher = new ClientNameCipher(Fixtures.testKeys());

  @BeforeEach
  void emptyDatabase(TestDatabase db) {
    db.truncateAll();
  }

  @Test
  void onAnOrdinaryNightEveryKindIsDueAndTheProducerResolvesExactlyWhatIsExpected(
      TestDatabase db, TestRedis redis) {
    Instant now = Instant.parse("2027-03-10T19:58:37Z");

    DemoPractice.Seeded seeded = DemoPractice.seed(db.dsl(), cipher, DemoSchedule.at(now));

    assertThat(seeded.workspaces()).isEqualTo(5);
    assertThat(seeded.users()).isEqualTo(8);
    assertThat(seeded.draftNotes()).isEqualTo(7);
    assertThat(seeded.notes()).isEmpty();
    assertThat(seeded.expected())
        .extracting(DemoPractice.Expected::kind)
        .containsOnly(NotificationKind.values())
        .hasSize(15);
    assertThat(resolvedByTheProducer(db, redis, now)).isEqualTo(expectedPairs(seeded));
  }

  @Test
  void inTheRepeatedHourOfAFallBackTheSettingThatAlreadyFiredIsNeitherExpectedNorResolved(
      TestDatabase db, TestRedis redis) {
    // London, 2027-10-31 01:00Z-02:00Z: its clocks read 01:00-02:00 for the second time.
    Instant now = Instant.parse("2027-10-31T01:29:30Z");

    DemoPractice.Seeded seeded = DemoPractice.seed(db.dsl(), cipher, DemoSchedule.at(now));

    String oliver = "oliver.hughes@" + DemoPractice.EMAIL_DOMAIN;
    assertThat(seeded.expected())
        .noneMatch(e -> e.email().equals(oliver) && e.kind() == NotificationKind.DAILY_DIGEST)
        .hasSize(14);
    assertThat(seeded.notes()).singleElement().asString().contains(oliver, "clocks back");
    Set<String> resolved = resolvedByTheProducer(db, redis, now);
    assertThat(resolved).isEqualTo(expectedPairs(seeded));
    assertThat(resolved).doesNotContain("daily_digest " + oliver);
  }

  @Test
  void settingsAreLocalWallTimesNamesAreEncryptedAndOnlyTheLateBookingIsFresh(TestDatabase db) {
    Instant now = Instant.parse("2027-03-10T19:58:37Z");
    DemoSchedule schedule = DemoSchedule.at(now);

    DemoPractice.seed(db.dsl(), cipher, schedule);

    var dana =
        db.dsl()
            .select(USER_NOTIFICATION_SETTINGS.NOTES_REMINDER_TIME, WORKSPACES.TIMEZONE)
            .from(USERS)
            .join(USER_NOTIFICATION_SETTINGS)
            .on(USER_NOTIFICATION_SETTINGS.USER_ID.eq(USERS.ID))
            .join(WORKSPACES)
            .on(WORKSPACES.ID.eq(USERS.WORKSPACE_ID))
            .where(USERS.EMAIL.eq("dana.levi@" + DemoPractice.EMAIL_DOMAIN))
            .fetchOne();
    assertThat(dana.value2()).isEqualTo("Asia/Jerusalem");
    assertThat(dana.value1()).isEqualTo("21:59"); // 19:59Z at +02:00
    assertThat(db.dsl().fetchCount(WORKSPACES, WORKSPACES.TIMEZONE.isNull()))
        .as("one workspace without a time zone")
        .isEqualTo(1);

    List<String> names =
        db.dsl().select(CLIENTS.FIRST_NAME, CLIENTS.LAST_NAME).from(CLIENTS).fetch().stream()
            .map(
                r -> {
                  // PazPaz's current format: the key version, then nonce, ciphertext and tag.
                  assertThat(new String(r.value1(), StandardCharsets.ISO_8859_1)).startsWith("v2:");
                  try {
                    return cipher.decrypt(r.value1()) + " " + cipher.decrypt(r.value2());
                  } catch (Exception e) {
                    throw new AssertionError(e);
                  }
                })
            .toList();
    assertThat(names).contains("נועה ברק", "Sita Gurung", "Tomás García");

    // Every appointment is dated as booked days before, except the late booking (database time).
    Instant bookedAhead = now.minus(DemoPractice.BOOKED_AHEAD);
    var fresh =
        db.dsl()
            .select(APPOINTMENTS.SCHEDULED_START)
            .from(APPOINTMENTS)
            .where(APPOINTMENTS.UPDATED_AT.ne(bookedAhead.atOffset(ZoneOffset.UTC)))
            .fetch(r -> r.value1().toInstant());
    assertThat(fresh).containsExactly(schedule.lateBookingStart());
  }

  /** What a tick at {@code now} resolves, as "kind email" pairs; a dry run: nothing is kept. */
  private static Set<String> resolvedByTheProducer(TestDatabase db, TestRedis redis, Instant now) {
    SettableClock clock = new SettableClock(now);
    RedissonClient redisson = RedisTestSupport.redisson(redis);
    try {
      RedisJobQueue queue = new RedisJobQueue(redisson, RedisTestSupport.queueConfig(redis), clock);
      Producer producer =
          new Producer(
              ProducerConfig.defaults("demo-practice-test"),
              db.dsl(),
              queue,
              redisson,
              clock,
              NotifierMetrics.NOOP,
              new Heartbeats(redisson, queue.keys(), clock, "demo-practice-test", "producer"));
      TickReport report = producer.tick(now.truncatedTo(ChronoUnit.MINUTES), true);
      Map<UUID, String> emails =
          db.dsl().select(USERS.ID, USERS.EMAIL).from(USERS).fetchMap(USERS.ID, USERS.EMAIL);
      assertThat(report.rows())
          .allSatisfy(r -> assertThat(r.outcome()).isEqualTo(TickReport.Outcome.PENDING))
          .allSatisfy(
              r ->
                  assertThat(r.dueAt())
                      .isBetween(now.minus(Duration.ofHours(1)), now.plus(Duration.ofMinutes(2))));
      return report.rows().stream()
          .map(r -> r.kind().code() + " " + emails.get(r.userId()))
          .collect(Collectors.toSet());
    } finally {
      redisson.shutdown();
    }
  }

  private static Set<String> expectedPairs(DemoPractice.Seeded seeded) {
    Set<String> pairs = new HashSet<>();
    seeded.expected().forEach(e -> pairs.add(e.kind().code() + " " + e.email()));
    assertThat(pairs).as("one email per kind and user").hasSameSizeAs(seeded.expected());
    return pairs;
  }
}
