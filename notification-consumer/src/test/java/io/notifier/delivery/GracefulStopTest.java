package io.notifier.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.notifier.db.jooq.tables.records.AppointmentsRecord;
import io.notifier.db.jooq.tables.records.UsersRecord;
import io.notifier.db.jooq.tables.records.WorkspacesRecord;
import io.notifier.health.Heartbeats;
import io.notifier.ledger.Delivery;
import io.notifier.mail.ScriptedSmtpServer;
import io.notifier.model.NotificationStatus;
import io.notifier.queue.QueueConfig;
import io.notifier.queue.QueueStats;
import io.notifier.testing.RealServicesTest;
import io.notifier.testing.TestDatabase;
import io.notifier.testing.TestRedis;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.redisson.api.RMap;
import org.redisson.client.codec.StringCodec;

/** stop(): reading stops, in-flight sends finish within the grace period, nothing is lost. */
@RealServicesTest
class GracefulStopTest {

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
  void clean() {
    h.reset();
  }

  private List<Delivery> jobs(int n, Instant due) {
    WorkspacesRecord ws = h.fixtures.workspace().timezone("Pacific/Kiritimati").create();
    List<Delivery> rows = new ArrayList<>();
    Instant start = due.plus(Duration.ofMinutes(15));
    for (int i = 0; i < n; i++) {
      UsersRecord user = h.fixtures.user(ws).settings(s -> s.reminder(15)).create();
      AppointmentsRecord appointment =
          h.fixtures.appointment(ws, h.fixtures.client(ws).create()).startingAt(start).create();
      rows.add(h.reminder(appointment.getId(), user.getId(), ws.getId(), 15, start));
    }
    return rows;
  }

  @Test
  void stopFinishesInFlightSendsLeavesQueuedWorkAndIsIdempotent() {
    try (ScriptedSmtpServer slow = ScriptedSmtpServer.start(n -> ScriptedSmtpServer.slow(1200))) {
      Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
      List<Delivery> inFlight = jobs(3, now);
      Heartbeats heartbeats =
          new Heartbeats(h.redisson, h.queue.keys(), Clock.systemUTC(), "stopper", "consumer");
      Consumer consumer =
          new Consumer(
              Harness.config("stopper").maxInFlight(3).build(),
              Harness.smtp(slow.port()),
              Harness.content(),
              h.db.dsl(),
              h.queue,
              Harness.CIPHER,
              Clock.systemUTC(),
              h.metrics,
              heartbeats);
      consumer.start();
      RMap<String, String> workers =
          h.redisson.getMap(h.queue.keys().workers(), StringCodec.INSTANCE);
      assertThat(workers.containsKey("stopper")).isTrue();
      await().atMost(Duration.ofSeconds(10)).until(() -> consumer.inFlight() == 3);
      // Work that becomes due while stopping must stay queued for the next consumer.
      List<Delivery> later = jobs(2, now.plusSeconds(2));

      consumer.stop();

      for (Delivery row : inFlight) {
        assertThat(h.ledger.find(row.id()).orElseThrow().status())
            .isEqualTo(NotificationStatus.SENT);
      }
      assertThat(slow.accepted()).hasSize(3);
      assertThat(consumer.isRunning()).isFalse();
      assertThat(consumer.inFlight()).isZero();
      assertThat(workers.containsKey("stopper")).isFalse();
      RMap<String, String> lastRuns =
          h.redisson.getMap(h.queue.keys().lastRuns(), StringCodec.INSTANCE);
      assertThat(lastRuns.get("consumer.sent.appointment_reminder"))
          .contains("\"by\":\"stopper\"")
          .contains("\"outcome\":\"sent\"");
      consumer.stop(); // a second stop is a no-op
      for (Delivery row : later) {
        assertThat(h.ledger.find(row.id()).orElseThrow().status())
            .isEqualTo(NotificationStatus.PENDING);
      }
      QueueStats stats = h.queue.stats();
      assertThat(stats.pending()).isZero();
      assertThat(stats.delayed() + stats.ready()).isEqualTo(2);
    }
  }
}
