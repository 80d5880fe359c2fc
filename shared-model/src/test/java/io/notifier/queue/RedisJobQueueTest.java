package io.notifier.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.notifier.model.NotificationJob;
import io.notifier.model.NotificationKind;
import io.notifier.testing.RealServicesTest;
import io.notifier.testing.RedisTestSupport;
import io.notifier.testing.SettableClock;
import io.notifier.testing.TestRedis;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

@RealServicesTest
class RedisJobQueueTest {

  private static final Instant T0 = Instant.parse("2027-03-14T07:30:00Z");

  private static RedissonClient redisson;
  private static TestRedis redis;
  private final SettableClock clock = new SettableClock(T0);
  private RedisJobQueue queue;

  @BeforeAll
  static void connect(TestRedis testRedis) {
    redis = testRedis;
    redisson = RedisTestSupport.redisson(testRedis);
  }

  @AfterAll
  static void disconnect() {
    redisson.shutdown();
  }

  @BeforeEach
  void cleanQueue() {
    redis.flushNamespace();
    queue = new RedisJobQueue(redisson, RedisTestSupport.queueConfig(redis), clock);
    queue.ensureGroup();
  }

  private static NotificationJob job(Instant due) {
    return new NotificationJob(
        UUID.randomUUID(),
        NotificationKind.DAILY_DIGEST,
        "daily_digest:" + UUID.randomUUID() + ":2027-03-14",
        UUID.randomUUID(),
        UUID.randomUUID(),
        null,
        LocalDate.parse("2027-03-14"),
        null,
        null,
        due,
        due,
        1);
  }

  @Test
  void aJobStaysDelayedUntilItsReadyInstantAndThenIsReadByExactlyOneConsumer() {
    NotificationJob job = job(T0.plusSeconds(60));
    assertThat(queue.enqueue(List.of(job))).isEqualTo(1);

    assertThat(queue.moveDue().moved()).isZero();
    assertThat(queue.read("c1", 10, Duration.ZERO)).isEmpty();
    assertThat(queue.stats()).isEqualTo(new QueueStats(1, 0, 0, 0));

    clock.set(T0.plusSeconds(60));
    RedisJobQueue.MoveResult moved = queue.moveDue();
    assertThat(moved.moved()).isEqualTo(1);
    assertThat(moved.nextReadyAt()).isEmpty();

    List<QueuedMessage> first = queue.read("c1", 10, Duration.ZERO);
    List<QueuedMessage> second = queue.read("c2", 10, Duration.ZERO);
    assertThat(first).singleElement().satisfies(m -> assertThat(m.job()).isEqualTo(job));
    assertThat(second).isEmpty();
    assertThat(queue.stats()).isEqualTo(new QueueStats(0, 0, 1, 0));

    queue.ack(first.get(0));
    assertThat(queue.stats()).isEqualTo(new QueueStats(0, 0, 0, 0));
    assertThat(queue.holds(job.id())).isFalse();
  }

  @Test
  void acknowledgingManyAtOnceRemovesExactlyThoseAcrossScriptChunks() {
    List<NotificationJob> jobs = new java.util.ArrayList<>();
    for (int i = 0; i < 2_503; i++) {
      jobs.add(job(T0));
    }
    queue.enqueue(jobs);
    while (queue.moveDue().moved() > 0) {
      // more than one move batch
    }
    List<QueuedMessage> read = new java.util.ArrayList<>();
    List<QueuedMessage> batch;
    while (!(batch = queue.read("c1", 1_000, Duration.ZERO)).isEmpty()) {
      read.addAll(batch);
    }
    assertThat(read).hasSize(2_503);
    QueuedMessage kept = read.remove(read.size() - 1);

    queue.ack(read);
    queue.ack(List.of());

    assertThat(queue.stats()).isEqualTo(new QueueStats(0, 0, 1, 0));
    assertThat(queue.holds(kept.job().id())).isTrue();
    assertThat(queue.holds(read.get(0).job().id())).isFalse();
    assertThat(queue.missing(jobs.stream().map(NotificationJob::id).toList())).hasSize(2_502);
  }

  @Test
  void enqueueingTheSameJobTwiceKeepsOneCopyEvenWhileItIsInTheStream() {
    NotificationJob job = job(T0);
    assertThat(queue.enqueue(List.of(job, job))).isEqualTo(1);
    queue.moveDue();
    assertThat(queue.enqueue(List.of(job))).isZero();
    assertThat(queue.moveDue().moved()).isZero();
    assertThat(queue.read("c1", 10, Duration.ZERO)).hasSize(1);
  }

  @Test
  void moveReportsTheNextReadyInstantAndMovesOldestFirst() {
    NotificationJob late = job(T0.plusSeconds(30));
    NotificationJob early = job(T0.plusSeconds(10));
    NotificationJob future = job(T0.plusSeconds(3600));
    queue.enqueue(List.of(late, early, future));
    clock.set(T0.plusSeconds(30));

    RedisJobQueue.MoveResult result = queue.moveDue();

    assertThat(result.moved()).isEqualTo(2);
    assertThat(result.nextReadyAt()).contains(T0.plusSeconds(3600));
    assertThat(queue.read("c1", 10, Duration.ZERO))
        .extracting(QueuedMessage::job)
        .containsExactly(early, late);
  }

  @Test
  void serverTimeModeUsesRedisClockNotTheCallers() {
    RedisJobQueue serverTimed =
        new RedisJobQueue(
            redisson,
            RedisTestSupport.queueConfig(redis).withTimeSource(QueueConfig.TimeSource.REDIS_SERVER),
            clock);
    Instant realNow = Instant.now();
    NotificationJob past = job(realNow.minusSeconds(5));
    NotificationJob future = job(realNow.plusSeconds(3600));
    serverTimed.enqueue(List.of(past, future));

    RedisJobQueue.MoveResult result = serverTimed.moveDue();

    assertThat(result.moved()).isEqualTo(1);
    assertThat(result.now()).isBetween(realNow.minusSeconds(60), realNow.plusSeconds(60));
  }

  @Test
  void retryAcknowledgesAndPutsTheJobBackForItsNewTime() {
    NotificationJob job = job(T0);
    queue.enqueue(List.of(job));
    queue.moveDue();
    QueuedMessage message = queue.read("c1", 1, Duration.ZERO).get(0);

    NotificationJob again = job.retryAt(T0.plusSeconds(30), 2);
    queue.retry(message, again);

    assertThat(queue.stats()).isEqualTo(new QueueStats(1, 0, 0, 0));
    assertThat(queue.readyAt(job.id())).contains(T0.plusSeconds(30));
    clock.set(T0.plusSeconds(30));
    queue.moveDue();
    assertThat(queue.read("c1", 1, Duration.ZERO))
        .singleElement()
        .satisfies(m -> assertThat(m.job().attempt()).isEqualTo(2));
  }

  @Test
  void deadLettersKeepPayloadAndReasonAndCanBeListedShownRemovedAndPurged() {
    NotificationJob a = job(T0);
    NotificationJob b = job(T0);
    queue.enqueue(List.of(a, b));
    queue.moveDue();
    List<QueuedMessage> messages = queue.read("c1", 2, Duration.ZERO);

    String entryA = queue.deadLetter(messages.get(0), "smtp 550 mailbox unavailable");
    queue.deadLetter(messages.get(1), "attempts exhausted");

    assertThat(queue.stats()).isEqualTo(new QueueStats(0, 0, 0, 2));
    assertThat(queue.holds(a.id())).isFalse();
    List<DeadLetter> letters = queue.deadLetters(null, 10);
    assertThat(letters)
        .extracting(DeadLetter::jobId)
        .containsExactly(messages.get(0).jobId(), messages.get(1).jobId());
    DeadLetter shown = queue.deadLetter(entryA).orElseThrow();
    assertThat(shown.reason()).isEqualTo("smtp 550 mailbox unavailable");
    assertThat(shown.kind()).isEqualTo("daily_digest");
    assertThat(JobCodec.decode(shown.payload()).job()).isEqualTo(messages.get(0).job());
    assertThat(shown.failedAt()).isEqualTo(T0);
    assertThat(queue.deadLetters(entryA, 10)).hasSize(1);

    assertThat(queue.removeDeadLetter(entryA)).isTrue();
    assertThat(queue.removeDeadLetter(entryA)).isFalse();
    assertThat(queue.purgeDeadLetters()).isEqualTo(1);
    assertThat(queue.deadLetters(null, 10)).isEmpty();
  }

  @Test
  void aDeliveryHeldTooLongByAnotherConsumerIsReclaimed() {
    NotificationJob job = job(T0);
    queue.enqueue(List.of(job));
    queue.moveDue();
    assertThat(queue.read("dead-consumer", 1, Duration.ZERO)).hasSize(1);

    assertThat(queue.reclaim("rescuer", Duration.ofMinutes(5), 10)).isEmpty();
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () ->
                assertThat(queue.reclaim("rescuer", Duration.ofMillis(200), 10))
                    .singleElement()
                    .satisfies(m -> assertThat(m.job()).isEqualTo(job)));
  }

  @Test
  void touchingAHeldDeliveryKeepsItFromBeingReclaimed() {
    queue.enqueue(List.of(job(T0)));
    queue.moveDue();
    QueuedMessage held = queue.read("slow", 1, Duration.ZERO).get(0);
    await().pollDelay(Duration.ofMillis(400)).until(() -> true);
    queue.touch("slow", held);
    assertThat(queue.reclaim("rescuer", Duration.ofMillis(300), 10)).isEmpty();
  }

  @Test
  void malformedPayloadsAreReadWithTheirErrorAndTheirQueuedId() {
    queue.enqueueRaw("not-json-job", T0, "{this is not json");
    queue.enqueueRaw(
        "unknown-kind-job",
        T0,
        """
        {"v":1,"id":"%s","kind":"sms_blast","dedupKey":"x","userId":"%s","workspaceId":"%s",
         "dueAt":"2027-03-14T07:30:00Z"}"""
            .formatted(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID()));
    queue.moveDue();

    List<QueuedMessage> messages = queue.read("c1", 10, Duration.ZERO);

    assertThat(messages).hasSize(2).allSatisfy(m -> assertThat(m.decodable()).isFalse());
    assertThat(messages)
        .extracting(QueuedMessage::jobId)
        .containsExactlyInAnyOrder("not-json-job", "unknown-kind-job");
    assertThat(messages)
        .extracting(QueuedMessage::decodeError)
        .anySatisfy(e -> assertThat(e).contains("not valid JSON"))
        .anySatisfy(e -> assertThat(e).contains("unknown kind 'sms_blast'"));
  }

  @Test
  void missingNamesOnlyJobsRedisDoesNotHold() {
    NotificationJob delayed = job(T0.plusSeconds(600));
    NotificationJob ready = job(T0);
    queue.enqueue(List.of(delayed, ready));
    queue.moveDue();
    UUID gone = UUID.randomUUID();

    Set<UUID> missing = queue.missing(List.of(delayed.id(), ready.id(), gone));

    assertThat(missing).containsExactly(gone);
  }

  @Test
  void consumersRecoverWhenRedisLosesTheStreamAndItsGroup() {
    queue.enqueue(List.of(job(T0)));
    queue.moveDue();
    redis.flushNamespace();

    assertThat(queue.read("c1", 10, Duration.ZERO)).isEmpty();
    NotificationJob after = job(T0);
    queue.enqueue(List.of(after));
    queue.moveDue();
    assertThat(queue.read("c1", 10, Duration.ZERO))
        .singleElement()
        .satisfies(m -> assertThat(m.job()).isEqualTo(after));
  }

  @Test
  void aBlockingReadReturnsAsSoonAsAJobIsMoved() throws Exception {
    Thread mover =
        Thread.ofVirtual()
            .start(
                () -> {
                  await().pollDelay(Duration.ofMillis(200)).until(() -> true);
                  queue.enqueue(List.of(job(T0)));
                  queue.moveDue();
                });
    long started = System.nanoTime();
    List<QueuedMessage> read = queue.read("c1", 10, Duration.ofSeconds(5));
    mover.join();
    assertThat(read).hasSize(1);
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(4));
  }

  @Test
  void everyKeyCarriesTheNamespaceHashTag() {
    queue.enqueue(List.of(job(T0), job(T0.plusSeconds(60))));
    queue.moveDue();
    QueuedMessage m = queue.read("c1", 1, Duration.ZERO).get(0);
    queue.deadLetter(m, "x");
    assertThat(redis.keys())
        .isNotEmpty()
        .allSatisfy(k -> assertThat(k).startsWith("{" + redis.namespace() + "}:"));
  }
}
