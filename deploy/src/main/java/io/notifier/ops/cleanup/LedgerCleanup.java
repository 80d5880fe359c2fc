package io.notifier.ops.cleanup;

import static io.notifier.db.jooq.Tables.NOTIFIER_DELIVERIES;

import io.notifier.ledger.DeliveryLedger;
import io.notifier.metrics.NotifierMetrics;
import io.notifier.model.NotificationStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes finished ledger rows older than the retention, in small batches with a pause between them
 * ({@link DeliveryLedger#deleteFinishedBefore}: each batch is one short statement that skips rows
 * another transaction holds), so the table is never locked for long.
 */
public final class LedgerCleanup {

  private static final Logger LOG = LoggerFactory.getLogger(LedgerCleanup.class);

  /** The statuses {@link DeliveryLedger#deleteFinishedBefore} deletes, for the dry run's count. */
  private static final List<String> FINISHED =
      List.of(
          NotificationStatus.SENT.code(),
          NotificationStatus.SKIPPED.code(),
          NotificationStatus.DEAD.code(),
          NotificationStatus.UNCERTAIN.code());

  /** What one run did (or, dry, would do). */
  public record Result(Instant cutoff, long rows, int batches, Duration took, boolean dryRun) {}

  private final DeliveryLedger ledger;
  private final CleanupConfig config;
  private final Clock clock;
  private final NotifierMetrics metrics;

  public LedgerCleanup(
      DeliveryLedger ledger, CleanupConfig config, Clock clock, NotifierMetrics metrics) {
    this.ledger = ledger;
    this.config = config;
    this.clock = clock;
    this.metrics = metrics;
  }

  public CleanupConfig config() {
    return config;
  }

  public Instant cutoff() {
    return clock.instant().minus(config.retention());
  }

  /** How many rows a run now would delete. */
  public Result dryRun() {
    Instant started = clock.instant();
    Instant cutoff = cutoff();
    var d = NOTIFIER_DELIVERIES;
    long rows =
        ledger
            .dsl()
            .fetchCount(d, d.DUE_AT.lt(cutoff.atOffset(ZoneOffset.UTC)).and(d.STATUS.in(FINISHED)));
    return new Result(cutoff, rows, 0, Duration.between(started, clock.instant()), true);
  }

  /** Deletes until nothing is left, or until {@code keepGoing} says stop (between batches). */
  public Result run(BooleanSupplier keepGoing) {
    Instant started = clock.instant();
    Instant cutoff = cutoff();
    LOG.info(
        "ledger cleanup started: finished rows due before {} ({} retention), {} per batch",
        cutoff,
        config.retention(),
        config.batchSize());
    long total = 0;
    int batches = 0;
    while (keepGoing.getAsBoolean()) {
      int deleted = ledger.deleteFinishedBefore(cutoff, config.batchSize());
      if (deleted == 0) {
        break;
      }
      batches++;
      total += deleted;
      if (deleted < config.batchSize()) {
        break;
      }
      if (!pause()) {
        break;
      }
    }
    Duration took = Duration.between(started, clock.instant());
    metrics.loopRan("cleanup");
    LOG.info("ledger cleanup completed: {} rows deleted in {} batches", total, batches);
    return new Result(cutoff, total, batches, took, false);
  }

  private boolean pause() {
    if (config.pause().isZero()) {
      return true;
    }
    try {
      Thread.sleep(config.pause());
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
