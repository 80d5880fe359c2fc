package io.notifier.ops.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.notifier.health.Heartbeats;
import io.notifier.ledger.DeliveryLedger;
import io.notifier.ledger.NewDelivery;
import io.notifier.metrics.NotifierMetrics;
import io.notifier.model.DedupKeys;
import io.notifier.model.NotificationKind;
import io.notifier.ops.health.HealthConfig;
import io.notifier.ops.health.HealthEvaluator;
import io.notifier.ops.health.HealthService;
import io.notifier.ops.health.LoopWatch;
import io.notifier.ops.metrics.ProcessMetrics;
import io.notifier.ops.observe.ObserverConfig;
import io.notifier.ops.observe.RedisObserver;
import io.notifier.queue.QueuedMessage;
import io.notifier.queue.RedisJobQueue;
import io.notifier.testing.RealServicesTest;
import io.notifier.testing.RedisTestSupport;
import io.notifier.testing.SettableClock;
import io.notifier.testing.TestDatabase;
import io.notifier.testing.TestRedis;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

/** The HTTP face of a process, scraped and probed over real HTTP, against real Redis. */
@RealServicesTest
class OpsHttpServerTest {

  private static final Instant T0 = Instant.parse("2027-03-14T07:30:00Z");
  private static final HealthConfig HEALTH =
      new HealthConfig(
          Duration.ofSeconds(30), Duration.ofMinutes(3), Duration.ofMinutes(5), "producer.tick");

  private final TestDatabase db;
  private final TestRedis redis;
  private final SettableClock clock = new SettableClock(T0);
  private final HttpClient http = HttpClient.newHttpClient();
  private RedissonClient redisson;
  private RedisJobQueue queue;
  private RedisObserver observer;
  private ProcessMetrics metrics;
  private LoopWatch loops;
  private OpsHttpServer server;

  OpsHttpServerTest(TestDatabase db, TestRedis redis) {
    this.db = db;
    this.redis = redis;
  }

  @BeforeEach
  void start() {
    redis.flushNamespace();
    redisson = RedisTestSupport.redisson(redis);
    queue = new RedisJobQueue(redisson, RedisTestSupport.queueConfig(redis), clock);
    queue.ensureGroup();
    // No caching: each scrape reads Redis, so the test sees every move at once.
    observer =
        new RedisObserver(
            RedisTestSupport.config(redis), queue.keys(), new ObserverConfig(Duration.ZERO), clock);
    metrics = new ProcessMetrics("test");
    metrics.bindQueueGauges(observer);
    loops = new LoopWatch(metrics.notifierMetrics(), clock);
    HealthService health =
        new HealthService(observer, new HealthEvaluator(HEALTH, clock), loops, db.dataSource());
    server = new OpsHttpServer(new HttpConfig("127.0.0.1", 0), metrics::scrape, health).start();
  }

  @AfterEach
  void stop() {
    server.stop();
    observer.close();
    metrics.close();
    redisson.shutdown();
  }

  @Test
  void queueDepthGaugesFollowJobsFromDelayedToReadyToGoneAndCountDeadLetters() throws Exception {
    assertThat(depth("delayed")).isZero();

    DeliveryLedger ledger = new DeliveryLedger(db.dsl(), clock);
    List<NewDelivery> rows =
        List.of(row(T0.plusSeconds(60)), row(T0.plusSeconds(60)), row(T0.plusSeconds(60)));
    ledger.insertNew(ledger.dsl(), rows);
    queue.enqueue(rows.stream().map(NewDelivery::toJob).toList());
    assertThat(depth("delayed")).isEqualTo(3);
    assertThat(depth("ready")).isZero();

    clock.advance(Duration.ofSeconds(61));
    queue.moveDue();
    assertThat(depth("delayed")).isZero();
    assertThat(depth("ready")).isEqualTo(3);

    List<QueuedMessage> read = queue.read("c1", 10, Duration.ZERO);
    assertThat(depth("ready")).isZero();
    assertThat(depth("pending")).isEqualTo(3);

    queue.ack(read.get(0));
    queue.ack(read.get(1));
    queue.deadLetter(read.get(2), "550 no such mailbox");
    assertThat(depth("pending")).isZero();
    assertThat(depth("dead")).isEqualTo(1);
    assertThat(scrape()).contains("notifier_redis_up{role=\"test\"} 1.0");
  }

  @Test
  void databaseUpGaugeReportsWhetherPostgresAnswers() throws Exception {
    metrics.bindDatabase(db.dataSource(), clock);
    // A gauge holds its object weakly: after a collection it must still read the probe.
    System.gc();
    assertThat(scrape()).contains("notifier_database_up{role=\"test\"} 1.0");

    try (ProcessMetrics unreachable = new ProcessMetrics("unreachable")) {
      org.postgresql.ds.PGSimpleDataSource nowhere = new org.postgresql.ds.PGSimpleDataSource();
      nowhere.setUrl("jdbc:postgresql://127.0.0.1:1/none?connectTimeout=1");
      unreachable.bindDatabase(nowhere, clock);
      System.gc();
      assertThat(unreachable.scrape()).contains("notifier_database_up{role=\"unreachable\"} 0.0");
    }
  }

  @Test
  void kindCountersExistAtZeroBeforeTheFirstJob() throws Exception {
    assertThat(scrape())
        .contains("notifier_jobs_sent_total{kind=\"daily_digest\",role=\"test\"} 0.0")
        .contains("notifier_jobs_enqueued_total{kind=\"appointment_reminder\",role=\"test\"} 0.0");
  }

  @Test
  void metricsCarryTheJobPathCountersAndJvmMetrics() throws Exception {
    NotifierMetrics job = loops;
    job.sent(NotificationKind.DAILY_DIGEST, Duration.ofMillis(40), Duration.ofMillis(300));
    job.skipped(NotificationKind.APPOINTMENT_REMINDER, "appointment_cancelled");
    job.tick(Duration.ofMillis(12), 5, 5);

    String text = scrape();

    assertThat(text)
        .contains("notifier_jobs_sent_total{kind=\"daily_digest\"")
        .contains(
            "notifier_jobs_skipped_total{kind=\"appointment_reminder\",reason=\"appointment_cancelled\"")
        .contains("notifier_delivery_lateness_seconds_bucket")
        .contains("notifier_tick_duration_seconds_count")
        .contains("notifier_producer_leader")
        .contains("jvm_memory_used_bytes")
        .contains("jvm_gc_")
        .contains("jvm_threads_live_threads")
        .contains("process_uptime_seconds")
        .contains("system_cpu_count");
  }

  @Test
  void workersEndpointTurns503WhenAWorkerStopsBeatingAnd200WhenItReturns() throws Exception {
    Heartbeats producer = new Heartbeats(redisson, queue.keys(), clock, "producer-1", "producer");
    Heartbeats consumer = new Heartbeats(redisson, queue.keys(), clock, "consumer-1", "consumer");
    producer.beat(true);
    consumer.beat(false);
    producer.ran("producer.tick", Duration.ofMillis(20), "ok");

    HttpResponse<String> healthy = get("/api/v1/health/workers");
    assertThat(healthy.statusCode()).as(healthy.body()).isEqualTo(200);
    assertThat(healthy.body())
        .contains(
            "\"status\" : \"ok\"",
            "\"id\" : \"consumer-1\"",
            "\"producer.tick\"",
            "\"delayed\" : 0");

    // The consumer falls silent; the producer keeps beating and ticking.
    clock.advance(Duration.ofSeconds(31));
    producer.beat(true);
    producer.ran("producer.tick", Duration.ofMillis(20), "ok");
    HttpResponse<String> stale = get("/api/v1/health/workers");
    assertThat(stale.statusCode()).as(stale.body()).isEqualTo(503);
    assertThat(stale.body()).contains("worker consumer-1 (consumer) has been silent for 31s");

    consumer.beat(false);
    assertThat(get("/api/v1/health/workers").statusCode()).isEqualTo(200);
  }

  @Test
  void workersEndpointIs503WhenTheProducerStopsTicking() throws Exception {
    Heartbeats producer = new Heartbeats(redisson, queue.keys(), clock, "producer-1", "producer");
    producer.beat(true);
    producer.ran("producer.tick", Duration.ofMillis(20), "ok");
    assertThat(get("/api/v1/health/workers").statusCode()).isEqualTo(200);

    clock.advance(Duration.ofMinutes(4));
    producer.beat(true);

    HttpResponse<String> response = get("/api/v1/health/workers");
    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.body()).contains("the producer last ticked 4m ago (limit 3m)");
  }

  @Test
  void liveFailsWhenALoopOfThisProcessIsWedgedAndReadyChecksRedisAndPostgres() throws Exception {
    loops.loopRan("consumer.read");
    assertThat(get("/health/live").statusCode()).isEqualTo(200);
    assertThat(get("/health/ready").statusCode()).isEqualTo(200);

    clock.advance(Duration.ofMinutes(6));
    HttpResponse<String> wedged = get("/health/live");
    assertThat(wedged.statusCode()).isEqualTo(503);
    assertThat(wedged.body()).contains("loop consumer.read (silent 6m) is wedged");

    loops.loopError("consumer.read"); // failing iterations still prove the loop turns
    assertThat(get("/health/live").statusCode()).isEqualTo(200);
  }

  @Test
  void unknownPathsAndMethodsAreRefused() throws Exception {
    assertThat(get("/metrics/extra").statusCode()).isEqualTo(404);
    HttpResponse<String> post =
        http.send(
            HttpRequest.newBuilder(uri("/metrics"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
  }

  private NewDelivery row(Instant due) {
    UUID user = UUID.randomUUID();
    return NewDelivery.pending(
        DedupKeys.manual(NotificationKind.DAILY_DIGEST, user, UUID.randomUUID()),
        NotificationKind.DAILY_DIGEST,
        user,
        UUID.randomUUID(),
        null,
        LocalDate.of(2027, 3, 14),
        null,
        null,
        due);
  }

  private double depth(String queueName) throws Exception {
    Matcher m =
        Pattern.compile(
                "^notifier_queue_depth\\{queue=\"" + queueName + "\",role=\"test\"} (\\S+)$",
                Pattern.MULTILINE)
            .matcher(scrape());
    assertThat(m.find()).as("gauge for " + queueName).isTrue();
    return Double.parseDouble(m.group(1));
  }

  private String scrape() throws Exception {
    HttpResponse<String> response = get("/metrics");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
    return response.body();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }
}
