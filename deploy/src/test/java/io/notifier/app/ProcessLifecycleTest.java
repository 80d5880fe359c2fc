package io.notifier.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.notifier.queue.QueueConfig;
import io.notifier.testing.RealServicesTest;
import io.notifier.testing.RedisTestSupport;
import io.notifier.testing.TestDatabase;
import io.notifier.testing.TestRedis;
import io.notifier.testing.TestSmtp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * The real thing: {@code NotifierCli.main} in a child JVM, stopped with SIGTERM. It must drain,
 * remove its heartbeat, and exit 0; its log lines are JSON on stdout.
 */
@RealServicesTest
class ProcessLifecycleTest {

  @Test
  void consumerRunStopsOnSigtermRemovesItsHeartbeatAndExitsZero(
      TestDatabase db, TestRedis redis, TestSmtp smtp) throws Exception {
    Path log = Files.createTempFile("consumer", ".log");
    ProcessBuilder builder =
        new ProcessBuilder(
                System.getProperty("notifier.test.java", "java"),
                // The production logging configuration, not the tests' logback-test.xml.
                "-Dlogback.configurationFile="
                    + ProcessLifecycleTest.class.getResource("/logback.xml"),
                "-cp",
                System.getProperty("java.class.path"),
                "io.notifier.app.NotifierCli",
                "consumer",
                "run")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    Map<String, String> env = builder.environment();
    env.put("NOTIFIER_DATABASE_URL", db.jdbcUrl());
    env.put("NOTIFIER_DATABASE_USER", db.user());
    env.put("NOTIFIER_DATABASE_PASSWORD", db.password());
    env.put("NOTIFIER_REDIS_URL", redis.uri());
    env.put("NOTIFIER_REDIS_NAMESPACE", redis.namespace());
    env.put("NOTIFIER_SMTP_HOST", smtp.host());
    env.put("NOTIFIER_SMTP_PORT", Integer.toString(smtp.port()));
    env.put("NOTIFIER_HTTP_PORT", "0");
    env.put("NOTIFIER_CONSUMER_ID", "sigterm-probe");
    env.put("NOTIFIER_HEARTBEAT_INTERVAL", "1s");
    Process process = builder.start();
    try {
      await("the consumer's first heartbeat")
          .atMost(Duration.ofSeconds(60))
          .until(() -> workers(redis).contains("sigterm-probe"));

      process.destroy(); // SIGTERM

      assertThat(process.waitFor(60, TimeUnit.SECONDS))
          .as("exits within the grace period")
          .isTrue();
      String output = Files.readString(log);
      assertThat(process.exitValue()).as(output).isZero();
      assertThat(workers(redis)).doesNotContain("sigterm-probe");
      List<String> lines = output.lines().filter(l -> l.startsWith("{")).toList();
      assertThat(lines).as("JSON log events on stdout").isNotEmpty();
      assertThat(output).contains("\"message\":\"consumer stopping (SIGTERM)\"");
    } finally {
      process.destroyForcibly();
      Files.deleteIfExists(log);
    }
  }

  private static java.util.Set<String> workers(TestRedis redis) {
    RedissonClient redisson = RedisTestSupport.redisson(redis);
    try {
      return redisson
          .<String, String>getMap(
              QueueConfig.defaults(redis.namespace()).keys().workers(), StringCodec.INSTANCE)
          .readAllKeySet();
    } finally {
      redisson.shutdown();
    }
  }
}
