package io.notifier.testing;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.notifier.db.Database;
import io.notifier.db.DatabaseConfig;
import io.notifier.db.Migrations;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;
import org.jooq.DSLContext;

/**
 * A real PostgreSQL database of one test class: created for the class as a copy of a template
 * migrated once per JVM (PazPaz's tables and the notifier's, {@code MigrationScope.ALL}), dropped
 * when the class is done. Other classes get other databases, so classes never see each other's
 * rows; methods of one class share this one, see {@link #truncateAll()}.
 *
 * <p>{@link #jdbcUrl()} carries no credentials: pass {@link #user()} and {@link #password()} along
 * with it, or use {@link #config()}.
 */
public final class TestDatabase {

  private static final Set<String> KEPT_TABLES =
      Set.of(
          Migrations.PAZPAZ_HISTORY_TABLE,
          Migrations.NOTIFIER_HISTORY_TABLE,
          "flyway_schema_history");

  private final PostgresServer server;
  private final ClassScope scope;
  private final String name;

  private HikariDataSource dataSource; // guarded by this
  private DSLContext dsl; // guarded by this
  private boolean closed; // guarded by this

  private TestDatabase(PostgresServer server, ClassScope scope, String name) {
    this.server = server;
    this.scope = scope;
    this.name = name;
  }

  static TestDatabase create(PostgresServer server, ClassScope scope, boolean migrated) {
    String name = server.createDatabase(scope.label(), migrated);
    TestDatabase database = new TestDatabase(server, scope, name);
    try {
      scope.register(database::close);
    } catch (RuntimeException e) {
      server.dropDatabase(name);
      throw e;
    }
    return database;
  }

  /** E.g. {@code jdbc:postgresql://127.0.0.1:5432/ntest_..._1_mytest}; no user or password. */
  public String jdbcUrl() {
    return server.jdbcUrl(name);
  }

  public String user() {
    return server.user();
  }

  /** The password, or the empty string when the server needs none. */
  public String password() {
    return server.password();
  }

  public String databaseName() {
    return name;
  }

  /** URL and credentials in the form production code takes them ({@code Database.connect}). */
  public DatabaseConfig config() {
    return new DatabaseConfig(jdbcUrl(), user(), password());
  }

  /** A small HikariCP pool on this database, opened on first use, closed after the class. */
  public synchronized DataSource dataSource() {
    checkOpen();
    if (dataSource == null) {
      HikariConfig config = new HikariConfig();
      config.setJdbcUrl(jdbcUrl());
      config.setUsername(server.user());
      if (!server.password().isEmpty()) {
        config.setPassword(server.password());
      }
      config.setPoolName("test-" + name);
      config.setMaximumPoolSize(4);
      config.setMinimumIdle(0);
      config.setConnectionTimeout(10_000);
      config.addDataSourceProperty("ApplicationName", "notifier-test");
      dataSource = new HikariDataSource(config);
    }
    return dataSource;
  }

  /** jOOQ over {@link #dataSource()}, POSTGRES dialect, the settings production uses. */
  public synchronized DSLContext dsl() {
    if (dsl == null) {
      dsl = Database.dsl(dataSource());
    }
    return dsl;
  }

  /**
   * Empties every table (RESTART IDENTITY CASCADE) except the Flyway history tables, for tests that
   * want a clean slate between methods.
   */
  public void truncateAll() {
    try (Connection connection = dataSource().getConnection();
        Statement statement = connection.createStatement()) {
      List<String> tables = new ArrayList<>();
      try (ResultSet rs =
          statement.executeQuery(
              "SELECT schemaname, tablename FROM pg_tables"
                  + " WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
                  + " AND schemaname NOT LIKE 'pg\\_%'"
                  + " ORDER BY schemaname, tablename")) {
        while (rs.next()) {
          if (!KEPT_TABLES.contains(rs.getString(2))) {
            tables.add(
                PostgresServer.quote(rs.getString(1))
                    + "."
                    + PostgresServer.quote(rs.getString(2)));
          }
        }
      }
      if (!tables.isEmpty()) {
        statement.execute(
            "TRUNCATE TABLE " + String.join(", ", tables) + " RESTART IDENTITY CASCADE");
      }
    } catch (SQLException e) {
      throw new IllegalStateException("truncateAll on " + name + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * Another fresh, migrated database on the same server, for tests that need two (e.g. a PazPaz
   * database and another). Dropped with this one, after the class.
   */
  public TestDatabase newDatabase() {
    return create(server, scope, true);
  }

  /** A fresh, empty database, for migration tests. Dropped after the class. */
  public TestDatabase unmigratedDatabase() {
    return create(server, scope, false);
  }

  private synchronized void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the test database " + name + " is already dropped");
    }
  }

  void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      if (dataSource != null) {
        dataSource.close();
      }
    }
    server.dropDatabase(name);
  }

  @Override
  public String toString() {
    return "TestDatabase[" + jdbcUrl() + ", user=" + server.user() + "]";
  }
}
