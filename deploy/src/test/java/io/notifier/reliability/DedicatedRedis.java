package io.notifier.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import redis.embedded.RedisServer;
import redis.embedded.core.ExecutableProvider;

/**
 * A Redis server of one test alone, on its own port and without persistence, that the test can stop
 * and start again: a restart loses every key, as a Redis without AOF or RDB does. The binary
 * bundled with codemonstur embedded-redis, else {@code redis-server} from the PATH.
 */
final class DedicatedRedis implements AutoCloseable {

  private final int port;
  private ExecutableProvider executable;
  private RedisServer server;

  DedicatedRedis() {
    this.port = Deployment.freePort();
    start();
  }

  int port() {
    return port;
  }

  synchronized void start() {
    if (server != null) {
      return;
    }
    IOException failure = null;
    for (ExecutableProvider candidate : candidates()) {
      try {
        RedisServer s =
            RedisServer.newRedisServer()
                .executableProvider(candidate)
                .bind("127.0.0.1")
                .port(port)
                .setting("save \"\"")
                .setting("appendonly no")
                .onShutdownForceStop(true)
                .build();
        s.start();
        server = s;
        executable = candidate;
        return;
      } catch (IOException e) {
        failure = e;
      }
    }
    throw new UncheckedIOException("no redis-server would start on " + port, failure);
  }

  /** Stops the server: its data is gone. */
  synchronized void stop() {
    if (server != null) {
      try {
        server.stop();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } finally {
        server = null;
      }
    }
  }

  private java.util.List<ExecutableProvider> candidates() {
    if (executable != null) {
      return java.util.List.of(executable);
    }
    java.util.List<ExecutableProvider> list = new java.util.ArrayList<>();
    list.add(ExecutableProvider.newJarResourceProvider());
    try {
      list.add(ExecutableProvider.newExecutableInPath("redis-server"));
    } catch (IOException | RuntimeException e) {
      // only the bundled binary, then
    }
    return list;
  }

  @Override
  public void close() {
    stop();
  }
}
