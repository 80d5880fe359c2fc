package io.notifier.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.Consumer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.XAutoClaimArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.models.stream.ClaimedMessages;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@RealServicesTest
class RedisNamespaceTest {

  private static RedisClient client;
  private static StatefulRedisConnection<String, String> connection;

  @BeforeAll
  static void connect(TestRedis redis) {
    client = RedisClient.create(redis.uri());
    connection = client.connect();
  }

  @BeforeEach
  void startFromAnEmptyNamespace(TestRedis redis) {
    redis.flushNamespace();
  }

  @AfterAll
  static void disconnect() {
    connection.close();
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }

  @Test
  void redisAnswersAtTheAdvertisedAddress(TestRedis redis) {
    RedisURI uri = RedisURI.create(redis.uri());
    assertThat(uri.getHost()).isEqualTo(redis.host());
    assertThat(uri.getPort()).isEqualTo(redis.port());
    RedisCommands<String, String> commands = connection.sync();

    assertThat(commands.ping()).isEqualTo("PONG");
    String version =
        commands
            .info("server")
            .lines()
            .filter(line -> line.startsWith("redis_version:"))
            .findFirst()
            .orElseThrow()
            .substring("redis_version:".length());
    assertThat(RedisEndpoint.isAtLeastMinimum(version)).as("Redis %s >= 6.2", version).isTrue();
  }

  @Test
  void theNamespaceIsAShortUniquePrefix(TestRedis redis) {
    assertThat(redis.namespace()).matches("t-[0-9a-f]{6}");
  }

  @Test
  void flushNamespaceRemovesOnlyThisNamespacesKeys(TestRedis redis) {
    RedisCommands<String, String> commands = connection.sync();
    String ns = redis.namespace();
    String foreign = "harness-foreign-" + UUID.randomUUID();
    String lookalike = "x" + ns + ":not-ours-" + UUID.randomUUID();
    try {
      commands.set(ns + ":plain", "1");
      commands.hset("{" + ns + "}:payloads", "job", "{}");
      commands.xadd("{" + ns + "}:ready", "job", "1");
      commands.set(foreign, "keep");
      commands.set(lookalike, "keep");
      assertThat(redis.keys())
          .containsExactlyInAnyOrder(ns + ":plain", "{" + ns + "}:payloads", "{" + ns + "}:ready");

      long removed = redis.flushNamespace();

      assertThat(removed).isEqualTo(3);
      assertThat(redis.keys()).isEmpty();
      assertThat(commands.exists(ns + ":plain", "{" + ns + "}:payloads", "{" + ns + "}:ready"))
          .isZero();
      assertThat(commands.get(foreign)).isEqualTo("keep");
      assertThat(commands.get(lookalike)).isEqualTo("keep");
    } finally {
      commands.del(foreign, lookalike);
    }
  }

  @Test
  @SuppressWarnings("unchecked") // xreadgroup's generic varargs
  void streamsWithXautoclaimWork(TestRedis redis) {
    RedisCommands<String, String> commands = connection.sync();
    String stream = "{" + redis.namespace() + "}:claim-probe";
    commands.xgroupCreate(StreamOffset.from(stream, "0"), "g", XGroupCreateArgs.Builder.mkstream());
    commands.xadd(stream, "k", "v");
    commands.xreadgroup(Consumer.from("g", "c1"), StreamOffset.lastConsumed(stream));

    ClaimedMessages<String, String> claimed =
        commands.xautoclaim(
            stream,
            XAutoClaimArgs.Builder.xautoclaim(Consumer.from("g", "c2"), Duration.ZERO, "0-0"));

    assertThat(claimed.getMessages()).hasSize(1);
    assertThat(redis.flushNamespace()).isEqualTo(1);
  }
}
