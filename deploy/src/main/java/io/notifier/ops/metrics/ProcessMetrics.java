package io.notifier.ops.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.notifier.metrics.MicrometerNotifierMetrics;
import io.notifier.metrics.NotifierMetrics;
import io.notifier.ops.observe.RedisObserver;
import io.notifier.queue.QueueStats;
import java.util.function.ToLongFunction;

/**
 * One process's metrics: a Prometheus registry with the JVM binders, the job path's {@link
 * NotifierMetrics} on it, and the queue depth gauges, which read the observability path ({@link
 * RedisObserver}: its own Lettuce connection, cached) when scraped.
 */
public final class ProcessMetrics implements AutoCloseable {

  public static final String QUEUE_DEPTH = "notifier_queue_depth";
  public static final String REDIS_UP = "notifier_redis_up";

  private final PrometheusMeterRegistry registry;
  private final MicrometerNotifierMetrics notifierMetrics;
  private final JvmGcMetrics gcMetrics;

  public ProcessMetrics(String role) {
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().commonTags("role", role);
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    this.gcMetrics = new JvmGcMetrics();
    gcMetrics.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    this.notifierMetrics = new MicrometerNotifierMetrics(registry);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** What the producer and consumer report to. */
  public NotifierMetrics notifierMetrics() {
    return notifierMetrics;
  }

  /**
   * {@code notifier_queue_depth{queue="delayed|ready|pending|dead"}} and {@code notifier_redis_up},
   * read from {@code observer} when scraped (NaN while Redis cannot be read).
   */
  public void bindQueueGauges(RedisObserver observer) {
    depth(observer, "delayed", QueueStats::delayed);
    depth(observer, "ready", QueueStats::ready);
    depth(observer, "pending", QueueStats::pending);
    depth(observer, "dead", QueueStats::dead);
    Gauge.builder(REDIS_UP, observer, o -> o.snapshot().reachable() ? 1 : 0)
        .description("1 when the observability path can read Redis")
        .register(registry);
  }

  private void depth(RedisObserver observer, String queue, ToLongFunction<QueueStats> read) {
    Gauge.builder(
            QUEUE_DEPTH,
            observer,
            o -> o.queues().map(s -> (double) read.applyAsLong(s)).orElse(Double.NaN))
        .description("Jobs in each part of the queue: delayed, ready, pending (held), dead")
        .tag("queue", queue)
        .register(registry);
  }

  /** The Prometheus text exposition of every meter. */
  public String scrape() {
    return registry.scrape();
  }

  @Override
  public void close() {
    gcMetrics.close();
    registry.close();
  }
}
