package io.notifier.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.notifier.db.fixtures.Fixtures;
import io.notifier.db.jooq.tables.records.NotifierDeliveriesRecord;
import io.notifier.model.NotificationStatus;
import io.notifier.testing.RealServicesTest;
import io.notifier.testing.TestDatabase;
import io.notifier.testing.TestRedis;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Processes killed with SIGKILL at the worst moments, in one simulated afternoon: a consumer in the
 * middle of its sends, three times; the leading producer inside its tick's transaction; the leading
 * producer after its tick committed and before it could queue the jobs. After each, the killed
 * process is restarted (as Kubernetes would) and the exact set of emails due so far has arrived,
 * none twice.
 */
@RealServicesTest
@Tag("reliability")
class ProcessCrashTest {

  static final Instant START = Instant.parse("2027-03-14T12:05:00Z");
  static final Duration STEP = Duration.ofMinutes(15);

  @Test
  void killedConsumersAndProducersLoseNothingAndDuplicateNothing(TestDatabase db, TestRedis redis)
      throws Exception {
    // One fault an hour. A consumer is killed while it sends a burst due at that step; a
    // producer is killed in the tick that resolves a burst due ten minutes after that step.
    List<Instant> faultSteps = new ArrayList<>();
    List<Instant> bursts = new ArrayList<>();
    for (int h = 1; h <= 5; h++) {
      Instant step = START.plus(Duration.ofHours(h));
      faultSteps.add(step);
      bursts.add(h <= 3 ? step.minus(Duration.ofMinutes(5)) : step.plus(Duration.ofMinutes(10)));
    }
    Instant end = START.plus(Duration.ofHours(5)).plus(Duration.ofMinutes(30));
    Population population = new Population(new Fixtures(db.dsl()));
    population.generate(
        1403L,
        List.of("America/New_York", "Europe/London", "Asia/Kolkata", "UTC"),
        3,
        4,
        START,
        end);
    for (Instant burst : bursts) {
      population.burst("Asia/Jerusalem", 5, 4, burst);
    }
    population.establish();

    try (ScriptedSmtp smtp = new ScriptedSmtp();
        Deployment d = new Deployment("process-crash", db, redis, smtp.port(), START)) {
      NotifierProcess producerA = d.producer("producer-a");
      NotifierProcess producerB = d.producer("producer-b");
      NotifierProcess consumerA = d.consumer("consumer-a");
      NotifierProcess consumerB = d.consumer("consumer-b");
      d.awaitStarted(producerA, producerB, consumerA, consumerB);
      List<NotifierProcess> producers = new ArrayList<>(List.of(producerA, producerB));
      d.settle(START, Duration.ofSeconds(90));

      for (Instant t = START.plus(STEP); !t.isAfter(end); t = t.plus(STEP)) {
        int fault = faultSteps.indexOf(t);
        if (fault < 0) {
          d.stepTo(t);
          continue;
        }
        switch (fault) {
          case 0, 1, 2 -> consumerA = killConsumerMidSend(d, smtp, consumerA, t);
          case 3 -> killLeaderInsideItsTick(d, producers, population, bursts.get(fault), t);
          default -> killLeaderBetweenCommitAndQueue(d, producers, bursts.get(fault), t);
        }
        // Each fault step ends one minute on; the exact set due so far has arrived, once.
        Expectations.Outcome sofar =
            Expectations.assertExactlyOnce(
                population.expected(START.minusSeconds(60), t.plus(Duration.ofMinutes(1))),
                smtp,
                db.dsl());
        assertThat(sofar.duplicates()).as("after fault %d", fault + 1).isEmpty();
      }

      Map<String, Population.Expected> expected = population.expected(START.minusSeconds(60), end);
      Expectations.Outcome outcome = Expectations.assertExactlyOnce(expected, smtp, db.dsl());
      assertThat(outcome.duplicates()).isEmpty();
      assertThat(outcome.received()).isEqualTo(expected.size());
    }
  }

  /**
   * Holds every send at the SMTP server's RCPT, moves the clock onto a burst, and once the victim
   * is mid-send with no message anywhere between acceptance and its ledger record, kills it:
   * outside the one duplicate window, so nothing may arrive twice. Returns its replacement.
   */
  private static NotifierProcess killConsumerMidSend(
      Deployment d, ScriptedSmtp smtp, NotifierProcess victim, Instant t) {
    smtp.closeGate();
    d.time.set(t);
    await(victim + " mid-send")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(10))
        .until(
            () ->
                Ledger.heldBy(d.dsl(), victim.workerId) > 0
                    && smtp.blockedAtGate() > 0
                    && smtp.dataInProgress() == 0
                    && smtp.received().size()
                        == Ledger.withStatus(d.dsl(), NotificationStatus.SENT));
    List<UUID> held =
        d.dsl()
            .select(io.notifier.db.jooq.Tables.NOTIFIER_DELIVERIES.ID)
            .from(io.notifier.db.jooq.Tables.NOTIFIER_DELIVERIES)
            .where(io.notifier.db.jooq.Tables.NOTIFIER_DELIVERIES.LEASE_OWNER.eq(victim.workerId))
            .and(io.notifier.db.jooq.Tables.NOTIFIER_DELIVERIES.STATUS.eq("sending"))
            .fetch(io.notifier.db.jooq.Tables.NOTIFIER_DELIVERIES.ID);
    victim.kill();
    smtp.openGate();
    NotifierProcess replacement = d.consumer(victim.name);
    d.stepTo(t.plus(Duration.ofMinutes(1)));
    // What the victim held was taken over after the visibility timeout, sent once, and flagged:
    // the ledger cannot know that no copy had been accepted.
    for (UUID id : held) {
      NotifierDeliveriesRecord row =
          d.dsl()
              .selectFrom(io.notifier.db.jooq.Tables.NOTIFIER_DELIVERIES)
              .where(io.notifier.db.jooq.Tables.NOTIFIER_DELIVERIES.ID.eq(id))
              .fetchSingle();
      assertThat(row.getStatus()).isEqualTo("sent");
      assertThat(row.getPossibleDuplicate()).isTrue();
      assertThat(row.getLeaseOwner()).isNotEqualTo(victim.workerId);
    }
    return replacement;
  }

  /**
   * Blocks the leader's tick inside its transaction (a test transaction holds the unique key of one
   * notification the tick is about to insert), kills the leader there, and lets the other producer
   * take over: the killed transaction never commits, and the window is resolved again.
   */
  private static void killLeaderInsideItsTick(
      Deployment d,
      List<NotifierProcess> producers,
      Population population,
      Instant burst,
      Instant t)
      throws Exception {
    NotifierProcess leader = awaitLeader(producers);
    Population.Expected blocker =
        population.expected(burst.minusSeconds(1), burst).values().iterator().next();
    try (Connection c = d.db.dataSource().getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement insert =
          c.prepareStatement(
              "INSERT INTO notifier_deliveries (id, dedup_key, kind, user_id, workspace_id,"
                  + " due_at, status, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?)")) {
        insert.setObject(1, UUID.randomUUID());
        insert.setString(2, blocker.dedupKey());
        insert.setString(3, blocker.kind().code());
        insert.setObject(4, blocker.userId());
        insert.setObject(5, UUID.randomUUID());
        insert.setTimestamp(6, Timestamp.from(blocker.due()));
        insert.setTimestamp(7, Timestamp.from(blocker.due()));
        insert.executeUpdate();
      }
      d.time.set(t);
      await(leader + " blocked inside its tick")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> producerWaitingOnALock(d));
      leader.kill();
      c.rollback();
    }
    restartAndLetTheOtherLead(d, producers, leader, t);
  }

  /**
   * Cuts the leader off Redis, lets its tick commit the burst's ledger rows (their queueing then
   * fails), and kills it before it retries: only the reconciler of the producer that takes over can
   * bring those jobs to the queue.
   */
  private static void killLeaderBetweenCommitAndQueue(
      Deployment d, List<NotifierProcess> producers, Instant burst, Instant t) {
    NotifierProcess leader = awaitLeader(producers);
    d.redisProxy(leader.name).cut();
    d.time.set(t);
    await("the burst committed by " + leader + " but not queued")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> {
              List<NotifierDeliveriesRecord> rows = Ledger.dueAt(d.dsl(), burst);
              return rows.size() >= 20 && rows.stream().allMatch(r -> r.getEnqueuedAt() == null);
            });
    leader.kill();
    d.redisProxy(leader.name).restore();
    restartAndLetTheOtherLead(d, producers, leader, t);
  }

  private static void restartAndLetTheOtherLead(
      Deployment d, List<NotifierProcess> producers, NotifierProcess killed, Instant t) {
    producers.remove(killed);
    NotifierProcess survivor = producers.get(0);
    await(survivor + " leads")
        .atMost(Duration.ofSeconds(30))
        .until(() -> survivor.metric("notifier_producer_leader") == 1.0);
    producers.add(d.producer(killed.name));
    // The new leader ticks at its next minute boundary and reconciles each simulated minute.
    d.stepTo(t.plus(Duration.ofMinutes(1)));
  }

  private static NotifierProcess awaitLeader(List<NotifierProcess> producers) {
    NotifierProcess[] leader = new NotifierProcess[1];
    await("a leading producer")
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              for (NotifierProcess p : producers) {
                if (p.isAlive() && p.metric("notifier_producer_leader") == 1.0) {
                  leader[0] = p;
                  return true;
                }
              }
              return false;
            });
    return leader[0];
  }

  private static boolean producerWaitingOnALock(Deployment d) {
    return d.dsl()
            .fetchOne(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    + " AND application_name = 'notifier-producer' AND wait_event_type = 'Lock'")
            .get(0, Integer.class)
        > 0;
  }
}
