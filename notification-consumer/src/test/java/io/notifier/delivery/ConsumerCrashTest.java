package io.notifier.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.notifier.db.jooq.tables.records.AppointmentsRecord;
import io.notifier.db.jooq.tables.records.UsersRecord;
import io.notifier.db.jooq.tables.records.WorkspacesRecord;
import io.notifier.ledger.Delivery;
import io.notifier.mail.ScriptedSmtpServer;
import io.notifier.model.NotificationStatus;
import io.notifier.queue.QueueConfig;
import io.notifier.queue.QueueStats;
import io.notifier.testing.RealServicesTest;
import io.notifier.testing.TestDatabase;
import io.notifier.testing.TestRedis;
import io.notifier.testing.TestSmtp;
import jakarta.mail.internet.MimeMessage;
import java.io.File;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A consumer process killed with SIGKILL in the middle of a batch: the deliveries it held are
 * reclaimed by the surviving consumers and every job is delivered exactly once.
 */
@RealServicesTest
class ConsumerCrashTest {

  private static final int JOBS = 12;
  private static final int VICTIM_IN_FLIGHT = 4;

  /**
   * The survivors read time five minutes ahead: the victim's 90-second ledger leases look expired
   * without the test waiting for them (the stream's visibility timeout is real Redis idle time and
   * is waited for).
   */
  private static final Clock LATER = Clock.offset(Clock.systemUTC(), Duration.ofMinutes(5));

  private static Harness h;

  @BeforeAll
  static void setUp(TestDatabase db, TestRedis redis) {
    h = new Harness(db, redis, LATER, QueueConfig.TimeSource.REDIS_SERVER);
  }

  @AfterAll
  static void tearDown() {
    h.close();
  }

  @Test
  void aConsumerKilledMidBatchLosesNothingAndDuplicatesNothing(TestSmtp smtp) throws Exception {
    smtp.reset();
    List<Delivery> rows = new ArrayList<>();
    Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS).plus(Duration.ofMinutes(60));
    WorkspacesRecord ws = h.fixtures.workspace().timezone("Europe/London").create();
    for (int i = 0; i < JOBS; i++) {
      UsersRecord user = h.fixtures.user(ws).settings(s -> s.reminder(60)).create();
      AppointmentsRecord appointment =
          h.fixtures.appointment(ws, h.fixtures.client(ws).create()).startingAt(start).create();
      rows.add(h.reminder(appointment.getId(), user.getId(), ws.getId(), 60, start));
    }

    Process victim;
    String victimId = "victim-" + ProcessHandle.current().pid();
    File log = Files.createTempFile("victim-consumer", ".log").toFile();
    try (ScriptedSmtpServer.SilentServer silent = new ScriptedSmtpServer.SilentServer()) {
      victim =
          new ProcessBuilder(
                  javaBinary(),
                  "-cp",
                  System.getProperty("java.class.path"),
                  VictimConsumerMain.class.getName(),
                  h.db.jdbcUrl(),
                  h.db.user(),
                  h.db.password(),
                  h.redis.uri(),
                  h.redis.namespace(),
                  Integer.toString(silent.port()),
                  victimId,
                  Integer.toString(VICTIM_IN_FLIGHT))
              .redirectErrorStream(true)
              .redirectOutput(log)
              .start();
      try {
        // The victim has taken a batch: claimed in the ledger and stuck talking to a mute server.
        await("the victim holds " + VICTIM_IN_FLIGHT + " deliveries")
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(100))
            .until(() -> heldBy(victimId) == VICTIM_IN_FLIGHT && silent.connections() > 0);
      } finally {
        victim.destroyForcibly(); // SIGKILL: no shutdown hook, no acknowledgement, no lease release
        victim.waitFor();
      }
    }
    assertThat(heldBy(victimId)).isEqualTo(VICTIM_IN_FLIGHT);

    ConsumerConfig.Builder survivors =
        Harness.config("survivor")
            .visibilityTimeout(Duration.ofSeconds(3))
            .ledgerLease(Duration.ofSeconds(3))
            .reclaimInterval(Duration.ofMillis(250));
    var smtpConfig =
        Harness.smtp(smtp.port())
            .withTimeouts(Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(1));
    h.start(survivors.consumerId("survivor-1").build(), smtpConfig, Harness.content());
    h.start(survivors.consumerId("survivor-2").build(), smtpConfig, Harness.content());

    List<MimeMessage> mail = smtp.awaitMessages(JOBS, Duration.ofSeconds(60));
    for (Delivery row : rows) {
      h.awaitStatus(row.id(), NotificationStatus.SENT);
    }
    // Nothing more arrives: each job exactly once.
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(3))
        .until(() -> smtp.messages().size() == JOBS);
    Set<String> messageIds = new HashSet<>();
    for (MimeMessage message : smtp.messages()) {
      messageIds.add(message.getMessageID());
    }
    assertThat(messageIds).hasSize(JOBS);
    assertThat(mail).hasSize(JOBS);

    List<Delivery> takenOver =
        rows.stream()
            .map(r -> h.ledger.find(r.id()).orElseThrow())
            .filter(Delivery::possibleDuplicate)
            .toList();
    // The victim's batch was taken over (flagged: the victim might have reached SMTP); the rest
    // went out on their first attempt.
    assertThat(takenOver)
        .hasSize(VICTIM_IN_FLIGHT)
        .allSatisfy(d -> assertThat(d.attempts()).isEqualTo(2));
    assertThat(h.metrics.count("reclaimed")).isGreaterThanOrEqualTo(VICTIM_IN_FLIGHT);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> h.queue.stats().equals(new QueueStats(0, 0, 0, 0)));
  }

  private static long heldBy(String owner) {
    var d = io.notifier.db.jooq.Tables.NOTIFIER_DELIVERIES;
    return h.db
        .dsl()
        .fetchCount(d, d.LEASE_OWNER.eq(owner).and(d.STATUS.eq(NotificationStatus.SENDING.code())));
  }

  private static String javaBinary() {
    return ProcessHandle.current()
        .info()
        .command()
        .orElse(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
  }
}
