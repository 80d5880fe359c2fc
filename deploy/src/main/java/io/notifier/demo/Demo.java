package io.notifier.demo;

import io.notifier.app.UserException;
import io.notifier.db.Database;
import io.notifier.db.DatabaseConfig;
import io.notifier.db.MigrationScope;
import io.notifier.db.Migrations;
import io.notifier.db.crypto.ClientNameCipher;
import io.notifier.delivery.Consumer;
import io.notifier.delivery.ConsumerConfig;
import io.notifier.health.Heartbeats;
import io.notifier.mail.SmtpConfig;
import io.notifier.metrics.NotifierMetrics;
import io.notifier.model.NotificationKind;
import io.notifier.ops.health.HealthEvaluator;
import io.notifier.ops.health.HealthService;
import io.notifier.ops.health.LoopWatch;
import io.notifier.ops.http.HttpConfig;
import io.notifier.ops.http.OpsHttpServer;
import io.notifier.ops.metrics.ProcessMetrics;
import io.notifier.ops.observe.ObserverConfig;
import io.notifier.ops.observe.RedisObserver;
import io.notifier.queue.QueueConfig;
import io.notifier.queue.RedisJobQueue;
import io.notifier.redis.RedisClients;
import io.notifier.redis.RedisConfig;
import io.notifier.schedule.Producer;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.redisson.api.RedissonClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of {@code notifier demo}: starts what is not configured (PostgreSQL, Redis, an SMTP
 * inbox), migrates, seeds the demo practice, and runs a producer, the consumers and the HTTP
 * metrics and health endpoints in this process, printing each email as it arrives. {@link #close}
 * stops everything in reverse order of start (the consumers drain while the inbox still receives;
 * the embedded servers stop last). Nothing here reads the time but through the injected clock.
 */
final class Demo implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Demo.class);

  /** The role tag of the demo's meters: one process plays producer and consumers. */
  static final String ROLE = "demo";

  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");
  private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("HH:mm");

  private final DemoConfig config;
  private final Clock clock;
  private final PrintWriter out;
  private final ZoneId terminalZone;
  private final Deque<Closer> opened = new ArrayDeque<>();
  private final Set<String> awaited = new HashSet<>();
  private int expectedCount;
  private DemoPractice.Seeded seeded;
  private EmbeddedPostgresServer postgres;
  private EmbeddedRedisServer embeddedRedis;
  private DemoInbox inbox;
  private OpsHttpServer server;
  private String redisDescription;
  private String databaseDescription;
  private boolean closed;

  /** Something to stop, and what to call it if stopping fails. */
  private record Closer(String name, AutoCloseable closeable) {}

  /**
   * @param out the user's terminal (the command's standard output)
   * @param terminalZone the zone the printed times are shown in
   */
  Demo(DemoConfig config, Clock clock, PrintWriter out, ZoneId terminalZone) {
    this.config = config;
    this.clock = clock;
    this.out = out;
    this.terminalZone = terminalZone;
  }

  /**
   * Starts everything and prints what runs where and what to expect. With {@code seedOnly}, seeds
   * and returns with nothing left running. On failure, whatever started is stopped again.
   */
  void start() {
    try {
      Database database = database();
      migrateAndSeed(database);
      if (config.seedOnly()) {
        out.println("Seeded; nothing else runs with --seed-only.");
        return;
      }
      run(database);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  // ---- PostgreSQL --------------------------------------------------------------------------

  private Database database() {
    DatabaseConfig db = config.database();
    if (config.embeddedDatabase()) {
      say("Starting embedded PostgreSQL (the first start unpacks it: a few seconds)...");
      postgres = EmbeddedPostgresServer.start();
      opened.push(new Closer("embedded PostgreSQL", postgres));
      db =
          new DatabaseConfig(
              postgres.jdbcUrl(),
              EmbeddedPostgresServer.USER,
              null,
              db.maxPoolSize(),
              db.connectTimeout());
      databaseDescription = postgres.describe() + ", " + db.jdbcUrl();
    } else {
      databaseDescription = redactedUrl(db.jdbcUrl()) + " (configured)";
    }
    Database database = Database.connect(db, ROLE);
    opened.push(new Closer("database pool", database));
    return database;
  }

  private void migrateAndSeed(Database database) {
    DatabaseContents contents = DatabaseContents.read(database.dsl());
    boolean seed = config.seeds();
    if (!config.embeddedDatabase()
        && config.seeding() == DemoConfig.Seeding.IF_EMPTY
        && !contents.empty()) {
      throw new UserException(
          "the configured database already holds "
              + contents.workspaces()
              + " workspace(s), and the demo seeds only an empty one. Use an empty database,"
              + " add --force-seed to add the demo practice beside what is there, or leave out"
              + " --seed to run on the data as it is");
    }
    MigrationScope scope = contents.migrationScope();
    List<Migrations.Applied> applied = Migrations.migrate(database.dataSource(), scope);
    int ran = applied.stream().mapToInt(Migrations.Applied::migrationsExecuted).sum();
    String migrated =
        (scope == MigrationScope.ALL
                ? "PazPaz's tables and the notifier's"
                : "the notifier's tables only (PazPaz owns its own)")
            + (ran == 0 ? ", already up to date" : ", " + ran + " migration(s) applied");
    databaseDescription += "; " + migrated;
    if (!seed) {
      say(
          "Not seeding: the database is configured. Its own data drives the emails; add --seed"
              + " to add the demo practice.");
      return;
    }
    ClientNameCipher cipher = new ClientNameCipher(config.keys());
    DemoSchedule schedule = DemoSchedule.at(clock.instant());
    seeded = DemoPractice.seed(database.dsl(), cipher, schedule);
    for (DemoPractice.Expected e : seeded.expected()) {
      awaited.add(key(e.kind().code(), e.email()));
    }
    expectedCount = awaited.size();
    say(
        "Seeded the demo practice: %d workspaces (Asia/Jerusalem, America/New_York, Asia/Kathmandu,"
            + " Europe/London, and one without a time zone: UTC), %d users, %d appointments, %d"
            + " draft notes.",
        seeded.workspaces(), seeded.users(), seeded.appointments(), seeded.draftNotes());
    seeded.notes().forEach(note -> say("  note: %s", note));
  }

  // ---- Redis, SMTP, the components ----------------------------------------------------------

  private void run(Database database) {
    ProcessMetrics metrics = new ProcessMetrics(ROLE);
    opened.push(new Closer("metrics", metrics));
    LoopWatch loops = new LoopWatch(metrics.notifierMetrics(), clock);
    RedisConfig redis = redisConfig();
    // The inbox reports its failures unwatched: it is idle between emails, not wedged.
    SmtpConfig smtp = smtpConfig(metrics.notifierMetrics());

    // One injected clock for the whole process: the queue follows it rather than Redis's TIME
    // (which a deployment uses so that consumers on different hosts agree).
    QueueConfig queueConfig =
        QueueConfig.defaults(redis.namespace()).withTimeSource(QueueConfig.TimeSource.CLOCK);
    RedisObserver observer =
        new RedisObserver(redis, queueConfig.keys(), ObserverConfig.defaults(), clock);
    opened.push(new Closer("Redis observer", observer));
    metrics.bindQueueGauges(observer);

    // Each component gets its own Redis connections, as it would in its own process: stopping
    // one (which interrupts its threads) never disturbs the others' connections.
    RedissonClient producerRedis = redisson(redis, "producer");
    Producer producer =
        new Producer(
            config.producer(),
            database.dsl(),
            new RedisJobQueue(producerRedis, queueConfig, clock),
            producerRedis,
            clock,
            loops,
            new Heartbeats(
                producerRedis,
                queueConfig.keys(),
                clock,
                config.producer().instanceId(),
                "producer"));
    List<Consumer> consumers = new ArrayList<>();
    ClientNameCipher cipher = new ClientNameCipher(config.keys());
    for (ConsumerConfig consumerConfig : config.consumers()) {
      RedissonClient consumerRedis = redisson(redis, consumerConfig.consumerId());
      try {
        consumers.add(
            new Consumer(
                consumerConfig,
                smtp,
                config.content(),
                database.dsl(),
                new RedisJobQueue(consumerRedis, queueConfig, clock),
                cipher,
                clock,
                loops,
                new Heartbeats(
                    consumerRedis,
                    queueConfig.keys(),
                    clock,
                    consumerConfig.consumerId(),
                    "consumer")));
      } catch (IllegalArgumentException e) {
        throw new UserException("consumer settings: " + e.getMessage());
      }
    }
    producer.start();
    opened.push(new Closer("producer", producer));
    for (Consumer consumer : consumers) {
      consumer.start();
      opened.push(new Closer("consumer " + consumer.consumerId(), consumer));
    }
    HealthService health =
        new HealthService(
            observer, new HealthEvaluator(config.health(), clock), loops, database.dataSource());
    if (config.http().enabled()) {
      server = startHttp(config.http(), metrics, health);
      opened.push(new Closer("HTTP server", server));
    }
    printBanner(redis, smtp, consumers.size());
  }

  private RedissonClient redisson(RedisConfig redis, String name) {
    RedissonClient client = RedisClients.redisson(redis, "notifier-demo-" + name);
    opened.push(new Closer("Redis connections of " + name, client::shutdown));
    return client;
  }

  private RedisConfig redisConfig() {
    RedisConfig redis = config.redis();
    if (config.embeddedRedis()) {
      say("Starting embedded Redis...");
      embeddedRedis = EmbeddedRedisServer.start();
      opened.push(new Closer("embedded Redis", embeddedRedis));
      redis =
          RedisConfig.parse(embeddedRedis.uri(), null, redis.namespace())
              .withTimeout(redis.timeout());
      redisDescription = embeddedRedis.describe();
    } else {
      redisDescription = redis.describe() + " (configured)";
    }
    return redis;
  }

  private SmtpConfig smtpConfig(NotifierMetrics metrics) {
    SmtpConfig smtp = config.smtp();
    if (!config.inProcessInbox()) {
      return smtp;
    }
    inbox = DemoInbox.start(config.mailDir(), clock, metrics, this::received);
    opened.push(new Closer("SMTP inbox", inbox));
    return new SmtpConfig(
        DemoInbox.HOST,
        inbox.port(),
        SmtpConfig.Security.PLAIN,
        null,
        null,
        smtp.connectTimeout(),
        smtp.readTimeout(),
        smtp.writeTimeout(),
        smtp.connectionPoolSize(),
        smtp.poolClaimTimeout(),
        smtp.fromAddress(),
        smtp.fromName(),
        smtp.messageIdDomain(),
        false);
  }

  private OpsHttpServer startHttp(HttpConfig http, ProcessMetrics metrics, HealthService health) {
    try {
      return new OpsHttpServer(http, metrics::scrape, health).start();
    } catch (UncheckedIOException e) {
      if (config.httpPortChosen()) {
        throw new UserException(e.getMessage() + " (choose another with --http-port)", e);
      }
      // The default port is taken (another notifier?): any free one will do for a demo.
      LOG.info("port {} is taken; serving HTTP on a free port instead", http.port());
      return new OpsHttpServer(new HttpConfig(http.bindAddress(), 0), metrics::scrape, health)
          .start();
    }
  }

  // ---- output -------------------------------------------------------------------------------

  private void printBanner(RedisConfig redis, SmtpConfig smtp, int consumerCount) {
    out.println();
    out.println("notifier demo is running:");
    out.printf("  PostgreSQL  %s%n", databaseDescription);
    out.printf("  Redis       %s, key namespace %s%n", redisDescription, redis.namespace());
    if (inbox != null) {
      out.printf(
          "  SMTP        in-process inbox on %s:%d; every email is saved in %s%n",
          DemoInbox.HOST, inbox.port(), config.mailDir().toAbsolutePath().normalize());
    } else {
      out.printf(
          "  SMTP        %s:%d (configured): the emails are there, not printed here%n",
          smtp.host(), smtp.port());
    }
    out.printf(
        "  workers     1 producer (ticks every %s), %d consumers%n",
        human(config.producer().tickInterval()), consumerCount);
    if (server != null) {
      String base = "http://localhost:" + server.port();
      out.printf("  HTTP        %s/metrics  %s/api/v1/health/workers%n", base, base);
    }
    if (seeded != null) {
      out.printf("  expect      %s%n", expectation());
    }
    out.println(
        "  elsewhere   the same services for other commands (notifier health, queue stats,"
            + " deliveries --user ID):");
    out.printf("              %s%n", exports(redis));
    out.println();
    out.println("Emails as they arrive (Ctrl-C stops the demo):");
    out.flush();
  }

  private String expectation() {
    if (seeded.expected().isEmpty()) {
      return "no emails in the next two minutes (see the notes above)";
    }
    Instant last =
        seeded.expected().stream()
            .map(DemoPractice.Expected::dueAt)
            .max(Instant::compareTo)
            .orElseThrow();
    Map<NotificationKind, Integer> byKind = new EnumMap<>(NotificationKind.class);
    seeded.expected().forEach(e -> byKind.merge(e.kind(), 1, Integer::sum));
    return expectedCount
        + " emails by "
        + MINUTE.format(last.atZone(terminalZone))
        + " ("
        + byKind.entrySet().stream()
            .map(e -> e.getValue() + " " + e.getKey().code())
            .collect(Collectors.joining(", "))
        + "), then more reminders as appointments come closer";
  }

  private String exports(RedisConfig redis) {
    List<String> vars = new ArrayList<>();
    if (postgres != null) {
      vars.add("NOTIFIER_DATABASE_URL=" + postgres.jdbcUrl());
      vars.add("NOTIFIER_DATABASE_USER=" + EmbeddedPostgresServer.USER);
    }
    if (config.embeddedRedis()) {
      vars.add("NOTIFIER_REDIS_URL=" + redis.nodeAddresses().get(0));
    }
    vars.add("NOTIFIER_REDIS_NAMESPACE=" + redis.namespace());
    return "export " + String.join(" ", vars);
  }

  /** Called by the inbox's writer thread for each email. */
  private void received(DemoInbox.Email email) {
    ZoneId recipientZone = seeded == null ? null : seeded.zoneByEmail().get(email.recipient());
    String there =
        recipientZone == null
            ? ""
            : "  ("
                + recipientZone.getId()
                + ", "
                + MINUTE.format(email.receivedAt().atZone(recipientZone))
                + " there)";
    boolean allArrived;
    synchronized (awaited) {
      boolean wasWaiting = !awaited.isEmpty();
      awaited.remove(key(email.kind(), email.recipient()));
      allArrived = wasWaiting && awaited.isEmpty();
    }
    out.printf(
        "MAIL %s  %-22s  %-34s  \"%s\"%s%n",
        TIME.format(email.receivedAt().atZone(terminalZone)),
        email.kind(),
        shown(email),
        email.subject(),
        there);
    if (allArrived) {
      out.printf(
          "All %d expected emails arrived; they are in %s. The demo keeps running: Ctrl-C stops"
              + " it.%n",
          expectedCount, config.mailDir().toAbsolutePath().normalize());
    }
    out.flush();
  }

  /**
   * The recipient as printed: the demo's own fake addresses as they are; anyone else's (a
   * configured database's real users) only as the delivery id, which {@code notifier deliveries}
   * and the logs know too.
   */
  static String shown(DemoInbox.Email email) {
    return email.recipient().endsWith("@" + DemoPractice.EMAIL_DOMAIN)
        ? email.recipient()
        : "delivery " + email.delivery();
  }

  /** The expected emails not yet received, as "kind recipient". */
  Set<String> awaited() {
    synchronized (awaited) {
      return new TreeSet<>(awaited);
    }
  }

  /** The port of the HTTP endpoints, or -1 when they are off. */
  int httpPort() {
    return server == null ? -1 : server.port();
  }

  /** The embedded PostgreSQL's port, or -1 when the database is configured. */
  int embeddedPostgresPort() {
    return postgres == null ? -1 : postgres.port();
  }

  /** The embedded Redis's port, or -1 when Redis is configured. */
  int embeddedRedisPort() {
    return embeddedRedis == null ? -1 : embeddedRedis.port();
  }

  /** Emails the in-process inbox saved (0 with a configured SMTP server). */
  int saved() {
    return inbox == null ? 0 : inbox.saved();
  }

  private static String key(String kind, String email) {
    return kind + " " + email;
  }

  private void say(String format, Object... args) {
    out.printf(format + "%n", args);
    out.flush();
  }

  private static String human(Duration d) {
    return HealthEvaluator.human(d);
  }

  /** Passwords in a JDBC URL's parameters never reach the terminal. */
  private static String redactedUrl(String url) {
    return url.replaceAll("(?i)(password=)[^&;]*", "$1<redacted>");
  }

  /**
   * Stops everything that was started, newest first: HTTP, the consumers (their in-flight sends
   * finish while the inbox still receives), the producer (releasing its lease), the connections,
   * the inbox (saving what arrived), then the embedded servers. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    while (!opened.isEmpty()) {
      Closer closer = opened.pop();
      try {
        closer.closeable().close();
      } catch (Exception e) {
        LOG.warn("stopping the {} failed: {}", closer.name(), e.toString());
      }
    }
  }
}
