package io.notifier.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.notifier.db.jooq.tables.records.UsersRecord;
import io.notifier.db.jooq.tables.records.WorkspacesRecord;
import io.notifier.testing.TestDatabase;
import io.notifier.testing.TestRedis;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.redisson.client.codec.StringCodec;

/**
 * The background loops: ticks on the minute by the injected clock, heartbeats, a failing iteration
 * that is counted and survived, the reconciler's own cadence, and a stop that drains.
 */
class ProducerLoopTest extends ProducerTestBase {

  private static final Instant START = Instant.parse("2027-01-11T07:58:30Z");

  ProducerLoopTest(TestDatabase database, TestRedis redis) {
    super(database, redis);
  }

  private UsersRecord digestAtEight() {
    WorkspacesRecord workspace = harness.fixtures.workspace().timezone("UTC").create();
    return harness
        .fixtures
        .user(workspace)
        .settings(s -> s.allOff().digest("08:00", EVERY_DAY))
        .create();
  }

  private String worker(String id) {
    return redisson
        .<String, String>getMap(harness.queue.keys().workers(), StringCodec.INSTANCE)
        .get(id);
  }

  @Test
  void theTickerFollowsTheClockBeatsAndLeavesCleanlyOnStop() {
    scenario(START);
    UsersRecord user = digestAtEight();
    Producer producer = harness.producer("p1");

    producer.start();
    assertThatThrownBy(producer::start).isInstanceOf(IllegalStateException.class);
    // The first tick, at 07:58 (the minute the clock is in), covers up to 08:00.
    await().atMost(Duration.ofSeconds(10)).until(() -> harness.deliveriesOf(user).size() == 1);
    await().atMost(Duration.ofSeconds(10)).until(() -> worker("p1") != null);
    assertThat(worker("p1")).contains("\"leader\":true").contains("\"role\":\"producer\"");
    assertThat(producer.isLeader()).isTrue();

    // Nothing happens until the clock reaches the next minute...
    harness
        .fixtures
        .user(harness.fixtures.workspace().create())
        .settings(s -> s.allOff().digest("08:01", EVERY_DAY))
        .create();
    harness.clock.set(Instant.parse("2027-01-11T07:59:00Z"));
    await().atMost(Duration.ofSeconds(10)).until(() -> harness.deliveries().size() == 2);

    producer.stop();
    producer.stop(); // idempotent
    assertThat(worker("p1")).isNull();
    assertThat(producer.isLeader()).isFalse();
    // The lease is free at once for another producer.
    Producer next = harness.producer("p2");
    next.start();
    await().atMost(Duration.ofSeconds(10)).until(next::isLeader);
  }

  @Test
  void aFailingTickIsCountedAndTheNextOneCatchesUp() {
    scenario(START);
    WorkspacesRecord workspace = harness.fixtures.workspace().timezone("UTC").create();
    UsersRecord user =
        harness
            .fixtures
            .user(workspace)
            .settings(s -> s.allOff().digest("08:02", EVERY_DAY))
            .create();
    Producer producer = harness.producer("p1");
    producer.start();
    // The 07:58 tick works: the watermark covers up to 08:00.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> harness.counter("notifier_loop_iterations", "loop", Producer.TICK_LOOP) >= 1);

    // Then the database breaks under the producer: its state table disappears for a while.
    harness.dsl().execute("ALTER TABLE notifier_scheduler_state RENAME TO scheduler_state_away");
    try {
      harness.clock.set(Instant.parse("2027-01-11T07:59:00Z"));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> harness.counter("notifier_loop_errors", "loop", Producer.TICK_LOOP) >= 1);
      harness.clock.set(Instant.parse("2027-01-11T08:00:00Z"));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> harness.counter("notifier_loop_errors", "loop", Producer.TICK_LOOP) >= 2);
    } finally {
      harness.dsl().execute("ALTER TABLE scheduler_state_away RENAME TO notifier_scheduler_state");
    }
    assertThat(harness.deliveriesOf(user)).isEmpty();

    // Back at 08:05: the loop is alive, and the first tick that works covers 08:02.
    harness.clock.set(Instant.parse("2027-01-11T08:05:00Z"));
    await().atMost(Duration.ofSeconds(10)).until(() -> harness.deliveriesOf(user).size() == 1);
    assertThat(harness.deliveriesOf(user).get(0).dueAt())
        .isEqualTo(Instant.parse("2027-01-11T08:02:00Z"));
    producer.stop();
  }

  @Test
  void theLeadersReconcilerLoopRestoresWhatRedisLost() {
    scenario(START);
    UsersRecord user = digestAtEight();
    Producer producer =
        harness.producer(harness.config("p1").reconcileInterval(Duration.ofMillis(300)).build());
    producer.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> harness.deliveriesOf(user).size() == 1);
    await().atMost(Duration.ofSeconds(10)).until(() -> harness.queuedIds().size() == 1);

    harness.redis.flushNamespace();

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> harness.queuedIds().contains(harness.deliveriesOf(user).get(0).id()));
    assertThat(harness.counter("notifier_jobs_reconciled")).isGreaterThanOrEqualTo(1.0);
    producer.stop();
  }
}
