package io.notifier.app;

import io.notifier.db.DatabaseConfig;
import java.time.Duration;
import picocli.CommandLine.Option;

/** How to reach PostgreSQL. */
public final class DatabaseOptions {

  @Option(
      names = "--database-url",
      paramLabel = "JDBC_URL",
      defaultValue = "jdbc:postgresql://localhost:5432/pazpaz",
      description =
          "PostgreSQL JDBC URL (env NOTIFIER_DATABASE_URL; default jdbc:postgresql://localhost:5432/pazpaz).")
  @Env("NOTIFIER_DATABASE_URL")
  String url;

  @Option(
      names = "--database-user",
      paramLabel = "USER",
      description = "Database user (env NOTIFIER_DATABASE_USER).")
  @Env("NOTIFIER_DATABASE_USER")
  String user;

  @Option(
      names = "--database-password",
      paramLabel = "PASSWORD",
      description = "Database password; prefer the variable (env NOTIFIER_DATABASE_PASSWORD).")
  @Env(value = "NOTIFIER_DATABASE_PASSWORD", secret = true)
  String password;

  @Option(
      names = "--database-pool-size",
      paramLabel = "N",
      defaultValue = "" + DatabaseConfig.DEFAULT_MAX_POOL_SIZE,
      description =
          "Connections this process may hold; a producer needs at least 3 (env NOTIFIER_DATABASE_POOL_SIZE; default ${DEFAULT-VALUE}).")
  @Env("NOTIFIER_DATABASE_POOL_SIZE")
  int poolSize;

  @Option(
      names = "--database-connect-timeout",
      paramLabel = "DURATION",
      defaultValue = "5s",
      converter = Converters.DurationConverter.class,
      description =
          "How long to wait for a connection (env NOTIFIER_DATABASE_CONNECT_TIMEOUT; default ${DEFAULT-VALUE}).")
  @Env("NOTIFIER_DATABASE_CONNECT_TIMEOUT")
  Duration connectTimeout;

  public DatabaseConfig config() {
    try {
      return new DatabaseConfig(
          url, blankToNull(user), blankToNull(password), poolSize, connectTimeout);
    } catch (IllegalArgumentException e) {
      throw new UserException("database settings: " + e.getMessage());
    }
  }

  /** Fails before anything starts when the pool is smaller than {@code min}. */
  void requirePoolSize(int min, String why) {
    if (poolSize < min) {
      throw new UserException(
          "--database-pool-size (NOTIFIER_DATABASE_POOL_SIZE) is "
              + poolSize
              + ", at least "
              + min
              + " needed: "
              + why);
    }
  }

  static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
