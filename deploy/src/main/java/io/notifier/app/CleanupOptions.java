package io.notifier.app;

import io.notifier.ops.cleanup.CleanupConfig;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The ledger clean-up. */
public final class CleanupOptions {

  @Option(
      names = "--retention",
      paramLabel = "DURATION",
      defaultValue = "30d",
      converter = Converters.DurationConverter.class,
      description =
          "Finished ledger rows due longer ago than this are deleted (env NOTIFIER_CLEANUP_RETENTION; default ${DEFAULT-VALUE}).")
  @Env("NOTIFIER_CLEANUP_RETENTION")
  Duration retention;

  @Option(
      names = "--cleanup-batch-size",
      paramLabel = "N",
      defaultValue = "" + CleanupConfig.DEFAULT_BATCH_SIZE,
      description =
          "Rows per DELETE statement (env NOTIFIER_CLEANUP_BATCH_SIZE; default ${DEFAULT-VALUE}).")
  @Env("NOTIFIER_CLEANUP_BATCH_SIZE")
  int batchSize;

  @Option(
      names = "--cleanup-pause",
      paramLabel = "DURATION",
      defaultValue = "200ms",
      converter = Converters.DurationConverter.class,
      description = "Pause between batches (env NOTIFIER_CLEANUP_PAUSE; default ${DEFAULT-VALUE}).")
  @Env("NOTIFIER_CLEANUP_PAUSE")
  Duration pause;

  @Option(
      names = "--cleanup-interval",
      paramLabel = "DURATION",
      defaultValue = "7d",
      converter = Converters.DurationConverter.class,
      description =
          "How often the producer's leader cleans up (env NOTIFIER_CLEANUP_INTERVAL; default ${DEFAULT-VALUE}).")
  @Env("NOTIFIER_CLEANUP_INTERVAL")
  Duration interval;

  @Option(
      names = "--cleanup-check-every",
      paramLabel = "DURATION",
      defaultValue = "1h",
      converter = Converters.DurationConverter.class,
      description =
          "How often the producer looks whether a clean-up is due (env NOTIFIER_CLEANUP_CHECK_EVERY; default ${DEFAULT-VALUE}).")
  @Env("NOTIFIER_CLEANUP_CHECK_EVERY")
  Duration checkEvery;

  public CleanupConfig config() {
    try {
      return new CleanupConfig(retention, batchSize, pause, interval, checkEvery);
    } catch (IllegalArgumentException e) {
      throw new UserException("cleanup settings: " + e.getMessage());
    }
  }
}
