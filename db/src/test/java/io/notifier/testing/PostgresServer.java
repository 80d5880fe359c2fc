package io.notifier.testing;

import io.notifier.db.MigrationScope;
import io.notifier.db.Migrations;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One PostgreSQL server the harness may create databases on, wherever it came from (environment,
 * container, embedded). Owns the migrated template of this JVM and creates and drops the per-class
 * databases. Every database it creates is named {@code ntest_<epoch seconds>_<run>_...}, so that
 * leftovers of a killed JVM on a shared server can be recognised and dropped later.
 */
final class PostgresServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RealServices.class);

  static final String DATABASE_PREFIX = "ntest_";

  /** Databases of this prefix older than this are leftovers of a dead JVM. */
  private static final Duration STALE_AFTER = Duration.ofHours(12);

  private static final String SQLSTATE_OBJECT_IN_USE = "55006";

  private final String authority;
  private final String adminDatabase;
  private final String extraQuery;
  private final String user;
  private final String password;
  private final String source;
  private final AutoCloseable stopper;
  private final String runId;
  private final AtomicInteger sequence = new AtomicInteger();

  private String template; // guarded by this
  private boolean closed; // guarded by this

  /**
   * @param authority {@code host:port} (or several, as pgjdbc accepts them)
   * @param adminDatabase a database to connect to for CREATE/DROP DATABASE
   * @param extraQuery further JDBC URL parameters without credentials, or empty
   * @param source where the server came from, for the log
   * @param stopper stops the server when this JVM is done with it, or null if it is not ours
   */
  PostgresServer(
      String authority,
      String adminDatabase,
      String extraQuery,
      String user,
      String password,
      String source,
      AutoCloseable stopper) {
    this.authority = authority;
    this.adminDatabase = adminDatabase;
    this.extraQuery = extraQuery == null ? "" : extraQuery;
    this.user = user;
    this.password = password == null ? "" : password;
    this.source = source;
    this.stopper = stopper;
    byte[] random = new byte[3];
    new SecureRandom().nextBytes(random);
    this.runId =
        DATABASE_PREFIX + Instant.now().getEpochSecond() + "_" + HexFormat.of().formatHex(random);
  }

  String user() {
    return user;
  }

  String password() {
    return password;
  }

  String source() {
    return source;
  }

  String authority() {
    return authority;
  }

  /** A JDBC URL for the named database on this server, without credentials. */
  String jdbcUrl(String database) {
    return "jdbc:postgresql://"
        + authority
        + "/"
        + database
        + (extraQuery.isEmpty() ? "" : "?" + extraQuery);
  }

  Connection connect(String database) throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", user);
    if (!password.isEmpty()) {
      properties.setProperty("password", password);
    }
    properties.setProperty("ApplicationName", "notifier-test-harness");
    return DriverManager.getConnection(jdbcUrl(database), properties);
  }

  String serverVersion() {
    try (Connection connection = connect(adminDatabase);
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SHOW server_version")) {
      rs.next();
      return rs.getString(1);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "PostgreSQL at " + authority + " (" + source + ") does not answer: " + e.getMessage(), e);
    }
  }

  /** Creates a fresh database, a copy of the migrated template when {@code migrated}. */
  String createDatabase(String label, boolean migrated) {
    String templateName = migrated ? migratedTemplate() : "template0";
    String name = newName(label);
    String sql =
        "CREATE DATABASE "
            + quote(name)
            + " TEMPLATE "
            + quote(templateName)
            + (migrated ? "" : " ENCODING 'UTF8'");
    execute(sql, true);
    return name;
  }

  /** Drops a database created here, disconnecting whatever is still connected to it. */
  void dropDatabase(String name) {
    if (!name.startsWith(DATABASE_PREFIX)) {
      throw new IllegalArgumentException("not a test database: " + name);
    }
    execute("DROP DATABASE IF EXISTS " + quote(name) + " WITH (FORCE)", false);
  }

  /** Names of databases on this server created by this JVM. */
  List<String> ownDatabases() {
    List<String> names = new ArrayList<>();
    try (Connection connection = connect(adminDatabase);
        var statement =
            connection.prepareStatement(
                "SELECT datname FROM pg_database WHERE starts_with(datname, ?) ORDER BY datname")) {
      statement.setString(1, runId);
      try (ResultSet rs = statement.executeQuery()) {
        while (rs.next()) {
          names.add(rs.getString(1));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot list databases: " + e.getMessage(), e);
    }
    return names;
  }

  /** The template every migrated test database is copied from; migrated once per server. */
  private synchronized String migratedTemplate() {
    if (closed) {
      throw new IllegalStateException("the test PostgreSQL server is already shut down");
    }
    if (template != null) {
      return template;
    }
    long started = System.nanoTime();
    String name = runId + "_template";
    execute("CREATE DATABASE " + quote(name) + " TEMPLATE template0 ENCODING 'UTF8'", false);
    try {
      PGSimpleDataSource dataSource = new PGSimpleDataSource();
      dataSource.setURL(jdbcUrl(name));
      dataSource.setUser(user);
      if (!password.isEmpty()) {
        dataSource.setPassword(password);
      }
      dataSource.setApplicationName("notifier-test-harness");
      List<Migrations.Applied> applied = Migrations.migrate(dataSource, MigrationScope.ALL);
      // CREATE DATABASE ... TEMPLATE fails while anything is connected to the template; keep it
      // that way for the rest of the run.
      execute("ALTER DATABASE " + quote(name) + " ALLOW_CONNECTIONS false", false);
      execute(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '"
              + name
              + "' AND pid <> pg_backend_pid()",
          false);
      log.info(
          "Migrated template database {} in {} ms: {}",
          name,
          Duration.ofNanos(System.nanoTime() - started).toMillis(),
          applied);
    } catch (RuntimeException e) {
      dropQuietly(name);
      throw e;
    }
    template = name;
    return template;
  }

  /** Drops leftovers of JVMs that died without cleaning up (shared servers only). */
  void dropStaleDatabases() {
    long cutoff = Instant.now().minus(STALE_AFTER).getEpochSecond();
    List<String> stale = new ArrayList<>();
    try (Connection connection = connect(adminDatabase);
        var statement =
            connection.prepareStatement(
                "SELECT datname FROM pg_database WHERE starts_with(datname, ?)")) {
      statement.setString(1, DATABASE_PREFIX);
      try (ResultSet rs = statement.executeQuery()) {
        while (rs.next()) {
          String name = rs.getString(1);
          String[] parts = name.split("_");
          if (parts.length > 2 && parts[1].matches("\\d{1,12}")) {
            if (Long.parseLong(parts[1]) < cutoff) {
              stale.add(name);
            }
          }
        }
      }
    } catch (SQLException e) {
      log.warn("Could not look for stale test databases: {}", e.getMessage());
      return;
    }
    for (String name : stale) {
      log.info("Dropping stale test database {} (left by a test JVM that did not finish)", name);
      dropQuietly(name);
    }
  }

  private String newName(String label) {
    String cleaned =
        label == null ? "" : label.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    String name =
        runId + "_" + sequence.incrementAndGet() + (cleaned.isEmpty() ? "" : "_" + cleaned);
    return name.length() > 63 ? name.substring(0, 63) : name;
  }

  /**
   * Runs one statement on the admin database. With {@code retryInUse}, retries while the server
   * reports the template busy (a connection that is just going away).
   */
  private void execute(String sql, boolean retryInUse) {
    int attempt = 0;
    while (true) {
      try (Connection connection = connect(adminDatabase);
          Statement statement = connection.createStatement()) {
        statement.execute(sql);
        return;
      } catch (SQLException e) {
        if (retryInUse && SQLSTATE_OBJECT_IN_USE.equals(e.getSQLState()) && attempt++ < 20) {
          sleep(Duration.ofMillis(100L * attempt));
          continue;
        }
        throw new IllegalStateException(
            "PostgreSQL at "
                + authority
                + " ("
                + source
                + "): "
                + sql
                + " failed: "
                + e.getMessage(),
            e);
      }
    }
  }

  private void dropQuietly(String name) {
    try {
      dropDatabase(name);
    } catch (RuntimeException e) {
      log.warn("Could not drop test database {}: {}", name, e.getMessage());
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  @Override
  public void close() {
    String toDrop;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      toDrop = template;
    }
    try {
      if (stopper == null) {
        // A shared server outlives this JVM: leave nothing behind on it.
        if (toDrop != null) {
          dropQuietly(toDrop);
        }
        for (String leftover : ownDatabases()) {
          dropQuietly(leftover);
        }
      }
    } finally {
      if (stopper != null) {
        try {
          stopper.close();
        } catch (Exception e) {
          throw new IllegalStateException("could not stop " + this, e);
        }
      }
    }
  }

  @Override
  public String toString() {
    return "PostgreSQL at " + authority + " (" + source + ")";
  }
}
