package io.notifier.reliability;

import static io.notifier.db.jooq.Tables.NOTIFIER_DELIVERIES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.notifier.db.fixtures.Fixtures;
import io.notifier.testing.RealServicesTest;
import io.notifier.testing.TestDatabase;
import io.notifier.testing.TestRedis;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The machine clock steps under running processes: ten minutes forward while sends are in flight
 * (every ledger lease then looks expired, and the reconciler looks at those rows), and one minute
 * back right after a burst was delivered. Nothing is lost, nothing is sent twice, no send is taken
 * over (no row is even flagged as a possible duplicate), and the producer's watermark never moves
 * back.
 */
@RealServicesTest
@Tag("reliability")
class ClockJumpTest {

  static final Instant START = Instant.parse("2027-03-14T18:05:00Z");
  static final Duration STEP = Duration.ofMinutes(15);

  @Test
  void aClockSteppingForwardTenMinutesAndBackOneLosesAndDuplicatesNothing(
      TestDatabase db, TestRedis redis) {
    Instant forward = START.plus(Duration.ofHours(1)); // 19:05, a burst due at 19:00
    Instant burstBack = START.plus(Duration.ofMinutes(115)); // 20:00
    Instant end = START.plus(Duration.ofHours(3));
    Population population = new Population(new Fixtures(db.dsl()));
    population.generate(
        1818L, List.of("America/New_York", "Asia/Kathmandu", "UTC"), 3, 4, START, end);
    population.burst("UTC", 5, 4, forward.minus(Duration.ofMinutes(5)));
    population.burst("UTC", 4, 3, burstBack);
    population.establish();

    try (ScriptedSmtp smtp = new ScriptedSmtp();
        Deployment d = new Deployment("clock-jump", db, redis, smtp.port(), START)) {
      List<NotifierProcess> producers = List.of(d.producer("producer-a"), d.producer("producer-b"));
      List<NotifierProcess> consumers = List.of(d.consumer("consumer-a"), d.consumer("consumer-b"));
      d.awaitStarted(producers.get(0), producers.get(1), consumers.get(0), consumers.get(1));
      d.settle(START, Duration.ofSeconds(90));

      Instant t = START.plus(STEP);
      for (; t.isBefore(forward); t = t.plus(STEP)) {
        d.stepTo(t);
      }

      // Forward ten minutes with sends held in flight at the SMTP server.
      smtp.closeGate();
      d.time.set(forward);
      await("sends in flight")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(10))
          .until(() -> smtp.blockedAtGate() > 0 && sending(d).size() >= 4);
      List<UUID> inFlight = sending(d);
      double reconciles = reconcilerPasses(producers);
      d.time.set(forward.plus(Duration.ofMinutes(10)));
      await("a reconciler pass while the leases look expired")
          .atMost(Duration.ofSeconds(10))
          .until(() -> reconcilerPasses(producers) > reconciles);
      smtp.openGate();
      t = forward.plus(Duration.ofMinutes(10));
      d.settle(t, Duration.ofSeconds(60));
      for (UUID id : inFlight) {
        var row =
            d.dsl()
                .selectFrom(NOTIFIER_DELIVERIES)
                .where(NOTIFIER_DELIVERIES.ID.eq(id))
                .fetchSingle();
        assertThat(row.getStatus()).isEqualTo("sent");
        assertThat(row.getAttempts()).as("sent by the consumer that held it").isEqualTo(1);
      }

      // Steps on to the second burst, exactly on its due instant, then one minute back.
      for (t = t.plus(Duration.ofMinutes(5)); t.isBefore(burstBack); t = t.plus(STEP)) {
        d.stepTo(t);
      }
      d.stepTo(burstBack);
      Instant covered = d.coveredUntil();
      int sentBefore = smtp.received().size();
      d.time.set(burstBack.minus(Duration.ofMinutes(1)));
      d.settle(burstBack.minus(Duration.ofMinutes(1)), Duration.ofSeconds(30));
      for (t = burstBack.plus(Duration.ofMinutes(5)); !t.isAfter(end); t = t.plus(STEP)) {
        d.stepTo(t);
        assertThat(d.coveredUntil()).isAfterOrEqualTo(covered);
      }
      assertThat(smtp.received().size()).isGreaterThan(sentBefore);

      Map<String, Population.Expected> expected = population.expected(START.minusSeconds(60), end);
      Expectations.Outcome outcome = Expectations.assertExactlyOnce(expected, smtp, db.dsl());
      assertThat(outcome.duplicates()).isEmpty();
      assertThat(Ledger.flaggedPossibleDuplicate(db.dsl())).as("no send was taken over").isEmpty();
    }
  }

  private static List<UUID> sending(Deployment d) {
    return d.dsl()
        .select(NOTIFIER_DELIVERIES.ID)
        .from(NOTIFIER_DELIVERIES)
        .where(NOTIFIER_DELIVERIES.STATUS.eq("sending"))
        .fetch(NOTIFIER_DELIVERIES.ID);
  }

  private static double reconcilerPasses(List<NotifierProcess> producers) {
    return producers.stream()
        .mapToDouble(p -> p.metric("notifier_loop_iterations_total", "loop", "producer.reconcile"))
        .sum();
  }
}
