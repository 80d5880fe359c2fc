package io.notifier.reliability;

import static io.notifier.db.jooq.Tables.NOTIFIER_DELIVERIES;
import static io.notifier.db.jooq.Tables.NOTIFIER_SCHEDULER_STATE;
import static org.awaitility.Awaitility.await;

import io.notifier.db.fixtures.Fixtures;
import io.notifier.model.NotificationStatus;
import io.notifier.queue.QueueConfig;
import io.notifier.queue.RedisJobQueue;
import io.notifier.testing.TestDatabase;
import io.notifier.testing.TestRedis;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jooq.DSLContext;
import org.redisson.api.RedissonClient;

/**
 * One notifier deployment of a fault scenario: producer and consumer processes sharing a simulated
 * clock, each reaching PostgreSQL and Redis through its own {@link TcpProxy} (so a test can cut one
 * process off, or all), and an SMTP server behind a proxy too. Settings are shortened for simulated
 * time (see docs/RELIABILITY.md, "Settings under simulated time"):
 *
 * <ul>
 *   <li>look-ahead 20 minutes, so a test stepping the clock 15 minutes at a time finds every job
 *       queued before it falls due;
 *   <li>SMTP timeouts of 1 s / 3 s / 1 s, a ledger lease of 6 s and a visibility timeout of 8 s,
 *       reclaim every second: a killed consumer's deliveries are taken over within seconds;
 *   <li>a leader lease of 3 s: a killed leader is replaced within seconds.
 * </ul>
 */
final class Deployment implements AutoCloseable {

  static final Duration LOOK_AHEAD = Duration.ofMinutes(20);
  static final String MAIL_DOMAIN = "pazpaz.example";

  private static final Pattern JDBC =
      Pattern.compile("jdbc:postgresql://([^/:]+):(\\d+)/([^?]+).*");

  final String scenario;
  final Path dir;
  final TestDatabase db;
  final SimulatedTime time;
  final String namespace;
  private final String pgHost;
  private final int pgPort;
  private final String dbName;
  private final String redisHost;
  private final int redisPort;
  private final TcpProxy smtpProxy;
  private final Map<String, TcpProxy> databaseProxies = new LinkedHashMap<>();
  private final Map<String, TcpProxy> redisProxies = new LinkedHashMap<>();
  private final Map<String, String> overrides = new HashMap<>();
  private final Map<String, Integer> generations = new HashMap<>();
  private final List<NotifierProcess> processes = new ArrayList<>();

  Deployment(
      String scenario,
      TestDatabase db,
      String redisHost,
      int redisPort,
      String namespace,
      int smtpPort,
      Instant start) {
    this.scenario = scenario;
    this.db = db;
    this.namespace = namespace;
    this.redisHost = redisHost;
    this.redisPort = redisPort;
    Matcher m = JDBC.matcher(db.jdbcUrl());
    if (!m.matches()) {
      throw new IllegalArgumentException("unexpected JDBC URL " + db.jdbcUrl());
    }
    this.pgHost = m.group(1);
    this.pgPort = Integer.parseInt(m.group(2));
    this.dbName = m.group(3);
    this.dir = Path.of("target", "reliability", scenario);
    try {
      Files.createDirectories(dir);
      try (var old = Files.list(dir)) {
        for (Path p : old.toList()) {
          Files.deleteIfExists(p);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.time = SimulatedTime.startingAt(dir.resolve("clock"), start);
    this.smtpProxy = new TcpProxy("smtp", "127.0.0.1", smtpPort);
  }

  /** A deployment on the test's own Redis namespace. */
  Deployment(String scenario, TestDatabase db, TestRedis redis, int smtpPort, Instant start) {
    this(scenario, db, redis.host(), redis.port(), redis.namespace(), smtpPort, start);
  }

  /**
   * The deployment's queue as the test reads and writes it: straight to Redis (never through a
   * process's proxy), on the deployment's namespace and simulated clock.
   */
  RedisJobQueue queue(RedissonClient redisson) {
    return new RedisJobQueue(
        redisson,
        QueueConfig.defaults(namespace).withTimeSource(QueueConfig.TimeSource.CLOCK),
        time.clock());
  }

  /** Overrides (or adds) a NOTIFIER_* variable for processes started from now on. */
  Deployment env(String name, String value) {
    overrides.put(name, value);
    return this;
  }

  DSLContext dsl() {
    return db.dsl();
  }

  Fixtures fixtures() {
    return new Fixtures(db.dsl());
  }

  NotifierProcess producer(String name) {
    return start(name, List.of("producer", "run"), "NOTIFIER_PRODUCER_ID");
  }

  NotifierProcess consumer(String name) {
    return start(name, List.of("consumer", "run"), "NOTIFIER_CONSUMER_ID");
  }

  private NotifierProcess start(String name, List<String> command, String idVariable) {
    int generation = generations.merge(name, 1, Integer::sum);
    String workerId = name + "-" + generation;
    TcpProxy pg =
        databaseProxies.computeIfAbsent(name, n -> new TcpProxy(n + "-pg", pgHost, pgPort));
    TcpProxy redis =
        redisProxies.computeIfAbsent(name, n -> new TcpProxy(n + "-redis", redisHost, redisPort));
    Map<String, String> env = new LinkedHashMap<>();
    env.put("NOTIFIER_DATABASE_URL", "jdbc:postgresql://127.0.0.1:" + pg.port() + "/" + dbName);
    env.put("NOTIFIER_DATABASE_USER", db.user());
    env.put("NOTIFIER_DATABASE_PASSWORD", db.password());
    env.put("NOTIFIER_DATABASE_POOL_SIZE", "4");
    env.put("NOTIFIER_DATABASE_CONNECT_TIMEOUT", "2s");
    env.put("NOTIFIER_REDIS_URL", "redis://127.0.0.1:" + redis.port());
    env.put("NOTIFIER_REDIS_NAMESPACE", namespace);
    env.put("NOTIFIER_REDIS_TIMEOUT", "2s");
    env.put("NOTIFIER_CLOCK", time.environmentValue());
    env.put("NOTIFIER_HTTP_PORT", "0"); // the process picks one and logs it (NotifierProcess)
    env.put("NOTIFIER_HTTP_BIND", "127.0.0.1");
    env.put("NOTIFIER_LOOK_AHEAD", "20m");
    env.put("NOTIFIER_LEADER_LEASE", "3s");
    env.put("NOTIFIER_SMTP_HOST", "127.0.0.1");
    env.put("NOTIFIER_SMTP_PORT", Integer.toString(smtpProxy.port()));
    env.put("NOTIFIER_SMTP_CONNECT_TIMEOUT", "1s");
    env.put("NOTIFIER_SMTP_READ_TIMEOUT", "3s");
    env.put("NOTIFIER_SMTP_WRITE_TIMEOUT", "1s");
    env.put("NOTIFIER_SMTP_POOL_SIZE", "4");
    env.put("NOTIFIER_LEDGER_LEASE", "6s");
    env.put("NOTIFIER_VISIBILITY_TIMEOUT", "8s");
    env.put("NOTIFIER_RECLAIM_INTERVAL", "1s");
    env.put("NOTIFIER_CONSUMER_CONCURRENCY", "8");
    env.put("NOTIFIER_RETRY_INITIAL_BACKOFF", "20s");
    env.put("NOTIFIER_RETRY_MAX_BACKOFF", "2m");
    env.put("NOTIFIER_SHUTDOWN_GRACE", "3s");
    env.put("NOTIFIER_HEARTBEAT_INTERVAL", "2s");
    env.put("NOTIFIER_ENCRYPTION_KEYS", Fixtures.testKeysSetting());
    env.put(
        "NOTIFIER_LEGACY_ENCRYPTION_KEY",
        Base64.getEncoder()
            .encodeToString(Fixtures.testKeys().legacy().orElseThrow().getEncoded()));
    env.put(idVariable, workerId);
    env.putAll(overrides);
    NotifierProcess process =
        NotifierProcess.start(name, workerId, command, env, dir.resolve(name + ".log"));
    processes.add(process);
    return process;
  }

  /** Waits until each process serves /metrics: its component has started. */
  void awaitStarted(NotifierProcess... started) {
    for (NotifierProcess p : started) {
      await(p + " started")
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> !p.isAlive() || !p.scrape().isEmpty());
      if (!p.isAlive()) {
        throw new AssertionError(p + " died at start:\n" + p.logText());
      }
    }
  }

  TcpProxy databaseProxy(String name) {
    return databaseProxies.get(name);
  }

  TcpProxy redisProxy(String name) {
    return redisProxies.get(name);
  }

  TcpProxy smtpProxy() {
    return smtpProxy;
  }

  void cutRedis() {
    redisProxies.values().forEach(TcpProxy::cut);
  }

  void restoreRedis() {
    redisProxies.values().forEach(TcpProxy::restore);
  }

  void cutDatabase() {
    databaseProxies.values().forEach(TcpProxy::cut);
  }

  void restoreDatabase() {
    databaseProxies.values().forEach(TcpProxy::restore);
  }

  List<NotifierProcess> processes() {
    return List.copyOf(processes);
  }

  // ---- stepping simulated time --------------------------------------------------------------

  /**
   * Sets the clock to {@code t} and waits until the deployment has caught up with it: a producer
   * has covered {@code t} + look-ahead, and no ledger row due by {@code t} is unfinished (pending,
   * waiting for a retry due by then, or being sent).
   */
  void stepTo(Instant t) {
    time.set(t);
    settle(t, Duration.ofSeconds(90));
  }

  void settle(Instant t, Duration atMost) {
    await("the deployment caught up with " + t)
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(25))
        .conditionEvaluationListener(
            condition -> {
              if (condition.getRemainingTimeInMS() <= 0) {
                System.err.println(diagnostics(t));
              }
            })
        .until(() -> caughtUp(t));
  }

  boolean caughtUp(Instant t) {
    Instant covered = coveredUntil();
    return covered != null && !covered.isBefore(t.plus(LOOK_AHEAD)) && unfinishedDueBy(t) == 0;
  }

  Instant coveredUntil() {
    OffsetDateTime covered =
        dsl()
            .select(NOTIFIER_SCHEDULER_STATE.COVERED_UNTIL)
            .from(NOTIFIER_SCHEDULER_STATE)
            .fetchOne(NOTIFIER_SCHEDULER_STATE.COVERED_UNTIL);
    return covered == null ? null : covered.toInstant();
  }

  int unfinishedDueBy(Instant t) {
    var d = NOTIFIER_DELIVERIES;
    return dsl()
        .fetchCount(
            d,
            d.STATUS
                .eq(NotificationStatus.SENDING.code())
                .or(
                    d.STATUS
                        .in(NotificationStatus.PENDING.code(), NotificationStatus.RETRY_WAIT.code())
                        .and(d.NEXT_ATTEMPT_AT.le(t.atOffset(ZoneOffset.UTC)))));
  }

  /** Ledger rows by status, for messages. */
  Map<String, Integer> statusCounts() {
    var d = NOTIFIER_DELIVERIES;
    return dsl()
        .select(d.STATUS, org.jooq.impl.DSL.count())
        .from(d)
        .groupBy(d.STATUS)
        .fetch()
        .stream()
        .collect(Collectors.toMap(r -> r.value1(), r -> r.value2()));
  }

  String diagnostics(Instant t) {
    return "scenario "
        + scenario
        + " stuck at "
        + t
        + " (clock reads "
        + time.now()
        + "): covered until "
        + coveredUntil()
        + ", unfinished due by then "
        + unfinishedDueBy(t)
        + ", ledger "
        + statusCounts()
        + ", processes "
        + processes.stream().map(p -> p + (p.isAlive() ? "" : " dead")).toList()
        + "; logs in "
        + dir.toAbsolutePath();
  }

  @Override
  public void close() {
    for (NotifierProcess p : processes) {
      if (p.isAlive()) {
        p.kill();
      }
    }
    smtpProxy.close();
    databaseProxies.values().forEach(TcpProxy::close);
    redisProxies.values().forEach(TcpProxy::close);
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
