package io.notifier.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.notifier.testing.TestDatabase;
import io.notifier.testing.TestRedis;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.jooq.DSLContext;
import org.jooq.Query;
import org.jooq.conf.ParamType;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cost of a tick follows the notifications due, not the users: on a populated database, the
 * plans of the tick's statements read PazPaz's tables only through indexes, one candidate at a
 * time. {@code -Dproducer.plan.workspaces=100000} (three users each) reproduces the figures in the
 * report; the default keeps the test to seconds.
 */
class QueryPlanTest extends ProducerTestBase {

  private static final Logger LOG = LoggerFactory.getLogger(QueryPlanTest.class);
  private static final int WORKSPACES = Integer.getInteger("producer.plan.workspaces", 6_000);
  private static final List<String> ZONES =
      List.of(
          "America/New_York",
          "America/New_York",
          "America/Chicago",
          "America/Los_Angeles",
          "Europe/London",
          "Europe/Berlin",
          "Europe/Berlin",
          "Asia/Jerusalem",
          "Asia/Kolkata",
          "Asia/Kathmandu",
          "Australia/Sydney",
          "Australia/Lord_Howe",
          "Pacific/Kiritimati",
          "Pacific/Pago_Pago",
          "Asia/Tokyo",
          "America/Sao_Paulo");

  /** 18:00 in Berlin (the default notes time) and 08:00 in Kiritimati... on a winter Monday. */
  private static final Instant BUSY = Instant.parse("2027-01-11T17:00:00Z");

  /** A minute at which no one's time falls anywhere: times are on the hour and half hour. */
  private static final Instant IDLE = Instant.parse("2027-01-11T17:07:00Z");

  private final DueResolver resolver = new DueResolver(StalenessRules.DEFAULTS);
  private ProducerHarness data;
  private ZoneCatalog catalog;

  QueryPlanTest(TestDatabase database, TestRedis redis) {
    super(database, redis);
  }

  @BeforeAll
  void populate() {
    // One population for the class: not the per-scenario harness, which is reset after each test.
    data = new ProducerHarness(database, redis, redisson, BUSY);
    DSLContext dsl = data.dsl();
    String zones =
        ZONES.stream().map(z -> "'" + z + "'").collect(Collectors.joining(",", "ARRAY[", "]"));
    long started = System.nanoTime();
    dsl.execute(
        "INSERT INTO workspaces (id, name, timezone) SELECT gen_random_uuid(), 'ws' || i, ("
            + zones
            + ")[1 + i % "
            + ZONES.size()
            + "] FROM generate_series(1, "
            + WORKSPACES
            + ") i");
    dsl.execute(
        "INSERT INTO users (id, workspace_id, email, full_name)"
            + " SELECT gen_random_uuid(), w.id, 'u' || g || '.' || w.id || '@example.test', 'n'"
            + " FROM workspaces w, generate_series(1, 3) g");
    // Times cluster on the hour and half hour; the notes reminder keeps PazPaz's 18:00 default
    // for most; digests are opt-in.
    dsl.execute(
        "INSERT INTO user_notification_settings (user_id, workspace_id, digest_enabled, digest_time,"
            + " tomorrow_digest_enabled, tomorrow_digest_time, notes_reminder_time, reminder_minutes)"
            + " SELECT u.id, u.workspace_id, random() < 0.3,"
            + " lpad((6 + floor(random() * 4))::int::text, 2, '0') || (CASE WHEN random() < 0.7 THEN ':00' ELSE ':30' END),"
            + " random() < 0.2, lpad((18 + floor(random() * 4))::int::text, 2, '0') || ':00',"
            + " CASE WHEN random() < 0.6 THEN '18:00' ELSE lpad((16 + floor(random() * 6))::int::text, 2, '0') || ':00' END,"
            + " (ARRAY[15, 30, 60, 120, 1440])[1 + floor(random() * 5)::int]"
            + " FROM users u");
    dsl.execute(
        "INSERT INTO clients (id, workspace_id, first_name, last_name)"
            + " SELECT gen_random_uuid(), w.id, '\\x00'::bytea, '\\x00'::bytea FROM workspaces w");
    // Four appointments per workspace over the next two days, on the quarter hour.
    dsl.execute(
        "INSERT INTO appointments (workspace_id, client_id, scheduled_start, scheduled_end, updated_at, created_at)"
            + " SELECT c.workspace_id, c.id, t, t + interval '50 minutes', now() - interval '3 days', now() - interval '3 days'"
            + " FROM clients c, LATERAL (SELECT timestamptz '2027-01-11 17:00Z' + (floor(random() * 192) * interval '15 minutes') AS t"
            + " FROM generate_series(1, 4)) s");
    dsl.execute(
        "INSERT INTO sessions (workspace_id, client_id, created_by_user_id, session_date, is_draft)"
            + " SELECT u.workspace_id, c.id, u.id, now(), true FROM users u JOIN clients c ON c.workspace_id = u.workspace_id"
            + " WHERE random() < 0.3");
    dsl.execute("UPDATE user_notification_settings SET updated_at = now() - interval '3 days'");
    dsl.execute("UPDATE workspaces SET updated_at = now() - interval '3 days'");
    // One tick builds the schedule index; then fresh statistics.
    data.dsl().transaction(cfg -> new ScheduleIndex().syncAll(cfg.dsl()));
    dsl.execute("ANALYZE");
    Map<String, ZoneId> zonesInUse = new HashMap<>();
    ZONES.forEach(z -> zonesInUse.put(z, ZoneId.of(z)));
    catalog = new ZoneCatalog(zonesInUse, Set.of());
    LOG.info(
        "populated {} workspaces, {} users in {} ms",
        WORKSPACES,
        3 * WORKSPACES,
        (System.nanoTime() - started) / 1_000_000);
  }

  /** EXPLAIN ANALYZE inside a transaction that is rolled back (the statement inserts). */
  private String explain(Query query) {
    StringBuilder plan = new StringBuilder();
    try {
      data.dsl()
          .transaction(
              cfg -> {
                cfg.dsl().execute("SET LOCAL jit = off");
                cfg.dsl()
                    .fetch(
                        "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + query.getSQL(ParamType.INLINED))
                    .forEach(r -> plan.append(r.get(0, String.class)).append('\n'));
                throw new RollbackOnPurpose();
              });
    } catch (RollbackOnPurpose expected) {
      // rolled back
    }
    return plan.toString();
  }

  private static final class RollbackOnPurpose extends RuntimeException {
    private static final long serialVersionUID = 1L;
  }

  private static void assertIndexOnly(String plan) {
    for (String table :
        List.of(
            "users",
            "user_notification_settings",
            "workspaces",
            "notifier_user_schedule",
            "appointments",
            "sessions")) {
      assertThat(plan).as("plan:%n%s", plan).doesNotContain("Seq Scan on " + table + " ");
      assertThat(plan).doesNotContain("Seq Scan on " + table + "\n");
    }
  }

  private String tickPlan(Instant now, String label) {
    Instant from = now.minus(Duration.ofMinutes(1)).plus(ProducerConfig.DEFAULT_LOOK_AHEAD);
    Instant to = now.plus(ProducerConfig.DEFAULT_LOOK_AHEAD);
    OffsetDateTime lateSince =
        data.dsl().select(DSL.currentOffsetDateTime()).fetchSingle().value1().minusMinutes(5);
    String plan =
        explain(
            resolver.query(
                data.dsl(),
                catalog.groups(from, to),
                from,
                to,
                now,
                lateSince,
                DueResolver.Part.ALL));
    LOG.info("{} minute, {} workspaces:\n{}", label, WORKSPACES, plan);
    return plan;
  }

  @Test
  void aBusyMinuteReadsOnlyTheUsersDueThroughIndexes() {
    String plan = tickPlan(BUSY.minus(ProducerConfig.DEFAULT_LOOK_AHEAD), "busy");

    assertIndexOnly(plan);
    assertThat(plan)
        .contains("ix_user_schedule_notes")
        .contains("uq_user_notification_settings_user");
  }

  @Test
  void anIdleMinuteReadsAlmostNothing() {
    String plan = tickPlan(IDLE.minus(ProducerConfig.DEFAULT_LOOK_AHEAD), "idle");

    assertIndexOnly(plan);
    // No candidate: the per-candidate lookups never run.
    assertThat(plan).contains("never executed");
  }

  @Test
  void theChangeTrackingReadsOnlyWhatChanged() {
    OffsetDateTime since =
        data.dsl().select(DSL.currentOffsetDateTime()).fetchSingle().value1().minusMinutes(5);
    // The schedule index's per-tick sync, as a plain SELECT of its source rows.
    String plan =
        explain(
            DSL.query(
                "SELECT s.user_id FROM user_notification_settings s JOIN users u ON u.id = s.user_id"
                    + " JOIN workspaces w ON w.id = u.workspace_id WHERE s.updated_at >= {0}"
                    + " UNION SELECT s.user_id FROM user_notification_settings s JOIN users u ON u.id = s.user_id"
                    + " JOIN workspaces w ON w.id = u.workspace_id WHERE w.updated_at >= {0}",
                since));
    LOG.info("change tracking:\n{}", plan);

    assertIndexOnly(plan);
    assertThat(plan).contains("ix_uns_updated_at").contains("ix_workspaces_updated_at");
  }
}
