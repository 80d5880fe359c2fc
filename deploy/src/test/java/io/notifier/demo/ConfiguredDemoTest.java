package io.notifier.demo;

import static io.notifier.db.jooq.Tables.WORKSPACES;
import static org.assertj.core.api.Assertions.assertThat;

import io.notifier.db.crypto.ClientNameCipher;
import io.notifier.db.fixtures.Fixtures;
import io.notifier.model.NotificationKind;
import io.notifier.testing.RealServicesTest;
import io.notifier.testing.SettableClock;
import io.notifier.testing.TestDatabase;
import io.notifier.testing.TestRedis;
import io.notifier.testing.TestSmtp;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code notifier demo} with configured services (the harness's PostgreSQL, Redis and SMTP): a
 * configured database is seeded only when asked, never when it already has workspaces unless
 * forced; without {@code --seed} the demo runs on the data it finds, and a configured SMTP server
 * gets the emails.
 */
@RealServicesTest
class ConfiguredDemoTest {

  @TempDir Path mailDir;

  @BeforeEach
  void emptyDatabase(TestDatabase db) {
    db.truncateAll();
  }

  @Test
  void seedsAConfiguredDatabaseOnlyWhenAskedAndOnlyWhileItHasNoWorkspacesUnlessForced(
      TestDatabase db) throws Exception {
    SettableClock clock = new SettableClock();
    Map<String, String> env = database(db);

    DemoRun seeded = DemoRun.finished(env, clock, "--seed-only");
    assertThat(seeded.exitCode()).as(seeded.toString()).isZero();
    assertThat(seeded.out()).contains("Seeded the demo practice: 5 workspaces");
    assertThat(workspaces(db)).isEqualTo(5);

    DemoRun refused = DemoRun.finished(env, clock, "--seed");
    assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
    assertThat(refused.err())
        .contains("notifier demo: the configured database already holds 5 workspace(s)")
        .contains("--force-seed");
    assertThat(refused.out()).doesNotContain("notifier demo is running");
    assertThat(workspaces(db)).as("nothing written").isEqualTo(5);

    DemoRun forced = DemoRun.finished(env, clock, "--force-seed", "--seed-only");
    assertThat(forced.exitCode()).as(forced.toString()).isZero();
    assertThat(workspaces(db)).isEqualTo(10);
  }

  @Test
  void withEveryServiceConfiguredItRunsOnTheDatabasesDataAndSendsThroughThatSmtpServer(
      TestDatabase db, TestRedis redis, TestSmtp smtp) throws Exception {
    SettableClock clock = new SettableClock();
    DemoSchedule schedule = DemoSchedule.at(clock.instant());
    DemoPractice.Seeded practice =
        DemoPractice.seed(db.dsl(), new ClientNameCipher(Fixtures.testKeys()), schedule);
    Map<String, String> env = database(db);
    env.put("NOTIFIER_REDIS_URL", redis.uri());
    env.put("NOTIFIER_REDIS_NAMESPACE", redis.namespace());
    env.put("NOTIFIER_SMTP_HOST", smtp.host());
    env.put("NOTIFIER_SMTP_PORT", Integer.toString(smtp.port()));
    Path inbox = mailDir.resolve("unused");

    DemoRun run = DemoRun.start(env, clock, "--http-port", "0", "--mail-dir", inbox.toString());
    Demo demo = run.awaitRunning();
    assertThat(run.out())
        .contains("Not seeding: the database is configured")
        .contains("(configured)", "key namespace " + redis.namespace())
        .contains("the emails are there, not printed here");
    assertThat(demo.embeddedPostgresPort()).isEqualTo(-1);
    assertThat(demo.embeddedRedisPort()).isEqualTo(-1);

    clock.set(schedule.second().plusSeconds(2));
    List<MimeMessage> received =
        smtp.awaitMessages(practice.expected().size(), Duration.ofSeconds(60));

    assertThat(received)
        .extracting(m -> m.getHeader(DemoInbox.KIND_HEADER)[0])
        .containsAll(Arrays.stream(NotificationKind.values()).map(NotificationKind::code).toList());
    assertThat(run.interrupt()).as(run.toString()).isZero();
    assertThat(run.out()).contains("Stopped.");
    assertThat(workspaces(db)).as("not seeded again").isEqualTo(5);
    assertThat(Files.exists(inbox)).as("no in-process inbox").isFalse();
  }

  private static Map<String, String> database(TestDatabase db) {
    Map<String, String> env = new HashMap<>();
    env.put("NOTIFIER_DATABASE_URL", db.jdbcUrl());
    env.put("NOTIFIER_DATABASE_USER", db.user());
    if (db.password() != null && !db.password().isEmpty()) {
      env.put("NOTIFIER_DATABASE_PASSWORD", db.password());
    }
    return env;
  }

  private static int workspaces(TestDatabase db) {
    return db.dsl().fetchCount(WORKSPACES);
  }
}
