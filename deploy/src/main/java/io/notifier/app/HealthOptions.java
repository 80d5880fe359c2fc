package io.notifier.app;

import io.notifier.ops.health.HealthConfig;
import java.time.Duration;
import picocli.CommandLine.Option;

/** When the health checks call the deployment unhealthy. */
public final class HealthOptions {

  @Option(
      names = "--worker-stale-after",
      paramLabel = "DURATION",
      defaultValue = "45s",
      converter = Converters.DurationConverter.class,
      description =
          "A worker silent this long is stale (env NOTIFIER_HEALTH_WORKER_STALE_AFTER; default ${DEFAULT-VALUE}).")
  @Env("NOTIFIER_HEALTH_WORKER_STALE_AFTER")
  Duration workerStaleAfter;

  @Option(
      names = "--producer-tick-max-age",
      paramLabel = "DURATION",
      defaultValue = "3m",
      converter = Converters.DurationConverter.class,
      description =
          "No producer tick for this long is unhealthy (env NOTIFIER_HEALTH_TICK_MAX_AGE; default ${DEFAULT-VALUE}).")
  @Env("NOTIFIER_HEALTH_TICK_MAX_AGE")
  Duration producerTickMaxAge;

  @Option(
      names = "--loop-wedged-after",
      paramLabel = "DURATION",
      defaultValue = "5m",
      converter = Converters.DurationConverter.class,
      description =
          "A loop of this process silent this long fails /health/live (env NOTIFIER_HEALTH_LOOP_WEDGED_AFTER; default ${DEFAULT-VALUE}).")
  @Env("NOTIFIER_HEALTH_LOOP_WEDGED_AFTER")
  Duration loopWedgedAfter;

  public HealthConfig config() {
    try {
      return new HealthConfig(
          workerStaleAfter,
          producerTickMaxAge,
          loopWedgedAfter,
          HealthConfig.DEFAULT_TICK_RUN_NAME);
    } catch (IllegalArgumentException e) {
      throw new UserException("health settings: " + e.getMessage());
    }
  }
}
