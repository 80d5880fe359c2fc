package io.notifier.schedule;

import io.notifier.health.Heartbeats;
import io.notifier.ledger.DeliveryLedger;
import io.notifier.metrics.NotifierMetrics;
import io.notifier.model.NotificationJob;
import io.notifier.model.NotificationKind;
import io.notifier.queue.RedisJobQueue;
import io.notifier.time.Clocks;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jooq.DSLContext;
import org.redisson.api.RedissonClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The producer: decides what is due and when, writes it to the ledger exactly once, and queues it
 * for its due instant. The CLI runs it ({@code notifier producer run}); {@link #tick} is also
 * {@code notifier producer tick --at ... [--dry-run]}.
 *
 * <p>A tick at {@code now}, in one transaction per slice of its window:
 *
 * <ol>
 *   <li>lock the watermark row ({@code FOR UPDATE}; created the first time as now minus one tick);
 *       the window is {@code (covered_until, now + look-ahead]}, its oldest part beyond the maximum
 *       catch-up abandoned with a warning and a counter;
 *   <li>first slice only: bring the schedule index up to date with PazPaz's changes, and find
 *       appointments booked or moved after their reminder was due (sent at once, late);
 *   <li>resolve the kinds in set-based statements that insert the ledger rows ({@code ON CONFLICT
 *       (dedup_key) DO NOTHING RETURNING}) — rows already too late are inserted as skipped and
 *       counted. Two at once: the wall-clock kinds in this transaction, the appointment reminders
 *       in their own on a second connection, committed and queued as soon as they are done;
 *   <li>once the reminders have committed, move the watermark to the slice's end and commit; then
 *       queue the new pending rows in Redis (batched). If Redis is down, nothing is lost: the
 *       reconciler queues them later.
 * </ol>
 *
 * <p>Background work ({@link #start}): a ticker on the minute (by the injected clock) that ticks
 * while this producer holds the leader lease (or while Redis cannot say who does: the database lock
 * keeps that safe), and a reconciler that, as leader, puts back on the queue whatever Redis lost.
 * Every loop survives its own failures: it logs, counts {@code loopError} and carries on.
 */
public final class Producer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Producer.class);

  /** The loops re-read the clock at least this often (a settable clock moves in jumps). */
  private static final Duration MAX_WAIT = Duration.ofSeconds(1);

  /**
   * Connections a running producer may need at once: a tick's transaction, its appointment-reminder
   * part (below, that part would wait for a connection the tick holds, and every tick would fail),
   * and the reconciler.
   */
  public static final int MIN_DATABASE_CONNECTIONS = 3;

  public static final String CONNECTIONS_NEEDED =
      "a tick's transaction, its appointment-reminder part and the reconciler";

  public static final String TICK_LOOP = "producer.tick";
  public static final String RECONCILE_LOOP = "producer.reconcile";

  private enum Leadership {
    LEADER,
    FOLLOWER,
    /** Redis cannot answer: tick anyway, serialised by the watermark row. */
    UNKNOWN
  }

  private final ProducerConfig config;
  private final DSLContext dsl;
  private final RedisJobQueue queue;
  private final Clock clock;
  private final NotifierMetrics metrics;
  private final Heartbeats heartbeats;
  private final DeliveryLedger ledger;
  private final ZoneCache zoneCache;
  private final ScheduleIndex scheduleIndex = new ScheduleIndex();
  private final SettingsAudit settingsAudit;
  private final DueResolver resolver;
  private final WatermarkStore watermark;
  private final LeaderLease lease;
  private final Reconciler reconciler;

  private final Object tickLock = new Object();
  private Instant lastFullResync; // guarded by tickLock; by the injected clock

  private volatile Leadership leadership = Leadership.FOLLOWER;
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean stopped = new AtomicBoolean();
  private final CountDownLatch stopSignal = new CountDownLatch(1);
  private Thread tickerThread;
  private Thread reconcilerThread;

  public Producer(
      ProducerConfig config,
      DSLContext dsl,
      RedisJobQueue queue,
      RedissonClient redisson,
      Clock clock,
      NotifierMetrics metrics,
      Heartbeats heartbeats) {
    this.config = Objects.requireNonNull(config, "config");
    this.dsl = Objects.requireNonNull(dsl, "dsl");
    this.queue = Objects.requireNonNull(queue, "queue");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.heartbeats = Objects.requireNonNull(heartbeats, "heartbeats");
    Objects.requireNonNull(redisson, "redisson");
    this.ledger = new DeliveryLedger(dsl, clock);
    this.zoneCache = new ZoneCache(clock, config.zoneCacheTtl(), metrics);
    this.settingsAudit = new SettingsAudit(metrics);
    this.resolver = new DueResolver(config.staleness());
    this.watermark = new WatermarkStore(config.pipeline(), config.instanceId());
    this.lease = new LeaderLease(redisson, queue.keys().leader(), config.leaderLeaseTime());
    this.reconciler =
        new Reconciler(
            ledger, queue, clock, config.lookAhead(), config.reconcilePageSize(), metrics);
  }

  public ProducerConfig config() {
    return config;
  }

  /** Whether this producer held the leader lease at its last renewal. */
  public boolean isLeader() {
    return leadership == Leadership.LEADER;
  }

  // ---- one tick -----------------------------------------------------------------------------

  /**
   * Runs exactly one tick as if the clock read {@code now}. Dry: resolves the whole window in one
   * transaction that is rolled back, and queues nothing; the report says what a real tick would
   * have written. Throws when the database fails (nothing of the failed slice is kept).
   */
  public TickReport tick(Instant now, boolean dryRun) {
    Objects.requireNonNull(now, "now");
    synchronized (tickLock) {
      return dryRun ? dryTick(now) : realTick(now);
    }
  }

  private TickReport realTick(Instant now) {
    long startNanos = System.nanoTime();
    Accumulator acc = new Accumulator(config.reportRowLimit());
    ZoneCatalog catalog = zoneCache.current(dsl);
    Instant windowFrom = null;
    Instant windowTo = null;
    Duration abandoned = Duration.ZERO;
    int enqueued = 0;
    String enqueueError = null;
    boolean first = true;
    boolean fullResynced = false;
    // The appointment-reminder parts' queueing, still running while this thread goes on.
    List<CompletableFuture<EnqueueOutcome>> partsQueued = new ArrayList<>();
    try {
      while (true) {
        boolean firstSlice = first;
        ZoneCatalog zones = catalog;
        Slice slice =
            dsl.transactionResult(
                cfg -> resolveSlice(cfg.dsl(), now, firstSlice, true, zones, acc, partsQueued));
        if (slice.empty()) {
          if (windowFrom == null) {
            windowFrom = slice.from();
            windowTo = slice.from();
          }
          break;
        }
        if (windowFrom == null) {
          windowFrom = slice.from();
          abandoned = slice.abandoned();
        }
        windowTo = slice.to();
        fullResynced |= slice.fullResync();
        EnqueueOutcome outcome = enqueue(acc.drainJobs());
        enqueued += outcome.enqueued();
        if (outcome.error() != null) {
          enqueueError = outcome.error();
        }
        first = false;
        if (slice.reachedTarget()) {
          break;
        }
      }
    } catch (RuntimeException e) {
      // Whatever the parts committed stays (and is queued): the next tick finds it in the ledger.
      partsQueued.forEach(Producer::awaitQuietly);
      throw e;
    }
    for (CompletableFuture<EnqueueOutcome> part : partsQueued) {
      EnqueueOutcome outcome = joinQueued(part);
      enqueued += outcome.enqueued();
      if (outcome.error() != null) {
        enqueueError = outcome.error();
      }
    }
    if (fullResynced) {
      lastFullResync = clock.instant();
      auditSettings();
    }
    Duration duration = Duration.ofNanos(System.nanoTime() - startNanos);
    TickReport report =
        acc.report(now, windowFrom, windowTo, false, abandoned, enqueued, enqueueError, duration);
    record(report, acc.skipped);
    return report;
  }

  private TickReport dryTick(Instant now) {
    long startNanos = System.nanoTime();
    Accumulator acc = new Accumulator(config.reportRowLimit());
    ZoneCatalog catalog = zoneCache.current(dsl);
    Slice slice;
    try {
      dsl.transaction(
          cfg -> {
            throw new DryRunRollback(resolveSlice(cfg.dsl(), now, true, false, catalog, acc, null));
          });
      throw new IllegalStateException("a dry run must roll back");
    } catch (DryRunRollback rollback) {
      slice = rollback.slice;
    }
    Duration duration = Duration.ofNanos(System.nanoTime() - startNanos);
    Instant to = slice.empty() ? slice.from() : slice.to();
    TickReport report =
        acc.report(now, slice.from(), to, true, slice.abandoned(), 0, null, duration);
    LOG.info(
        "dry tick at {}: window ({}, {}]: {} due, {} would be new, {} would be skipped as late, {}"
            + " already in the ledger",
        now,
        report.windowFrom(),
        report.windowTo(),
        report.totalDue(),
        report.totalCreated(),
        report.totalStaleSkipped(),
        report.totalAlreadyPresent());
    return report;
  }

  /** Carries a dry run's result out of the transaction it rolls back. */
  private static final class DryRunRollback extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Slice slice;

    DryRunRollback(Slice slice) {
      super("dry run", null, false, false);
      this.slice = slice;
    }
  }

  /** One transaction's share of a window. */
  private record Slice(
      Instant from,
      Instant to,
      Duration abandoned,
      boolean empty,
      boolean reachedTarget,
      boolean fullResync) {}

  /**
   * The appointment-reminder part of a slice, on its own connection: {@code committed} completes
   * with its rows once its transaction has committed, {@code queued} once they are also queued.
   */
  private record ReminderPart(
      CompletableFuture<List<DueResolver.Resolved>> committed,
      CompletableFuture<EnqueueOutcome> queued) {}

  /**
   * Resolves one slice in {@code tx}, which holds the watermark row. A real tick resolves it in two
   * parts at once: the wall-clock kinds here, after the schedule index is brought up to date, and
   * the appointment reminders (which never read the index) in a transaction of their own on a
   * second connection, committed and queued as soon as they are done. The watermark moves, with
   * this transaction's commit, only after that part has committed: if either part fails, the window
   * is resolved again at the next tick, and whatever the other part wrote is found already in the
   * ledger (the insert is idempotent by dedup key) and was already queued.
   *
   * <p>{@code partsQueued} is null for a dry run (every kind in {@code tx}, which is rolled back);
   * a real tick collects there each slice's reminder queueing, which goes on after this returns.
   */
  private Slice resolveSlice(
      DSLContext tx,
      Instant now,
      boolean first,
      boolean sliced,
      ZoneCatalog catalog,
      Accumulator acc,
      List<CompletableFuture<EnqueueOutcome>> partsQueued) {
    boolean dryRun = partsQueued == null;
    Instant target = now.plus(config.lookAhead());
    // The resolver's arrays hide their sizes from the planner, whose large guesses would make
    // PostgreSQL JIT-compile every tick's statement: hundreds of milliseconds for a 1 ms query.
    tx.execute("SET LOCAL jit = off");
    WatermarkStore.State state = watermark.lock(tx, now.minus(config.tickInterval()), now);
    Instant from = state.coveredUntil();
    Duration abandoned = Duration.ZERO;
    Instant oldest = now.minus(config.maxCatchUp());
    if (from.isBefore(oldest)) {
      abandoned = Duration.between(from, oldest);
      from = oldest;
      if (!dryRun) {
        metrics.catchUpAbandoned(abandoned);
      }
      LOG.warn(
          "watermark {} is older than the maximum catch-up of {}: notifications due in ({}, {}]"
              + " {} abandoned unresolved, and catch-up starts at {}",
          state.coveredUntil(),
          config.maxCatchUp(),
          state.coveredUntil(),
          oldest,
          dryRun ? "would be" : "are",
          oldest);
    }
    if (!from.isBefore(target)) {
      return new Slice(state.coveredUntil(), state.coveredUntil(), abandoned, true, true, false);
    }
    Instant to = target;
    if (sliced && Duration.between(from, target).compareTo(config.catchUpSlice()) > 0) {
      to = from.plus(config.catchUpSlice());
    }

    OffsetDateTime changesSeen = state.changesSeenUntil();
    OffsetDateTime lateSince = null;
    if (first) {
      if (config.lateAppointmentReminders()) {
        lateSince =
            (changesSeen == null ? state.databaseNow() : changesSeen).minus(config.changeSlack());
      }
      changesSeen = state.databaseNow();
    }

    ReminderPart reminders = null;
    if (!dryRun) {
      reminders = startReminders(from, to, now, lateSince);
      partsQueued.add(reminders.queued());
    }
    // The reminders run on while this part reads and writes; on a failure here the caller waits
    // for them (what they commit stays, and the next tick finds it already in the ledger).
    boolean fullResync = false;
    ZoneCatalog zones = catalog;
    if (first) {
      SyncOutcome sync = syncScheduleIndex(tx, state.changesSeenUntil(), dryRun);
      fullResync = sync.full();
      if (!sync.zoneKeys().isEmpty()) {
        zones = zoneCache.addKeys(tx, sync.zoneKeys());
      }
    }
    List<ZoneGroup> groups = zones.groups(from, to);
    DueResolver.Part part = reminders == null ? DueResolver.Part.ALL : DueResolver.Part.WALL_CLOCK;
    acc.add(resolver.resolve(tx, groups, from, to, now, lateSince, part), false);
    if (reminders != null) {
      // Only its commit, not its queueing, must come before the watermark moves.
      acc.add(joinCommitted(reminders.committed()), true);
    }
    watermark.save(tx, to, changesSeen, now);
    return new Slice(from, to, abandoned, false, !to.isBefore(target), fullResync);
  }

  /**
   * Starts the appointment reminders of {@code (from, to]} on a thread and connection of their own:
   * their transaction, then their queueing.
   */
  private ReminderPart startReminders(
      Instant from, Instant to, Instant now, OffsetDateTime lateSince) {
    CompletableFuture<List<DueResolver.Resolved>> committed = new CompletableFuture<>();
    CompletableFuture<EnqueueOutcome> queued =
        CompletableFuture.supplyAsync(
            () -> {
              List<DueResolver.Resolved> resolved;
              try {
                resolved =
                    dsl.transactionResult(
                        cfg -> {
                          cfg.dsl().execute("SET LOCAL jit = off");
                          return resolver.resolve(
                              cfg.dsl(),
                              List.of(),
                              from,
                              to,
                              now,
                              lateSince,
                              DueResolver.Part.APPOINTMENT_REMINDERS);
                        });
              } catch (RuntimeException | Error e) {
                committed.completeExceptionally(e);
                throw e;
              }
              committed.complete(resolved);
              List<NotificationJob> jobs = new ArrayList<>();
              for (DueResolver.Resolved r : resolved) {
                if (r.outcome() == TickReport.Outcome.PENDING) {
                  jobs.add(r.toJob());
                }
              }
              return enqueue(jobs);
            },
            PART_THREADS);
    return new ReminderPart(committed, queued);
  }

  /** The part's committed rows, or its failure as the part threw it. */
  private static List<DueResolver.Resolved> joinCommitted(
      CompletableFuture<List<DueResolver.Resolved>> committed) {
    try {
      return committed.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw e;
    }
  }

  /** The part's queueing outcome; a part that failed after its commit queued nothing. */
  private static EnqueueOutcome joinQueued(CompletableFuture<EnqueueOutcome> queued) {
    try {
      return queued.join();
    } catch (CompletionException e) {
      return new EnqueueOutcome(0, String.valueOf(e.getCause()));
    }
  }

  private static void awaitQuietly(CompletableFuture<EnqueueOutcome> queued) {
    try {
      queued.join();
    } catch (CompletionException e) {
      LOG.warn(
          "the failed tick's appointment-reminder part failed: {}", String.valueOf(e.getCause()));
    }
  }

  private record SyncOutcome(Set<String> zoneKeys, boolean full) {}

  /**
   * Copies PazPaz's changes into the schedule index: those since the last tick always, everything
   * when the full re-sync is due (start-up, then every full-resync interval). Rows a full pass has
   * to correct were missed by the change tracking: reported as drift.
   */
  private SyncOutcome syncScheduleIndex(
      DSLContext tx, OffsetDateTime changesSeenUntil, boolean dryRun) {
    Instant clockNow = clock.instant();
    boolean fullDue =
        lastFullResync == null
            || changesSeenUntil == null
            || !clockNow.isBefore(lastFullResync.plus(config.fullResyncInterval()))
            || clockNow.isBefore(lastFullResync);
    Set<String> keys = new TreeSet<>();
    if (changesSeenUntil != null) {
      ScheduleIndex.SyncResult changed =
          scheduleIndex.syncChangedSince(tx, changesSeenUntil.minus(config.changeSlack()));
      keys.addAll(changed.zoneKeys());
      if (changed.rowsWritten() > 0) {
        LOG.debug("schedule index: {} users' settings or zones changed", changed.rowsWritten());
      }
    }
    if (fullDue) {
      boolean initial = changesSeenUntil == null || scheduleIndex.isEmpty(tx);
      long startNanos = System.nanoTime();
      ScheduleIndex.SyncResult all = scheduleIndex.syncAll(tx);
      long millis = Duration.ofNanos(System.nanoTime() - startNanos).toMillis();
      keys.addAll(all.zoneKeys());
      if (initial) {
        LOG.info("schedule index built: {} users in {} ms", all.rowsWritten(), millis);
      } else {
        // It reads every user's settings, user and workspace inside this tick (about 7.5 s at
        // 1,000,000 users, docs/PERFORMANCE.md): the line says why this tick took longer.
        LOG.info(
            "full re-sync of the schedule index in {} ms: {} rows corrected, {} of users without"
                + " settings dropped",
            millis,
            all.rowsWritten(),
            all.rowsDeleted());
      }
      if (!initial && all.rowsWritten() > 0) {
        if (!dryRun) {
          metrics.scheduleDrift(all.rowsWritten());
        }
        LOG.warn(
            "full re-sync corrected {} schedule-index rows that changed without their updated_at"
                + " moving; those users' notifications followed their old settings until now",
            all.rowsWritten());
      }
    }
    return new SyncOutcome(keys, fullDue);
  }

  private void auditSettings() {
    try {
      settingsAudit.run(dsl);
    } catch (RuntimeException e) {
      metrics.loopError("producer.settings-audit");
      LOG.warn("settings audit failed; retried at the next full re-sync: {}", e.toString());
    }
  }

  private record EnqueueOutcome(int enqueued, String error) {}

  private static final EnqueueOutcome NOT_QUEUED = new EnqueueOutcome(0, null);

  /** A thread per tick for its second part: one a minute, nothing to pool or shut down. */
  private static final Executor PART_THREADS =
      task -> Thread.ofPlatform().daemon().name("producer-reminders").start(task);

  private EnqueueOutcome enqueue(List<NotificationJob> jobs) {
    if (jobs.isEmpty()) {
      return NOT_QUEUED;
    }
    try {
      queue.enqueue(jobs);
    } catch (RuntimeException e) {
      LOG.warn(
          "{} new jobs are in the ledger but could not be queued ({}); the reconciler will queue"
              + " them once Redis answers",
          jobs.size(),
          e.toString());
      return new EnqueueOutcome(0, e.toString());
    }
    // No enqueued_at write here. It was a second write of every row the tick had just inserted
    // (at the busiest minute 135,084 rows, 2.7 s, new row versions in all six ledger indexes),
    // and nothing depends on it: the reconciler decides what to re-queue by asking Redis which
    // unfinished rows it does not hold (RedisJobQueue.missing), never by this column, so a row
    // committed here but lost before or after this point is re-queued all the same. The column
    // now records only re-queues (reconciler, manual trigger); NULL means queued by the tick
    // that wrote the row, or not yet queued at all, which the reconciler checks against Redis.
    Map<NotificationKind, Integer> byKind = new EnumMap<>(NotificationKind.class);
    for (NotificationJob job : jobs) {
      byKind.merge(job.kind(), 1, Integer::sum);
    }
    byKind.forEach(metrics::enqueued);
    return new EnqueueOutcome(jobs.size(), null);
  }

  /** Metrics, logs and the last-run record of a real tick. */
  private void record(TickReport report, Map<SkipKey, Integer> skipped) {
    metrics.tick(report.duration(), report.totalDue(), report.totalCreated());
    Duration lag = Duration.between(report.windowTo(), report.now().plus(config.lookAhead()));
    metrics.watermarkLag(lag.isNegative() ? Duration.ZERO : lag);
    skipped.forEach(
        (key, count) -> {
          for (int i = 0; i < count; i++) {
            metrics.skipped(key.kind(), key.reason());
          }
        });
    if (report.totalDue() == 0) {
      LOG.debug(
          "tick at {}: window ({}, {}]: nothing due",
          report.now(),
          report.windowFrom(),
          report.windowTo());
    } else {
      LOG.info(
          "tick at {}: window ({}, {}]: {} due, {} new, {} skipped as late, {} already in the ledger,"
              + " {} late reminders; {} queued{}; by kind {}",
          report.now(),
          report.windowFrom(),
          report.windowTo(),
          report.totalDue(),
          report.totalCreated(),
          report.totalStaleSkipped(),
          report.totalAlreadyPresent(),
          report.lateReminders(),
          report.enqueued(),
          report.enqueueError() == null ? "" : " (queueing failed, the reconciler will retry)",
          summary(report));
    }
    if (report.totalStaleSkipped() > 0) {
      LOG.warn(
          "tick at {}: {} notifications were found too late to send and were recorded as skipped"
              + " (staleness rules): {}",
          report.now(),
          report.totalStaleSkipped(),
          summary(report));
    }
    try {
      heartbeats.ran(
          TICK_LOOP, report.duration(), report.enqueueError() == null ? "ok" : "enqueue_failed");
    } catch (RuntimeException e) {
      LOG.debug("could not record the tick's last run: {}", e.toString());
    }
  }

  private static Map<String, TickReport.KindCounts> summary(TickReport report) {
    Map<String, TickReport.KindCounts> nonZero = new LinkedHashMap<>();
    report
        .counts()
        .forEach(
            (kind, counts) -> {
              if (counts.due() > 0) {
                nonZero.put(kind.code(), counts);
              }
            });
    return nonZero;
  }

  // ---- reconciling ------------------------------------------------------------------------------

  /**
   * One reconciler pass (normally the leader's background loop runs it): queues every unfinished
   * ledger row due by now + look-ahead that Redis does not hold. Returns how many it queued.
   */
  public int reconcile() {
    long startNanos = System.nanoTime();
    int restored = reconciler.run();
    try {
      heartbeats.ran(RECONCILE_LOOP, Duration.ofNanos(System.nanoTime() - startNanos), "ok");
    } catch (RuntimeException e) {
      LOG.debug("could not record the reconciler's last run: {}", e.toString());
    }
    return restored;
  }

  // ---- background loops ---------------------------------------------------------------------

  /** Starts the ticker and the reconciler threads. Call once. */
  public void start() {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("producer " + config.instanceId() + " already started");
    }
    tickerThread = new Thread(this::tickerLoop, "producer-ticker-" + config.instanceId());
    reconcilerThread =
        new Thread(this::reconcilerLoop, "producer-reconciler-" + config.instanceId());
    tickerThread.setDaemon(true);
    reconcilerThread.setDaemon(true);
    tickerThread.start();
    reconcilerThread.start();
    LOG.info(
        "producer {} started: tick every {}, look-ahead {}, max catch-up {}",
        config.instanceId(),
        config.tickInterval(),
        config.lookAhead(),
        config.maxCatchUp());
  }

  /**
   * Stops the loops: a tick or reconciler pass in progress finishes, the lease is released so
   * another producer takes over at once, and this worker leaves the heartbeat list. Idempotent.
   */
  public void stop() {
    if (!stopped.compareAndSet(false, true)) {
      return;
    }
    stopSignal.countDown();
    join(tickerThread);
    join(reconcilerThread);
    if (started.get()) {
      try {
        heartbeats.leave();
      } catch (RuntimeException e) {
        LOG.debug("could not remove the heartbeat: {}", e.toString());
      }
    }
    metrics.leadership(false);
    LOG.info("producer {} stopped", config.instanceId());
  }

  @Override
  public void close() {
    stop();
  }

  private static void join(Thread thread) {
    if (thread == null) {
      return;
    }
    boolean interrupted = false;
    while (thread.isAlive()) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private void tickerLoop() {
    Instant lastBoundary = null;
    long lastRenewal = 0;
    boolean renewedOnce = false;
    long renewEvery = config.leaderLeaseTime().toNanos() / 3;
    while (stopSignal.getCount() > 0) {
      try {
        long nanos = System.nanoTime();
        Instant boundary = floor(clock.instant());
        boolean tickDue = lastBoundary == null || boundary.isAfter(lastBoundary);
        if (!renewedOnce || tickDue || nanos - lastRenewal >= renewEvery) {
          renewLeadership();
          // As often as the lease is renewed (every 10 s by default), not once a minute: the
          // health check calls a worker stale well before a minute of silence.
          beat();
          lastRenewal = nanos;
          renewedOnce = true;
        }
        if (tickDue) {
          lastBoundary = boundary;
          if (leadership != Leadership.FOLLOWER) {
            tick(boundary, false);
          } else {
            LOG.debug("tick at {} skipped: another producer leads", boundary);
          }
          metrics.loopRan(TICK_LOOP);
        }
      } catch (RuntimeException e) {
        metrics.loopError(TICK_LOOP);
        LOG.error("producer tick failed; the next tick covers its window", e);
      }
      Instant next = floor(clock.instant()).plus(config.tickInterval());
      Duration untilTick = Duration.between(clock.instant(), next);
      Duration wait = min(min(untilTick, Duration.ofNanos(renewEvery)), MAX_WAIT);
      // The same wait with the system clock; a controlled clock (tests) is re-read sooner.
      await(Clocks.realWait(clock, wait));
    }
    try {
      lease.release();
    } catch (RuntimeException e) {
      LOG.warn("could not release the leader lease; it expires by itself: {}", e.toString());
    }
    leadership = Leadership.FOLLOWER;
  }

  private void reconcilerLoop() {
    // Every reconcileInterval of clock time (real time with the system clock): under a simulated
    // clock the reconciler keeps pace with simulated time, so what Redis lost is restored before
    // it falls due.
    Duration interval = config.reconcileInterval();
    while (!Clocks.awaitUntil(clock, clock.instant().plus(interval), interval, stopSignal)) {
      if (leadership != Leadership.LEADER) {
        continue;
      }
      try {
        reconcile();
        metrics.loopRan(RECONCILE_LOOP);
      } catch (RuntimeException e) {
        metrics.loopError(RECONCILE_LOOP);
        LOG.error("reconciler pass failed; retried in {}", config.reconcileInterval(), e);
      }
    }
  }

  private void renewLeadership() {
    Leadership before = leadership;
    Leadership now;
    try {
      now = lease.acquireOrRenew() ? Leadership.LEADER : Leadership.FOLLOWER;
    } catch (RuntimeException e) {
      now = Leadership.UNKNOWN;
      if (before != Leadership.UNKNOWN) {
        LOG.warn(
            "leader lease unavailable ({}); ticking under the database lock alone until Redis"
                + " answers",
            e.toString());
      }
    }
    leadership = now;
    metrics.leadership(now == Leadership.LEADER);
    if (now != before) {
      LOG.info(
          "producer {} is now {}",
          config.instanceId(),
          now.name().toLowerCase(java.util.Locale.ROOT));
    }
  }

  private void beat() {
    try {
      heartbeats.beat(leadership == Leadership.LEADER);
    } catch (RuntimeException e) {
      LOG.debug("heartbeat failed: {}", e.toString());
    }
  }

  /** Waits up to {@code duration} for stop; returns whether stop was asked. */
  private boolean await(Duration duration) {
    try {
      return stopSignal.await(Math.max(1, duration.toMillis()), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    }
  }

  private Instant floor(Instant instant) {
    long step = config.tickInterval().getSeconds();
    return Instant.ofEpochSecond(Math.floorDiv(instant.getEpochSecond(), step) * step);
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  // ---- accumulating a tick's results ------------------------------------------------------------

  /** A kind and skip reason, for counting the rows a tick wrote as skipped. */
  private record SkipKey(NotificationKind kind, String reason) {}

  /** Collects counts, listed rows and jobs over a tick's slices. */
  private static final class Accumulator {
    private final Map<SkipKey, Integer> skipped = new LinkedHashMap<>();
    private final int rowLimit;
    private final Map<NotificationKind, TickReport.KindCounts> counts =
        new EnumMap<>(NotificationKind.class);
    private final List<TickReport.PlannedRow> rows = new ArrayList<>();
    private final List<NotificationJob> jobs = new ArrayList<>();
    private int listed;
    private int total;
    private int late;

    Accumulator(int rowLimit) {
      this.rowLimit = rowLimit;
    }

    /** Adds resolved rows; their jobs are kept for queueing unless {@code queued} already. */
    void add(List<DueResolver.Resolved> resolved, boolean queued) {
      for (DueResolver.Resolved r : resolved) {
        total++;
        TickReport.Outcome outcome = r.outcome();
        if (outcome == TickReport.Outcome.SKIPPED) {
          skipped.merge(new SkipKey(r.kind(), r.skipReason()), 1, Integer::sum);
        } else if (outcome == TickReport.Outcome.PENDING) {
          if (!queued) {
            jobs.add(r.toJob());
          }
          if (r.late()) {
            late++;
          }
        }
        counts.merge(
            r.kind(),
            new TickReport.KindCounts(
                1,
                outcome == TickReport.Outcome.PENDING ? 1 : 0,
                outcome == TickReport.Outcome.SKIPPED ? 1 : 0,
                outcome == TickReport.Outcome.ALREADY_PRESENT ? 1 : 0),
            TickReport.KindCounts::plus);
        if (listed < rowLimit) {
          listed++;
          rows.add(
              new TickReport.PlannedRow(
                  r.kind(),
                  r.userId(),
                  r.appointmentId(),
                  r.localDate(),
                  r.dueAt(),
                  r.dedupKey(),
                  outcome,
                  outcome == TickReport.Outcome.SKIPPED ? r.skipReason() : null,
                  r.insertedId()));
        }
      }
    }

    List<NotificationJob> drainJobs() {
      List<NotificationJob> drained = List.copyOf(jobs);
      jobs.clear();
      return drained;
    }

    TickReport report(
        Instant now,
        Instant from,
        Instant to,
        boolean dryRun,
        Duration abandoned,
        int enqueued,
        String enqueueError,
        Duration duration) {
      return new TickReport(
          now,
          from,
          to,
          dryRun,
          abandoned,
          counts,
          rows,
          listed < total,
          late,
          enqueued,
          enqueueError,
          duration);
    }
  }
}
