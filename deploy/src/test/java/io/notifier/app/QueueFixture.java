package io.notifier.app;

import io.notifier.ledger.Delivery;
import io.notifier.ledger.DeliveryLedger;
import io.notifier.ledger.NewDelivery;
import io.notifier.model.DedupKeys;
import io.notifier.model.NotificationKind;
import io.notifier.queue.QueuedMessage;
import io.notifier.queue.RedisJobQueue;
import io.notifier.testing.RedisTestSupport;
import io.notifier.testing.SettableClock;
import io.notifier.testing.TestDatabase;
import io.notifier.testing.TestRedis;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;
import org.redisson.api.RedissonClient;

/**
 * Ledger rows and queue entries in the states the operations commands deal with, made through the
 * real ledger and queue (as a producer and consumer would), under a settable clock.
 */
final class QueueFixture implements AutoCloseable {

  static final String CONSUMER = "fixture-consumer";

  final SettableClock clock;
  final DeliveryLedger ledger;
  final RedissonClient redisson;
  final RedisJobQueue queue;

  QueueFixture(TestDatabase db, TestRedis redis, SettableClock clock) {
    this.clock = clock;
    this.ledger = new DeliveryLedger(db.dsl(), clock);
    this.redisson = RedisTestSupport.redisson(redis);
    this.queue = new RedisJobQueue(redisson, RedisTestSupport.queueConfig(redis), clock);
    queue.ensureGroup();
  }

  /** A pending row due at {@code due}, on the delayed set. */
  Delivery pending(NotificationKind kind, UUID user, Instant due) {
    LocalDate date = LocalDate.ofInstant(due, java.time.ZoneOffset.UTC);
    String key =
        kind == NotificationKind.APPOINTMENT_REMINDER
            ? DedupKeys.appointmentReminder(UUID.randomUUID(), user, 60, due.plusSeconds(3600))
            : DedupKeys.manual(kind, user, UUID.randomUUID());
    NewDelivery row =
        NewDelivery.pending(key, kind, user, UUID.randomUUID(), null, date, null, null, due);
    Delivery inserted = ledger.insertNew(ledger.dsl(), List.of(row)).get(0);
    queue.enqueue(List.of(row.toJob()));
    return inserted;
  }

  /** Moves what is due into the stream and reads it as a consumer would. */
  List<QueuedMessage> readDue() {
    queue.moveDue();
    return queue.read(CONSUMER, 100, Duration.ZERO);
  }

  /** A row that failed for good: dead in the ledger, its job on the dead-letter stream. */
  DeadRow dead(NotificationKind kind, UUID user, String reason) {
    Delivery row = pending(kind, user, clock.instant());
    QueuedMessage message =
        readDue().stream()
            .filter(m -> m.jobId().equals(row.id().toString()))
            .findFirst()
            .orElseThrow();
    ledger.claim(row.id(), CONSUMER, Duration.ofMinutes(1)).orElseThrow();
    Delivery dead = ledger.markDead(row.id(), CONSUMER, reason).orElseThrow();
    String entry = queue.deadLetter(message, reason);
    return new DeadRow(dead, entry);
  }

  /** A dead row that was then delivered after all (e.g. replayed by someone else and sent). */
  DeadRow deadThenSent(NotificationKind kind, UUID user) {
    DeadRow dead = dead(kind, user, "550 mailbox unavailable");
    ledger.replay(dead.row().id()).orElseThrow();
    ledger.claim(dead.row().id(), CONSUMER, Duration.ofMinutes(1)).orElseThrow();
    Delivery sent = ledger.markSent(dead.row().id(), CONSUMER, "<fixture@notifier>").orElseThrow();
    return new DeadRow(sent, dead.entryId());
  }

  record DeadRow(Delivery row, String entryId) {}

  @Override
  public void close() {
    redisson.shutdown();
  }
}
