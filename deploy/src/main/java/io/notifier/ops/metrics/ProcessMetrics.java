package io.notifier.ops.metrics;

import com.zaxxer.hikari.HikariDataSource;
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
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.ToLongFunction;
import javax.sql.DataSource;

/**
 * One process's metrics: a Prometheus registry with the JVM binders, the job path's {@link
 * NotifierMetrics} on it, and the queue depth gauges, which read the observability path ({@link
 * RedisObserver}: its own Lettuce connection, cached) when scraped.
 */
public final class ProcessMetrics implements AutoCloseable {

  public static final String QUEUE_DEPTH = "notifier_queue_depth";
  public static final String REDIS_UP = "notifier_redis_up";
  public static final String DATABASE_UP = "notifier_database_up";
  private static final Duration DATABASE_PROBE_CACHE = Duration.ofSeconds(2);
  private static final int DATABASE_PROBE_TIMEOUT_SECONDS = 1;

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
        .strongReference(true)
        .description("1 when the observability path can read Redis")
        .register(registry);
  }

  /**
   * The connection pool's own meters ({@code hikaricp_connections_*}: active, idle, pending,
   * timeouts) and {@code notifier_database_up}, a cached validity check made when scraped, so a
   * database outage shows on dashboards and alerts directly rather than only through failing loops.
   */
  public void bindDatabase(DataSource dataSource, Clock clock) {
    // Hikari accepts one registry per pool, ever.
    if (dataSource instanceof HikariDataSource hikari && hikari.getMetricRegistry() == null) {
      hikari.setMetricRegistry(registry);
    }
    DatabaseProbe probe = new DatabaseProbe(dataSource, clock);
    // Strong: a gauge holds its object weakly, and nothing else holds the probe; collected, the
    // gauge would read NaN, which no alert on "== 0" notices.
    Gauge.builder(DATABASE_UP, probe, p -> p.up() ? 1 : 0)
        .strongReference(true)
        .description("1 when this process can get a valid PostgreSQL connection")
        .register(registry);
  }

  /** A connection validity check, cached briefly so frequent scrapes cost one check. */
  private static final class DatabaseProbe {
    private final DataSource dataSource;
    private final Clock clock;
    private Instant checkedAt = Instant.MIN;
    private boolean up;

    DatabaseProbe(DataSource dataSource, Clock clock) {
      this.dataSource = dataSource;
      this.clock = clock;
    }

    synchronized boolean up() {
      Instant now = clock.instant();
      if (checkedAt.plus(DATABASE_PROBE_CACHE).isAfter(now)) {
        return up;
      }
      try (Connection connection = dataSource.getConnection()) {
        up = connection.isValid(DATABASE_PROBE_TIMEOUT_SECONDS);
      } catch (SQLException | RuntimeException e) {
        up = false;
      }
      checkedAt = now;
      return up;
    }
  }

  private void depth(RedisObserver observer, String queue, ToLongFunction<QueueStats> read) {
    Gauge.builder(
            QUEUE_DEPTH,
            observer,
            o -> o.queues().map(s -> (double) read.applyAsLong(s)).orElse(Double.NaN))
        .strongReference(true)
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
