package io.notifier.schedule;

import static io.notifier.db.jooq.Tables.NOTIFIER_DELIVERIES;
import static org.assertj.core.api.Assertions.assertThat;

import io.notifier.db.jooq.tables.records.ClientsRecord;
import io.notifier.db.jooq.tables.records.WorkspacesRecord;
import io.notifier.health.Heartbeats;
import io.notifier.ledger.Delivery;
import io.notifier.model.NotificationStatus;
import io.notifier.queue.RedisJobQueue;
import io.notifier.testing.RedisTestSupport;
import io.notifier.testing.TestDatabase;
import io.notifier.testing.TestRedis;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

/**
 * The ledger is the truth and Redis a copy: whatever Redis loses (a flush, a restart without
 * persistence, an enqueue that failed after the commit), the reconciler puts back.
 */
class ReconcilerTest extends ProducerTestBase {

  private static final Instant START = Instant.parse("2027-10-31T05:00:00Z");

  ReconcilerTest(TestDatabase database, TestRedis redis) {
    super(database, redis);
  }

  /** Digests every few minutes in London, and reminders. */
  private void aBusyMorning() {
    WorkspacesRecord workspace = harness.fixtures.workspace().timezone("Europe/London").create();
    ClientsRecord client = harness.fixtures.client(workspace).create();
    for (int minute = 0; minute < 60; minute += 5) {
      String time = String.format("05:%02d", minute);
      harness.fixtures.user(workspace).settings(s -> s.allOff().digest(time, EVERY_DAY)).create();
    }
    harness.fixtures.user(workspace).settings(s -> s.allOff().reminder(15)).create();
    for (int minute = 20; minute < 80; minute += 10) {
      harness
          .fixtures
          .appointment(workspace, client)
          .startingAt(START.plus(Duration.ofMinutes(minute)))
          .create();
    }
    harness.appointmentsBookedLongAgo();
  }

  private Set<UUID> pendingIds() {
    return harness.deliveries().stream()
        .filter(d -> d.status() == NotificationStatus.PENDING)
        .map(Delivery::id)
        .collect(Collectors.toSet());
  }

  @Test
  void afterRedisIsFlushedMidRunTheReconcilerRestoresEveryPendingJob() {
    scenario(START);
    aBusyMorning();
    Producer producer = harness.producer("p1");
    harness.tickEveryMinute(producer, START, START.plus(Duration.ofMinutes(30)));
    // A consumer finished one of them meanwhile: it must not come back.
    Delivery done = harness.deliveries().get(0);
    harness.ledger.claim(done.id(), "consumer-1", Duration.ofMinutes(1));
    harness.ledger.markSent(done.id(), "consumer-1", "<id@test>");
    Set<UUID> pending = pendingIds();
    assertThat(pending).hasSizeGreaterThan(5);

    harness.redis.flushNamespace(); // Redis restarted without persistence
    assertThat(harness.queuedIds()).isEmpty();
    int restored = producer.reconcile();

    assertThat(restored).isEqualTo(pending.size());
    assertThat(harness.queuedIds()).isEqualTo(pending);
    Map<UUID, Instant> readyAt = harness.queuedReadyAt();
    assertThat(harness.deliveries())
        .filteredOn(d -> pending.contains(d.id()))
        .allSatisfy(
            d -> {
              assertThat(readyAt.get(d.id())).isEqualTo(d.dueAt());
              assertThat(harness.queuedJob(d.id()).dedupKey()).isEqualTo(d.dedupKey());
              assertThat(harness.queuedJob(d.id()).attempt()).isEqualTo(1);
            });
    assertThat(harness.counter("notifier_jobs_reconciled")).isEqualTo(pending.size());
    // A second pass finds nothing missing.
    assertThat(producer.reconcile()).isZero();

    // And the run goes on: later ticks queue their own jobs next to the restored ones.
    harness.tickEveryMinute(
        producer, START.plus(Duration.ofMinutes(31)), START.plus(Duration.ofMinutes(58)));
    assertThat(harness.queuedIds()).isEqualTo(pendingIds());
  }

  @Test
  void jobsWrittenWhileRedisWasDownAreQueuedByTheReconcilerOnceItIsBack() {
    scenario(START);
    aBusyMorning();
    RedissonClient brokenClient = RedisTestSupport.redisson(redis);
    RedisJobQueue brokenQueue =
        new RedisJobQueue(brokenClient, RedisTestSupport.queueConfig(redis), harness.clock);
    Heartbeats heartbeats =
        new Heartbeats(brokenClient, brokenQueue.keys(), harness.clock, "p1", "producer");
    Producer cutOff =
        new Producer(
            harness.config("p1").build(),
            harness.dsl(),
            brokenQueue,
            brokenClient,
            harness.clock,
            harness.metrics,
            heartbeats);
    brokenClient.shutdown(); // every Redis call of this producer fails from now on

    harness.clock.set(START.plus(Duration.ofMinutes(10)));
    TickReport report = cutOff.tick(START.plus(Duration.ofMinutes(10)), false);

    assertThat(report.totalCreated()).isPositive();
    assertThat(report.enqueued()).isZero();
    assertThat(report.enqueueError()).isNotNull();
    assertThat(harness.queuedIds()).isEmpty();
    // The rows are safe in the ledger, never marked as queued.
    assertThat(
            harness
                .dsl()
                .fetchCount(NOTIFIER_DELIVERIES, NOTIFIER_DELIVERIES.ENQUEUED_AT.isNotNull()))
        .isZero();

    Producer healthy = harness.producer("p2");
    int restored = healthy.reconcile();

    assertThat(restored).isEqualTo(report.totalCreated());
    assertThat(harness.queuedIds()).isEqualTo(pendingIds());
    assertThat(
            harness.dsl().fetchCount(NOTIFIER_DELIVERIES, NOTIFIER_DELIVERIES.ENQUEUED_AT.isNull()))
        .isZero();
    cutOff.stop();
  }

  @Test
  void theReconcilerQueuesOnlyWhatIsDueWithinTheLookAheadAndPagesThroughTheLedger() {
    scenario(START);
    aBusyMorning();
    Producer producer = harness.producer(harness.config("p1").reconcilePageSize(2).build());
    harness.tickEveryMinute(producer, START, START.plus(Duration.ofMinutes(20)));
    harness.redis.flushNamespace();
    // As seen by a reconciler whose clock is earlier than the ticks: rows due later are skipped.
    harness.clock.set(START.plus(Duration.ofMinutes(5)));
    Instant readyBy = START.plus(Duration.ofMinutes(5)).plus(ProducerConfig.DEFAULT_LOOK_AHEAD);

    int restored = producer.reconcile();

    Set<UUID> dueByThen =
        harness.deliveries().stream()
            .filter(d -> !d.dueAt().isAfter(readyBy))
            .map(Delivery::id)
            .collect(Collectors.toSet());
    assertThat(dueByThen).hasSizeGreaterThan(2); // more than one page
    assertThat(restored).isEqualTo(dueByThen.size());
    assertThat(harness.queuedIds()).isEqualTo(dueByThen);
  }
}
