package io.notifier.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.notifier.db.fixtures.Fixtures;
import io.notifier.db.jooq.tables.records.NotifierDeliveriesRecord;
import io.notifier.ledger.Delivery;
import io.notifier.ledger.DeliveryLedger;
import io.notifier.ledger.NewDelivery;
import io.notifier.mail.MessageIds;
import io.notifier.model.DedupKeys;
import io.notifier.model.NotificationKind;
import io.notifier.queue.RedisJobQueue;
import io.notifier.testing.RealServicesTest;
import io.notifier.testing.RedisTestSupport;
import io.notifier.testing.TestDatabase;
import io.notifier.testing.TestRedis;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

/**
 * Where at-least-once delivery can send twice, and where it cannot. One consumer process per kill
 * point is killed while sending one notification, at a point an SMTP server hook chooses; then a
 * surviving consumer takes every one of them over:
 *
 * <ol>
 *   <li>at RCPT, before any data: one copy arrives (the survivor's);
 *   <li>in the middle of the message data: one copy (the server never accepted the cut message);
 *   <li>after the server accepted the message, before the ledger recorded it (the process frozen as
 *       it receives the 250, then killed): <b>two copies</b>, with the same Message-ID — the one
 *       window — and the ledger row says {@code possible_duplicate};
 *   <li>after the ledger recorded it as sent, before Redis was told (the process cut off Redis,
 *       then killed): one copy; the survivor's claim finds the row sent and sends nothing.
 * </ol>
 */
@RealServicesTest
@Tag("reliability")
class DuplicateWindowTest {

  static final Instant START = Instant.parse("2027-03-14T10:00:00Z");

  static final String AT_RCPT = "killed-at-rcpt@mail.example";
  static final String MID_DATA = "killed-mid-data@mail.example";
  static final String AFTER_ACCEPTANCE = "killed-after-acceptance@mail.example";
  static final String AFTER_LEDGER = "killed-after-ledger@mail.example";

  @Test
  void onlyAKillBetweenSmtpAcceptanceAndTheLedgerSendsTwiceAndThatSendIsFlagged(
      TestDatabase db, TestRedis redis) {
    Fixtures fixtures = new Fixtures(db.dsl());
    Map<String, NewDelivery> jobs = new LinkedHashMap<>();
    for (String email : List.of(AT_RCPT, MID_DATA, AFTER_ACCEPTANCE, AFTER_LEDGER)) {
      var ws = fixtures.workspace().timezone("UTC").create();
      var user = fixtures.user(ws).email(email).settings(s -> s.allOff().reminder(60)).create();
      Instant start = START.plus(Duration.ofMinutes(60));
      var appointment =
          fixtures.appointment(ws, fixtures.client(ws).create()).startingAt(start).create();
      jobs.put(
          email,
          NewDelivery.pending(
              DedupKeys.appointmentReminder(appointment.getId(), user.getId(), 60, start),
              NotificationKind.APPOINTMENT_REMINDER,
              user.getId(),
              ws.getId(),
              appointment.getId(),
              null,
              60,
              start,
              START));
    }
    Map<String, NotifierProcess> victims = new ConcurrentHashMap<>();
    CountDownLatch frozen = new CountDownLatch(1);

    RedissonClient redisson = RedisTestSupport.redisson(redis);
    try (ScriptedSmtp smtp = new ScriptedSmtp();
        Deployment d = new Deployment("duplicate-window", db, redis, smtp.port(), START)) {
      DeliveryLedger ledger = new DeliveryLedger(db.dsl(), d.time.clock());
      RedisJobQueue queue = d.queue(redisson);
      smtp.atRecipient(
              (a, m) -> {
                if (a.recipient().equals(AT_RCPT) && a.attempt() == 1) {
                  victims.get(AT_RCPT).kill();
                }
              })
          .duringData(
              (a, m) -> {
                if (a.recipient().equals(MID_DATA) && a.attempt() == 1) {
                  victims.get(MID_DATA).kill();
                }
              })
          .afterData(
              (a, m) -> {
                if (a.attempt() != 1) {
                  return;
                }
                if (a.recipient().equals(AFTER_ACCEPTANCE)) {
                  // Frozen before it can read the 250 this hook is about to let go.
                  victims.get(AFTER_ACCEPTANCE).freeze();
                  frozen.countDown();
                } else if (a.recipient().equals(AFTER_LEDGER)) {
                  d.redisProxy("victim-" + 4).cut();
                }
              });

      // Victims never take over each other's deliveries: their visibility timeout is long.
      d.env("NOTIFIER_VISIBILITY_TIMEOUT", "10m");
      int n = 0;
      for (Map.Entry<String, NewDelivery> job : jobs.entrySet()) {
        n++;
        Delivery row =
            db.dsl()
                .transactionResult(c -> ledger.insertNew(c.dsl(), List.of(job.getValue())))
                .get(0);
        queue.enqueue(List.of(row.toJob()));
        NotifierProcess victim = d.consumer("victim-" + n);
        victims.put(job.getKey(), victim);
        switch (job.getKey()) {
          case AT_RCPT, MID_DATA -> awaitDeath(victim);
          case AFTER_ACCEPTANCE -> {
            await().atMost(Duration.ofSeconds(60)).until(() -> frozen.await(0, TimeUnit.SECONDS));
            victim.kill();
          }
          default -> {
            await("the ledger records the send of " + victim)
                .atMost(Duration.ofSeconds(60))
                .until(
                    () -> "sent".equals(Ledger.byDedupKey(db.dsl(), row.dedupKey()).getStatus()));
            victim.kill();
            d.redisProxy(victim.name).restore();
          }
        }
      }

      d.env("NOTIFIER_VISIBILITY_TIMEOUT", "8s");
      NotifierProcess survivor = d.consumer("survivor");
      d.awaitStarted(survivor);
      await("the survivor finished every taken-over delivery")
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  d.unfinishedDueBy(d.time.now()) == 0
                      && survivor.metric("notifier_duplicates_suppressed_total") >= 1);

      Map<String, Long> copies = new LinkedHashMap<>();
      for (String email : jobs.keySet()) {
        String messageId =
            MessageIds.forDedupKey(jobs.get(email).dedupKey(), Deployment.MAIL_DOMAIN);
        copies.put(
            email,
            smtp.received().stream()
                .filter(r -> r.recipient().equals(email))
                .peek(r -> assertThat(r.messageId()).isEqualTo(messageId))
                .count());
      }
      assertThat(copies)
          .containsExactlyInAnyOrderEntriesOf(
              Map.of(AT_RCPT, 1L, MID_DATA, 1L, AFTER_ACCEPTANCE, 2L, AFTER_LEDGER, 1L));

      NotifierDeliveriesRecord window =
          Ledger.byDedupKey(db.dsl(), jobs.get(AFTER_ACCEPTANCE).dedupKey());
      assertThat(window.getStatus()).isEqualTo("sent");
      assertThat(window.getPossibleDuplicate()).as("the duplicate is flagged").isTrue();
      assertThat(window.getAttempts()).isEqualTo(2);
      for (String email : List.of(AT_RCPT, MID_DATA)) {
        NotifierDeliveriesRecord r = Ledger.byDedupKey(db.dsl(), jobs.get(email).dedupKey());
        assertThat(r.getStatus()).isEqualTo("sent");
        // Taken over from a dead consumer: flagged, since the ledger cannot tell how far it got.
        assertThat(r.getPossibleDuplicate()).isTrue();
      }
      NotifierDeliveriesRecord recorded =
          Ledger.byDedupKey(db.dsl(), jobs.get(AFTER_LEDGER).dedupKey());
      assertThat(recorded.getStatus()).isEqualTo("sent");
      assertThat(recorded.getPossibleDuplicate()).isFalse();
      assertThat(recorded.getAttempts()).isEqualTo(1);
      assertThat(recorded.getLeaseOwner()).isEqualTo("victim-4-1");
      assertThat(survivor.metric("notifier_duplicates_suppressed_total")).isEqualTo(1);
    } finally {
      redisson.shutdown();
    }
  }

  private static void awaitDeath(NotifierProcess victim) {
    await(victim + " killed by the SMTP hook")
        .atMost(Duration.ofSeconds(60))
        .until(() -> !victim.isAlive());
  }
}
