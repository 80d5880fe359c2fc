package io.notifier.ops.http;

import java.util.Objects;

/**
 * Where a process serves {@code /metrics} and its health endpoints.
 *
 * @param bindAddress interface to listen on ({@code 0.0.0.0} for every one)
 * @param port TCP port; 0 picks a free one (tests), -1 disables the server
 */
public record HttpConfig(String bindAddress, int port) {

  public static final String DEFAULT_BIND_ADDRESS = "0.0.0.0";
  public static final int DEFAULT_PORT = 9464;
  public static final int DISABLED = -1;

  public HttpConfig {
    Objects.requireNonNull(bindAddress, "bindAddress");
    if (bindAddress.isBlank()) {
      throw new IllegalArgumentException("HTTP bind address must not be blank");
    }
    if (port < DISABLED || port > 65535) {
      throw new IllegalArgumentException(
          "HTTP port must be between 0 and 65535 (or -1 to disable), was " + port);
    }
  }

  public static HttpConfig defaults() {
    return new HttpConfig(DEFAULT_BIND_ADDRESS, DEFAULT_PORT);
  }

  public boolean enabled() {
    return port != DISABLED;
  }
}
