package io.notifier.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.notifier.db.MigrationScope;
import io.notifier.db.Migrations;
import io.notifier.ledger.DeliveryLedger;
import io.notifier.ledger.NewDelivery;
import io.notifier.model.DedupKeys;
import io.notifier.model.NotificationJob;
import io.notifier.model.NotificationKind;
import io.notifier.queue.QueueConfig;
import io.notifier.queue.QueuedMessage;
import io.notifier.queue.RedisJobQueue;
import io.notifier.redis.RedisClients;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.UUID;
import org.jooq.DSLContext;
import org.postgresql.ds.PGSimpleDataSource;
import org.redisson.api.RedissonClient;

/** The benchmark's phases. Each prints its figures as it goes; {@link Figures} collects them. */
final class Bench implements AutoCloseable {

  static final Duration LOOK_AHEAD = io.notifier.schedule.ProducerConfig.DEFAULT_LOOK_AHEAD;

  final Settings settings;
  final Figures figures;
  private final PGSimpleDataSource dataSource;
  private final DSLContext dsl;
  private RedissonClient redisson;

  /** Every option of a run. */
  record Settings(
      String jdbcUrl,
      String redisUrl,
      String namespace,
      int users,
      long seed,
      LocalDate day,
      Path logs,
      int steadyRate,
      int steadySeconds,
      int soakJobs,
      int queueJobs,
      String consumerHeap,
      int concurrency,
      int smtpPoolSize) {}

  Bench(Settings settings, Figures figures) {
    this.settings = settings;
    this.figures = figures;
    this.dataSource = new PGSimpleDataSource();
    dataSource.setURL(settings.jdbcUrl());
    this.dsl = io.notifier.db.Database.dsl(dataSource);
  }

  Worker.Env env(long offsetMillis) {
    return new Worker.Env(
        settings.jdbcUrl(), settings.redisUrl(), settings.namespace(), offsetMillis);
  }

  RedissonClient redisson() {
    if (redisson == null) {
      redisson = RedisClients.redisson(env(0).redis(), "bench-harness");
    }
    return redisson;
  }

  Connection connect() throws SQLException {
    return DriverManager.getConnection(settings.jdbcUrl());
  }

  // ---- population -----------------------------------------------------------------------------

  /** Creates the database if needed, migrates it, and generates the population unless present. */
  void populate(boolean force) throws Exception {
    createDatabaseIfMissing();
    Migrations.migrate(dataSource, MigrationScope.ALL);
    try (Connection c = connect();
        Statement st = c.createStatement()) {
      st.execute(
          "CREATE TABLE IF NOT EXISTS bench_population (users int, seed bigint, day date,"
              + " generated_at timestamptz, summary text)");
      try (ResultSet rs =
          st.executeQuery("SELECT users, seed, day, summary FROM bench_population")) {
        if (!force
            && rs.next()
            && rs.getInt(1) == settings.users()
            && rs.getLong(2) == settings.seed()
            && rs.getObject(3, LocalDate.class).equals(settings.day())) {
          System.err.println("population present: " + rs.getString(4));
          figures.context("population", rs.getString(4));
          return;
        }
      }
      System.err.printf(
          "generating %,d users (seed %d, day %s)...%n",
          settings.users(), settings.seed(), settings.day());
      long t0 = System.nanoTime();
      Population.Counts counts =
          new Population(settings.users(), settings.seed(), settings.day()).generate(c);
      double copySeconds = (System.nanoTime() - t0) / 1e9;
      st.execute("VACUUM ANALYZE");
      double totalSeconds = (System.nanoTime() - t0) / 1e9;
      String summary =
          String.format(
              "%,d users in %,d workspaces over %d zones; %,d settings rows, %,d clients, %,d"
                  + " appointments, %,d draft notes",
              counts.users(),
              counts.workspaces(),
              counts.zonesInUse(),
              counts.settings(),
              counts.clients(),
              counts.appointments(),
              counts.drafts());
      st.execute("DELETE FROM bench_population");
      try (PreparedStatement ps =
          c.prepareStatement("INSERT INTO bench_population VALUES (?, ?, ?, now(), ?)")) {
        ps.setInt(1, settings.users());
        ps.setLong(2, settings.seed());
        ps.setObject(3, settings.day());
        ps.setString(4, summary);
        ps.executeUpdate();
      }
      System.err.println("generated: " + summary);
      figures.context("population", summary);
      figures.info("populate_copy_s", "population generated with COPY", copySeconds, "s", null);
      figures.info(
          "populate_total_s", "population ready (COPY + VACUUM ANALYZE)", totalSeconds, "s", null);
    }
  }

  private void createDatabaseIfMissing() throws SQLException {
    String url = settings.jdbcUrl();
    int slash = url.indexOf('/', "jdbc:postgresql://".length());
    int query = url.indexOf('?', slash);
    String name = url.substring(slash + 1, query < 0 ? url.length() : query);
    String admin =
        url.substring(0, slash + 1) + "postgres" + (query < 0 ? "" : url.substring(query));
    try (Connection c = DriverManager.getConnection(admin);
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + name + "'")) {
      if (!rs.next()) {
        st.execute("CREATE DATABASE \"" + name + "\"");
        System.err.println("created database " + name);
      }
    }
  }

  // ---- the busiest minute ---------------------------------------------------------------------

  /**
   * Due notifications per UTC minute on the benchmark day, from PazPaz's own tables (the same
   * eligibility the producer applies), and the busiest minute.
   */
  Map.Entry<Instant, Integer> busiestMinute() throws SQLException {
    try (Connection c = connect();
        Statement st = c.createStatement()) {
      st.execute("ALTER TABLE bench_population ADD COLUMN IF NOT EXISTS busiest timestamptz");
      st.execute("ALTER TABLE bench_population ADD COLUMN IF NOT EXISTS busiest_due int");
      try (ResultSet rs = st.executeQuery("SELECT busiest, busiest_due FROM bench_population")) {
        if (rs.next() && rs.getObject(1) != null) {
          return Map.entry(rs.getObject(1, OffsetDateTime.class).toInstant(), rs.getInt(2));
        }
      }
      Map.Entry<Instant, Integer> found = computeBusiestMinute();
      try (PreparedStatement ps =
          c.prepareStatement("UPDATE bench_population SET busiest = ?, busiest_due = ?")) {
        ps.setObject(1, found.getKey().atOffset(ZoneOffset.UTC));
        ps.setInt(2, found.getValue());
        ps.executeUpdate();
      }
      return found;
    }
  }

  private Map.Entry<Instant, Integer> computeBusiestMinute() throws SQLException {
    int dow = settings.day().getDayOfWeek().getValue() % 7;
    Map<Instant, Integer> perMinute = new HashMap<>();
    String live =
        " FROM user_notification_settings s JOIN users u ON u.id = s.user_id"
            + " JOIN workspaces w ON w.id = u.workspace_id"
            + " WHERE s.email_enabled AND u.is_active AND w.is_active AND w.status = 'active'"
            + " AND w.deleted_at IS NULL";
    String[] wall = {
      "SELECT coalesce(w.timezone, ''), s.notes_reminder_time, count(*)"
          + live
          + " AND s.notes_reminder_enabled AND EXISTS (SELECT 1 FROM sessions x WHERE"
          + " x.created_by_user_id = u.id AND x.is_draft AND x.deleted_at IS NULL) GROUP BY 1, 2",
      "SELECT coalesce(w.timezone, ''), s.digest_time, count(*)"
          + live
          + " AND s.digest_enabled AND "
          + dow
          + " = ANY (s.digest_days) GROUP BY 1, 2",
      "SELECT coalesce(w.timezone, ''), s.tomorrow_digest_time, count(*)"
          + live
          + " AND s.tomorrow_digest_enabled AND "
          + dow
          + " = ANY (s.tomorrow_digest_days)"
          + " GROUP BY 1, 2"
    };
    try (Connection c = connect();
        Statement st = c.createStatement()) {
      for (String sql : wall) {
        try (ResultSet rs = st.executeQuery(sql)) {
          while (rs.next()) {
            String zoneName = rs.getString(1);
            String time = rs.getString(2);
            if (time == null) {
              continue;
            }
            ZoneId zone = zoneName.isEmpty() ? ZoneOffset.UTC : ZoneId.of(zoneName);
            Instant due = settings.day().atTime(LocalTime.parse(time)).atZone(zone).toInstant();
            perMinute.merge(due, rs.getInt(3), Integer::sum);
          }
        }
      }
      try (ResultSet rs =
          st.executeQuery(
              "SELECT a.scheduled_start - make_interval(mins => s.reminder_minutes), count(*)"
                  + " FROM appointments a JOIN user_notification_settings s ON s.workspace_id ="
                  + " a.workspace_id JOIN users u ON u.id = s.user_id JOIN workspaces w ON w.id ="
                  + " a.workspace_id WHERE a.status = 'scheduled' AND s.email_enabled AND"
                  + " s.reminder_enabled AND u.is_active AND w.is_active AND w.status = 'active'"
                  + " GROUP BY 1")) {
        while (rs.next()) {
          Instant due = rs.getObject(1, OffsetDateTime.class).toInstant();
          perMinute.merge(due, rs.getInt(2), Integer::sum);
        }
      }
    }
    Instant from = settings.day().atStartOfDay(ZoneOffset.UTC).toInstant();
    Instant to = from.plus(Duration.ofDays(1));
    return perMinute.entrySet().stream()
        .filter(e -> !e.getKey().isBefore(from) && e.getKey().isBefore(to))
        .max(Map.Entry.comparingByValue())
        .orElseThrow();
  }

  // ---- resets ---------------------------------------------------------------------------------

  /** Empties the ledger, the watermark and this namespace's Redis keys. */
  /**
   * Writes out PostgreSQL's dirty buffers now. The producer's first tick rewrites the schedule
   * index of every user; in production a minute passes before the next tick, here none does, and
   * the busiest minute's tick would be measured while PostgreSQL is still writing the first's pages
   * (a checkpoint needs superuser or pg_checkpoint: without it, the tick runs as it is).
   */
  void checkpoint() {
    try (Connection c = connect();
        Statement st = c.createStatement()) {
      st.execute("CHECKPOINT");
    } catch (SQLException e) {
      System.err.println("no CHECKPOINT before the busiest tick: " + e.getMessage());
    }
  }

  /** Empties the ledger and the queue, keeping the producer's state (watermark, index). */
  void discardLedgerAndQueue() throws SQLException {
    try (Connection c = connect();
        Statement st = c.createStatement()) {
      st.execute("TRUNCATE notifier_deliveries");
    }
    var keys = QueueConfig.defaults(settings.namespace()).keys();
    redisson().getKeys().delete(keys.delayed(), keys.payloads(), keys.ready());
  }

  void reset() throws SQLException {
    try (Connection c = connect();
        Statement st = c.createStatement()) {
      st.execute("TRUNCATE notifier_deliveries, notifier_scheduler_state");
    }
    var keys = QueueConfig.defaults(settings.namespace()).keys();
    redisson()
        .getKeys()
        .delete(
            keys.delayed(),
            keys.payloads(),
            keys.ready(),
            keys.dead(),
            keys.leader(),
            keys.workers(),
            keys.lastRuns());
  }

  // ---- children -------------------------------------------------------------------------------

  /**
   * Heaps as production sizes them: 60% of the producer's 1 GiB limit (consumer: --consumer-heap).
   */
  static final String PRODUCER_HEAP = "-Xmx614m";

  Child producer() throws IOException {
    List<String> options = new ArrayList<>(List.of(PRODUCER_HEAP));
    options.addAll(extraOptions("BENCH_PRODUCER_OPTS"));
    return Child.start("producer", settings.logs(), options, args("worker", "producer", 0));
  }

  Child sink(long offset) throws IOException {
    List<String> options = new ArrayList<>(List.of("-Xmx512m"));
    options.addAll(extraOptions("BENCH_SINK_OPTS"));
    return Child.start("sink", settings.logs(), options, args("sink", null, offset));
  }

  Child consumer(String id, int smtpPort, long offset) throws IOException {
    List<String> a = new ArrayList<>(args("worker", "consumer", offset));
    a.add("--smtp-port=" + smtpPort);
    a.add("--id=" + id);
    a.add("--concurrency=" + settings.concurrency());
    a.add("--smtp-pool-size=" + settings.smtpPoolSize());
    List<String> options = new ArrayList<>(List.of("-Xmx" + settings.consumerHeap()));
    options.addAll(extraOptions("BENCH_CONSUMER_OPTS"));
    return Child.start(id, settings.logs(), options, a);
  }

  /** JVM options for a child from an environment variable (a profiler, for example). */
  private static List<String> extraOptions(String variable) {
    String value = System.getenv(variable);
    return value == null || value.isBlank() ? List.of() : List.of(value.trim().split("\\s+"));
  }

  private List<String> args(String command, String role, long offset) {
    List<String> a = new ArrayList<>();
    a.add(command);
    if (role != null) {
      a.add(role);
    }
    a.add("--jdbc-url=" + settings.jdbcUrl());
    a.add("--redis-url=" + settings.redisUrl());
    a.add("--namespace=" + settings.namespace());
    a.add("--offset-ms=" + offset);
    return a;
  }

  // ---- feeding jobs directly (steady load, soak) ---------------------------------------------

  /** Users a notes reminder or a digest would really be sent to (the re-check passes). */
  record Recipient(UUID user, UUID workspace, NotificationKind kind) {}

  List<Recipient> recipients(int count) throws SQLException {
    List<Recipient> out = new ArrayList<>(count);
    String base =
        "SELECT u.id, u.workspace_id FROM users u JOIN user_notification_settings s ON s.user_id ="
            + " u.id JOIN workspaces w ON w.id = u.workspace_id WHERE u.is_active AND w.is_active"
            + " AND w.status = 'active' AND s.email_enabled AND ";
    int digests = count * 3 / 10;
    try (Connection c = connect();
        Statement st = c.createStatement()) {
      try (ResultSet rs =
          st.executeQuery(
              base
                  + "s.notes_reminder_enabled AND EXISTS (SELECT 1 FROM sessions x WHERE"
                  + " x.created_by_user_id = u.id AND x.is_draft AND x.deleted_at IS NULL)"
                  + " ORDER BY u.id LIMIT "
                  + (count - digests))) {
        while (rs.next()) {
          out.add(
              new Recipient(
                  rs.getObject(1, UUID.class),
                  rs.getObject(2, UUID.class),
                  NotificationKind.SESSION_NOTES_REMINDER));
        }
      }
      try (ResultSet rs =
          st.executeQuery(
              base
                  + "s.digest_enabled AND EXISTS (SELECT 1 FROM appointments a WHERE"
                  + " a.workspace_id = w.id AND a.status <> 'cancelled' AND a.scheduled_start >= '"
                  + settings.day().atStartOfDay(ZoneOffset.UTC).minusHours(14)
                  + "' AND a.scheduled_start < '"
                  + settings.day().plusDays(1).atStartOfDay(ZoneOffset.UTC).plusHours(14)
                  + "') ORDER BY u.id DESC LIMIT "
                  + digests)) {
        while (rs.next()) {
          out.add(
              new Recipient(
                  rs.getObject(1, UUID.class),
                  rs.getObject(2, UUID.class),
                  NotificationKind.DAILY_DIGEST));
        }
      }
    }
    java.util.Collections.shuffle(out, new java.util.Random(settings.seed()));
    return out;
  }

  /**
   * Writes ledger rows and queues them (what the producer does), for support-style sends (a manual
   * dedup key: the day-of-week check is off, the switches and the content are real).
   */
  int feed(List<Recipient> pool, int from, int count, Instant firstDue, double perSecond)
      throws SQLException {
    List<NewDelivery> rows = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      Recipient r = pool.get((from + i) % pool.size());
      Instant due = perSecond <= 0 ? firstDue : firstDue.plusNanos((long) (i * 1e9 / perSecond));
      rows.add(
          NewDelivery.pending(
              DedupKeys.manual(r.kind(), r.user(), UUID.randomUUID()),
              r.kind(),
              r.user(),
              r.workspace(),
              null,
              settings.day(),
              null,
              null,
              due));
    }
    writeAndQueue(rows);
    return count;
  }

  /** Inserts the rows into the ledger and queues their jobs, as the producer's tick does. */
  private void writeAndQueue(List<NewDelivery> rows) {
    DeliveryLedger ledger = new DeliveryLedger(dsl, Clock.systemUTC());
    dsl.transaction(cfg -> ledger.insertNew(cfg.dsl(), rows));
    List<NotificationJob> jobs = new ArrayList<>(rows.size());
    for (NewDelivery row : rows) {
      jobs.add(row.toJob());
    }
    new RedisJobQueue(redisson(), env(0).queue(), Clock.systemUTC()).enqueue(jobs);
  }

  /**
   * Appointment reminders for the consumers' warm-up, written and queued as {@link #feed} does:
   * scheduled appointments of the benchmark day starting after {@code notBefore} (after every
   * measured instant, so each is still ahead when sent), each for one user of its workspace who has
   * reminders on. Without them the burst's reminders, half of it, would be the first the consumers
   * ever render.
   */
  int feedReminders(int count, Instant due, Instant notBefore) throws SQLException {
    List<NewDelivery> rows = new ArrayList<>(count);
    try (Connection c = connect();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT DISTINCT ON (a.id) a.id, a.workspace_id, a.scheduled_start, u.id,"
                    + " s.reminder_minutes FROM appointments a JOIN workspaces w ON w.id ="
                    + " a.workspace_id JOIN users u ON u.workspace_id = a.workspace_id JOIN"
                    + " user_notification_settings s ON s.user_id = u.id WHERE a.status ="
                    + " 'scheduled' AND a.scheduled_start > ? AND a.scheduled_start < ? AND"
                    + " w.is_active AND w.status = 'active' AND w.deleted_at IS NULL AND"
                    + " u.is_active AND s.email_enabled AND s.reminder_enabled ORDER BY a.id, u.id"
                    + " LIMIT ?")) {
      ps.setObject(1, notBefore.atOffset(ZoneOffset.UTC));
      ps.setObject(2, settings.day().plusDays(1).atStartOfDay(ZoneOffset.UTC).toOffsetDateTime());
      ps.setInt(3, count);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          UUID user = rs.getObject(4, UUID.class);
          rows.add(
              NewDelivery.pending(
                  DedupKeys.manual(NotificationKind.APPOINTMENT_REMINDER, user, UUID.randomUUID()),
                  NotificationKind.APPOINTMENT_REMINDER,
                  user,
                  rs.getObject(2, UUID.class),
                  rs.getObject(1, UUID.class),
                  null,
                  rs.getInt(5),
                  rs.getObject(3, OffsetDateTime.class).toInstant(),
                  due));
        }
      }
    }
    writeAndQueue(rows);
    return rows.size();
  }

  // ---- measuring deliveries -------------------------------------------------------------------

  /** Unfinished ledger rows (pending, sending, retry_wait) due at or before {@code dueBy}. */
  long unfinished(Instant dueBy) throws SQLException {
    try (Connection c = connect();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT count(*) FROM notifier_deliveries WHERE status IN ('pending', 'sending',"
                    + " 'retry_wait') AND next_attempt_at <= ?")) {
      ps.setObject(1, dueBy.atOffset(ZoneOffset.UTC));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  Map<String, Long> statusCounts() throws SQLException {
    Map<String, Long> out = new TreeMap<>();
    try (Connection c = connect();
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery("SELECT status, count(*) FROM notifier_deliveries GROUP BY 1")) {
      while (rs.next()) {
        out.put(rs.getString(1), rs.getLong(2));
      }
    }
    return out;
  }

  /**
   * Lateness of every accepted message in a sink dump: its acceptance (real time + offset) minus
   * its row's due instant, split by whether it was due at {@code burst}.
   */
  record Lateness(long[] steadyMillis, long[] burstMillis, long lastBurstAcceptance) {}

  Lateness lateness(Path dump, long offset, Instant burst, Instant steadyFrom, Instant steadyTo)
      throws IOException, SQLException {
    List<String> lines = Files.readAllLines(dump);
    Map<UUID, Long> accepted = new HashMap<>(lines.size() * 2);
    for (String line : lines) {
      int comma = line.indexOf(',');
      if (comma <= 0) {
        continue;
      }
      try {
        accepted.put(
            UUID.fromString(line.substring(0, comma)),
            Long.parseLong(line.substring(comma + 1)) + offset);
      } catch (IllegalArgumentException e) {
        // not one of ours
      }
    }
    List<UUID> ids = new ArrayList<>(accepted.keySet());
    long[] steady = new long[ids.size()];
    long[] burstL = new long[ids.size()];
    int ns = 0;
    int nb = 0;
    long lastBurst = 0;
    try (Connection c = connect();
        PreparedStatement ps =
            c.prepareStatement("SELECT id, due_at FROM notifier_deliveries WHERE id = ANY (?)")) {
      for (int i = 0; i < ids.size(); i += 10_000) {
        List<UUID> chunk = ids.subList(i, Math.min(ids.size(), i + 10_000));
        ps.setArray(1, c.createArrayOf("uuid", chunk.toArray()));
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            UUID id = rs.getObject(1, UUID.class);
            Instant due = rs.getObject(2, OffsetDateTime.class).toInstant();
            long at = accepted.get(id);
            long late = at - due.toEpochMilli();
            if (due.equals(burst)) {
              burstL[nb++] = late;
              lastBurst = Math.max(lastBurst, at);
            } else if (!due.isBefore(steadyFrom) && due.isBefore(steadyTo)) {
              steady[ns++] = late;
            } // else warm-up, or the idle minutes' few jobs after the burst
          }
        }
      }
    }
    return new Lateness(Arrays.copyOf(steady, ns), Arrays.copyOf(burstL, nb), lastBurst);
  }

  static double percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  // ---- queue round trip -----------------------------------------------------------------------

  /**
   * Enqueue, move, read and acknowledge {@code n} jobs through a namespace of their own, after an
   * unmeasured warm-up round of a tenth as many (a long-running process's code is compiled).
   */
  void queueRoundTrip(int n) {
    queueRound(Math.max(1, n / 10), false);
    queueRound(n, true);
  }

  private void queueRound(int n, boolean report) {
    String ns = settings.namespace() + "-queue";
    QueueConfig config = QueueConfig.defaults(ns).withTimeSource(QueueConfig.TimeSource.CLOCK);
    Clock clock = Clock.systemUTC();
    RedisJobQueue queue = new RedisJobQueue(redisson(), config, clock);
    var keys = config.keys();
    redisson().getKeys().delete(keys.delayed(), keys.payloads(), keys.ready(), keys.dead());
    queue.ensureGroup();
    SplittableRandom random = new SplittableRandom(settings.seed());
    Instant due = clock.instant();
    List<NotificationJob> jobs = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      UUID user = new UUID(random.nextLong(), random.nextLong());
      jobs.add(
          new NotificationJob(
              UUID.randomUUID(),
              NotificationKind.SESSION_NOTES_REMINDER,
              DedupKeys.daily(NotificationKind.SESSION_NOTES_REMINDER, user, settings.day()),
              user,
              new UUID(random.nextLong(), random.nextLong()),
              null,
              settings.day(),
              null,
              null,
              due,
              due,
              1));
    }
    long t0 = System.nanoTime();
    queue.enqueue(jobs);
    long t1 = System.nanoTime();
    int moved = 0;
    while (moved < n) {
      moved += queue.moveDue().moved();
    }
    long t2 = System.nanoTime();
    int acked = 0;
    while (acked < n) {
      List<QueuedMessage> batch = queue.read("bench", 500, Duration.ZERO);
      queue.ack(batch);
      acked += batch.size();
    }
    long t3 = System.nanoTime();
    redisson().getKeys().delete(keys.delayed(), keys.payloads(), keys.ready(), keys.dead());
    if (!report) {
      return;
    }
    double total = (t3 - t0) / 1e9;
    figures.info(
        "queue_enqueue_per_s", "queue: enqueue alone", n / ((t1 - t0) / 1e9), "jobs/s", null);
    figures.info(
        "queue_move_per_s", "queue: move due alone", n / ((t2 - t1) / 1e9), "jobs/s", null);
    figures.info(
        "queue_read_ack_per_s", "queue: read + ack alone", n / ((t3 - t2) / 1e9), "jobs/s", null);
    figures.atLeast(
        "queue_round_trip_per_s",
        "queue round trip (enqueue, move, read, ack)",
        n / total,
        "jobs/s",
        20_000,
        String.format("%,d jobs after a warm-up of %,d", n, n / 10));
  }

  static JsonNode call(Child child, String command) {
    return child.call(command, Duration.ofMinutes(10));
  }

  @Override
  public void close() {
    if (redisson != null) {
      redisson.shutdown();
    }
  }
}
