package io.notifier.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.notifier.db.fixtures.Fixtures;
import io.notifier.db.jooq.tables.records.AppointmentsRecord;
import io.notifier.db.jooq.tables.records.ClientsRecord;
import io.notifier.db.jooq.tables.records.UsersRecord;
import io.notifier.db.jooq.tables.records.WorkspacesRecord;
import io.notifier.ledger.DeliveryLedger;
import io.notifier.ledger.NewDelivery;
import io.notifier.model.DedupKeys;
import io.notifier.model.NotificationKind;
import io.notifier.model.NotificationStatus;
import io.notifier.queue.QueueConfig;
import io.notifier.queue.RedisJobQueue;
import io.notifier.testing.RealServicesTest;
import io.notifier.testing.RedisTestSupport;
import io.notifier.testing.TestDatabase;
import io.notifier.testing.TestRedis;
import io.notifier.testing.TestSmtp;
import jakarta.mail.internet.MimeMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * {@code notifier consumer run} as a deployment runs it, in-process: configured only through
 * environment variables, delivering a real appointment reminder to GreenMail with SMTP AUTH,
 * serving /metrics, and stopping cleanly on the stop signal. Every log line meanwhile is captured
 * with the production JSON encoder: none may carry the recipient's address, the therapist's or
 * client's name, or the SMTP password, while the job's ids must be there.
 */
@RealServicesTest
class ConsumerRunTest {

  private static final String EMAIL = "zelda.privacy-probe@clinic-example.test";
  private static final String THERAPIST = "Zelda Quuxworth";
  private static final String CLIENT_FIRST = "Yitzhak";
  private static final String CLIENT_LAST = "Privatovich";
  private static final String SMTP_USER = "notifier-mailer";
  private static final String SMTP_PASSWORD = "Sm7p-Pa55-n3ver-logged";

  @Test
  void deliversLogsOnlyIdsServesMetricsAndStopsCleanly(
      TestDatabase db, TestRedis redis, TestSmtp smtp) throws Exception {
    smtp.withUser(SMTP_USER, SMTP_PASSWORD);
    Instant now = Instant.now();
    Fixtures fixtures = new Fixtures(db.dsl());
    WorkspacesRecord workspace = fixtures.workspace().timezone("Asia/Jerusalem").create();
    UsersRecord user =
        fixtures
            .user(workspace)
            .email(EMAIL)
            .fullName(THERAPIST)
            .settings(s -> s.allOff().reminder(60))
            .create();
    ClientsRecord client = fixtures.client(workspace).name(CLIENT_FIRST, CLIENT_LAST).create();
    // Due two seconds from now: the reminder goes out while the test watches.
    Instant start = now.plus(Duration.ofMinutes(60)).plusSeconds(2).truncatedTo(ChronoUnit.SECONDS);
    AppointmentsRecord appointment =
        fixtures.appointment(workspace, client).startingAt(start).create();
    UUID jobId = enqueueReminder(db, redis, user, appointment, start);

    Cli cli =
        Cli.against(db, redis)
            .env("NOTIFIER_SMTP_HOST", smtp.host())
            .env("NOTIFIER_SMTP_PORT", Integer.toString(smtp.port()))
            .env("NOTIFIER_SMTP_USERNAME", SMTP_USER)
            .env("NOTIFIER_SMTP_PASSWORD", SMTP_PASSWORD)
            .env("NOTIFIER_MAIL_FROM", "reminders@pazpaz.example")
            .env("NOTIFIER_APP_BASE_URL", "https://app.pazpaz.example")
            .withTestEncryptionKeys()
            .env("NOTIFIER_HTTP_PORT", "0")
            .env("NOTIFIER_CONSUMER_ID", "consumer-under-test")
            .env("NOTIFIER_HEARTBEAT_INTERVAL", "1s");

    try (LogCapture logs = new LogCapture();
        RunningCommand consumer = RunningCommand.start(cli, "consumer", "run")) {
      RunningCommand.explainingFailures(
          () -> {
            List<MimeMessage> received = smtp.awaitMessages(1, Duration.ofSeconds(30));
            assertThat(received.get(0).getAllRecipients()[0].toString()).isEqualTo(EMAIL);
            assertThat(received.get(0).getSubject()).isEqualTo("Appointment in 60 minutes");
            DeliveryLedger ledger = new DeliveryLedger(db.dsl(), Clock.systemUTC());
            await()
                .atMost(Duration.ofSeconds(10))
                .until(() -> ledger.find(jobId).orElseThrow().status() == NotificationStatus.SENT);
            assertThat(workers(redis)).contains("consumer-under-test");

            ConsumerCommand.Run running = runningConsumer(consumer.commandLine());
            await()
                .atMost(Duration.ofSeconds(10))
                .until(() -> running.process != null && running.process.httpPort() > 0);
            String scraped = scrape(running.process.httpPort());

            assertThat(consumer.stop(Duration.ofSeconds(30))).as(consumer::describe).isZero();

            String all = logs.all();
            assertThat(logs.lines()).isNotEmpty();
            assertThat(all)
                .doesNotContain(EMAIL)
                .doesNotContain("privacy-probe")
                .doesNotContain(THERAPIST)
                .doesNotContain("Zelda")
                .doesNotContain(CLIENT_FIRST)
                .doesNotContain(CLIENT_LAST)
                .doesNotContain(SMTP_PASSWORD);
            assertThat(all).contains(jobId.toString()).contains(user.getId().toString());
            assertThat(all)
                .as("the effective configuration is logged once, secrets redacted")
                .contains("consumer starting; effective configuration:")
                .contains("smtp-password=<redacted>")
                .contains("smtp-username=" + SMTP_USER);
            assertThat(scraped)
                .contains(
                    "notifier_jobs_sent_total{kind=\"appointment_reminder\",role=\"consumer\"}"
                        + " 1.0")
                .contains("notifier_queue_depth{queue=\"delayed\",role=\"consumer\"}");
            assertThat(workers(redis))
                .as("a clean stop removes the heartbeat")
                .doesNotContain("consumer-under-test");
          },
          () -> consumer.describe() + "--- last log lines\n" + logs.tail(30));
    }
  }

  private static ConsumerCommand.Run runningConsumer(picocli.CommandLine root) {
    return root.getSubcommands().get("consumer").getSubcommands().get("run").getCommand();
  }

  private static UUID enqueueReminder(
      TestDatabase db,
      TestRedis redis,
      UsersRecord user,
      AppointmentsRecord appointment,
      Instant start) {
    Clock clock = Clock.systemUTC();
    DeliveryLedger ledger = new DeliveryLedger(db.dsl(), clock);
    NewDelivery row =
        NewDelivery.pending(
            DedupKeys.appointmentReminder(appointment.getId(), user.getId(), 60, start),
            NotificationKind.APPOINTMENT_REMINDER,
            user.getId(),
            user.getWorkspaceId(),
            appointment.getId(),
            LocalDate.ofInstant(start, ZoneOffset.UTC),
            60,
            start,
            start.minus(Duration.ofMinutes(60)));
    ledger.insertNew(ledger.dsl(), List.of(row));
    RedissonClient redisson = RedisTestSupport.redisson(redis);
    try {
      new RedisJobQueue(redisson, QueueConfig.defaults(redis.namespace()), clock)
          .enqueue(List.of(row.toJob()));
    } finally {
      redisson.shutdown();
    }
    return row.id();
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

  private static String scrape(int port) throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
    return response.body();
  }
}
