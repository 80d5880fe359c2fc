package io.notifier.db;

import java.time.Duration;
import java.util.Objects;

/**
 * How to reach PostgreSQL. The password never appears in {@link #toString()}.
 *
 * @param jdbcUrl e.g. {@code jdbc:postgresql://db:5432/pazpaz}
 * @param maxPoolSize connections this process may hold
 * @param connectTimeout how long to wait for a connection before failing the operation
 */
public record DatabaseConfig(
    String jdbcUrl, String user, String password, int maxPoolSize, Duration connectTimeout) {

  public static final int DEFAULT_MAX_POOL_SIZE = 10;
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

  public DatabaseConfig {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException("database URL must start with jdbc:postgresql:");
    }
    if (maxPoolSize < 1) {
      throw new IllegalArgumentException("maxPoolSize must be at least 1, was " + maxPoolSize);
    }
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    if (connectTimeout.toMillis() < 250) {
      throw new IllegalArgumentException("connectTimeout must be at least 250ms");
    }
  }

  public DatabaseConfig(String jdbcUrl, String user, String password) {
    this(jdbcUrl, user, password, DEFAULT_MAX_POOL_SIZE, DEFAULT_CONNECT_TIMEOUT);
  }

  public DatabaseConfig withMaxPoolSize(int size) {
    return new DatabaseConfig(jdbcUrl, user, password, size, connectTimeout);
  }

  @Override
  public String toString() {
    return "DatabaseConfig[jdbcUrl="
        + redactUrl(jdbcUrl)
        + ", user="
        + user
        + ", password="
        + (password == null || password.isEmpty() ? "<none>" : "<redacted>")
        + ", maxPoolSize="
        + maxPoolSize
        + ", connectTimeout="
        + connectTimeout
        + "]";
  }

  /** Drops any password=... query parameter so URLs can be logged. */
  static String redactUrl(String url) {
    return url.replaceAll("(?i)(password=)[^&]*", "$1<redacted>");
  }
}
