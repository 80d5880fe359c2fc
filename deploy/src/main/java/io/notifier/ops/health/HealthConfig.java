package io.notifier.ops.health;

import java.time.Duration;
import java.util.Objects;

/**
 * When the health checks call something unhealthy.
 *
 * @param workerStaleAfter a worker whose last heartbeat is older than this is stale (about three
 *     heartbeat intervals, so one late beat is not an alarm)
 * @param producerTickMaxAge the producer ticks every minute; no tick for this long is an alarm
 * @param loopWedgedAfter a loop of this process that has neither completed nor failed an iteration
 *     for this long is wedged, and {@code /health/live} fails so that Kubernetes restarts it
 * @param tickRunName the last-run record the producer writes after each tick
 */
public record HealthConfig(
    Duration workerStaleAfter,
    Duration producerTickMaxAge,
    Duration loopWedgedAfter,
    String tickRunName) {

  public static final Duration DEFAULT_WORKER_STALE_AFTER = Duration.ofSeconds(45);
  public static final Duration DEFAULT_PRODUCER_TICK_MAX_AGE = Duration.ofMinutes(3);
  public static final Duration DEFAULT_LOOP_WEDGED_AFTER = Duration.ofMinutes(5);
  public static final String DEFAULT_TICK_RUN_NAME = "producer.tick";

  public HealthConfig {
    positive(workerStaleAfter, "workerStaleAfter");
    positive(producerTickMaxAge, "producerTickMaxAge");
    positive(loopWedgedAfter, "loopWedgedAfter");
    Objects.requireNonNull(tickRunName, "tickRunName");
  }

  public static HealthConfig defaults() {
    return new HealthConfig(
        DEFAULT_WORKER_STALE_AFTER,
        DEFAULT_PRODUCER_TICK_MAX_AGE,
        DEFAULT_LOOP_WEDGED_AFTER,
        DEFAULT_TICK_RUN_NAME);
  }

  private static void positive(Duration value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, was " + value);
    }
  }
}
