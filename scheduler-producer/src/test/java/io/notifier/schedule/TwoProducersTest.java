package io.notifier.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.notifier.db.jooq.tables.records.ClientsRecord;
import io.notifier.db.jooq.tables.records.UsersRecord;
import io.notifier.db.jooq.tables.records.WorkspacesRecord;
import io.notifier.health.Heartbeats;
import io.notifier.ledger.Delivery;
import io.notifier.model.NotificationKind;
import io.notifier.queue.RedisJobQueue;
import io.notifier.testing.RedisTestSupport;
import io.notifier.testing.TestDatabase;
import io.notifier.testing.TestRedis;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Two producers at once never cause a duplicate: the watermark row serialises them, the unique
 * dedup key guarantees it even without that, and the leader lease keeps a follower from working.
 */
class TwoProducersTest extends ProducerTestBase {

  private static final Instant START = Instant.parse("2027-03-26T05:30:00Z");
  private static final Instant END = START.plus(Duration.ofMinutes(45));

  TwoProducersTest(TestDatabase database, TestRedis redis) {
    super(database, redis);
  }

  /** Users due every few minutes in Jerusalem and Kathmandu, and reminders; returns the oracle. */
  private ExpectedNotifications busyHour() {
    ExpectedNotifications expected =
        new ExpectedNotifications(
            START.minus(Duration.ofMinutes(1)), END.plus(ProducerConfig.DEFAULT_LOOK_AHEAD));
    for (String zone : List.of("Asia/Jerusalem", "Asia/Kathmandu")) {
      WorkspacesRecord workspace = harness.fixtures.workspace().timezone(zone).create();
      ClientsRecord client = harness.fixtures.client(workspace).create();
      // Jerusalem 08:30-09:15 is 05:30Z-06:15Z on 2027-03-26; Kathmandu 11:15-12:00 the same.
      String base = zone.equals("Asia/Jerusalem") ? "08:" : "11:";
      for (int minute = 30; minute < 75; minute += 3) {
        int hour = Integer.parseInt(base.substring(0, 2)) + minute / 60;
        String time = String.format("%02d:%02d", hour, minute % 60);
        UsersRecord user =
            harness
                .fixtures
                .user(workspace)
                .settings(
                    s ->
                        s.allOff()
                            .digest(time, EVERY_DAY)
                            .tomorrowDigest(time, EVERY_DAY)
                            .notesReminder(time)
                            .reminder(30))
                .create();
        harness.fixtures.draftNote(user, client);
        expected
            .wallClock(
                NotificationKind.DAILY_DIGEST, user.getId(), ZoneId.of(zone), time, EVERY_DAY)
            .wallClock(
                NotificationKind.TOMORROW_DIGEST, user.getId(), ZoneId.of(zone), time, EVERY_DAY)
            .wallClock(
                NotificationKind.SESSION_NOTES_REMINDER,
                user.getId(),
                ZoneId.of(zone),
                time,
                EVERY_DAY);
      }
      for (int minute = 20; minute < 90; minute += 7) {
        Instant start = START.plus(Duration.ofMinutes(minute));
        var appointment =
            harness.fixtures.appointment(workspace, client).startingAt(start).create();
        harness
            .dsl()
            .selectFrom(io.notifier.db.jooq.Tables.USERS)
            .where(io.notifier.db.jooq.Tables.USERS.WORKSPACE_ID.eq(workspace.getId()))
            .fetch()
            .forEach(u -> expected.reminder(appointment.getId(), u.getId(), 30, start));
      }
    }
    harness.appointmentsBookedLongAgo();
    return expected;
  }

  /** Runs both producers' ticks for every minute, in lockstep, each on its own thread. */
  private List<TickReport> tickConcurrently(Producer first, Producer second) throws Exception {
    CyclicBarrier barrier = new CyclicBarrier(2);
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      List<Future<List<TickReport>>> runs = new ArrayList<>();
      for (Producer producer : List.of(first, second)) {
        runs.add(
            threads.submit(
                () -> {
                  List<TickReport> reports = new ArrayList<>();
                  for (Instant t = START; !t.isAfter(END); t = t.plus(Duration.ofMinutes(1))) {
                    barrier.await();
                    reports.add(producer.tick(t, false));
                  }
                  return reports;
                }));
      }
      List<TickReport> all = new ArrayList<>();
      for (Future<List<TickReport>> run : runs) {
        all.addAll(run.get());
      }
      return all;
    } finally {
      threads.shutdownNow();
    }
  }

  private Map<String, Instant> ledger() {
    return harness.deliveries().stream()
        .collect(Collectors.toMap(Delivery::dedupKey, Delivery::dueAt, (a, b) -> a, TreeMap::new));
  }

  @Test
  void twoProducersTickingTheSameMinutesConcurrentlyQueueEachNotificationOnce() throws Exception {
    scenario(START);
    ExpectedNotifications expected = busyHour();
    RedissonClient otherProcess = RedisTestSupport.redisson(redis);
    try {
      Producer first = harness.producer("p1");
      // The second producer as another process would have it: its own Redis client and queue.
      RedisJobQueue otherQueue =
          new RedisJobQueue(otherProcess, RedisTestSupport.queueConfig(redis), harness.clock);
      Producer second =
          new Producer(
              harness.config("p2").build(),
              harness.dsl(),
              otherQueue,
              otherProcess,
              harness.clock,
              harness.metrics,
              new Heartbeats(otherProcess, otherQueue.keys(), harness.clock, "p2", "producer"));

      List<TickReport> reports = tickConcurrently(first, second);

      assertThat(ledger()).isEqualTo(expected.all());
      assertThat(expected.all()).hasSizeGreaterThan(100);
      // Serialised on the watermark row: whoever came second found the window covered.
      assertThat(reports.stream().mapToInt(TickReport::totalCreated).sum())
          .isEqualTo(expected.all().size());
      assertThat(reports.stream().mapToInt(TickReport::totalDue).sum())
          .isEqualTo(expected.all().size());
      // Queued once each: one payload per ledger row, one delayed entry per payload.
      assertThat(harness.queuedIds())
          .isEqualTo(harness.deliveries().stream().map(Delivery::id).collect(Collectors.toSet()));
      assertThat(
              redisson
                  .getScoredSortedSet(harness.queue.keys().delayed(), StringCodec.INSTANCE)
                  .size())
          .isEqualTo(expected.all().size());
      second.stop();
    } finally {
      otherProcess.shutdown();
    }
  }

  @Test
  void evenWithoutTheWatermarkLockTheDedupKeyKeepsEachNotificationOnce() throws Exception {
    scenario(START);
    ExpectedNotifications expected = busyHour();
    // Two pipelines have two watermark rows: nothing serialises them, both resolve every window.
    Producer first = harness.producer(harness.config("p1").pipeline("left").build());
    Producer second = harness.producer(harness.config("p2").pipeline("right").build());

    List<TickReport> reports = tickConcurrently(first, second);

    assertThat(ledger()).isEqualTo(expected.all());
    assertThat(reports.stream().mapToInt(TickReport::totalDue).sum())
        .isEqualTo(2 * expected.all().size());
    assertThat(reports.stream().mapToInt(TickReport::totalCreated).sum())
        .isEqualTo(expected.all().size());
    assertThat(reports.stream().mapToInt(TickReport::totalAlreadyPresent).sum())
        .isEqualTo(expected.all().size());
    assertThat(harness.queuedIds()).hasSize(expected.all().size());
  }

  @Test
  void onlyTheLeaderTicksAndAFollowerTakesOverWhenItStops() {
    scenario(START);
    WorkspacesRecord workspace = harness.fixtures.workspace().timezone("Asia/Jerusalem").create();
    harness.fixtures.user(workspace).settings(s -> s.allOff().digest("08:40", EVERY_DAY)).create();
    Producer first = harness.producer("p1");
    Producer second = harness.producer("p2");
    first.start();
    second.start();

    await().atMost(Duration.ofSeconds(10)).until(() -> first.isLeader() ^ second.isLeader());
    Producer leader = first.isLeader() ? first : second;
    Producer follower = leader == first ? second : first;
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> lastTickBy().equals(leader.config().instanceId()));
    assertThat(harness.counter("notifier_loop_iterations", "loop", Producer.TICK_LOOP))
        .isPositive();

    // The leader stops and gives the lease back: the follower leads and ticks the next minute.
    leader.stop();
    assertThat(leader.isLeader()).isFalse();
    await().atMost(Duration.ofSeconds(10)).until(follower::isLeader);
    harness.clock.set(START.plus(Duration.ofMinutes(10)));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> lastTickBy().equals(follower.config().instanceId()));
    // The follower's tick covered the minutes nobody ticked: 08:40 Jerusalem is 05:40Z.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> harness.deliveries(NotificationKind.DAILY_DIGEST).size() == 1);
    assertThat(harness.deliveries(NotificationKind.DAILY_DIGEST).get(0).dueAt())
        .isEqualTo(Instant.parse("2027-03-26T05:40:00Z"));
    follower.stop();
    follower.stop(); // idempotent
  }

  private String lastTickBy() {
    String json =
        redisson
            .<String, String>getMap(harness.queue.keys().lastRuns(), StringCodec.INSTANCE)
            .get(Producer.TICK_LOOP);
    if (json == null) {
      return "";
    }
    int at = json.indexOf("\"by\":\"");
    return json.substring(at + 6, json.indexOf('"', at + 6));
  }
}
