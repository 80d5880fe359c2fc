package io.notifier.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.notifier.model.NotificationKind;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link NotifierMetrics} on Micrometer. Every call is wrapped: a registry failure is logged once
 * and swallowed, because metrics must never fail a delivery.
 */
public final class MicrometerNotifierMetrics implements NotifierMetrics {

  private static final Logger LOG = LoggerFactory.getLogger(MicrometerNotifierMetrics.class);

  private static final Duration[] LATENESS_BUCKETS = {
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofSeconds(2),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10),
    Duration.ofSeconds(30),
    Duration.ofMinutes(1),
    Duration.ofMinutes(5),
    Duration.ofMinutes(15),
    Duration.ofHours(1)
  };

  private final MeterRegistry registry;
  private final AtomicInteger leader = new AtomicInteger();
  private final AtomicLong watermarkLagMillis = new AtomicLong();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger failuresLogged = new AtomicInteger();
  private final Timer tickDuration;
  private final DistributionSummary tickDue;

  public MicrometerNotifierMetrics(MeterRegistry registry) {
    this.registry = registry;
    registry.gauge("notifier_producer_leader", leader);
    registry.gauge("notifier_watermark_lag_seconds", watermarkLagMillis, v -> v.get() / 1000.0);
    registry.gauge("notifier_sends_in_flight", inFlight);
    this.tickDuration =
        Timer.builder("notifier_tick_duration")
            .description("Time one producer tick took")
            .publishPercentileHistogram()
            .register(registry);
    this.tickDue =
        DistributionSummary.builder("notifier_tick_due")
            .description("Notifications that fell due in one tick's window")
            .publishPercentileHistogram()
            .register(registry);
    // Registered at zero, so that rate() and increase() see the first job of each kind rather
    // than a series that appears with its first increment.
    for (NotificationKind kind : NotificationKind.values()) {
      counter("notifier_jobs_enqueued", "kind", kind.code());
      counter("notifier_jobs_sent", "kind", kind.code());
    }
  }

  public MeterRegistry registry() {
    return registry;
  }

  private void safely(Runnable action) {
    try {
      action.run();
    } catch (RuntimeException e) {
      if (failuresLogged.getAndIncrement() < 10) {
        LOG.warn("metrics update failed and was ignored: {}", e.toString());
      }
    }
  }

  private Counter counter(String name, String... tags) {
    return Counter.builder(name).tags(tags).register(registry);
  }

  @Override
  public void tick(Duration duration, int due, int enqueued) {
    safely(
        () -> {
          tickDuration.record(duration);
          tickDue.record(due);
        });
  }

  @Override
  public void enqueued(NotificationKind kind, int count) {
    safely(() -> counter("notifier_jobs_enqueued", "kind", kind.code()).increment(count));
  }

  @Override
  public void leadership(boolean isLeader) {
    leader.set(isLeader ? 1 : 0);
  }

  @Override
  public void watermarkLag(Duration lag) {
    watermarkLagMillis.set(Math.max(0, lag.toMillis()));
  }

  @Override
  public void catchUpAbandoned(Duration abandoned) {
    safely(
        () -> {
          counter("notifier_catch_up_abandoned").increment();
          counter("notifier_catch_up_abandoned_seconds")
              .increment(Math.max(0, abandoned.toSeconds()));
        });
  }

  @Override
  public void scheduleDrift(int rows) {
    safely(() -> counter("notifier_schedule_drift_rows").increment(rows));
  }

  @Override
  public void reconciled(int count) {
    safely(() -> counter("notifier_jobs_reconciled").increment(count));
  }

  @Override
  public void invalidTimezone() {
    safely(() -> counter("notifier_invalid_timezone").increment());
  }

  @Override
  public void badSetting(NotificationKind kind, String field) {
    safely(() -> counter("notifier_bad_settings", "kind", kind.code(), "field", field).increment());
  }

  @Override
  public void sent(NotificationKind kind, Duration sendDuration, Duration lateness) {
    safely(
        () -> {
          counter("notifier_jobs_sent", "kind", kind.code()).increment();
          Timer.builder("notifier_send_duration")
              .tag("kind", kind.code())
              .publishPercentileHistogram()
              .register(registry)
              .record(sendDuration);
          Timer.builder("notifier_delivery_lateness")
              .description("SMTP acceptance minus the due instant")
              .tag("kind", kind.code())
              .serviceLevelObjectives(LATENESS_BUCKETS)
              .register(registry)
              .record(lateness.isNegative() ? Duration.ZERO : lateness);
        });
  }

  @Override
  public void retried(NotificationKind kind, String failure) {
    safely(
        () ->
            counter("notifier_jobs_retried", "kind", kind.code(), "failure", failure).increment());
  }

  @Override
  public void dead(NotificationKind kind, String reason) {
    safely(() -> counter("notifier_jobs_dead", "kind", kind.code(), "reason", reason).increment());
  }

  @Override
  public void uncertain(NotificationKind kind) {
    safely(() -> counter("notifier_jobs_uncertain", "kind", kind.code()).increment());
  }

  @Override
  public void skipped(NotificationKind kind, String reason) {
    safely(
        () -> counter("notifier_jobs_skipped", "kind", kind.code(), "reason", reason).increment());
  }

  @Override
  public void duplicateSuppressed(NotificationKind kind) {
    safely(() -> counter("notifier_duplicates_suppressed", "kind", kind.code()).increment());
  }

  @Override
  public void reclaimed(int count) {
    safely(() -> counter("notifier_jobs_reclaimed").increment(count));
  }

  @Override
  public void badPayload(String reason) {
    safely(() -> counter("notifier_bad_payloads", "reason", reason).increment());
  }

  @Override
  public void inFlight(int count) {
    inFlight.set(count);
  }

  @Override
  public void loopError(String loop) {
    safely(() -> counter("notifier_loop_errors", "loop", loop).increment());
  }

  @Override
  public void loopRan(String loop) {
    safely(() -> counter("notifier_loop_iterations", "loop", loop).increment());
  }
}
