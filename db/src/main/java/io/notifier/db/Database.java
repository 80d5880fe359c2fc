package io.notifier.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.conf.RenderQuotedNames;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;

/** A pooled connection to PostgreSQL and the jOOQ context over it. Close it once, at shutdown. */
public final class Database implements AutoCloseable {

  /**
   * No statement may wait longer than this on a silent server (a black-holed network otherwise
   * hangs a loop for the kernel's TCP timeout, many minutes). The JDBC URL's own {@code
   * socketTimeout} parameter wins over it.
   */
  public static final Duration DEFAULT_SOCKET_TIMEOUT = Duration.ofMinutes(2);

  private final HikariDataSource dataSource;
  private final DSLContext dsl;

  private Database(HikariDataSource dataSource) {
    this.dataSource = dataSource;
    this.dsl = dsl(dataSource);
  }

  public static Database connect(DatabaseConfig config, String poolName) {
    HikariConfig hikari = new HikariConfig();
    hikari.setJdbcUrl(config.jdbcUrl());
    if (config.user() != null) {
      hikari.setUsername(config.user());
    }
    if (config.password() != null) {
      hikari.setPassword(config.password());
    }
    hikari.setMaximumPoolSize(config.maxPoolSize());
    hikari.setMinimumIdle(Math.min(2, config.maxPoolSize()));
    hikari.setConnectionTimeout(config.connectTimeout().toMillis());
    hikari.setPoolName(poolName);
    // Start even when the database is down: every loop retries per iteration, and the process
    // must come up to report itself unhealthy rather than crash-loop.
    hikari.setInitializationFailTimeout(-1);
    hikari.addDataSourceProperty("ApplicationName", "notifier-" + poolName);
    hikari.addDataSourceProperty("reWriteBatchedInserts", "true");
    hikari.addDataSourceProperty(
        "socketTimeout", Long.toString(DEFAULT_SOCKET_TIMEOUT.toSeconds()));
    hikari.addDataSourceProperty("tcpKeepAlive", "true");
    return new Database(new HikariDataSource(hikari));
  }

  /** The jOOQ context every component uses: PostgreSQL dialect, identifiers as written. */
  public static DSLContext dsl(DataSource dataSource) {
    Settings settings =
        new Settings()
            .withRenderQuotedNames(RenderQuotedNames.EXPLICIT_DEFAULT_UNQUOTED)
            .withExecuteLogging(false);
    return DSL.using(dataSource, SQLDialect.POSTGRES, settings);
  }

  public DataSource dataSource() {
    return dataSource;
  }

  public DSLContext dsl() {
    return dsl;
  }

  @Override
  public void close() {
    dataSource.close();
  }
}
