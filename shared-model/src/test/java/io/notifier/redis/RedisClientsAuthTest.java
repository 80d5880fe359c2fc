package io.notifier.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;
import redis.embedded.RedisServer;

/** Both clients authenticate against a Redis that requires a password. */
class RedisClientsAuthTest {

  private static final String PASSWORD = "redis-secret-7f3a";
  private static RedisServer server;
  private static int port;

  @BeforeAll
  static void startPasswordProtectedRedis() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    server =
        RedisServer.newRedisServer()
            .bind("127.0.0.1")
            .port(port)
            .setting("save \"\"")
            .setting("appendonly no")
            .setting("requirepass " + PASSWORD)
            .onShutdownForceStop(true)
            .build();
    server.start();
  }

  @AfterAll
  static void stop() throws IOException {
    server.stop();
  }

  @Test
  void redissonUsesThePasswordFromTheConfig() {
    RedisConfig config = RedisConfig.parse("redis://127.0.0.1:" + port, PASSWORD, "auth-test");
    RedissonClient redisson = RedisClients.redisson(config, "auth-test");
    try {
      redisson.getBucket("{auth-test}:probe").set("ok");
      assertThat(redisson.<String>getBucket("{auth-test}:probe").get()).isEqualTo("ok");
    } finally {
      redisson.shutdown();
    }
  }

  @Test
  void redissonWithAWrongPasswordFailsToConnect() {
    RedisConfig config = RedisConfig.parse("redis://127.0.0.1:" + port, "wrong", "auth-test");
    assertThatThrownBy(() -> RedisClients.redisson(config, "auth-test").shutdown())
        .hasStackTraceContaining("WRONGPASS");
  }

  @Test
  void lettuceObservationUrisCarryThePassword() {
    RedisConfig config = RedisConfig.parse("redis://:" + PASSWORD + "@127.0.0.1:" + port);
    RedisClient client = RedisClient.create(RedisClients.lettuceUris(config).get(0));
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      assertThat(connection.sync().ping()).isEqualTo("PONG");
    } finally {
      client.shutdown();
    }
  }
}
