package io.notifier.ops.cleanup;

import java.time.Duration;
import java.util.Objects;

/**
 * The ledger clean-up: finished rows (sent, skipped, dead, uncertain) due longer ago than {@code
 * retention} are deleted, {@code batchSize} rows per statement with {@code pause} between
 * statements, so no statement holds row locks for long and replicas and vacuum keep up.
 *
 * @param interval how often the producer's leader runs it (weekly)
 * @param checkEvery how often the producer looks whether a run is due; the last run is kept in
 *     Redis, so restarts and leadership changes neither skip nor repeat a week
 */
public record CleanupConfig(
    Duration retention, int batchSize, Duration pause, Duration interval, Duration checkEvery) {

  public static final Duration DEFAULT_RETENTION = Duration.ofDays(30);
  public static final int DEFAULT_BATCH_SIZE = 1_000;
  public static final Duration DEFAULT_PAUSE = Duration.ofMillis(200);
  public static final Duration DEFAULT_INTERVAL = Duration.ofDays(7);
  public static final Duration DEFAULT_CHECK_EVERY = Duration.ofHours(1);
  public static final String RUN_NAME = "ledger.cleanup";

  public CleanupConfig {
    Objects.requireNonNull(retention, "retention");
    Objects.requireNonNull(pause, "pause");
    Objects.requireNonNull(interval, "interval");
    Objects.requireNonNull(checkEvery, "checkEvery");
    if (retention.compareTo(Duration.ofDays(1)) < 0) {
      throw new IllegalArgumentException(
          "cleanup retention must be at least one day (the ledger is what prevents duplicates),"
              + " was "
              + retention);
    }
    if (batchSize < 1 || batchSize > 100_000) {
      throw new IllegalArgumentException(
          "cleanup batch size must be between 1 and 100000, was " + batchSize);
    }
    if (pause.isNegative()) {
      throw new IllegalArgumentException("cleanup pause must not be negative");
    }
    if (interval.isNegative()
        || interval.isZero()
        || checkEvery.isNegative()
        || checkEvery.isZero()) {
      throw new IllegalArgumentException("cleanup interval and check period must be positive");
    }
  }

  public static CleanupConfig defaults() {
    return new CleanupConfig(
        DEFAULT_RETENTION,
        DEFAULT_BATCH_SIZE,
        DEFAULT_PAUSE,
        DEFAULT_INTERVAL,
        DEFAULT_CHECK_EVERY);
  }
}
