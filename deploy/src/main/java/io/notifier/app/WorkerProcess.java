package io.notifier.app;

import io.notifier.db.Database;
import io.notifier.health.Heartbeats;
import io.notifier.health.HostName;
import io.notifier.metrics.NotifierMetrics;
import io.notifier.ops.health.HealthEvaluator;
import io.notifier.ops.health.HealthService;
import io.notifier.ops.health.LoopWatch;
import io.notifier.ops.http.HttpConfig;
import io.notifier.ops.http.OpsHttpServer;
import io.notifier.ops.metrics.ProcessMetrics;
import io.notifier.ops.observe.ObserverConfig;
import io.notifier.ops.observe.RedisObserver;
import io.notifier.queue.RedisJobQueue;
import io.notifier.redis.RedisClients;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import org.redisson.api.RedissonClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Model.CommandSpec;

/**
 * What {@code producer run} and {@code consumer run} share: the connections, the metrics registry,
 * the observability path, the HTTP server, and the life cycle (start, wait for SIGTERM, stop the
 * component so it drains, close everything, exit 0).
 */
final class WorkerProcess implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(WorkerProcess.class);

  private final String role;
  private final CliContext context;
  private final HttpConfig http;
  private final HealthOptions health;
  private final Deque<AutoCloseable> opened = new ArrayDeque<>();
  private final ProcessMetrics metrics;
  private final LoopWatch loops;
  private final Database database;
  private final RedissonClient redisson;
  private final RedisJobQueue queue;
  private final RedisObserver observer;
  private OpsHttpServer server;

  WorkerProcess(
      String role,
      CliContext context,
      CommandSpec spec,
      DatabaseOptions databaseOptions,
      RedisOptions redisOptions,
      HttpOptions httpOptions,
      HealthOptions health) {
    this.role = role;
    this.context = context;
    this.http = httpOptions.config();
    this.health = health;
    health.config(); // validate before connecting anywhere
    LOG.info("{} starting; effective configuration: {}", role, ConfigReport.line(spec));
    Clock clock = context.clock();
    try {
      metrics = new ProcessMetrics(role);
      opened.push(metrics);
      loops = new LoopWatch(metrics.notifierMetrics(), clock);
      database = Database.connect(databaseOptions.config(), role);
      opened.push(database);
      redisson = RedisClients.redisson(redisOptions.config(), "notifier-" + role);
      opened.push(redisson::shutdown);
      queue = new RedisJobQueue(redisson, redisOptions.queueConfig(), clock);
      observer =
          new RedisObserver(redisOptions.config(), queue.keys(), ObserverConfig.defaults(), clock);
      opened.push(observer);
      metrics.bindQueueGauges(observer);
      metrics.bindDatabase(database.dataSource(), clock);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  Clock clock() {
    return context.clock();
  }

  Database database() {
    return database;
  }

  RedissonClient redisson() {
    return redisson;
  }

  RedisJobQueue queue() {
    return queue;
  }

  RedisObserver observer() {
    return observer;
  }

  /** The job path's metrics, watched for wedged loops. */
  NotifierMetrics metrics() {
    return loops;
  }

  LoopWatch loops() {
    return loops;
  }

  /** The job path's metrics without the loop watch (for loops that run rarely). */
  NotifierMetrics unwatchedMetrics() {
    return metrics.notifierMetrics();
  }

  Heartbeats heartbeats(String workerId) {
    return new Heartbeats(redisson, queue.keys(), context.clock(), workerId, role);
  }

  /**
   * Serves HTTP, then blocks until the stop signal (SIGTERM, SIGINT, or a test), then calls {@code
   * stop} (the component drains), stops HTTP and closes every connection. Returns 0.
   */
  int runUntilStopped(Runnable stop) throws InterruptedException {
    try {
      if (http.enabled()) {
        HealthService healthService =
            new HealthService(
                observer,
                new HealthEvaluator(health.config(), context.clock()),
                loops,
                database.dataSource());
        server = new OpsHttpServer(http, metrics::scrape, healthService).start();
      }
      LOG.info("{} started", role);
      context.stopSignal().await();
      LOG.info("{} stopping ({})", role, context.stopSignal().reason());
      stop.run();
      LOG.info("{} stopped", role);
      return 0;
    } finally {
      close();
      context.stopSignal().drained();
    }
  }

  /** The HTTP port (tests: with --http-port 0), or -1 before it is serving. */
  int httpPort() {
    OpsHttpServer s = server;
    return s == null ? -1 : s.port();
  }

  @Override
  public void close() {
    if (server != null) {
      server.stop();
    }
    while (!opened.isEmpty()) {
      try {
        opened.pop().close();
      } catch (Exception e) {
        LOG.warn("closing a {} resource failed: {}", role, e.toString());
      }
    }
  }

  static String host(CliContext context) {
    return HostName.of(context.env());
  }
}
