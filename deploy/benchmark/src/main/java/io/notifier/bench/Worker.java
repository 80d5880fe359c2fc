package io.notifier.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.notifier.content.ContentConfig;
import io.notifier.db.Database;
import io.notifier.db.DatabaseConfig;
import io.notifier.db.crypto.ClientNameCipher;
import io.notifier.db.fixtures.Fixtures;
import io.notifier.delivery.Consumer;
import io.notifier.delivery.ConsumerConfig;
import io.notifier.health.Heartbeats;
import io.notifier.mail.SmtpConfig;
import io.notifier.metrics.MicrometerNotifierMetrics;
import io.notifier.metrics.NotifierMetrics;
import io.notifier.queue.QueueConfig;
import io.notifier.queue.RedisJobQueue;
import io.notifier.redis.RedisClients;
import io.notifier.redis.RedisConfig;
import io.notifier.schedule.Producer;
import io.notifier.schedule.ProducerConfig;
import io.notifier.schedule.TickReport;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import org.redisson.api.RedissonClient;

/**
 * A producer or consumer process of the benchmark, wired as {@code notifier producer run} and
 * {@code notifier consumer run} wire them (production defaults), except for the clock: simulated
 * time is real time plus a fixed offset, so that the benchmark day's busiest minute can be now.
 * Every process of one run uses the same offset and the queue trusts that clock ({@link
 * QueueConfig.TimeSource#CLOCK}) instead of Redis's TIME.
 */
final class Worker {

  static final URI APP = URI.create("https://app.pazpaz.bench");
  static final String FROM = "notifier@pazpaz.bench";

  private Worker() {}

  /** Connection settings and the time offset, as every child receives them. */
  record Env(String jdbcUrl, String redisUrl, String namespace, long offsetMillis) {
    Clock clock() {
      return Clock.offset(Clock.systemUTC(), Duration.ofMillis(offsetMillis));
    }

    RedisConfig redis() {
      return RedisConfig.parse(redisUrl, null, namespace);
    }

    QueueConfig queue() {
      return QueueConfig.defaults(namespace).withTimeSource(QueueConfig.TimeSource.CLOCK);
    }
  }

  static void consumer(Env env, int smtpPort, int concurrency, int smtpPoolSize, String id)
      throws Exception {
    Clock clock = env.clock();
    NotifierMetrics metrics = new MicrometerNotifierMetrics(new SimpleMeterRegistry());
    try (Database db =
        Database.connect(new DatabaseConfig(env.jdbcUrl(), null, null), "consumer")) {
      RedissonClient redisson = RedisClients.redisson(env.redis(), "bench-" + id);
      RedisJobQueue queue = new RedisJobQueue(redisson, env.queue(), clock);
      ConsumerConfig.Builder builder = ConsumerConfig.builder(id);
      if (concurrency > 0) {
        builder = builder.maxInFlight(concurrency);
      }
      ConsumerConfig config = builder.build();
      SmtpConfig smtp =
          SmtpConfig.of("127.0.0.1", smtpPort, SmtpConfig.Security.PLAIN, FROM)
              .withPool(smtpPoolSize, SmtpConfig.DEFAULT_POOL_CLAIM_TIMEOUT);
      Consumer consumer =
          new Consumer(
              config,
              smtp,
              ContentConfig.defaults(APP),
              db.dsl(),
              queue,
              new ClientNameCipher(Fixtures.testKeys()),
              clock,
              metrics,
              new Heartbeats(redisson, queue.keys(), clock, id, "consumer"));
      try {
        ChildSide.serve(
            (command, args) ->
                switch (command) {
                  case "start" -> {
                    consumer.start();
                    yield Map.of("started", true);
                  }
                  case "mem" -> ChildSide.memory();
                  case "inflight" -> Map.of("inFlight", consumer.inFlight());
                  default -> throw new IllegalArgumentException("unknown command " + command);
                });
      } finally {
        consumer.stop();
        redisson.shutdown();
      }
    }
  }

  static void producer(Env env) throws Exception {
    Clock clock = env.clock();
    NotifierMetrics metrics = new MicrometerNotifierMetrics(new SimpleMeterRegistry());
    try (Database db =
        Database.connect(new DatabaseConfig(env.jdbcUrl(), null, null), "producer")) {
      RedissonClient redisson = RedisClients.redisson(env.redis(), "bench-producer");
      RedisJobQueue queue = new RedisJobQueue(redisson, env.queue(), clock);
      Producer producer =
          new Producer(
              ProducerConfig.defaults("bench-producer"),
              db.dsl(),
              queue,
              redisson,
              clock,
              metrics,
              new Heartbeats(redisson, queue.keys(), clock, "bench-producer", "producer"));
      try {
        ChildSide.serve(
            (command, args) ->
                switch (command) {
                  case "watermark" -> {
                    Instant at = Instant.ofEpochMilli(Long.parseLong(args[0]));
                    db.dsl()
                        .execute(
                            "INSERT INTO notifier_scheduler_state (name, covered_until,"
                                + " changes_seen_until, updated_at, updated_by)"
                                + " VALUES ({0}, {1}, now(), now(), 'bench')"
                                + " ON CONFLICT (name) DO UPDATE SET covered_until ="
                                + " excluded.covered_until, changes_seen_until = now()",
                            org.jooq.impl.DSL.val(ProducerConfig.DEFAULT_PIPELINE),
                            org.jooq.impl.DSL.val(at.atOffset(ZoneOffset.UTC)));
                    yield Map.of("watermark", at.toString());
                  }
                  case "tick" -> tick(producer, Instant.ofEpochMilli(Long.parseLong(args[0])));
                  case "clear-queue" -> {
                    redisson.getKeys().delete(queue.keys().delayed(), queue.keys().payloads());
                    yield Map.of("cleared", true);
                  }
                  case "mem" -> ChildSide.memory();
                  default -> throw new IllegalArgumentException("unknown command " + command);
                });
      } finally {
        redisson.shutdown();
      }
    }
  }

  private static Map<String, Object> tick(Producer producer, Instant now) {
    TickReport report = producer.tick(now, false);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("now", now.toString());
    out.put("ms", report.duration().toNanos() / 1e6);
    out.put("due", report.totalDue());
    out.put("created", report.totalCreated());
    out.put("staleSkipped", report.totalStaleSkipped());
    out.put("enqueued", report.enqueued());
    out.put("enqueueError", report.enqueueError() == null ? "" : report.enqueueError());
    return out;
  }
}
