package io.notifier.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.notifier.db.fixtures.Fixtures;
import io.notifier.testing.RealServicesTest;
import io.notifier.testing.TestDatabase;
import io.notifier.testing.TestSmtp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The backing services fail under running processes, one after the other in one simulated
 * afternoon: Redis restarted without persistence (every key lost), Redis unreachable for 30
 * seconds, PostgreSQL unreachable for 30 seconds. During each outage the clock moves on, so
 * notifications fall due while a service is away. The processes keep running (the same PIDs
 * throughout), back off instead of spinning, recover by themselves, and after each fault the exact
 * set of emails due so far has arrived, none twice.
 */
@RealServicesTest
@Tag("reliability")
class OutagesTest {

  static final Instant START = Instant.parse("2027-03-14T15:05:00Z");
  static final Duration STEP = Duration.ofMinutes(15);
  static final Duration OUTAGE = Duration.ofSeconds(30);

  @Test
  void redisRestartsAndRedisAndPostgresOutagesLoseNothingAndDuplicateNothing(
      TestDatabase db, TestSmtp smtp) {
    Instant restart = START.plus(Duration.ofHours(1));
    Instant redisOutage = START.plus(Duration.ofHours(2));
    Instant databaseOutage = START.plus(Duration.ofHours(3));
    Instant end = START.plus(Duration.ofHours(4));
    Population population = new Population(new Fixtures(db.dsl()));
    population.generate(
        1500L,
        List.of("America/New_York", "Europe/London", "Asia/Jerusalem", "Asia/Kolkata", "UTC"),
        3,
        4,
        START,
        end);
    for (Instant fault : List.of(restart, redisOutage, databaseOutage)) {
      // Queued ahead of the fault, due while (or just after) it happens.
      population.burst("Europe/Paris", 4, 3, fault.plus(Duration.ofMinutes(10)));
    }
    population.establish();
    Mailbox mailbox = Mailbox.of(smtp);

    try (DedicatedRedis redis = new DedicatedRedis();
        Deployment d =
            new Deployment(
                "outages", db, "127.0.0.1", redis.port(), "outages", smtp.port(), START)) {
      List<NotifierProcess> processes =
          List.of(d.producer("producer"), d.consumer("consumer-a"), d.consumer("consumer-b"));
      d.awaitStarted(processes.toArray(NotifierProcess[]::new));
      d.settle(START, Duration.ofSeconds(90));

      for (Instant t = START.plus(STEP); !t.isAfter(end); t = t.plus(STEP)) {
        d.stepTo(t);
        if (t.equals(restart)) {
          assertThat(processes.get(1).metric("notifier_queue_depth", "queue", "delayed"))
              .as("jobs queued ahead when Redis goes")
              .isPositive();
          redis.stop();
          redis.start(); // empty: no AOF, no RDB
          d.stepTo(t.plus(STEP));
          t = t.plus(STEP);
          assertThat(processes.get(0).metric("notifier_jobs_reconciled_total"))
              .as("the reconciler put the lost jobs back")
              .isPositive();
          checkpoint(population, mailbox, d, t);
        } else if (t.equals(redisOutage)) {
          t = outage(d, processes, t, d::cutRedis, d::restoreRedis);
          checkpoint(population, mailbox, d, t);
        } else if (t.equals(databaseOutage)) {
          t = outage(d, processes, t, d::cutDatabase, d::restoreDatabase);
          checkpoint(population, mailbox, d, t);
        }
      }

      Map<String, Population.Expected> expected = population.expected(START.minusSeconds(60), end);
      Expectations.Outcome outcome = Expectations.assertExactlyOnce(expected, mailbox, db.dsl());
      assertThat(outcome.duplicates()).isEmpty();
      assertThat(d.processes()).as("never restarted").hasSize(3).allMatch(NotifierProcess::isAlive);
    }
  }

  /**
   * Takes the service away, moves the clock a step on (so the burst falls due meanwhile), keeps it
   * away for 30 s while checking every process stays up, brings it back, and waits for recovery.
   */
  private static Instant outage(
      Deployment d, List<NotifierProcess> processes, Instant t, Runnable cut, Runnable restore) {
    double errorsBefore = loopErrors(processes);
    cut.run();
    Instant due = t.plus(STEP);
    d.time.set(due);
    await("every process stays up through the outage")
        .pollDelay(OUTAGE)
        .atMost(OUTAGE.plusSeconds(15))
        .until(() -> processes.stream().allMatch(NotifierProcess::isAlive));
    double errors = loopErrors(processes) - errorsBefore;
    // Failing loops are counted, and pause between attempts: not thousands of turns in 30 s.
    assertThat(errors).isPositive().isLessThan(600);
    restore.run();
    // A tick that failed is retried at the next minute boundary: the clock moves one minute on
    // (nothing falls due within it) rather than the test waiting for a real minute.
    d.time.set(due.plus(Duration.ofMinutes(1)));
    d.settle(due.plus(Duration.ofMinutes(1)), Duration.ofSeconds(120));
    return due;
  }

  private static double loopErrors(List<NotifierProcess> processes) {
    return processes.stream().mapToDouble(p -> p.metric("notifier_loop_errors_total")).sum();
  }

  private static void checkpoint(Population population, Mailbox mailbox, Deployment d, Instant t) {
    Expectations.Outcome sofar =
        Expectations.assertExactlyOnce(
            population.expected(START.minusSeconds(60), t), mailbox, d.dsl());
    assertThat(sofar.duplicates()).as("at %s", t).isEmpty();
  }
}
