package io.notifier.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.notifier.db.fixtures.Fixtures;
import io.notifier.db.jooq.tables.records.NotifierDeliveriesRecord;
import io.notifier.model.NotificationStatus;
import io.notifier.queue.RedisJobQueue;
import io.notifier.testing.RealServicesTest;
import io.notifier.testing.RedisTestSupport;
import io.notifier.testing.TestDatabase;
import io.notifier.testing.TestRedis;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

/**
 * The narrowest of the consumer's windows: the SMTP server accepted an email, the consumer recorded
 * it as sent in the ledger, and then acknowledging its job in Redis failed. The job stays pending
 * in the stream; the reclaimer must find the row already sent and acknowledge it without sending it
 * again (docs/DELIVERY.md, step 6).
 */
@RealServicesTest
@Tag("reliability")
class AcknowledgementFailureTest {

  static final Instant START = Instant.parse("2027-03-14T15:05:00Z");

  @Test
  void aSendRecordedWhoseAcknowledgementFailsIsAcknowledgedLaterAndNeverSentAgain(
      TestDatabase db, TestRedis redis) {
    Instant due = START.plus(Duration.ofMinutes(10));
    Population population = new Population(new Fixtures(db.dsl()));
    population.burst("Europe/Paris", 3, 2, due);
    population.establish();
    Map<String, Population.Expected> expected =
        population.expected(START.minusSeconds(60), due.plusSeconds(60));
    assertThat(expected).hasSize(6);

    RedissonClient redisson = RedisTestSupport.redisson(redis);
    try (ScriptedSmtp smtp = new ScriptedSmtp();
        Deployment d = new Deployment("acknowledgement-failure", db, redis, smtp.port(), START)) {
      NotifierProcess producer = d.producer("producer");
      NotifierProcess consumer = d.consumer("consumer");
      d.awaitStarted(producer, consumer);
      d.settle(START, Duration.ofSeconds(90));
      double errorsBefore =
          consumer.metric("notifier_loop_errors_total", "loop", "consumer.delivery");

      // The first email's data has arrived; before the server answers 250, the consumer loses
      // Redis (and only Redis): its ledger record goes through, its acknowledgement cannot.
      AtomicBoolean cut = new AtomicBoolean();
      smtp.afterData(
          (attempt, message) -> {
            if (cut.compareAndSet(false, true)) {
              d.redisProxy("consumer").cut();
            }
          });
      d.time.set(due);
      // Once the failure is reported and no send is between acceptance and its ledger record
      // (the other sends of the burst run at the same time).
      await("the consumer reports the failed acknowledgement")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(100))
          .until(
              () ->
                  consumer.logText().contains("acknowledging it in Redis failed")
                      && consumer.metric("notifier_loop_errors_total", "loop", "consumer.delivery")
                          > errorsBefore
                      && smtp.dataInProgress() == 0
                      && smtp.received().size()
                          == Ledger.withStatus(d.dsl(), NotificationStatus.SENT));
      assertThat(cut).isTrue();
      int sentWhileCut = Ledger.withStatus(d.dsl(), NotificationStatus.SENT);
      assertThat(sentWhileCut)
          .as("the accepted email was recorded although Redis was gone")
          .isPositive();
      // Read from Redis directly: the consumer's gauge caches its reads by the simulated clock,
      // which this test holds still, so it would go on showing the failed read (NaN).
      RedisJobQueue queue = d.queue(redisson);
      assertThat(queue.stats().pending())
          .as("the jobs of the recorded sends are still pending in the stream")
          .isGreaterThanOrEqualTo(sentWhileCut);

      d.redisProxy("consumer").restore();
      // Recovery: every job of the burst sent and acknowledged; the stream holds nothing pending.
      d.settle(due, Duration.ofSeconds(90));
      await("the pending jobs are acknowledged")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> queue.stats().pending() == 0 && queue.stats().ready() == 0);

      Expectations.Outcome outcome = Expectations.assertExactlyOnce(expected, smtp, db.dsl());
      assertThat(outcome.duplicates()).isEmpty();
      assertThat(outcome.received()).isEqualTo(expected.size());
      List<NotifierDeliveriesRecord> rows = Ledger.dueAt(d.dsl(), due);
      assertThat(rows)
          .hasSize(expected.size())
          .allSatisfy(
              row -> {
                assertThat(row.getStatus()).isEqualTo(NotificationStatus.SENT.code());
                assertThat(row.getAttempts()).as("sent on the first attempt").isEqualTo(1);
                assertThat(row.getPossibleDuplicate()).isFalse();
              });
      assertThat(consumer.isAlive()).isTrue();
    } finally {
      redisson.shutdown();
    }
  }
}
