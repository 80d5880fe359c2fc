package io.notifier.delivery;

import static io.notifier.mail.ScriptedSmtpServer.accept;
import static io.notifier.mail.ScriptedSmtpServer.rejectData;
import static io.notifier.mail.ScriptedSmtpServer.rejectRecipient;
import static io.notifier.mail.ScriptedSmtpServer.stallAfterData;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.notifier.db.jooq.tables.records.AppointmentsRecord;
import io.notifier.db.jooq.tables.records.UsersRecord;
import io.notifier.db.jooq.tables.records.WorkspacesRecord;
import io.notifier.ledger.Delivery;
import io.notifier.mail.MessageIds;
import io.notifier.mail.ScriptedSmtpServer;
import io.notifier.mail.SmtpConfig;
import io.notifier.model.NotificationStatus;
import io.notifier.queue.DeadLetter;
import io.notifier.queue.QueueConfig;
import io.notifier.queue.QueueStats;
import io.notifier.testing.RealServicesTest;
import io.notifier.testing.TestDatabase;
import io.notifier.testing.TestRedis;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The failure policy against scripted SMTP servers, in real time with short backoffs: transient
 * failures come back through the delayed queue, permanent ones die at once, an uncertain one stops
 * and waits for an operator, and every outcome is in the ledger and (when final) on the dead-letter
 * stream.
 */
@RealServicesTest
class SmtpFailurePolicyTest {

  private static Harness h;

  @BeforeAll
  static void setUp(TestDatabase db, TestRedis redis) {
    h = new Harness(db, redis, Clock.systemUTC(), QueueConfig.TimeSource.CLOCK);
  }

  @AfterAll
  static void tearDown() {
    h.close();
  }

  @BeforeEach
  void clean() {
    h.reset();
  }

  /** An appointment reminder due now, for an appointment an hour away. */
  private Delivery dueNow() {
    WorkspacesRecord ws = h.fixtures.workspace().timezone("Asia/Kolkata").create();
    UsersRecord user = h.fixtures.user(ws).settings(s -> s.reminder(60)).create();
    Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS).plus(Duration.ofMinutes(60));
    AppointmentsRecord appointment =
        h.fixtures.appointment(ws, h.fixtures.client(ws).create()).startingAt(start).create();
    return h.reminder(appointment.getId(), user.getId(), ws.getId(), 60, start);
  }

  private static SmtpConfig fastFailing(int port) {
    return Harness.smtp(port)
        .withTimeouts(Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(1));
  }

  @Test
  void a421ThenAcceptIsDeliveredOnTheSecondAttempt() {
    try (ScriptedSmtpServer server =
        ScriptedSmtpServer.start(
            n -> n == 1 ? rejectData(421, "4.3.2 try again later") : accept())) {
      Delivery row = dueNow();
      h.start("c1", server.port());

      Delivery sent = h.awaitStatus(row.id(), NotificationStatus.SENT);

      assertThat(sent.attempts()).isEqualTo(2);
      assertThat(sent.lastError()).isNull();
      assertThat(server.accepted()).hasSize(1);
      assertThat(new String(server.accepted().get(0), java.nio.charset.StandardCharsets.UTF_8))
          .contains(MessageIds.forDedupKey(row.dedupKey(), "pazpaz.test"));
      assertThat(h.metrics.count("retried:smtp_4xx")).isEqualTo(1);
      assertThat(h.metrics.count("sent")).isEqualTo(1);
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> h.queue.stats().equals(new QueueStats(0, 0, 0, 0)));
    }
  }

  @Test
  void a550IsDeadAfterOneAttemptWithTheErrorRecordedAndDeadLettered() {
    try (ScriptedSmtpServer server =
        ScriptedSmtpServer.start(n -> rejectRecipient(550, "5.1.1 mailbox unavailable"))) {
      Delivery row = dueNow();
      h.start("c1", server.port());

      Delivery dead = h.awaitStatus(row.id(), NotificationStatus.DEAD);

      assertThat(dead.attempts()).isEqualTo(1);
      assertThat(dead.lastError())
          .contains("smtp_5xx")
          .contains("550")
          .contains("mailbox unavailable");
      assertThat(server.attempts()).isEqualTo(1);
      await().atMost(Duration.ofSeconds(5)).until(() -> h.queue.stats().dead() == 1);
      DeadLetter letter = h.queue.deadLetters(null, 10).get(0);
      assertThat(letter.jobId()).isEqualTo(row.id().toString());
      assertThat(letter.kind()).isEqualTo("appointment_reminder");
      assertThat(letter.reason()).contains("550");
      assertThat(h.queue.stats()).isEqualTo(new QueueStats(0, 0, 0, 1));
      assertThat(h.metrics.count("dead:smtp_5xx")).isEqualTo(1);
    }
  }

  @Test
  void aServerThatNeverAnswersIsRetriedThenDeadWithTheErrorRecorded() {
    try (ScriptedSmtpServer.SilentServer silent = new ScriptedSmtpServer.SilentServer()) {
      Delivery row = dueNow();
      h.start(Harness.config("c1").build(), fastFailing(silent.port()), Harness.content());

      Delivery dead = h.awaitStatus(row.id(), NotificationStatus.DEAD);

      assertThat(dead.attempts()).isEqualTo(3);
      assertThat(dead.lastError())
          .startsWith("attempts exhausted after 3")
          .contains("timeout")
          .contains("SocketTimeoutException");
      assertThat(silent.connections()).isGreaterThanOrEqualTo(3);
      assertThat(h.metrics.count("retried:timeout")).isEqualTo(2);
      assertThat(h.metrics.count("dead:exhausted")).isEqualTo(1);
      await().atMost(Duration.ofSeconds(5)).until(() -> h.queue.stats().dead() == 1);
      assertThat(h.queue.deadLetters(null, 10).get(0).reason()).contains("attempts exhausted");
    }
  }

  @Test
  void aRefusedConnectionIsRetriedThroughTheDelayedQueue() {
    Delivery row = dueNow();
    h.start(
        Harness.config("c1").build(),
        fastFailing(ScriptedSmtpServer.refusedPort()),
        Harness.content());

    Delivery dead = h.awaitStatus(row.id(), NotificationStatus.DEAD);

    assertThat(h.metrics.count("retried:connection")).isEqualTo(2);
    assertThat(dead.attempts()).isEqualTo(3);
    assertThat(dead.lastError()).contains("connection");
  }

  @Test
  void aStallAfterTheMessageDataIsUncertainAndNotRetried() throws Exception {
    try (ScriptedSmtpServer server = ScriptedSmtpServer.start(n -> stallAfterData())) {
      Delivery row = dueNow();
      h.start(Harness.config("c1").build(), fastFailing(server.port()), Harness.content());

      Delivery uncertain = h.awaitStatus(row.id(), NotificationStatus.UNCERTAIN);

      assertThat(uncertain.attempts()).isEqualTo(1);
      assertThat(uncertain.lastError())
          .startsWith("uncertain: no reply to the end of the message data");
      await().atMost(Duration.ofSeconds(5)).until(() -> h.queue.stats().dead() == 1);
      assertThat(h.queue.deadLetters(null, 10).get(0).reason()).startsWith("uncertain");
      assertThat(h.metrics.count("uncertain")).isEqualTo(1);
      // Nothing comes back on its own: the server saw the message exactly once.
      await()
          .during(Duration.ofMillis(800))
          .atMost(Duration.ofSeconds(2))
          .until(() -> server.attempts() == 1);
      assertThat(h.queue.stats()).isEqualTo(new QueueStats(0, 0, 0, 1));
    }
  }

  @Test
  void theRetryBackoffIsTheRetryPolicysAndAttemptsAreCountedInTheLedger() {
    try (ScriptedSmtpServer server =
        ScriptedSmtpServer.start(n -> n <= 2 ? rejectData(451, "4.7.1 greylisted") : accept())) {
      Delivery row = dueNow();
      h.start("c1", server.port());

      Delivery sent = h.awaitStatus(row.id(), NotificationStatus.SENT);

      assertThat(sent.attempts()).isEqualTo(3);
      assertThat(server.attempts()).isEqualTo(3);
      assertThat(h.metrics.count("retried:smtp_4xx")).isEqualTo(2);
      List<Delivery> history = h.ledger.history(row.userId(), null, null, 10);
      assertThat(history)
          .singleElement()
          .extracting(Delivery::status)
          .isEqualTo(NotificationStatus.SENT);
    }
  }
}
