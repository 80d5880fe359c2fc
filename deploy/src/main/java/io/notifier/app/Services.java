package io.notifier.app;

import io.notifier.db.Database;
import io.notifier.db.DatabaseConfig;
import io.notifier.ledger.DeliveryLedger;
import io.notifier.ops.observe.ObserverConfig;
import io.notifier.ops.observe.RedisObserver;
import io.notifier.queue.RedisJobQueue;
import io.notifier.redis.RedisClients;
import io.notifier.redis.RedisConfig;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import org.redisson.api.RedissonClient;

/**
 * The connections one command opens, each on first use and all closed (newest first) when the
 * command ends.
 */
final class Services implements AutoCloseable {

  private final Clock clock;
  private final DatabaseOptions databaseOptions;
  private final RedisOptions redisOptions;
  private final String name;
  private final Deque<AutoCloseable> opened = new ArrayDeque<>();

  private Database database;
  private DeliveryLedger ledger;
  private RedissonClient redisson;
  private RedisJobQueue queue;
  private RedisObserver observer;

  Services(Clock clock, DatabaseOptions database, RedisOptions redis, String name) {
    this.clock = clock;
    this.databaseOptions = database;
    this.redisOptions = redis;
    this.name = name;
  }

  DatabaseConfig databaseConfig() {
    return databaseOptions.config();
  }

  RedisConfig redisConfig() {
    return redisOptions.config();
  }

  Database database() {
    if (database == null) {
      database = Database.connect(databaseOptions.config(), name);
      opened.push(database);
    }
    return database;
  }

  DeliveryLedger ledger() {
    if (ledger == null) {
      ledger = new DeliveryLedger(database().dsl(), clock);
    }
    return ledger;
  }

  RedissonClient redisson() {
    if (redisson == null) {
      redisson = RedisClients.redisson(redisOptions.config(), "notifier-" + name);
      RedissonClient client = redisson;
      opened.push(client::shutdown);
    }
    return redisson;
  }

  RedisJobQueue queue() {
    if (queue == null) {
      queue = new RedisJobQueue(redisson(), redisOptions.queueConfig(), clock);
    }
    return queue;
  }

  RedisObserver observer() {
    if (observer == null) {
      RedisConfig redis = redisOptions.config();
      observer =
          new RedisObserver(
              redis, redisOptions.queueConfig().keys(), ObserverConfig.defaults(), clock);
      opened.push(observer);
    }
    return observer;
  }

  @Override
  public void close() {
    while (!opened.isEmpty()) {
      try {
        opened.pop().close();
      } catch (Exception e) {
        // closing is best effort: the command's own outcome matters more
      }
    }
  }
}
