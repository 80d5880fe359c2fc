package io.notifier.app;

import io.notifier.ops.http.HttpConfig;
import picocli.CommandLine.Option;

/** Where a long-running process serves /metrics and health. */
public final class HttpOptions {

  @Option(
      names = "--http-port",
      paramLabel = "PORT",
      defaultValue = "" + HttpConfig.DEFAULT_PORT,
      description =
          "Port of /metrics and the health endpoints; 0 picks a free one, -1 turns them off (env NOTIFIER_HTTP_PORT; default ${DEFAULT-VALUE}).")
  @Env("NOTIFIER_HTTP_PORT")
  int port;

  @Option(
      names = "--http-bind",
      paramLabel = "ADDRESS",
      defaultValue = HttpConfig.DEFAULT_BIND_ADDRESS,
      description = "Interface to listen on (env NOTIFIER_HTTP_BIND; default ${DEFAULT-VALUE}).")
  @Env("NOTIFIER_HTTP_BIND")
  String bind;

  public HttpConfig config() {
    try {
      return new HttpConfig(bind, port);
    } catch (IllegalArgumentException e) {
      throw new UserException("HTTP settings: " + e.getMessage());
    }
  }
}
