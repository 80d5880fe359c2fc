package io.notifier.testing;

import io.notifier.queue.QueueConfig;
import io.notifier.redis.RedisClients;
import io.notifier.redis.RedisConfig;
import org.redisson.api.RedissonClient;

/** Job-path Redis clients over a {@link TestRedis}, confined to its namespace. */
public final class RedisTestSupport {

  private RedisTestSupport() {}

  public static RedisConfig config(TestRedis redis) {
    return RedisConfig.parse(redis.uri(), null, redis.namespace());
  }

  /** A Redisson client; the caller shuts it down. */
  public static RedissonClient redisson(TestRedis redis) {
    return RedisClients.redisson(config(redis), "test-" + redis.namespace());
  }

  /** Queue settings for simulated time: the move script trusts the test's clock. */
  public static QueueConfig queueConfig(TestRedis redis) {
    return QueueConfig.defaults(redis.namespace()).withTimeSource(QueueConfig.TimeSource.CLOCK);
  }
}
