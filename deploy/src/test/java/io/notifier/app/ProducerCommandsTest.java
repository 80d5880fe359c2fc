package io.notifier.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.notifier.db.fixtures.Fixtures;
import io.notifier.db.jooq.tables.records.UsersRecord;
import io.notifier.db.jooq.tables.records.WorkspacesRecord;
import io.notifier.ledger.Delivery;
import io.notifier.ledger.DeliveryLedger;
import io.notifier.model.NotificationKind;
import io.notifier.model.NotificationStatus;
import io.notifier.queue.QueueConfig;
import io.notifier.testing.RealServicesTest;
import io.notifier.testing.RedisTestSupport;
import io.notifier.testing.TestDatabase;
import io.notifier.testing.TestRedis;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/** producer run, producer tick and trigger, against real PostgreSQL and Redis. */
@RealServicesTest
class ProducerCommandsTest {

  private final TestDatabase db;
  private final TestRedis redis;
  private Fixtures fixtures;

  ProducerCommandsTest(TestDatabase db, TestRedis redis) {
    this.db = db;
    this.redis = redis;
  }

  @BeforeEach
  void cleanSlate() {
    db.truncateAll();
    redis.flushNamespace();
    fixtures = new Fixtures(db.dsl());
  }

  @Test
  void triggerWritesAndQueuesOneNotificationNow() {
    WorkspacesRecord workspace = fixtures.workspace().create();
    UsersRecord user = fixtures.user(workspace).create();

    Cli.Result result =
        Cli.against(db, redis).run("trigger", "daily-digest", "--user", user.getId().toString());

    assertThat(result.code()).as(result.toString()).isZero();
    assertThat(result.out()).contains("daily_digest for user " + user.getId(), "queued");
    List<Delivery> rows =
        new DeliveryLedger(db.dsl(), Clock.systemUTC())
            .history(user.getId(), NotificationKind.DAILY_DIGEST, null, 10);
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0).status()).isEqualTo(NotificationStatus.PENDING);
    assertThat(result.out()).contains(rows.get(0).id().toString());
  }

  @Test
  void aProducerWithTooFewDatabaseConnectionsForItsTwoPartTickIsAUsageError() {
    Cli.Result result =
        Cli.against(db, redis)
            .run("producer", "tick", "--at", "2027-03-14T07:30:00Z", "--database-pool-size", "2");

    assertThat(result.code()).as(result.toString()).isEqualTo(1);
    assertThat(result.err().lines()).hasSize(1);
    assertThat(result.err())
        .contains("--database-pool-size (NOTIFIER_DATABASE_POOL_SIZE) is 2, at least 3 needed");
    assertThat(db.dsl().fetchCount(io.notifier.db.jooq.Tables.NOTIFIER_SCHEDULER_STATE)).isZero();
  }

  @Test
  void triggerForAnUnknownUserIsOneLine() {
    UUID nobody = UUID.randomUUID();

    Cli.Result result =
        Cli.against(db, redis).run("trigger", "daily_digest", "--user", nobody.toString());

    assertThat(result.code()).isEqualTo(1);
    assertThat(result.err().lines()).hasSize(1);
    assertThat(result.err()).startsWith("notifier trigger: ").contains(nobody.toString());
  }

  @Test
  void tickDryRunReportsWithoutWritingAndARealTickWrites() {
    WorkspacesRecord workspace = fixtures.workspace().timezone("UTC").create();
    fixtures
        .user(workspace)
        .settings(s -> s.allOff().digest("07:31", 0, 1, 2, 3, 4, 5, 6))
        .create();
    Cli cli = Cli.against(db, redis);

    Cli.Result dry = cli.run("producer", "tick", "--at", "2027-03-14T07:30:00Z", "--dry-run");

    assertThat(dry.code()).as(dry.toString()).isZero();
    assertThat(dry.out())
        .startsWith("DRY RUN tick at 2027-03-14T07:30:00Z")
        .contains("KIND", "daily_digest", "nothing written or queued");
    assertThat(db.dsl().fetchCount(io.notifier.db.jooq.Tables.NOTIFIER_DELIVERIES)).isZero();

    Cli.Result real = cli.run("producer", "tick", "--at", "2027-03-14T07:30:00Z");

    assertThat(real.code()).as(real.toString()).isZero();
    assertThat(real.out()).startsWith("tick at 2027-03-14T07:30:00Z").contains("job(s) queued");
    assertThat(real.out()).contains("2027-03-14T07:31:00Z", "pending");
    assertThat(db.dsl().fetchCount(io.notifier.db.jooq.Tables.NOTIFIER_DELIVERIES)).isEqualTo(1);
  }

  @Test
  void tickWithABadInstantIsOneLine() {
    Cli.Result result = Cli.against(db, redis).run("producer", "tick", "--at", "tomorrow");

    assertThat(result.code()).isEqualTo(2);
    assertThat(result.err().lines()).hasSize(1);
    assertThat(result.err()).contains("'tomorrow' is not an instant");
  }

  @Test
  void producerRunLeadsHeartbeatsServesMetricsAndStopsCleanly() throws Exception {
    Cli cli =
        Cli.against(db, redis)
            .env("NOTIFIER_HTTP_PORT", "0")
            .env("NOTIFIER_PRODUCER_ID", "producer-under-test");
    try (LogCapture logs = new LogCapture();
        RunningCommand producer = RunningCommand.start(cli, "producer", "run")) {
      ProducerCommand.Run running =
          producer
              .commandLine()
              .getSubcommands()
              .get("producer")
              .getSubcommands()
              .get("run")
              .getCommand();
      RunningCommand.explainingFailures(
          () -> {
            await("heartbeat and leadership")
                .atMost(Duration.ofSeconds(30))
                .until(() -> workers().contains("producer-under-test"));
            await("the ops HTTP server")
                .atMost(Duration.ofSeconds(30))
                .until(() -> running.process != null && running.process.httpPort() > 0);
            await("leader gauge")
                .atMost(Duration.ofSeconds(30))
                .until(
                    () ->
                        scrape(running.process.httpPort())
                            .contains("notifier_producer_leader{role=\"producer\"} 1.0"));

            assertThat(producer.stop(Duration.ofSeconds(30))).as(producer::describe).isZero();
            assertThat(workers()).doesNotContain("producer-under-test");
          },
          () -> producer.describe() + "--- last log lines\n" + logs.tail(30));
    }
  }

  private java.util.Set<String> workers() {
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

  private static String scrape(int port) throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
    return response.body();
  }
}
