package io.notifier.ops.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.notifier.ops.health.Check;
import io.notifier.ops.health.HealthJson;
import io.notifier.ops.health.HealthReport;
import io.notifier.ops.health.HealthService;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each process's HTTP face, on the JDK's built-in server:
 *
 * <ul>
 *   <li>{@code GET /metrics}: Prometheus text format;
 *   <li>{@code GET /api/v1/health/workers}: heartbeats, last runs and queue lengths as JSON; 200
 *       when healthy, 503 otherwise;
 *   <li>{@code GET /health/live}: 200 unless this process's loops are wedged (liveness probe);
 *   <li>{@code GET /health/ready}: 200 when Redis and PostgreSQL answer (readiness probe).
 * </ul>
 */
public final class OpsHttpServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(OpsHttpServer.class);
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
  private static final String JSON = "application/json; charset=utf-8";

  private final HttpServer server;
  private final ExecutorService executor;
  private boolean stopped;

  public OpsHttpServer(HttpConfig config, Supplier<String> metrics, HealthService health) {
    try {
      this.server =
          HttpServer.create(new InetSocketAddress(config.bindAddress(), config.port()), 16);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot listen on " + config.bindAddress() + ":" + config.port() + ": " + e.getMessage(),
          e);
    }
    // Virtual threads: a slow scrape or probe never blocks another.
    this.executor = Executors.newVirtualThreadPerTaskExecutor();
    server.setExecutor(executor);
    server.createContext(
        "/metrics", guarded(exchange -> send(exchange, 200, PROMETHEUS_TEXT, metrics.get())));
    server.createContext(
        "/api/v1/health/workers",
        guarded(
            exchange -> {
              HealthReport report = health.workers();
              send(exchange, report.healthy() ? 200 : 503, JSON, HealthJson.workers(report));
            }));
    server.createContext(
        "/health/live", guarded(exchange -> check(exchange, "live", health.live())));
    server.createContext(
        "/health/ready", guarded(exchange -> check(exchange, "ready", health.ready())));
  }

  public OpsHttpServer start() {
    server.start();
    LOG.info("HTTP server listening on port {}", port());
    return this;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** Stops accepting and gives open exchanges a second to finish. Idempotent. */
  public synchronized void stop() {
    if (stopped) {
      return;
    }
    stopped = true;
    server.stop(1);
    executor.shutdown();
  }

  @Override
  public void close() {
    stop();
  }

  private static void check(HttpExchange exchange, String name, Check check) throws IOException {
    send(exchange, check.ok() ? 200 : 503, JSON, HealthJson.check(name, check));
  }

  private interface Handler {
    void handle(HttpExchange exchange) throws IOException;
  }

  /** GET and HEAD only, exact paths only, and a failure becomes a 500 rather than a hang. */
  private static HttpHandler guarded(Handler handler) {
    return exchange -> {
      try (exchange) {
        String method = exchange.getRequestMethod();
        if (!"GET".equals(method) && !"HEAD".equals(method)) {
          exchange.getResponseHeaders().set("Allow", "GET, HEAD");
          send(exchange, 405, "text/plain; charset=utf-8", "method not allowed\n");
          return;
        }
        if (!exchange.getRequestURI().getPath().equals(exchange.getHttpContext().getPath())) {
          send(exchange, 404, "text/plain; charset=utf-8", "not found\n");
          return;
        }
        handler.handle(exchange);
      } catch (RuntimeException | IOException e) {
        LOG.warn("HTTP {} failed: {}", exchange.getRequestURI().getPath(), e.toString());
        try {
          send(exchange, 500, "text/plain; charset=utf-8", "internal error\n");
        } catch (IOException | RuntimeException ignored) {
          // the response was already under way
        }
      }
    };
  }

  private static void send(HttpExchange exchange, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    boolean head = "HEAD".equals(exchange.getRequestMethod());
    exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }
}
