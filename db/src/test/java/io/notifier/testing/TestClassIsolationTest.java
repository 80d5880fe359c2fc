package io.notifier.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs two test classes through the JUnit engine (a launcher nested in this test) and checks that
 * they got different databases, namespaces and SMTP servers, and that all of it was cleaned up once
 * they finished.
 */
@RealServicesTest
class TestClassIsolationTest {

  /** What each probe class saw, by class name. */
  static final Map<String, Seen> SEEN = new ConcurrentHashMap<>();

  static volatile boolean launchedByIsolationTest;

  record Seen(String database, String namespace, int smtpPort) {}

  @Test
  void twoTestClassesGetTheirOwnDatabaseNamespaceAndSmtpServerAndLeaveNothingBehind(
      TestDatabase db, TestRedis redis) throws Exception {
    SEEN.clear();
    launchedByIsolationTest = true;
    SummaryGeneratingListener listener = new SummaryGeneratingListener();
    try {
      LauncherFactory.create()
          .execute(
              LauncherDiscoveryRequestBuilder.request()
                  .selectors(selectClass(FirstProbe.class), selectClass(SecondProbe.class))
                  .build(),
              listener);
    } finally {
      launchedByIsolationTest = false;
    }
    TestExecutionSummary summary = listener.getSummary();
    assertThat(summary.getFailures()).isEmpty();
    assertThat(summary.getTestsSucceededCount()).isEqualTo(2);

    Seen first = SEEN.get(FirstProbe.class.getName());
    Seen second = SEEN.get(SecondProbe.class.getName());
    assertThat(first.database()).isNotEqualTo(second.database()).isNotEqualTo(db.databaseName());
    assertThat(first.namespace()).isNotEqualTo(second.namespace()).isNotEqualTo(redis.namespace());
    assertThat(first.smtpPort()).isNotEqualTo(second.smtpPort());

    // Both classes are done: their databases are dropped and their keys deleted.
    try (Connection connection = db.dataSource().getConnection();
        PreparedStatement exists =
            connection.prepareStatement("SELECT count(*) FROM pg_database WHERE datname = ?")) {
      for (Seen seen : SEEN.values()) {
        exists.setString(1, seen.database());
        try (ResultSet rs = exists.executeQuery()) {
          rs.next();
          assertThat(rs.getInt(1)).as("database %s still exists", seen.database()).isZero();
        }
      }
    }
    RedisClient client = RedisClient.create(redis.uri());
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      for (Seen seen : SEEN.values()) {
        assertThat(connection.sync().keys(seen.namespace() + "*")).isEmpty();
        assertThat(connection.sync().keys("{" + seen.namespace() + "}*")).isEmpty();
      }
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  /** Writes a row and a key, and records what it was given. */
  abstract static class Probe {
    @Test
    void recordWhatThisClassGets(TestDatabase db, TestRedis redis, TestSmtp smtp) {
      assumeTrue(launchedByIsolationTest, "only runs inside TestClassIsolationTest");
      assertThat(db.dsl().fetchCount(org.jooq.impl.DSL.table("workspaces"))).isZero();
      db.dsl().execute("INSERT INTO workspaces (name) VALUES (?)", getClass().getSimpleName());
      RedisClient client = RedisClient.create(redis.uri());
      try (StatefulRedisConnection<String, String> connection = client.connect()) {
        connection.sync().set(redis.namespace() + ":probe", "1");
        connection.sync().set("{" + redis.namespace() + "}:probe", "1");
      } finally {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
      SEEN.put(getClass().getName(), new Seen(db.databaseName(), redis.namespace(), smtp.port()));
    }
  }

  @RealServicesTest
  static class FirstProbe extends Probe {}

  @RealServicesTest
  static class SecondProbe extends Probe {}
}
