package io.notifier.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.notifier.health.Heartbeats;
import io.notifier.ledger.Delivery;
import io.notifier.model.NotificationKind;
import io.notifier.model.SkipReason;
import io.notifier.testing.RealServicesTest;
import io.notifier.testing.SettableClock;
import io.notifier.testing.TestDatabase;
import io.notifier.testing.TestRedis;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** deliveries, queue stats, health, cleanup and db migrate, run against real services. */
@RealServicesTest
class OperationsCommandsTest {

  private static final Instant T0 = Instant.parse("2027-03-14T07:30:00Z");

  private final TestDatabase db;
  private final TestRedis redis;
  private final SettableClock clock = new SettableClock(T0);
  private QueueFixture fixture;
  private Cli cli;

  OperationsCommandsTest(TestDatabase db, TestRedis redis) {
    this.db = db;
    this.redis = redis;
  }

  @BeforeEach
  void cleanSlate() {
    db.truncateAll();
    redis.flushNamespace();
    clock.set(T0);
    fixture = new QueueFixture(db, redis, clock);
    cli = Cli.against(db, redis).clock(clock);
  }

  @AfterEach
  void close() {
    fixture.close();
  }

  @Test
  void deliveriesTellsWhatWasSentSkippedOrFailedForOneUserAndWhy() {
    UUID user = UUID.randomUUID();
    QueueFixture.DeadRow dead =
        fixture.dead(NotificationKind.DAILY_DIGEST, user, "550 5.1.1 unknown mailbox");
    Delivery skipped =
        fixture.pending(NotificationKind.APPOINTMENT_REMINDER, user, T0.plusSeconds(60));
    fixture.ledger.markSkipped(skipped.id(), null, SkipReason.APPOINTMENT_CANCELLED).orElseThrow();
    Delivery other = fixture.pending(NotificationKind.DAILY_DIGEST, UUID.randomUUID(), T0);

    Cli.Result all = cli.run("deliveries", "--user", user.toString());
    Cli.Result onlyDead = cli.run("deliveries", "--user", user.toString(), "--status", "dead");
    Cli.Result none = cli.run("deliveries", "--user", user.toString(), "--kind", "tomorrow_digest");

    assertThat(all.code()).as(all.toString()).isZero();
    assertThat(all.out())
        .contains("DUE", "STATUS", "WHY", "DUP?")
        .contains(dead.row().id().toString(), "dead", "550 5.1.1 unknown mailbox")
        .contains(skipped.id().toString(), "skipped", "appointment_cancelled")
        .doesNotContain(other.id().toString());
    assertThat(onlyDead.out())
        .contains(dead.row().id().toString())
        .doesNotContain(skipped.id().toString());
    assertThat(none.out()).contains("no deliveries for user " + user + ", kind tomorrow_digest");
  }

  @Test
  void queueStatsReadsDelayedReadyPendingAndDead() {
    fixture.pending(NotificationKind.DAILY_DIGEST, UUID.randomUUID(), T0.plusSeconds(3600));
    fixture.dead(NotificationKind.DAILY_DIGEST, UUID.randomUUID(), "x");
    fixture.pending(NotificationKind.DAILY_DIGEST, UUID.randomUUID(), T0);
    fixture.pending(NotificationKind.DAILY_DIGEST, UUID.randomUUID(), T0);
    fixture.queue.moveDue(); // both due jobs become ready; one is then read and held
    fixture.queue.read(QueueFixture.CONSUMER, 1, Duration.ZERO);

    Cli.Result result = cli.run("queue", "stats");

    assertThat(result.code()).as(result.toString()).isZero();
    assertThat(result.out())
        .containsPattern("delayed\\s+1")
        .containsPattern("ready\\s+1")
        .containsPattern("pending\\s+1")
        .containsPattern("dead\\s+1")
        .contains(redis.namespace());
  }

  @Test
  void healthExitsZeroWhenWorkersBeatAndTheProducerTicksAndOneWithReasonsOtherwise() {
    Cli.Result empty = cli.run("health");
    assertThat(empty.code()).isEqualTo(1);
    assertThat(empty.err()).contains("no worker has a heartbeat", "the producer has never ticked");

    Heartbeats producer =
        new Heartbeats(fixture.redisson, fixture.queue.keys(), clock, "p-1", "producer");
    Heartbeats consumer =
        new Heartbeats(fixture.redisson, fixture.queue.keys(), clock, "c-1", "consumer");
    producer.beat(true);
    consumer.beat(false);
    producer.ran("producer.tick", Duration.ofMillis(12), "ok");
    Cli.Result healthy = cli.run("health");
    assertThat(healthy.code()).as(healthy.toString()).isZero();
    assertThat(healthy.out()).startsWith("healthy").contains("p-1", "c-1", "producer.tick");

    clock.advance(Duration.ofSeconds(50));
    producer.beat(true);
    producer.ran("producer.tick", Duration.ofMillis(12), "ok");
    Cli.Result stale = cli.run("health", "--worker-stale-after", "40s");
    assertThat(stale.code()).isEqualTo(1);
    assertThat(stale.out()).contains("STALE");
    assertThat(stale.err()).contains("unhealthy: worker c-1 (consumer) has been silent for 50s");

    Cli.Result json = cli.run("health", "--json", "--worker-stale-after", "2m");
    assertThat(json.code()).isZero();
    assertThat(json.out()).contains("\"status\" : \"ok\"", "\"queues\"");
  }

  @Test
  void healthWithRedisUnreachableExitsOne() {
    Cli.Result result =
        new Cli()
            .env("NOTIFIER_REDIS_URL", "redis://127.0.0.1:1")
            .env("NOTIFIER_REDIS_TIMEOUT", "300ms")
            .run("health");

    assertThat(result.code()).isEqualTo(1);
    assertThat(result.err()).contains("unhealthy: Redis is unreachable");
  }

  @Test
  void cleanupDryRunCountsAndCleanupDeletesOldFinishedRows() {
    QueueFixture.DeadRow old = fixture.dead(NotificationKind.DAILY_DIGEST, UUID.randomUUID(), "x");
    clock.advance(Duration.ofDays(31));
    QueueFixture.DeadRow recent =
        fixture.dead(NotificationKind.DAILY_DIGEST, UUID.randomUUID(), "y");

    Cli.Result dry = cli.run("cleanup", "--dry-run");
    assertThat(dry.code()).as(dry.toString()).isZero();
    assertThat(dry.out())
        .contains(
            "dry run: 1 finished row(s) due before " + clock.instant().minus(Duration.ofDays(30)));
    assertThat(fixture.ledger.find(old.row().id())).isPresent();

    Cli.Result run = cli.run("cleanup", "--cleanup-pause", "0ms");
    assertThat(run.code()).as(run.toString()).isZero();
    assertThat(run.out()).contains("deleted 1 finished row(s)");
    assertThat(fixture.ledger.find(old.row().id())).isEmpty();
    assertThat(fixture.ledger.find(recent.row().id())).isPresent();
  }

  @Test
  void dbMigrateAppliesTheSchemaOnceAndNotifierOnlyLeavesPazPazAlone() {
    var empty = db.unmigratedDatabase();
    Cli fresh = Cli.against(empty, null);

    Cli.Result notifierOnly = fresh.run("db", "migrate", "--notifier-only");
    assertThat(notifierOnly.code()).as(notifierOnly.toString()).isZero();
    assertThat(notifierOnly.out()).contains("notifier").doesNotContain("pazpaz");
    assertThat(
            empty
                .dsl()
                .fetchExists(
                    empty
                        .dsl()
                        .selectOne()
                        .from("information_schema.tables")
                        .where("table_name = 'workspaces'")))
        .isFalse();

    Cli.Result all = fresh.run("db", "migrate");
    assertThat(all.code()).as(all.toString()).isZero();
    assertThat(all.out())
        .contains("pazpaz")
        .containsPattern("notifier\\s+0 migration\\(s\\) applied");
    assertThat(
            empty
                .dsl()
                .fetchExists(
                    empty
                        .dsl()
                        .selectOne()
                        .from("information_schema.tables")
                        .where("table_name = 'workspaces'")))
        .isTrue();
  }
}
