package io.notifier.ops.observe;

import java.time.Duration;
import java.util.Objects;

/**
 * The observability path's Redis reads.
 *
 * @param cacheTtl how long one read of queue depths, heartbeats and last runs is reused, so that a
 *     Prometheus scrape or a probe storm costs Redis at most one round of reads per period
 */
public record ObserverConfig(Duration cacheTtl) {

  public static final Duration DEFAULT_CACHE_TTL = Duration.ofSeconds(1);

  public ObserverConfig {
    Objects.requireNonNull(cacheTtl, "cacheTtl");
    if (cacheTtl.isNegative()) {
      throw new IllegalArgumentException("cacheTtl must not be negative");
    }
  }

  public static ObserverConfig defaults() {
    return new ObserverConfig(DEFAULT_CACHE_TTL);
  }
}
