package io.notifier.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.notifier.db.fixtures.Fixtures;
import io.notifier.db.jooq.tables.records.ClientsRecord;
import io.notifier.db.jooq.tables.records.UsersRecord;
import io.notifier.db.jooq.tables.records.WorkspacesRecord;
import io.notifier.ledger.Delivery;
import io.notifier.ledger.DeliveryLedger;
import io.notifier.model.NotificationKind;
import io.notifier.model.NotificationStatus;
import io.notifier.testing.RealServicesTest;
import io.notifier.testing.TestDatabase;
import io.notifier.testing.TestRedis;
import io.notifier.testing.TestSmtp;
import jakarta.mail.internet.MimeMessage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The whole job path as deployed, in-process: {@code producer run} finds a due appointment reminder
 * and enqueues it, {@code consumer run} sends it over SMTP with AUTH. Every log line of both,
 * rendered by the production JSON encoder with the notifier's loggers at DEBUG, must be free of the
 * recipient's address, the therapist's and client's names and every secret, while carrying the ids
 * that make support possible.
 */
@RealServicesTest
class ProducerAndConsumerLogPrivacyTest {

  private static final String EMAIL = "quentin.leakcheck@clinic-example.test";
  private static final String THERAPIST = "Quentin Xylophanes";
  private static final String CLIENT_FIRST = "Ottoline";
  private static final String CLIENT_LAST = "Vandersnoot";
  private static final String SMTP_USER = "notifier-mailer";
  private static final String SMTP_PASSWORD = "Pr0ducer-Sm7p-Secret";

  @Test
  void theProducerAndConsumerLogIdsButNoAddressNameOrSecret(
      TestDatabase db, TestRedis redis, TestSmtp smtp) throws Exception {
    smtp.withUser(SMTP_USER, SMTP_PASSWORD);
    Fixtures fixtures = new Fixtures(db.dsl());
    WorkspacesRecord workspace = fixtures.workspace().timezone("America/New_York").create();
    UsersRecord user =
        fixtures
            .user(workspace)
            .email(EMAIL)
            .fullName(THERAPIST)
            .settings(s -> s.allOff().reminder(15))
            .create();
    ClientsRecord client = fixtures.client(workspace).name(CLIENT_FIRST, CLIENT_LAST).create();
    // The producer's first tick, at start-up, covers up to the next minute boundary plus its
    // look-ahead: a reminder due a few seconds from now is in it.
    Instant due = Instant.now().plusSeconds(5).truncatedTo(ChronoUnit.SECONDS);
    fixtures.appointment(workspace, client).startingAt(due.plus(Duration.ofMinutes(15))).create();

    Cli cli =
        Cli.against(db, redis)
            .env("NOTIFIER_SMTP_HOST", smtp.host())
            .env("NOTIFIER_SMTP_PORT", Integer.toString(smtp.port()))
            .env("NOTIFIER_SMTP_USERNAME", SMTP_USER)
            .env("NOTIFIER_SMTP_PASSWORD", SMTP_PASSWORD)
            .env("NOTIFIER_MAIL_FROM", "reminders@pazpaz.example")
            .env("NOTIFIER_APP_BASE_URL", "https://app.pazpaz.example")
            .withTestEncryptionKeys()
            .env("NOTIFIER_HTTP_PORT", "0");

    try (LogCapture logs = new LogCapture();
        RunningCommand producer = RunningCommand.start(cli, "producer", "run");
        RunningCommand consumer = RunningCommand.start(cli, "consumer", "run")) {
      RunningCommand.explainingFailures(
          () -> {
            List<MimeMessage> received = smtp.awaitMessages(1, Duration.ofSeconds(60));
            assertThat(received.get(0).getAllRecipients()[0].toString()).isEqualTo(EMAIL);
            DeliveryLedger ledger = new DeliveryLedger(db.dsl(), Clock.systemUTC());
            await()
                .atMost(Duration.ofSeconds(10))
                .until(
                    () ->
                        ledger
                            .history(user.getId(), NotificationKind.APPOINTMENT_REMINDER, null, 5)
                            .stream()
                            .anyMatch(d -> d.status() == NotificationStatus.SENT));
            Delivery sent =
                ledger.history(user.getId(), NotificationKind.APPOINTMENT_REMINDER, null, 5).get(0);

            // One stop signal stops both.
            assertThat(producer.stop(Duration.ofSeconds(30))).as(producer::describe).isZero();
            assertThat(consumer.stop(Duration.ofSeconds(30))).as(consumer::describe).isZero();

            String all = logs.all();
            assertThat(all)
                .as("both processes logged")
                .contains("producer starting; effective configuration:")
                .contains("consumer starting; effective configuration:");
            assertThat(all)
                .doesNotContain(EMAIL)
                .doesNotContain("leakcheck")
                .doesNotContain(THERAPIST)
                .doesNotContain("Quentin")
                .doesNotContain("Xylophanes")
                .doesNotContain(CLIENT_FIRST)
                .doesNotContain(CLIENT_LAST)
                .doesNotContain(SMTP_PASSWORD)
                .doesNotContain(Base64.getEncoder().encodeToString(keyV2()));
            assertThat(all).contains(sent.id().toString()).contains(user.getId().toString());
          },
          () ->
              producer.describe()
                  + consumer.describe()
                  + "appointment reminder due at "
                  + due
                  + "\n"
                  + "--- last log lines\n"
                  + logs.tail(40));
    }
  }

  private static byte[] keyV2() {
    return Fixtures.testKeys().version(2).orElseThrow().getEncoded();
  }
}
