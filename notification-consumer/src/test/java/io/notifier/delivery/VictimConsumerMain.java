package io.notifier.delivery;

import io.notifier.content.ContentConfig;
import io.notifier.db.Database;
import io.notifier.db.DatabaseConfig;
import io.notifier.mail.SmtpConfig;
import io.notifier.metrics.NotifierMetrics;
import io.notifier.queue.QueueConfig;
import io.notifier.queue.RedisJobQueue;
import io.notifier.redis.RedisClients;
import io.notifier.redis.RedisConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.redisson.api.RedissonClient;

/**
 * A consumer in its own JVM, for the SIGKILL test. Its SMTP server never answers and its read
 * timeout is long, so it holds the deliveries it takes (claimed in the ledger, pending in the
 * stream) until the test kills it.
 *
 * <p>Arguments: jdbcUrl dbUser dbPassword redisUri namespace smtpPort consumerId maxInFlight.
 */
public final class VictimConsumerMain {

  private VictimConsumerMain() {}

  public static void main(String[] args) throws Exception {
    Database database =
        Database.connect(
            new DatabaseConfig(args[0], args[1], args[2].isEmpty() ? null : args[2]), "victim");
    RedissonClient redisson =
        RedisClients.redisson(RedisConfig.parse(args[3], null, args[4]), "victim");
    RedisJobQueue queue =
        new RedisJobQueue(redisson, QueueConfig.defaults(args[4]), Clock.systemUTC());
    SmtpConfig smtp =
        SmtpConfig.of(
                "127.0.0.1", Integer.parseInt(args[5]), SmtpConfig.Security.PLAIN, Harness.FROM)
            .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofSeconds(5));
    int maxInFlight = Integer.parseInt(args[7]);
    ConsumerConfig config =
        ConsumerConfig.builder(args[6])
            .maxInFlight(maxInFlight)
            .readBatchSize(maxInFlight)
            .blockTimeout(Duration.ofMillis(200))
            .pumpInterval(Duration.ofMillis(20))
            .build();
    Consumer consumer =
        new Consumer(
            config,
            smtp,
            ContentConfig.defaults(Harness.APP),
            database.dsl(),
            queue,
            Harness.CIPHER,
            Clock.systemUTC(),
            NotifierMetrics.NOOP,
            null);
    consumer.start();
    System.out.println("STARTED " + args[6]);
    new CountDownLatch(1).await(); // until killed
  }
}
