package io.notifier.schedule;

import static io.notifier.db.jooq.Tables.APPOINTMENTS;
import static io.notifier.db.jooq.Tables.NOTIFIER_DELIVERIES;
import static io.notifier.db.jooq.Tables.NOTIFIER_SCHEDULER_STATE;
import static io.notifier.db.jooq.Tables.USER_NOTIFICATION_SETTINGS;
import static io.notifier.db.jooq.Tables.WORKSPACES;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.notifier.db.fixtures.Fixtures;
import io.notifier.db.jooq.tables.records.UserNotificationSettingsRecord;
import io.notifier.db.jooq.tables.records.UsersRecord;
import io.notifier.health.Heartbeats;
import io.notifier.ledger.Delivery;
import io.notifier.ledger.DeliveryLedger;
import io.notifier.metrics.MicrometerNotifierMetrics;
import io.notifier.model.NotificationKind;
import io.notifier.queue.JobCodec;
import io.notifier.queue.RedisJobQueue;
import io.notifier.testing.RedisTestSupport;
import io.notifier.testing.SettableClock;
import io.notifier.testing.TestDatabase;
import io.notifier.testing.TestRedis;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Shared scenario plumbing for the producer's tests: a clean database and Redis namespace of the
 * test class, a settable clock that the queue trusts, fixtures, real Micrometer metrics, and
 * helpers to tick through simulated time and to read what reached the ledger and the queue.
 */
final class ProducerHarness implements AutoCloseable {

  final TestDatabase database;
  final TestRedis redis;
  final SettableClock clock;
  final Fixtures fixtures;
  final RedissonClient redisson;
  final RedisJobQueue queue;
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final MicrometerNotifierMetrics metrics = new MicrometerNotifierMetrics(registry);
  final DeliveryLedger ledger;
  private final List<Producer> producers = new ArrayList<>();

  /**
   * Empties the class's database and namespace; the clock starts at {@code start}. The Redisson
   * client is the test class's (starting one costs a quarter of a second).
   */
  ProducerHarness(TestDatabase database, TestRedis redis, RedissonClient redisson, Instant start) {
    this.database = database;
    this.redis = redis;
    database.truncateAll();
    redis.flushNamespace();
    this.clock = new SettableClock(start);
    this.fixtures = new Fixtures(database.dsl());
    this.redisson = redisson;
    this.queue = new RedisJobQueue(redisson, RedisTestSupport.queueConfig(redis), clock);
    this.ledger = new DeliveryLedger(database.dsl(), clock);
  }

  DSLContext dsl() {
    return database.dsl();
  }

  /** The defaults, with a short lease so tests about leadership run quickly. */
  ProducerConfig.Builder config(String instanceId) {
    return ProducerConfig.builder(instanceId).leaderLeaseTime(Duration.ofSeconds(3));
  }

  Producer producer(String instanceId) {
    return producer(config(instanceId).build());
  }

  Producer producer(ProducerConfig config) {
    Heartbeats heartbeats =
        new Heartbeats(redisson, queue.keys(), clock, config.instanceId(), "producer");
    Producer producer =
        new Producer(config, database.dsl(), queue, redisson, clock, metrics, heartbeats);
    producers.add(producer);
    return producer;
  }

  /** Ticks at every whole minute from {@code from} to {@code to} inclusive, moving the clock. */
  List<TickReport> tickEveryMinute(Producer producer, Instant from, Instant to) {
    return tickEvery(producer, from, to, Duration.ofMinutes(1));
  }

  List<TickReport> tickEvery(Producer producer, Instant from, Instant to, Duration step) {
    List<TickReport> reports = new ArrayList<>();
    for (Instant t = from; !t.isAfter(to); t = t.plus(step)) {
      clock.set(t);
      reports.add(producer.tick(t, false));
    }
    return reports;
  }

  /** Every ledger row. */
  List<Delivery> deliveries() {
    return database
        .dsl()
        .selectFrom(NOTIFIER_DELIVERIES)
        .orderBy(NOTIFIER_DELIVERIES.DUE_AT, NOTIFIER_DELIVERIES.DEDUP_KEY)
        .fetch()
        .stream()
        .map(r -> ledger.find(r.getId()).orElseThrow())
        .toList();
  }

  List<Delivery> deliveries(NotificationKind kind) {
    return deliveries().stream().filter(d -> d.kind() == kind).toList();
  }

  List<Delivery> deliveriesOf(UsersRecord user) {
    return deliveries().stream().filter(d -> d.userId().equals(user.getId())).toList();
  }

  /** Ledger rows by dedup key (a duplicate key cannot exist: the constraint forbids it). */
  Map<String, Delivery> byDedupKey() {
    return deliveries().stream().collect(Collectors.toMap(Delivery::dedupKey, d -> d));
  }

  /** The watermark: the end of what the producer has resolved. */
  Instant coveredUntil() {
    return database
        .dsl()
        .select(NOTIFIER_SCHEDULER_STATE.COVERED_UNTIL)
        .from(NOTIFIER_SCHEDULER_STATE)
        .fetchSingle()
        .value1()
        .toInstant();
  }

  /** Ids of every job Redis holds (delayed or ready), from the payload hash. */
  Set<UUID> queuedIds() {
    return redisson
        .<String, String>getMap(queue.keys().payloads(), StringCodec.INSTANCE)
        .readAllKeySet()
        .stream()
        .map(UUID::fromString)
        .collect(Collectors.toSet());
  }

  /** Job id to the instant the delayed set will release it. */
  Map<UUID, Instant> queuedReadyAt() {
    Map<UUID, Instant> readyAt = new HashMap<>();
    redisson
        .<String>getScoredSortedSet(queue.keys().delayed(), StringCodec.INSTANCE)
        .entryRange(0, -1)
        .forEach(
            e ->
                readyAt.put(
                    UUID.fromString(e.getValue()), Instant.ofEpochMilli(e.getScore().longValue())));
    return readyAt;
  }

  /** The payload Redis holds for one job, decoded. */
  io.notifier.model.NotificationJob queuedJob(UUID id) {
    String json =
        redisson
            .<String, String>getMap(queue.keys().payloads(), StringCodec.INSTANCE)
            .get(id.toString());
    return json == null ? null : JobCodec.decode(json).job();
  }

  /** Changes a user's settings the way PazPaz's ORM does: updated_at moves with every write. */
  void updateSettings(UsersRecord user, Consumer<UserNotificationSettingsRecord> change) {
    UserNotificationSettingsRecord settings =
        database
            .dsl()
            .selectFrom(USER_NOTIFICATION_SETTINGS)
            .where(USER_NOTIFICATION_SETTINGS.USER_ID.eq(user.getId()))
            .fetchSingle();
    change.accept(settings);
    settings.setUpdatedAt(
        database.dsl().select(DSL.currentOffsetDateTime()).fetchSingle().value1());
    settings.store();
  }

  /**
   * Makes every appointment look booked a day ago (database time), as appointments that existed
   * long before a simulation began: otherwise the first tick would rightly treat them as just
   * booked, and send the reminders already due as late ones.
   */
  void appointmentsBookedLongAgo() {
    database
        .dsl()
        .update(APPOINTMENTS)
        .set(APPOINTMENTS.UPDATED_AT, DSL.currentOffsetDateTime().minus(1))
        .set(APPOINTMENTS.CREATED_AT, DSL.currentOffsetDateTime().minus(1))
        .execute();
  }

  /**
   * Makes every settings row and workspace look last changed a day ago (database time): the
   * per-tick change tracking, which re-reads anything changed within its slack, then leaves them
   * alone, as it would a long-established population.
   */
  void settingsLastChangedLongAgo() {
    database
        .dsl()
        .update(USER_NOTIFICATION_SETTINGS)
        .set(USER_NOTIFICATION_SETTINGS.UPDATED_AT, DSL.currentOffsetDateTime().minus(1))
        .execute();
    database
        .dsl()
        .update(WORKSPACES)
        .set(WORKSPACES.UPDATED_AT, DSL.currentOffsetDateTime().minus(1))
        .execute();
  }

  /** A counter's value, summed over the other tags. */
  double counter(String name, String... tags) {
    return registry.find(name).tags(tags).counters().stream().mapToDouble(Counter::count).sum();
  }

  /** Stops every producer this harness made (the Redisson client stays: it is the class's). */
  @Override
  public void close() {
    producers.forEach(Producer::stop);
  }
}
