package io.notifier.testing;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * Everything that touches Testcontainers, kept in one class so that the rest of the harness loads
 * (and falls back to embedded servers) on a classpath without it.
 */
final class Containers {

  static final String POSTGRES_IMAGE = "postgres:15-alpine";
  static final String REDIS_IMAGE = "redis:7-alpine";

  private Containers() {}

  static boolean dockerAvailable() {
    return DockerClientFactory.instance().isDockerAvailable();
  }

  static PostgresServer postgres() {
    PostgreSQLContainer container =
        new PostgreSQLContainer(DockerImageName.parse(POSTGRES_IMAGE))
            .withCommand(
                "postgres",
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
                "-c",
                "max_connections=300");
    container.start();
    try {
      return new PostgresServer(
          container.getHost() + ":" + container.getMappedPort(PostgreSQLContainer.POSTGRESQL_PORT),
          container.getDatabaseName(),
          "",
          container.getUsername(),
          container.getPassword(),
          "Testcontainers " + POSTGRES_IMAGE,
          container::stop);
    } catch (RuntimeException e) {
      container.stop();
      throw e;
    }
  }

  static RedisEndpoint redis() {
    GenericContainer<?> container =
        new GenericContainer<>(DockerImageName.parse(REDIS_IMAGE))
            .withExposedPorts(6379)
            .withCommand("redis-server", "--save", "", "--appendonly", "no");
    container.start();
    try {
      return new RedisEndpoint(
          "redis://" + container.getHost() + ":" + container.getMappedPort(6379),
          "Testcontainers " + REDIS_IMAGE,
          container::stop);
    } catch (RuntimeException e) {
      container.stop();
      throw e;
    }
  }
}
