package io.notifier.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How to reach Redis: one node, Sentinel or Cluster, and the namespace whose hash tag keeps every
 * key of one deployment in one cluster slot (so the queue's Lua scripts run on Cluster unchanged).
 * The password never appears in {@link #toString()}.
 *
 * <p>URL forms accepted by {@link #parse}:
 *
 * <ul>
 *   <li>{@code redis://[user:password@]host:port[/db]} ({@code rediss://} for TLS)
 *   <li>{@code redis-sentinel://[user:password@]host1:port1,host2:port2/masterName[?db=N]}
 *   <li>{@code redis-cluster://[user:password@]host1:port1,host2:port2}
 * </ul>
 */
public record RedisConfig(
    Mode mode,
    List<Node> nodes,
    String masterName,
    int database,
    boolean tls,
    String username,
    String password,
    String namespace,
    Duration timeout,
    int connectionPoolSize) {

  public static final String DEFAULT_NAMESPACE = "notifier";
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(3);
  public static final int DEFAULT_CONNECTION_POOL_SIZE = 16;

  private static final Pattern NAMESPACE = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");

  /** Topology. */
  public enum Mode {
    SINGLE,
    SENTINEL,
    CLUSTER
  }

  /** One host and port. */
  public record Node(String host, int port) {
    public Node {
      Objects.requireNonNull(host, "host");
      if (host.isBlank()) {
        throw new IllegalArgumentException("Redis host must not be blank");
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("Redis port out of range: " + port);
      }
    }

    @Override
    public String toString() {
      return host + ":" + port;
    }
  }

  public RedisConfig {
    Objects.requireNonNull(mode, "mode");
    nodes = List.copyOf(nodes);
    if (nodes.isEmpty()) {
      throw new IllegalArgumentException("Redis needs at least one node");
    }
    if (mode == Mode.SENTINEL && (masterName == null || masterName.isBlank())) {
      throw new IllegalArgumentException("Redis Sentinel needs a master name");
    }
    if (mode == Mode.CLUSTER && database != 0) {
      throw new IllegalArgumentException("Redis Cluster has only database 0");
    }
    if (database < 0) {
      throw new IllegalArgumentException("Redis database must not be negative");
    }
    Objects.requireNonNull(namespace, "namespace");
    if (!NAMESPACE.matcher(namespace).matches()) {
      throw new IllegalArgumentException(
          "Redis namespace must be 1-64 characters of letters, digits, '_', '.', ':' or '-'");
    }
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("Redis timeout must be positive");
    }
    if (connectionPoolSize < 1) {
      throw new IllegalArgumentException("Redis connection pool size must be at least 1");
    }
  }

  /** Parses a URL; {@code password}, when not null, overrides one in the URL. */
  public static RedisConfig parse(String url, String password, String namespace) {
    Objects.requireNonNull(url, "Redis URL");
    int schemeEnd = url.indexOf("://");
    if (schemeEnd < 0) {
      throw new IllegalArgumentException(
          "Redis URL must start with redis://, rediss://, "
              + "redis-sentinel:// or redis-cluster://");
    }
    String scheme = url.substring(0, schemeEnd);
    String rest = url.substring(schemeEnd + 3);
    Mode mode;
    boolean tls = false;
    switch (scheme) {
      case "redis" -> mode = Mode.SINGLE;
      case "rediss" -> {
        mode = Mode.SINGLE;
        tls = true;
      }
      case "redis-sentinel" -> mode = Mode.SENTINEL;
      case "rediss-sentinel" -> {
        mode = Mode.SENTINEL;
        tls = true;
      }
      case "redis-cluster" -> mode = Mode.CLUSTER;
      case "rediss-cluster" -> {
        mode = Mode.CLUSTER;
        tls = true;
      }
      default -> throw new IllegalArgumentException("unknown Redis URL scheme '" + scheme + "'");
    }
    String username = null;
    String urlPassword = null;
    int at = rest.lastIndexOf('@');
    if (at >= 0) {
      String userInfo = rest.substring(0, at);
      rest = rest.substring(at + 1);
      int colon = userInfo.indexOf(':');
      if (colon >= 0) {
        username = emptyToNull(decode(userInfo.substring(0, colon)));
        urlPassword = emptyToNull(decode(userInfo.substring(colon + 1)));
      } else {
        urlPassword = emptyToNull(decode(userInfo));
      }
    }
    String query = null;
    int q = rest.indexOf('?');
    if (q >= 0) {
      query = rest.substring(q + 1);
      rest = rest.substring(0, q);
    }
    String path = null;
    int slash = rest.indexOf('/');
    if (slash >= 0) {
      path = rest.substring(slash + 1);
      rest = rest.substring(0, slash);
    }
    List<Node> nodes = new ArrayList<>();
    for (String hostPort : rest.split(",")) {
      nodes.add(node(hostPort.trim()));
    }
    String masterName = null;
    int database = 0;
    if (mode == Mode.SENTINEL) {
      masterName = emptyToNull(path);
    } else if (path != null && !path.isEmpty()) {
      database = parseDatabase(path);
    }
    if (query != null) {
      for (String pair : query.split("&")) {
        if (pair.startsWith("db=") || pair.startsWith("database=")) {
          database = parseDatabase(pair.substring(pair.indexOf('=') + 1));
        }
      }
    }
    return new RedisConfig(
        mode,
        nodes,
        masterName,
        database,
        tls,
        username,
        password != null && !password.isEmpty() ? password : urlPassword,
        namespace == null || namespace.isBlank() ? DEFAULT_NAMESPACE : namespace,
        DEFAULT_TIMEOUT,
        DEFAULT_CONNECTION_POOL_SIZE);
  }

  public static RedisConfig parse(String url) {
    return parse(url, null, null);
  }

  private static Node node(String hostPort) {
    if (hostPort.startsWith("[")) { // IPv6 literal
      int close = hostPort.indexOf(']');
      String host = hostPort.substring(1, close);
      String port = hostPort.substring(close + 1);
      return new Node(host, port.startsWith(":") ? parsePort(port.substring(1)) : 6379);
    }
    int colon = hostPort.lastIndexOf(':');
    if (colon < 0) {
      return new Node(hostPort, 6379);
    }
    return new Node(hostPort.substring(0, colon), parsePort(hostPort.substring(colon + 1)));
  }

  private static int parsePort(String text) {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("Redis port is not a number: '" + text + "'");
    }
  }

  private static int parseDatabase(String text) {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("Redis database is not a number: '" + text + "'");
    }
  }

  private static String decode(String text) {
    return java.net.URLDecoder.decode(text, java.nio.charset.StandardCharsets.UTF_8);
  }

  private static String emptyToNull(String text) {
    return text == null || text.isEmpty() ? null : text;
  }

  public RedisConfig withNamespace(String namespace) {
    return new RedisConfig(
        mode,
        nodes,
        masterName,
        database,
        tls,
        username,
        password,
        namespace,
        timeout,
        connectionPoolSize);
  }

  public RedisConfig withTimeout(Duration timeout) {
    return new RedisConfig(
        mode,
        nodes,
        masterName,
        database,
        tls,
        username,
        password,
        namespace,
        timeout,
        connectionPoolSize);
  }

  public RedisConfig withConnectionPoolSize(int size) {
    return new RedisConfig(
        mode, nodes, masterName, database, tls, username, password, namespace, timeout, size);
  }

  /** {@code redis://host:port} (or rediss) of each node, as Redisson and Lettuce take them. */
  public List<String> nodeAddresses() {
    String scheme = tls ? "rediss://" : "redis://";
    return nodes.stream()
        .map(
            n ->
                scheme
                    + (n.host().contains(":") ? "[" + n.host() + "]" : n.host())
                    + ":"
                    + n.port())
        .toList();
  }

  /** A loggable form of the URL, without credentials. */
  public String describe() {
    String nodesText = String.join(",", nodes.stream().map(Node::toString).toList());
    return switch (mode) {
      case SINGLE -> (tls ? "rediss://" : "redis://") + nodesText + "/" + database;
      case SENTINEL ->
          (tls ? "rediss-sentinel://" : "redis-sentinel://")
              + nodesText
              + "/"
              + masterName
              + "?db="
              + database;
      case CLUSTER -> (tls ? "rediss-cluster://" : "redis-cluster://") + nodesText;
    };
  }

  @Override
  public String toString() {
    return "RedisConfig["
        + describe()
        + ", user="
        + (username == null ? "<none>" : username)
        + ", password="
        + (password == null ? "<none>" : "<redacted>")
        + ", namespace="
        + namespace
        + ", timeout="
        + timeout
        + ", connectionPoolSize="
        + connectionPoolSize
        + "]";
  }
}
