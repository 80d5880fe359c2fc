package io.notifier.delivery;

import static org.awaitility.Awaitility.await;

import io.notifier.content.ContentConfig;
import io.notifier.db.crypto.ClientNameCipher;
import io.notifier.db.fixtures.Fixtures;
import io.notifier.ledger.Delivery;
import io.notifier.ledger.DeliveryLedger;
import io.notifier.ledger.NewDelivery;
import io.notifier.mail.SmtpConfig;
import io.notifier.model.DedupKeys;
import io.notifier.model.NotificationKind;
import io.notifier.model.NotificationStatus;
import io.notifier.queue.QueueConfig;
import io.notifier.queue.RedisJobQueue;
import io.notifier.retry.RetryPolicy;
import io.notifier.testing.RedisTestSupport;
import io.notifier.testing.TestDatabase;
import io.notifier.testing.TestRedis;
import jakarta.mail.internet.MimeMessage;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.redisson.api.RedissonClient;

/**
 * Real PostgreSQL, Redis and SMTP wired the way production wires them, plus a stand-in for the
 * producer (ledger row + queue entry) and helpers to read what arrived.
 */
final class Harness implements AutoCloseable {

  static final String FROM = "notifier@pazpaz.test";
  static final URI APP = URI.create("https://app.pazpaz.test");
  static final ClientNameCipher CIPHER = new ClientNameCipher(Fixtures.testKeys());

  final TestDatabase db;
  final TestRedis redis;
  final RedissonClient redisson;
  final Clock clock;
  final RedisJobQueue queue;
  final DeliveryLedger ledger;
  final Fixtures fixtures;
  final CountingMetrics metrics = new CountingMetrics();
  private final List<Consumer> consumers = new ArrayList<>();

  Harness(TestDatabase db, TestRedis redis, Clock clock, QueueConfig.TimeSource timeSource) {
    this.db = db;
    this.redis = redis;
    this.clock = clock;
    this.redisson = RedisTestSupport.redisson(redis);
    this.queue =
        new RedisJobQueue(
            redisson, RedisTestSupport.queueConfig(redis).withTimeSource(timeSource), clock);
    this.ledger = new DeliveryLedger(db.dsl(), clock);
    this.fixtures = new Fixtures(db.dsl(), CIPHER);
    queue.ensureGroup();
  }

  /** Fast loops and short leases; a small retry budget with short, exact backoffs. */
  static ConsumerConfig.Builder config(String id) {
    return ConsumerConfig.builder(id)
        .maxInFlight(8)
        .readBatchSize(8)
        .blockTimeout(Duration.ofMillis(200))
        .pumpInterval(Duration.ofMillis(20))
        .visibilityTimeout(Duration.ofSeconds(10))
        .ledgerLease(Duration.ofSeconds(8))
        .reclaimInterval(Duration.ofMillis(250))
        .heartbeatInterval(Duration.ofSeconds(1))
        .shutdownGrace(Duration.ofSeconds(10))
        .retryPolicy(new RetryPolicy(3, Duration.ofMillis(100), 2.0, Duration.ofMillis(400), 0.0));
  }

  static SmtpConfig smtp(int port) {
    return SmtpConfig.of("127.0.0.1", port, SmtpConfig.Security.PLAIN, FROM)
        .withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(2));
  }

  static ContentConfig content() {
    return ContentConfig.defaults(APP);
  }

  Consumer start(ConsumerConfig config, SmtpConfig smtp, ContentConfig content) {
    Consumer consumer =
        new Consumer(config, smtp, content, db.dsl(), queue, CIPHER, clock, metrics, null);
    consumers.add(consumer);
    consumer.start();
    return consumer;
  }

  Consumer start(String id, int smtpPort) {
    return start(config(id).build(), smtp(smtpPort), content());
  }

  /** What the producer does: the ledger row, then the queue entry. */
  Delivery schedule(NewDelivery row) {
    Delivery stored = ledger.insertNew(db.dsl(), List.of(row)).get(0);
    queue.enqueue(List.of(row.toJob()));
    return stored;
  }

  Delivery daily(NotificationKind kind, UUID user, UUID workspace, LocalDate day, Instant due) {
    return schedule(
        NewDelivery.pending(
            DedupKeys.daily(kind, user, day), kind, user, workspace, null, day, null, null, due));
  }

  Delivery reminder(UUID appointment, UUID user, UUID workspace, int minutes, Instant start) {
    return schedule(
        NewDelivery.pending(
            DedupKeys.appointmentReminder(appointment, user, minutes, start),
            NotificationKind.APPOINTMENT_REMINDER,
            user,
            workspace,
            appointment,
            null,
            minutes,
            start,
            start.minus(Duration.ofMinutes(minutes))));
  }

  Delivery awaitStatus(UUID id, NotificationStatus status) {
    await("delivery " + id + " " + status.code())
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(25))
        .until(() -> ledger.find(id).map(d -> d.status() == status).orElse(false));
    return ledger.find(id).orElseThrow();
  }

  void stopConsumers() {
    for (Consumer consumer : consumers) {
      consumer.close();
    }
    consumers.clear();
  }

  /** A clean slate between tests of one class. */
  void reset() {
    stopConsumers();
    metrics.clear();
    redis.flushNamespace();
    db.truncateAll();
    queue.ensureGroup();
  }

  @Override
  public void close() {
    stopConsumers();
    redisson.shutdown();
  }

  // ---- reading mail ---------------------------------------------------------------------------

  static String to(MimeMessage message) throws Exception {
    return message.getAllRecipients()[0].toString();
  }
}
