package io.notifier.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.notifier.db.fixtures.Fixtures;
import io.notifier.db.jooq.tables.records.NotifierDeliveriesRecord;
import io.notifier.testing.RealServicesTest;
import io.notifier.testing.TestDatabase;
import io.notifier.testing.TestRedis;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The mail server misbehaves under running processes: a 421 and a 451 (delivered on the retry), a
 * 550 (dead after one attempt, dead-lettered), a server that stalls after the message data
 * (uncertain, never retried automatically), and a stretch where its port refuses connections
 * (retried through the delayed queue, then delivered). Every other email arrives exactly once.
 */
@RealServicesTest
@Tag("reliability")
class SmtpFaultsTest {

  static final Instant START = Instant.parse("2027-03-14T09:05:00Z");
  static final Duration STEP = Duration.ofMinutes(15);

  static final String TEMP_421 = "tempfail-421@mail.example";
  static final String TEMP_451 = "tempfail-451@mail.example";
  static final String UNKNOWN_550 = "unknown-550@mail.example";
  static final String STALL = "stall-after-data@mail.example";

  @Test
  void transientFailuresAreRetriedPermanentOnesDieAndAStallIsUncertain(
      TestDatabase db, TestRedis redis) {
    Instant scripted = START.plus(Duration.ofMinutes(55));
    Instant refusedStep = START.plus(Duration.ofHours(2));
    Instant end = START.plus(Duration.ofHours(3));
    Population population = new Population(new Fixtures(db.dsl()));
    population.generate(909L, List.of("Europe/London", "Asia/Kolkata", "UTC"), 2, 4, START, end);
    Population.Workspace ws = population.workspace("UTC");
    Map<String, Population.User> special = new LinkedHashMap<>();
    for (String email : List.of(TEMP_421, TEMP_451, UNKNOWN_550, STALL)) {
      special.put(email, population.user(ws, Population.remindersOnly(60), 0, email));
    }
    population.appointment(ws, scripted.plus(Duration.ofMinutes(60)), false);
    population.burst("UTC", 3, 2, refusedStep.minus(Duration.ofMinutes(5)));
    population.establish();

    try (ScriptedSmtp smtp = new ScriptedSmtp();
        Deployment d = new Deployment("smtp-faults", db, redis, smtp.port(), START)) {
      smtp.script(
          a ->
              switch (a.recipient()) {
                case TEMP_421 ->
                    a.attempt() == 1
                        ? new ScriptedSmtp.Action.RejectRecipient(421, "4.3.2 try again later")
                        : ScriptedSmtp.ACCEPT;
                case TEMP_451 ->
                    a.attempt() == 1
                        ? new ScriptedSmtp.Action.RejectData(451, "4.7.1 greylisted")
                        : ScriptedSmtp.ACCEPT;
                case UNKNOWN_550 ->
                    new ScriptedSmtp.Action.RejectRecipient(
                        550, "5.1.1 " + UNKNOWN_550 + " unknown");
                case STALL -> new ScriptedSmtp.Action.StallAfterData();
                default -> ScriptedSmtp.ACCEPT;
              });
      NotifierProcess producer = d.producer("producer");
      NotifierProcess consumer = d.consumer("consumer");
      d.awaitStarted(producer, consumer);
      d.settle(START, Duration.ofSeconds(90));

      for (Instant t = START.plus(STEP); !t.isAfter(end); t = t.plus(STEP)) {
        if (!t.equals(refusedStep)) {
          d.stepTo(t);
          continue;
        }
        d.smtpProxy().cut(); // connection refused
        d.time.set(t);
        await("sends refused and scheduled for a retry")
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> consumer.metric("notifier_jobs_retried_total", "failure", "connection") >= 6);
        d.smtpProxy().restore();
        d.settle(t, Duration.ofSeconds(60));
      }

      Map<String, Population.Expected> expected = population.expected(START.minusSeconds(60), end);
      Map<String, Population.Expected> deliverable = new LinkedHashMap<>(expected);
      deliverable.values().removeIf(e -> e.email().equals(UNKNOWN_550) || e.email().equals(STALL));
      assertThat(expected.size() - deliverable.size()).isEqualTo(2);
      Expectations.Outcome outcome = Expectations.assertExactlyOnce(deliverable, smtp, db.dsl());
      assertThat(outcome.duplicates()).isEmpty();

      assertThat(row(db, expected, TEMP_421))
          .satisfies(r -> assertThat(r.getStatus()).isEqualTo("sent"))
          .satisfies(r -> assertThat(r.getAttempts()).isEqualTo(2));
      assertThat(row(db, expected, TEMP_451))
          .satisfies(r -> assertThat(r.getStatus()).isEqualTo("sent"))
          .satisfies(r -> assertThat(r.getAttempts()).isEqualTo(2));
      assertThat(consumer.metric("notifier_jobs_retried_total", "failure", "smtp_4xx"))
          .isEqualTo(2);
      assertThat(row(db, expected, UNKNOWN_550))
          .satisfies(r -> assertThat(r.getStatus()).isEqualTo("dead"))
          .satisfies(r -> assertThat(r.getAttempts()).isEqualTo(1))
          .satisfies(r -> assertThat(r.getLastError()).contains("550").doesNotContain(UNKNOWN_550));
      assertThat(smtp.attempts(UNKNOWN_550)).isEqualTo(1);
      assertThat(consumer.metric("notifier_jobs_dead_total", "reason", "smtp_5xx")).isEqualTo(1);
      assertThat(row(db, expected, STALL))
          .satisfies(r -> assertThat(r.getStatus()).isEqualTo("uncertain"))
          .satisfies(r -> assertThat(r.getAttempts()).isEqualTo(1));
      assertThat(smtp.attempts(STALL))
          .as("an uncertain send is never retried blindly")
          .isEqualTo(1);
      assertThat(consumer.metric("notifier_jobs_uncertain_total")).isEqualTo(1);
      assertThat(consumer.metric("notifier_queue_depth", "queue", "dead"))
          .as("the 550 and the stall are on the dead-letter stream")
          .isEqualTo(2);
      assertThat(producer.isAlive() && consumer.isAlive()).isTrue();
    }
  }

  private static NotifierDeliveriesRecord row(
      TestDatabase db, Map<String, Population.Expected> expected, String email) {
    Population.Expected e =
        expected.values().stream().filter(x -> x.email().equals(email)).findFirst().orElseThrow();
    return Ledger.byDedupKey(db.dsl(), e.dedupKey());
  }
}
