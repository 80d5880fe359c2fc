package io.notifier.ops.observe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.models.stream.PendingMessages;
import io.notifier.queue.QueueKeys;
import io.notifier.queue.QueueStats;
import io.notifier.redis.RedisClients;
import io.notifier.redis.RedisConfig;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The observability path's view of Redis: queue depths, worker heartbeats and last runs, read over
 * a Lettuce connection of its own (never the job path's Redisson pools, so it still answers when
 * those are saturated). Reads are cached for {@link ObserverConfig#cacheTtl()}; a failed read
 * yields an unreachable {@link Snapshot} rather than an exception, and the connection is rebuilt on
 * the next read. Thread-safe.
 */
public final class RedisObserver implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RedisObserver.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final RedisConfig redis;
  private final QueueKeys keys;
  private final ObserverConfig config;
  private final Clock clock;

  private AbstractRedisClient client; // guarded by this
  private StatefulConnection<String, String> connection; // guarded by this
  private RedisClusterCommands<String, String> commands; // guarded by this
  private Snapshot cached; // guarded by this
  private boolean closed; // guarded by this

  public RedisObserver(RedisConfig redis, QueueKeys keys, ObserverConfig config, Clock clock) {
    this.redis = redis;
    this.keys = keys;
    this.config = config;
    this.clock = clock;
  }

  public QueueKeys keys() {
    return keys;
  }

  /** The last read if younger than the cache period, else a fresh one. */
  public synchronized Snapshot snapshot() {
    Instant now = clock.instant();
    if (cached != null
        && config.cacheTtl().isPositive()
        && now.isBefore(cached.readAt().plus(config.cacheTtl()))) {
      return cached;
    }
    cached = read(now);
    return cached;
  }

  /** Queue depths now (cached like {@link #snapshot()}), empty when Redis cannot be read. */
  public Optional<QueueStats> queues() {
    return Optional.ofNullable(snapshot().queues());
  }

  /** Whether Redis answers a PING now (uncached: readiness). */
  public synchronized Optional<String> ping() {
    try {
      String pong = commands().ping();
      return "PONG".equalsIgnoreCase(pong)
          ? Optional.empty()
          : Optional.of("Redis answered PING with " + pong);
    } catch (RuntimeException e) {
      disconnect();
      return Optional.of(describe(e));
    }
  }

  private Snapshot read(Instant now) {
    try {
      RedisClusterCommands<String, String> redis = commands();
      long delayed = redis.zcard(keys.delayed());
      long inStream = redis.xlen(keys.ready());
      long pending = inStream == 0 ? 0 : pending(redis);
      long dead = redis.xlen(keys.dead());
      QueueStats stats = new QueueStats(delayed, Math.max(0, inStream - pending), pending, dead);
      List<WorkerBeat> workers = new ArrayList<>();
      redis.hgetall(keys.workers()).forEach((id, json) -> workers.add(worker(id, json)));
      workers.sort(
          java.util.Comparator.comparing(
                  WorkerBeat::role,
                  java.util.Comparator.nullsLast(java.util.Comparator.naturalOrder()))
              .thenComparing(WorkerBeat::id));
      Map<String, LastRun> runs = new LinkedHashMap<>();
      redis.hgetall(keys.lastRuns()).entrySet().stream()
          .sorted(Map.Entry.comparingByKey())
          .forEach(e -> runs.put(e.getKey(), lastRun(e.getKey(), e.getValue())));
      return new Snapshot(now, stats, workers, runs, null);
    } catch (RuntimeException e) {
      disconnect();
      String error = describe(e);
      LOG.debug("observability read of Redis failed: {}", error);
      return Snapshot.unreachable(now, error);
    }
  }

  private long pending(RedisClusterCommands<String, String> redis) {
    try {
      PendingMessages summary = redis.xpending(keys.ready(), QueueKeys.CONSUMER_GROUP);
      return summary == null ? 0 : summary.getCount();
    } catch (RedisCommandExecutionException e) {
      if (String.valueOf(e.getMessage()).contains("NOGROUP")) {
        return 0; // no consumer has created the group yet: nothing is held
      }
      throw e;
    }
  }

  private static WorkerBeat worker(String id, String json) {
    try {
      JsonNode node = JSON.readTree(json);
      return new WorkerBeat(
          node.path("id").asText(id),
          node.path("role").asText(null),
          node.path("host").asText(null),
          node.path("pid").asLong(0),
          instant(node.path("startedAt").asText(null)),
          instant(node.path("lastBeat").asText(null)),
          node.path("leader").asBoolean(false));
    } catch (Exception e) {
      return new WorkerBeat(id, null, null, 0, null, null, false);
    }
  }

  private static LastRun lastRun(String name, String json) {
    try {
      JsonNode node = JSON.readTree(json);
      return new LastRun(
          name,
          instant(node.path("at").asText(null)),
          node.path("by").asText(null),
          node.path("durationMs").asLong(0),
          node.path("outcome").asText(null));
    } catch (Exception e) {
      return new LastRun(name, null, null, 0, "unreadable");
    }
  }

  private static Instant instant(String text) {
    if (text == null) {
      return null;
    }
    try {
      return Instant.parse(text);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private RedisClusterCommands<String, String> commands() {
    if (closed) {
      throw new IllegalStateException("the Redis observer is closed");
    }
    if (commands == null) {
      List<RedisURI> uris = RedisClients.lettuceUris(redis);
      if (redis.mode() == RedisConfig.Mode.CLUSTER) {
        RedisClusterClient cluster = RedisClusterClient.create(uris);
        cluster.setOptions(
            ClusterClientOptions.builder()
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .build());
        client = cluster;
        StatefulRedisClusterConnection<String, String> c = cluster.connect();
        connection = c;
        commands = c.sync();
      } else {
        RedisClient single = RedisClient.create(uris.get(0));
        // Fail fast while disconnected: a probe must answer now, not queue behind a reconnect.
        single.setOptions(
            ClientOptions.builder()
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .build());
        client = single;
        var c = single.connect();
        connection = c;
        commands = c.sync();
      }
    }
    return commands;
  }

  private void disconnect() {
    StatefulConnection<String, String> c = connection;
    AbstractRedisClient cl = client;
    connection = null;
    commands = null;
    client = null;
    try {
      if (c != null) {
        c.close();
      }
    } catch (RuntimeException ignored) {
      // already broken
    }
    if (cl != null) {
      cl.shutdownAsync(0, 2, java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  /** One line, without credentials (Lettuce messages name host and port only). */
  static String describe(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (root != e && root.getMessage() != null && !message.contains(root.getMessage())) {
      message = message + ": " + root.getMessage();
    }
    return message.replaceAll("\\s+", " ").trim();
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    disconnect();
    closed = true;
  }
}
