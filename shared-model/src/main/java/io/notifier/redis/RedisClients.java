package io.notifier.redis;

import io.lettuce.core.RedisURI;
import java.util.List;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/**
 * Builds the two Redis clients from one {@link RedisConfig}: Redisson for the job path (queue,
 * leader lease) and Lettuce URIs for the observability path, which keeps its own connection so that
 * health and queue-depth reads answer even when Redisson's pools are saturated.
 */
public final class RedisClients {

  private RedisClients() {}

  public static RedissonClient redisson(RedisConfig redis, String clientName) {
    Config config = new Config();
    config.setUseScriptCache(true);
    // Redisson 4 takes credentials on Config; the per-topology setters are deprecated.
    config.setUsername(redis.username());
    config.setPassword(redis.password());
    // The job path does its own retrying per loop iteration; a short Redisson retry keeps a
    // single slow call from stalling a loop for long.
    int timeout = (int) redis.timeout().toMillis();
    switch (redis.mode()) {
      case SINGLE ->
          config
              .useSingleServer()
              .setAddress(redis.nodeAddresses().get(0))
              .setDatabase(redis.database())
              .setClientName(clientName)
              .setTimeout(timeout)
              .setConnectTimeout(timeout)
              .setConnectionPoolSize(redis.connectionPoolSize())
              .setConnectionMinimumIdleSize(Math.min(4, redis.connectionPoolSize()));
      case SENTINEL ->
          config
              .useSentinelServers()
              .setMasterName(redis.masterName())
              .addSentinelAddress(redis.nodeAddresses().toArray(String[]::new))
              .setDatabase(redis.database())
              .setClientName(clientName)
              .setTimeout(timeout)
              .setConnectTimeout(timeout)
              .setMasterConnectionPoolSize(redis.connectionPoolSize())
              .setMasterConnectionMinimumIdleSize(Math.min(4, redis.connectionPoolSize()));
      case CLUSTER ->
          config
              .useClusterServers()
              .addNodeAddress(redis.nodeAddresses().toArray(String[]::new))
              .setClientName(clientName)
              .setTimeout(timeout)
              .setConnectTimeout(timeout)
              .setMasterConnectionPoolSize(redis.connectionPoolSize())
              .setMasterConnectionMinimumIdleSize(Math.min(4, redis.connectionPoolSize()));
    }
    return Redisson.create(config);
  }

  /**
   * Lettuce URIs for the observability connection: one per node for Cluster, one Sentinel URI
   * otherwise.
   */
  public static List<RedisURI> lettuceUris(RedisConfig redis) {
    return switch (redis.mode()) {
      case SINGLE ->
          List.of(
              base(
                      redis,
                      RedisURI.builder()
                          .withHost(redis.nodes().get(0).host())
                          .withPort(redis.nodes().get(0).port()))
                  .withDatabase(redis.database())
                  .build());
      case SENTINEL -> {
        RedisURI.Builder builder = RedisURI.builder();
        for (RedisConfig.Node node : redis.nodes()) {
          builder.withSentinel(node.host(), node.port());
        }
        builder.withSentinelMasterId(redis.masterName()).withDatabase(redis.database());
        yield List.of(base(redis, builder).build());
      }
      case CLUSTER ->
          redis.nodes().stream()
              .map(
                  n ->
                      base(redis, RedisURI.builder().withHost(n.host()).withPort(n.port())).build())
              .toList();
    };
  }

  private static RedisURI.Builder base(RedisConfig redis, RedisURI.Builder builder) {
    builder.withSsl(redis.tls()).withTimeout(redis.timeout()).withClientName("notifier-observer");
    if (redis.password() != null) {
      if (redis.username() != null) {
        builder.withAuthentication(redis.username(), redis.password().toCharArray());
      } else {
        builder.withPassword(redis.password().toCharArray());
      }
    }
    return builder;
  }
}
