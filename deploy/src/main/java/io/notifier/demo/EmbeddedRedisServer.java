package io.notifier.demo;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.notifier.app.UserException;
import java.io.File;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisServer;
import redis.embedded.core.ExecutableProvider;

/**
 * Redis for the demo: the {@code redis-server} binary bundled in codemonstur's embedded-redis (6.2
 * on Linux and macOS), else a {@code redis-server} on the PATH when the bundled one is missing,
 * does not start, or is older than 6.2 (the Streams commands the queue needs, XAUTOCLAIM among
 * them, came with 6.2). It listens on a free port of 127.0.0.1 and keeps nothing on disk.
 *
 * <p>A terminal's Ctrl-C signals the whole foreground process group, child processes included: a
 * plain child redis-server would quit at once, while the consumers still need it to finish their
 * sends and leave cleanly. So it runs in a session of its own ({@code setsid}, or Perl's where
 * there is no setsid command, as on macOS), which keeps its process id, so that stopping it still
 * works as usual; the demo stops it last. (Embedded PostgreSQL needs nothing of the kind: pg_ctl
 * starts the server in its own session.)
 */
final class EmbeddedRedisServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedRedisServer.class);

  static final String HOST = "127.0.0.1";
  private static final int[] MINIMUM_VERSION = {6, 2};
  private static final int PORT_ATTEMPTS = 3;
  private static final Pattern VERSION = Pattern.compile("redis_version:(\\d+)\\.(\\d+)[^\\r\\n]*");

  private final RedisServer server;
  private final int port;
  private final String version;
  private final String source;
  private boolean closed; // guarded by this

  private EmbeddedRedisServer(RedisServer server, int port, String version, String source) {
    this.server = server;
    this.port = port;
    this.version = version;
    this.source = source;
  }

  static EmbeddedRedisServer start() {
    String bundledProblem;
    try {
      EmbeddedRedisServer bundled =
          start(ownSession(ExecutableProvider.newJarResourceProvider()), "bundled redis-server");
      if (bundled.recentEnough()) {
        return bundled;
      }
      bundled.close();
      bundledProblem = "the bundled redis-server is version " + bundled.version;
    } catch (IOException | RuntimeException e) {
      bundledProblem = "the bundled redis-server did not start (" + e.getMessage() + ")";
    }
    ExecutableProvider onPath;
    try {
      onPath = ExecutableProvider.newExecutableInPath("redis-server");
    } catch (FileNotFoundException | RuntimeException e) {
      throw new UserException(
          "no embedded Redis on this machine: "
              + bundledProblem
              + ", and there is no redis-server on the PATH. Install Redis 6.2 or newer, or set"
              + " NOTIFIER_REDIS_URL to one.");
    }
    LOG.info("using redis-server from the PATH, because {}", bundledProblem);
    EmbeddedRedisServer fromPath;
    try {
      fromPath = start(ownSession(onPath), "redis-server from the PATH");
    } catch (IOException e) {
      throw new UserException("redis-server from the PATH did not start: " + e.getMessage(), e);
    }
    if (!fromPath.recentEnough()) {
      fromPath.close();
      throw new UserException(
          "the redis-server on the PATH is version "
              + fromPath.version
              + "; the notifier needs 6.2 or newer. Install a newer one, or set NOTIFIER_REDIS_URL.");
    }
    return fromPath;
  }

  private static EmbeddedRedisServer start(ExecutableProvider executable, String source)
      throws IOException {
    IOException last = null;
    for (int attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
      int port = freePort();
      // No output listeners: embedded-redis would read stdout from two threads and could miss the
      // line that says the server is ready.
      RedisServer server =
          RedisServer.newRedisServer()
              .executableProvider(executable)
              .bind(HOST)
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
        return new EmbeddedRedisServer(server, port, readVersion(port), source);
      } catch (RuntimeException e) {
        stopQuietly(server);
        throw e;
      }
    }
    throw last;
  }

  /**
   * {@code executable}, started through a small script that puts it in a new session and then
   * becomes it ({@code exec}, so the process id stays the one embedded-redis stops). Unchanged when
   * neither setsid nor perl is found.
   */
  static ExecutableProvider ownSession(ExecutableProvider executable) {
    Optional<Path> setsid = onPath("setsid");
    Optional<Path> perl = setsid.isPresent() ? Optional.empty() : onPath("perl");
    if (setsid.isEmpty() && perl.isEmpty()) {
      LOG.info("neither setsid nor perl found: Ctrl-C also stops the embedded Redis at once");
      return executable;
    }
    return () -> {
      File binary = executable.get();
      String launch =
          setsid.isPresent()
              ? quote(setsid.get().toString()) + " " + quote(binary.getAbsolutePath()) + " \"$@\""
              : quote(perl.get().toString())
                  + " -MPOSIX -e 'POSIX::setsid(); exec {$ARGV[0]} @ARGV or die \"exec: $!\"' "
                  + quote(binary.getAbsolutePath())
                  + " \"$@\"";
      Path script = Files.createTempFile("notifier-demo-redis-", ".sh");
      Files.writeString(script, "#!/bin/sh\nexec " + launch + "\n");
      if (!script.toFile().setExecutable(true, true)) {
        throw new IOException("cannot make " + script + " executable");
      }
      script.toFile().deleteOnExit();
      return script.toFile();
    };
  }

  private static Optional<Path> onPath(String command) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isBlank()) {
        continue;
      }
      Path candidate = Path.of(dir, command);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  private static String quote(String text) {
    return "'" + text.replace("'", "'\\''") + "'";
  }

  private static String readVersion(int port) {
    RedisURI uri = RedisURI.create(HOST, port);
    uri.setTimeout(Duration.ofSeconds(5));
    RedisClient client = RedisClient.create(uri);
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      Matcher m = VERSION.matcher(connection.sync().info("server"));
      return m.find() ? m.group(1) + "." + m.group(2) : "unknown";
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  private boolean recentEnough() {
    String[] parts = version.split("\\.");
    if (parts.length < 2) {
      return false;
    }
    int major = Integer.parseInt(parts[0]);
    int minor = Integer.parseInt(parts[1]);
    return major > MINIMUM_VERSION[0]
        || (major == MINIMUM_VERSION[0] && minor >= MINIMUM_VERSION[1]);
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port for the embedded Redis", e);
    }
  }

  int port() {
    return port;
  }

  String uri() {
    return "redis://" + HOST + ":" + port;
  }

  String describe() {
    return "embedded Redis " + version + " (" + source + ") on " + HOST + ":" + port;
  }

  /** Stops the server. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    stopQuietly(server);
  }

  private static void stopQuietly(RedisServer server) {
    try {
      server.stop();
    } catch (IOException | RuntimeException e) {
      LOG.warn("embedded Redis did not stop cleanly: {}", e.toString());
    }
  }
}
