package io.notifier.testing;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Redis server the harness hands out namespaces on, wherever it came from. Its own Lettuce
 * connection does the harness's housekeeping: claiming namespaces and deleting their keys.
 */
final class RedisEndpoint implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RealServices.class);

  /** XAUTOCLAIM and the Streams commands the notifier uses arrived in Redis 6.2. */
  static final int[] MINIMUM_VERSION = {6, 2};

  private static final String CLAIM_PREFIX = "notifier-test:namespace:";
  private static final Duration CLAIM_TTL = Duration.ofHours(12);
  private static final int SCAN_BATCH = 500;

  private final String host;
  private final int port;
  private final String uri;
  private final String source;
  private final AutoCloseable stopper;
  private final RedisClient client;
  private final StatefulRedisConnection<String, String> connection;
  private final SecureRandom random = new SecureRandom();

  /**
   * @param uri what code under test connects to, e.g. {@code redis://127.0.0.1:6379}
   * @param stopper stops the server when this JVM is done with it, or null if it is not ours
   */
  RedisEndpoint(String uri, String source, AutoCloseable stopper) {
    RedisURI parsed = RedisURI.create(uri);
    this.host = parsed.getHost();
    this.port = parsed.getPort();
    this.uri = uri;
    this.source = source;
    this.stopper = stopper;
    parsed.setTimeout(Duration.ofSeconds(10));
    parsed.setClientName("notifier-test-harness");
    RedisClient created = RedisClient.create(parsed);
    try {
      this.connection = created.connect();
    } catch (RuntimeException e) {
      created.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      throw new IllegalStateException(
          "Redis at " + redact(uri) + " (" + source + ") does not answer: " + e.getMessage(), e);
    }
    this.client = created;
  }

  String host() {
    return host;
  }

  int port() {
    return port;
  }

  String uri() {
    return uri;
  }

  String source() {
    return source;
  }

  RedisCommands<String, String> commands() {
    return connection.sync();
  }

  /** The server's version, from INFO server. */
  String serverVersion() {
    Matcher matcher =
        Pattern.compile("(?m)^redis_version:(\\S+)").matcher(commands().info("server"));
    return matcher.find() ? matcher.group(1) : "unknown";
  }

  static boolean isAtLeastMinimum(String version) {
    String[] parts = version.split("\\.");
    try {
      int major = Integer.parseInt(parts[0]);
      int minor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
      return major > MINIMUM_VERSION[0]
          || (major == MINIMUM_VERSION[0] && minor >= MINIMUM_VERSION[1]);
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /**
   * A fresh namespace ({@code t-} and six hex digits), claimed on the server with SET NX so that
   * another JVM sharing the server cannot get the same one while this one lives.
   */
  String claimNamespace() {
    for (int attempt = 0; attempt < 100; attempt++) {
      byte[] bytes = new byte[3];
      random.nextBytes(bytes);
      String namespace = "t-" + HexFormat.of().formatHex(bytes);
      String ok =
          commands()
              .set(
                  CLAIM_PREFIX + namespace,
                  ProcessHandle.current().pid() + "",
                  SetArgs.Builder.nx().ex(CLAIM_TTL));
      if ("OK".equals(ok)) {
        return namespace;
      }
    }
    throw new IllegalStateException("could not claim a free Redis namespace on " + redact(uri));
  }

  void releaseNamespace(String namespace) {
    commands().del(CLAIM_PREFIX + namespace);
  }

  /** Keys of the namespace: {@code <ns>...} and the hash-tagged {@code {<ns>}...}. */
  List<String> keys(String namespace) {
    List<String> keys = new ArrayList<>();
    for (String pattern : patterns(namespace)) {
      ScanCursor cursor = ScanCursor.INITIAL;
      ScanArgs args = ScanArgs.Builder.matches(pattern).limit(SCAN_BATCH);
      do {
        KeyScanCursor<String> page = commands().scan(cursor, args);
        keys.addAll(page.getKeys());
        cursor = page;
      } while (!cursor.isFinished());
    }
    return keys.stream().distinct().toList();
  }

  /** Deletes the namespace's keys with SCAN + UNLINK; returns how many went. */
  long flush(String namespace) {
    List<String> keys = keys(namespace);
    long removed = 0;
    for (int from = 0; from < keys.size(); from += SCAN_BATCH) {
      List<String> batch = keys.subList(from, Math.min(keys.size(), from + SCAN_BATCH));
      removed += commands().unlink(batch.toArray(String[]::new));
    }
    return removed;
  }

  private static List<String> patterns(String namespace) {
    // Namespaces are [a-z0-9-]: no glob characters to escape.
    return List.of(namespace + "*", "{" + namespace + "}*");
  }

  @Override
  public void close() {
    try {
      connection.close();
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    } catch (RuntimeException e) {
      log.warn("Closing the harness's Redis client failed: {}", e.getMessage());
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
    return "Redis at " + redact(uri) + " (" + source + ")";
  }

  /** The URI without its password, for logs. */
  static String redact(String uri) {
    return uri.replaceFirst("//[^@/]*@", "//<credentials>@");
  }
}
