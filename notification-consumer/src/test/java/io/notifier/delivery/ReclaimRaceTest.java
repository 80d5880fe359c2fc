package io.notifier.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.notifier.content.EmailRenderer;
import io.notifier.db.jooq.tables.records.AppointmentsRecord;
import io.notifier.db.jooq.tables.records.UsersRecord;
import io.notifier.db.jooq.tables.records.WorkspacesRecord;
import io.notifier.ledger.Delivery;
import io.notifier.mail.ScriptedSmtpServer;
import io.notifier.mail.SmtpMailer;
import io.notifier.model.NotificationStatus;
import io.notifier.queue.QueueConfig;
import io.notifier.queue.QueueStats;
import io.notifier.queue.QueuedMessage;
import io.notifier.testing.RealServicesTest;
import io.notifier.testing.TestDatabase;
import io.notifier.testing.TestRedis;
import io.notifier.testing.TestSmtp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two consumers on one reclaimed delivery: the ledger claim lets exactly one of them send. */
@RealServicesTest
class ReclaimRaceTest {

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
  void clean(TestSmtp smtp) {
    h.reset();
    smtp.reset();
  }

  private List<Delivery> jobs(int n) {
    WorkspacesRecord ws = h.fixtures.workspace().timezone("Asia/Kathmandu").create();
    Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS).plus(Duration.ofMinutes(30));
    List<Delivery> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      UsersRecord user = h.fixtures.user(ws).settings(s -> s.reminder(30)).create();
      AppointmentsRecord appointment =
          h.fixtures.appointment(ws, h.fixtures.client(ws).create()).startingAt(start).create();
      rows.add(h.reminder(appointment.getId(), user.getId(), ws.getId(), 30, start));
    }
    return rows;
  }

  private DeliveryPipeline pipeline(String owner, SmtpMailer mailer) {
    ConsumerConfig config = Harness.config(owner).build();
    return new DeliveryPipeline(
        config,
        h.ledger,
        h.queue,
        new Revalidation(h.db.dsl(), h.metrics, config.staleAfter(), false),
        new EmailRenderer(Harness.content(), Harness.CIPHER),
        mailer,
        h.clock,
        h.metrics,
        null,
        new InFlight(),
        RandomGenerator.getDefault());
  }

  @Test
  void twoConsumersHandlingTheSameReclaimedDeliveryAtOnceSendItOnce(TestSmtp smtp)
      throws Exception {
    List<Delivery> rows = jobs(10);
    h.queue.moveDue();
    // A consumer that read the batch and died: its deliveries are pending, never acknowledged.
    List<QueuedMessage> orphaned = h.queue.read("dead-consumer", 10, Duration.ZERO);
    assertThat(orphaned).hasSize(10);
    List<QueuedMessage> reclaimed = h.queue.reclaim("consumer-a", Duration.ZERO, 10);
    assertThat(reclaimed).hasSize(10);

    try (SmtpMailer mailerA = new SmtpMailer(Harness.smtp(smtp.port()));
        SmtpMailer mailerB = new SmtpMailer(Harness.smtp(smtp.port()))) {
      DeliveryPipeline a = pipeline("consumer-a", mailerA);
      DeliveryPipeline b = pipeline("consumer-b", mailerB);
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        for (QueuedMessage message : reclaimed) {
          CyclicBarrier together = new CyclicBarrier(2);
          Future<?> fa =
              pool.submit(
                  () -> {
                    together(together);
                    a.handle(message);
                  });
          Future<?> fb =
              pool.submit(
                  () -> {
                    together(together);
                    b.handle(message);
                  });
          fa.get();
          fb.get();
        }
      } finally {
        pool.shutdown();
      }
    }

    assertThat(smtp.awaitMessages(10, Duration.ofSeconds(10))).hasSize(10);
    await()
        .during(Duration.ofMillis(500))
        .atMost(Duration.ofSeconds(2))
        .until(() -> smtp.messages().size() == 10);
    for (Delivery row : rows) {
      Delivery done = h.ledger.find(row.id()).orElseThrow();
      assertThat(done.status()).isEqualTo(NotificationStatus.SENT);
      assertThat(done.attempts()).isEqualTo(1);
    }
    assertThat(h.metrics.count("sent")).isEqualTo(10);
    assertThat(h.metrics.count("duplicateSuppressed")).isEqualTo(10);
    assertThat(h.queue.stats()).isEqualTo(new QueueStats(0, 0, 0, 0));
  }

  @Test
  void aJobReadTwiceInOneClaimedBatchIsSentOnceAndItsSecondEntryAcknowledged(TestSmtp smtp)
      throws Exception {
    List<Delivery> rows = jobs(6);
    h.queue.moveDue();
    // The same six entries twice in one batch: read, then taken over by the same consumer before
    // it handled them (a reclaim racing its own read).
    List<QueuedMessage> batch = new ArrayList<>(h.queue.read("consumer-a", 6, Duration.ZERO));
    batch.addAll(h.queue.reclaim("consumer-a", Duration.ZERO, 6));
    assertThat(batch).hasSize(12);

    try (SmtpMailer mailer = new SmtpMailer(Harness.smtp(smtp.port()))) {
      DeliveryPipeline a = pipeline("consumer-a", mailer);
      DeliveryPipeline.Claims claims = a.claim(batch);
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<Boolean>> handled = new ArrayList<>();
        for (QueuedMessage message : batch) {
          handled.add(pool.submit(() -> a.handle(message, claims)));
        }
        for (Future<Boolean> f : handled) {
          assertThat(f.get()).isTrue();
        }
      } finally {
        pool.shutdown();
      }
    }

    assertThat(smtp.awaitMessages(6, Duration.ofSeconds(10))).hasSize(6);
    await()
        .during(Duration.ofMillis(500))
        .atMost(Duration.ofSeconds(2))
        .until(() -> smtp.messages().size() == 6);
    for (Delivery row : rows) {
      Delivery done = h.ledger.find(row.id()).orElseThrow();
      assertThat(done.status()).isEqualTo(NotificationStatus.SENT);
      assertThat(done.attempts()).isEqualTo(1);
      assertThat(done.possibleDuplicate()).isFalse();
    }
    assertThat(h.metrics.count("sent")).isEqualTo(6);
    assertThat(h.metrics.count("duplicateSuppressed")).isEqualTo(6);
    assertThat(h.queue.stats()).isEqualTo(new QueueStats(0, 0, 0, 0));
  }

  @Test
  void aBatchLargerThanOneStatementIsClaimedInFull(TestSmtp smtp) {
    int n = DeliveryPipeline.MAX_BATCH + 20;
    List<Delivery> rows = jobs(n);
    h.queue.moveDue();
    List<QueuedMessage> batch = h.queue.read("consumer-a", n, Duration.ZERO);
    assertThat(batch).hasSize(n);

    try (SmtpMailer mailer = new SmtpMailer(Harness.smtp(smtp.port()))) {
      DeliveryPipeline.Claims claims = pipeline("consumer-a", mailer).claim(batch);

      for (QueuedMessage message : batch) {
        assertThat(claims.take(message.job().id())).as("claim of %s", message.jobId()).isNotNull();
      }
    }
    for (Delivery row : rows) {
      Delivery claimed = h.ledger.find(row.id()).orElseThrow();
      assertThat(claimed.status()).isEqualTo(NotificationStatus.SENDING);
      assertThat(claimed.leaseOwner()).isEqualTo("consumer-a");
    }
  }

  @Test
  void aReclaimRacingASlowOriginalFindsTheLeaseHeldAndSendsNothing() {
    try (ScriptedSmtpServer slow = ScriptedSmtpServer.start(n -> ScriptedSmtpServer.slow(2500))) {
      Delivery row = jobs(1).get(0);
      // The original's lease and renewal are long; the other's visibility timeout is short, so
      // it takes the delivery over while the original is still waiting for the SMTP reply.
      h.start(
          Harness.config("original")
              .visibilityTimeout(Duration.ofSeconds(20))
              .ledgerLease(Duration.ofSeconds(15))
              .build(),
          Harness.smtp(slow.port())
              .withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(1)),
          Harness.content());
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> h.ledger.find(row.id()).orElseThrow().status() == NotificationStatus.SENDING);
      h.start(
          Harness.config("reclaimer")
              .visibilityTimeout(Duration.ofMillis(500))
              .ledgerLease(Duration.ofMillis(500))
              .reclaimInterval(Duration.ofMillis(100))
              .build(),
          Harness.smtp(slow.port())
              .withTimeouts(Duration.ofMillis(100), Duration.ofMillis(100), Duration.ofMillis(100)),
          Harness.content());

      Delivery sent = h.awaitStatus(row.id(), NotificationStatus.SENT);

      assertThat(sent.attempts()).isEqualTo(1);
      assertThat(sent.possibleDuplicate()).isFalse();
      assertThat(sent.leaseOwner()).isEqualTo("original");
      assertThat(slow.accepted()).hasSize(1);
      assertThat(h.metrics.count("reclaimed")).isGreaterThanOrEqualTo(1);
      assertThat(h.metrics.count("duplicateSuppressed")).isGreaterThanOrEqualTo(1);
      await()
          .during(Duration.ofMillis(500))
          .atMost(Duration.ofSeconds(3))
          .until(() -> slow.attempts() == 1);
    }
  }

  @Test
  void aLongSendKeepsRenewingItsLedgerLease() {
    try (ScriptedSmtpServer slow = ScriptedSmtpServer.start(n -> ScriptedSmtpServer.slow(2500))) {
      Delivery row = jobs(1).get(0);
      // Lease 3 s, renewed every second while the send waits 2.5 s for the server's reply.
      h.start(
          Harness.config("keeper")
              .visibilityTimeout(Duration.ofSeconds(3))
              .ledgerLease(Duration.ofSeconds(3))
              .build(),
          Harness.smtp(slow.port())
              .withTimeouts(Duration.ofMillis(300), Duration.ofMillis(2600), Duration.ofMillis(50)),
          Harness.content());
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> h.ledger.find(row.id()).orElseThrow().status() == NotificationStatus.SENDING);
      Instant firstExpiry = h.ledger.find(row.id()).orElseThrow().leaseExpiresAt();

      await("the lease is extended during the send")
          .atMost(Duration.ofSeconds(3))
          .until(
              () -> {
                Delivery now = h.ledger.find(row.id()).orElseThrow();
                return now.status() == NotificationStatus.SENDING
                    && now.leaseExpiresAt().isAfter(firstExpiry);
              });
      Delivery sent = h.awaitStatus(row.id(), NotificationStatus.SENT);
      assertThat(sent.attempts()).isEqualTo(1);
      assertThat(slow.accepted()).hasSize(1);
    }
  }

  private static void together(CyclicBarrier barrier) {
    try {
      barrier.await();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
