package io.notifier.ops.cleanup;

import static org.assertj.core.api.Assertions.assertThat;

import io.notifier.ledger.Delivery;
import io.notifier.ledger.DeliveryLedger;
import io.notifier.ledger.NewDelivery;
import io.notifier.metrics.NotifierMetrics;
import io.notifier.model.DedupKeys;
import io.notifier.model.NotificationKind;
import io.notifier.model.SkipReason;
import io.notifier.testing.RealServicesTest;
import io.notifier.testing.SettableClock;
import io.notifier.testing.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@RealServicesTest
class LedgerCleanupTest {

  private static final Instant NOW = Instant.parse("2027-06-01T03:00:00Z");
  private static final CleanupConfig CONFIG =
      new CleanupConfig(
          Duration.ofDays(30), 3, Duration.ZERO, Duration.ofDays(7), Duration.ofHours(1));

  private final TestDatabase db;
  private final SettableClock clock = new SettableClock(NOW);
  private DeliveryLedger ledger;

  LedgerCleanupTest(TestDatabase db) {
    this.db = db;
  }

  @BeforeEach
  void emptyLedger() {
    db.truncateAll();
    ledger = new DeliveryLedger(db.dsl(), clock);
  }

  @Test
  void deletesOnlyFinishedRowsOlderThanTheRetentionInBatches() {
    List<UUID> oldFinished = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      oldFinished.add(sent(NOW.minus(Duration.ofDays(40 + i))).id());
    }
    oldFinished.add(skipped(NOW.minus(Duration.ofDays(31))).id());
    Delivery oldPending = insert(NOW.minus(Duration.ofDays(45)));
    Delivery recentSent = sent(NOW.minus(Duration.ofDays(29)));
    LedgerCleanup cleanup = new LedgerCleanup(ledger, CONFIG, clock, NotifierMetrics.NOOP);

    LedgerCleanup.Result dry = cleanup.dryRun();
    LedgerCleanup.Result result = cleanup.run(() -> true);

    assertThat(dry.rows()).isEqualTo(8);
    assertThat(result.rows()).isEqualTo(8);
    assertThat(result.batches()).isEqualTo(3); // 3 + 3 + 2, each its own short statement
    assertThat(result.cutoff()).isEqualTo(NOW.minus(Duration.ofDays(30)));
    oldFinished.forEach(id -> assertThat(ledger.find(id)).isEmpty());
    assertThat(ledger.find(oldPending.id())).as("unfinished rows are never deleted").isPresent();
    assertThat(ledger.find(recentSent.id())).isPresent();
    assertThat(cleanup.dryRun().rows()).isZero();
  }

  @Test
  void stopsBetweenBatchesWhenAskedTo() {
    for (int i = 0; i < 7; i++) {
      sent(NOW.minus(Duration.ofDays(60)));
    }
    AtomicBoolean first = new AtomicBoolean(true);
    LedgerCleanup cleanup = new LedgerCleanup(ledger, CONFIG, clock, NotifierMetrics.NOOP);

    LedgerCleanup.Result result = cleanup.run(() -> first.getAndSet(false));

    assertThat(result.rows()).isEqualTo(3);
    assertThat(cleanup.dryRun().rows()).isEqualTo(4);
  }

  @Test
  void loopRunsOnlyWhileLeadingAndOnlyOncePerInterval() {
    sent(NOW.minus(Duration.ofDays(60)));
    AtomicBoolean leader = new AtomicBoolean(false);
    AtomicReference<Instant> lastRun = new AtomicReference<>();
    CleanupLoop loop =
        new CleanupLoop(
            new LedgerCleanup(ledger, CONFIG, clock, NotifierMetrics.NOOP),
            clock,
            NotifierMetrics.NOOP,
            leader::get,
            () -> Optional.ofNullable(lastRun.get()),
            r -> lastRun.set(clock.instant()));

    assertThat(loop.runIfDue()).as("a follower leaves it to the leader").isEmpty();

    leader.set(true);
    assertThat(loop.runIfDue()).hasValueSatisfying(r -> assertThat(r.rows()).isEqualTo(1));

    clock.advance(Duration.ofDays(6));
    sent(NOW.minus(Duration.ofDays(60)));
    assertThat(loop.runIfDue()).as("a week has not passed").isEmpty();

    clock.advance(Duration.ofDays(1));
    assertThat(loop.runIfDue()).hasValueSatisfying(r -> assertThat(r.rows()).isEqualTo(1));
  }

  @Test
  void aFailingRunIsCountedAndTheLoopCarriesOn() {
    List<String> errors = new ArrayList<>();
    NotifierMetrics metrics =
        new NotifierMetrics() {
          @Override
          public void loopError(String loop) {
            errors.add(loop);
          }
        };
    CleanupLoop loop =
        new CleanupLoop(
            new LedgerCleanup(ledger, CONFIG, clock, metrics),
            clock,
            metrics,
            () -> true,
            () -> {
              throw new IllegalStateException("Redis is down");
            },
            r -> {});

    assertThat(loop.runIfDue()).isEmpty();
    assertThat(errors).containsExactly("cleanup");
  }

  private Delivery insert(Instant due) {
    UUID user = UUID.randomUUID();
    NewDelivery row =
        NewDelivery.pending(
            DedupKeys.manual(NotificationKind.DAILY_DIGEST, user, UUID.randomUUID()),
            NotificationKind.DAILY_DIGEST,
            user,
            UUID.randomUUID(),
            null,
            LocalDate.ofInstant(due, java.time.ZoneOffset.UTC),
            null,
            null,
            due);
    return ledger.insertNew(ledger.dsl(), List.of(row)).get(0);
  }

  private Delivery sent(Instant due) {
    Delivery row = insert(due);
    ledger.claim(row.id(), "c", Duration.ofMinutes(1)).orElseThrow();
    return ledger.markSent(row.id(), "c", "<m@x>").orElseThrow();
  }

  private Delivery skipped(Instant due) {
    Delivery row = insert(due);
    return ledger.markSkipped(row.id(), null, SkipReason.STALE).orElseThrow();
  }
}
