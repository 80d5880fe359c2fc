package io.notifier.schedule;

import io.notifier.testing.RealServicesTest;
import io.notifier.testing.RedisTestSupport;
import io.notifier.testing.TestDatabase;
import io.notifier.testing.TestRedis;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.TestInstance;
import org.redisson.api.RedissonClient;

/**
 * Base of the producer's tests against real PostgreSQL and Redis: one Redisson client per class,
 * and a fresh {@link ProducerHarness} (empty database and namespace, settable clock) per scenario.
 */
@RealServicesTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ProducerTestBase {

  /** Every day of the week, PazPaz's numbering (0 = Sunday). */
  static final Integer[] EVERY_DAY = {0, 1, 2, 3, 4, 5, 6};

  protected final TestDatabase database;
  protected final TestRedis redis;
  protected final RedissonClient redisson;
  protected ProducerHarness harness;

  ProducerTestBase(TestDatabase database, TestRedis redis) {
    this.database = database;
    this.redis = redis;
    this.redisson = RedisTestSupport.redisson(redis);
  }

  /** A clean scenario whose clock starts at {@code start}. */
  protected ProducerHarness scenario(Instant start) {
    if (harness != null) {
      harness.close();
    }
    harness = new ProducerHarness(database, redis, redisson, start);
    return harness;
  }

  @AfterEach
  void stopProducers() {
    if (harness != null) {
      harness.close();
      harness = null;
    }
  }

  @AfterAll
  void shutdownRedisson() {
    redisson.shutdown();
  }
}
