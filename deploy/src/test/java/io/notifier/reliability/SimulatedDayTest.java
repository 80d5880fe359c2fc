package io.notifier.reliability;

import static io.notifier.db.jooq.Tables.NOTIFIER_DELIVERIES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.notifier.model.NotificationKind;
import io.notifier.testing.RealServicesTest;
import io.notifier.testing.TestDatabase;
import io.notifier.testing.TestRedis;
import io.notifier.testing.TestSmtp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A whole simulated day, New York's and Los Angeles's spring-forward Sunday, run by two producers
 * and three consumers in separate JVMs sharing one simulated clock: every email the oracle expects
 * arrives exactly once, and nothing else does. With {@code -Dnotifier.reliability.scale=N} the
 * population is N times larger.
 */
@RealServicesTest
@Tag("reliability")
class SimulatedDayTest {

  /** Sunday 2027-03-14, five minutes past a quarter: nothing falls due near a step. */
  static final Instant START = Instant.parse("2027-03-14T00:05:00Z");

  static final Instant END = START.plus(Duration.ofDays(1));
  static final Duration STEP = Duration.ofMinutes(15);

  @Test
  void twoProducersAndThreeConsumersDeliverEveryEmailOfADstDayExactlyOnce(
      TestDatabase db, TestRedis redis, TestSmtp smtp) {
    int scale = Integer.getInteger("notifier.reliability.scale", 1);
    List<String> zones = new ArrayList<>(Population.ZONES);
    zones.add(null);
    zones.add(Population.INVALID_ZONE);
    Population population =
        new Population(new io.notifier.db.fixtures.Fixtures(db.dsl()))
            .generate(20270314L, zones, 5 * scale, 5, START, END);
    population.establish();
    Map<String, Population.Expected> expected = population.expected(START.minusSeconds(60), END);
    assertThat(population.users()).hasSizeGreaterThanOrEqualTo(300);
    assertThat(expected.values().stream().map(Population.Expected::kind).distinct())
        .as("every kind falls due in the day")
        .containsExactlyInAnyOrder(NotificationKind.values());

    try (Deployment d = new Deployment("simulated-day", db, redis, smtp.port(), START)) {
      List<NotifierProcess> processes =
          List.of(
              d.producer("producer-a"),
              d.producer("producer-b"),
              d.consumer("consumer-a"),
              d.consumer("consumer-b"),
              d.consumer("consumer-c"));
      d.awaitStarted(processes.toArray(NotifierProcess[]::new));

      d.settle(START, Duration.ofSeconds(90));
      for (Instant t = START.plus(STEP); !t.isAfter(END); t = t.plus(STEP)) {
        d.stepTo(t);
      }

      Mailbox mailbox = Mailbox.of(smtp);
      await("no more mail")
          .during(Duration.ofSeconds(1))
          .atMost(Duration.ofSeconds(10))
          .until(() -> mailbox.received().size() == expected.size());
      Expectations.Outcome outcome = Expectations.assertExactlyOnce(expected, mailbox, db.dsl());
      assertThat(outcome.duplicates()).isEmpty();

      // Never early: each was accepted at or after its due instant (simulated time).
      var r = NOTIFIER_DELIVERIES;
      assertThat(db.dsl().fetchCount(r, r.STATUS.eq("sent").and(r.SENT_AT.lt(r.DUE_AT)))).isZero();
      assertThat(db.dsl().fetchCount(r, r.STATUS.eq("sent"))).isEqualTo(expected.size());
      assertThat(processes).allMatch(NotifierProcess::isAlive);
      Map<String, Double> sentBy =
          processes.subList(2, 5).stream()
              .collect(Collectors.toMap(p -> p.name, p -> p.metric("notifier_jobs_sent_total")));
      assertThat(sentBy.values().stream().mapToDouble(Double::doubleValue).sum())
          .as("sent per consumer %s", sentBy)
          .isEqualTo(expected.size());
    }
  }
}
