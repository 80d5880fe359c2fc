package io.notifier.app;

import io.notifier.health.Heartbeats;
import io.notifier.ledger.DeliveryLedger;
import io.notifier.metrics.NotifierMetrics;
import io.notifier.model.NotificationKind;
import io.notifier.ops.cleanup.CleanupConfig;
import io.notifier.ops.cleanup.CleanupLoop;
import io.notifier.ops.cleanup.LedgerCleanup;
import io.notifier.ops.observe.LastRun;
import io.notifier.schedule.Producer;
import io.notifier.schedule.ProducerConfig;
import io.notifier.schedule.TickReport;
import java.time.Instant;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "producer",
    description = "The scheduler: decides what is due, per time zone, and queues it once.",
    mixinStandardHelpOptions = true,
    subcommands = {ProducerCommand.Run.class, ProducerCommand.Tick.class})
final class ProducerCommand extends BaseCommand {

  @Override
  public Integer call() {
    spec.commandLine().usage(out());
    return ErrorHandler.USAGE;
  }

  @Command(
      name = "run",
      mixinStandardHelpOptions = true,
      description = {
        "Runs a producer until SIGTERM: a tick each minute (the leader's; replicas stand by),",
        "the reconciler, and the weekly ledger clean-up. On SIGTERM the tick in progress",
        "finishes, the lease is released, and it exits 0. Serves /metrics and health on",
        "--http-port."
      })
  static final class Run extends BaseCommand {
    @Mixin DatabaseOptions database;
    @Mixin RedisOptions redis;
    @Mixin ProducerOptions producer;
    @Mixin CleanupOptions cleanup;
    @Mixin HttpOptions http;
    @Mixin HealthOptions health;

    /** The running process, for tests. */
    volatile WorkerProcess process;

    @Override
    public Integer call() throws InterruptedException {
      database.requirePoolSize(Producer.MIN_DATABASE_CONNECTIONS, Producer.CONNECTIONS_NEEDED);
      ProducerConfig config = producer.config(WorkerProcess.host(context()));
      CleanupConfig cleanupConfig = cleanup.config();
      try (WorkerProcess worker =
          new WorkerProcess("producer", context(), spec, database, redis, http, health)) {
        Heartbeats heartbeats = worker.heartbeats(config.instanceId());
        Producer component =
            new Producer(
                config,
                worker.database().dsl(),
                worker.queue(),
                worker.redisson(),
                worker.clock(),
                worker.metrics(),
                heartbeats);
        // The clean-up runs rarely: it reports to the unwatched metrics, so the liveness probe
        // never takes its long sleeps for a wedged loop.
        CleanupLoop cleanupLoop =
            new CleanupLoop(
                new LedgerCleanup(
                    new DeliveryLedger(worker.database().dsl(), worker.clock()),
                    cleanupConfig,
                    worker.clock(),
                    worker.unwatchedMetrics()),
                worker.clock(),
                worker.unwatchedMetrics(),
                component::isLeader,
                () -> worker.observer().snapshot().lastRun(CleanupConfig.RUN_NAME).map(LastRun::at),
                result ->
                    heartbeats.ran(
                        CleanupConfig.RUN_NAME,
                        result.took(),
                        "deleted " + result.rows() + " rows due before " + result.cutoff()));
        component.start();
        cleanupLoop.start();
        process = worker;
        return worker.runUntilStopped(
            () -> {
              cleanupLoop.stop();
              component.stop();
            });
      }
    }
  }

  @Command(
      name = "tick",
      mixinStandardHelpOptions = true,
      description = {
        "Runs one tick as if the clock read --at, and prints what fell due, what was written",
        "and queued (or, with --dry-run, what would be: nothing is kept). For tests, debugging",
        "and the runbook."
      })
  static final class Tick extends BaseCommand {
    @Mixin DatabaseOptions database;
    @Mixin RedisOptions redis;
    @Mixin ProducerOptions producer;

    @Option(
        names = "--at",
        required = true,
        paramLabel = "INSTANT",
        converter = Converters.InstantConverter.class,
        description = "The tick's instant, e.g. 2027-03-14T07:30:00Z.")
    Instant at;

    @Option(names = "--dry-run", description = "Resolve and report, but write and queue nothing.")
    boolean dryRun;

    @Option(
        names = "--rows",
        paramLabel = "N",
        defaultValue = "50",
        description =
            "List at most this many notifications (default ${DEFAULT-VALUE}; counts are always complete).")
    int rows;

    @Override
    public Integer call() {
      database.requirePoolSize(Producer.MIN_DATABASE_CONNECTIONS, Producer.CONNECTIONS_NEEDED);
      ProducerConfig config = producer.config(WorkerProcess.host(context()));
      try (Services services = new Services(context().clock(), database, redis, "tick")) {
        Producer component =
            new Producer(
                config,
                services.database().dsl(),
                services.queue(),
                services.redisson(),
                context().clock(),
                NotifierMetrics.NOOP,
                new Heartbeats(
                    services.redisson(),
                    services.queue().keys(),
                    context().clock(),
                    config.instanceId(),
                    "producer-tick"));
        TickReport report = component.tick(at, dryRun);
        print(report);
      }
      return 0;
    }

    private void print(TickReport report) {
      out()
          .printf(
              "%stick at %s: window (%s, %s]%s%n",
              report.dryRun() ? "DRY RUN " : "",
              report.now(),
              report.windowFrom(),
              report.windowTo(),
              report.idleWindow() ? " (already covered: nothing to do)" : "");
      if (report.abandoned() != null && !report.abandoned().isZero()) {
        out()
            .printf(
                "abandoned: %s of due instants older than the catch-up limit%n",
                report.abandoned());
      }
      Table counts = new Table("KIND", "DUE", "NEW", "STALE-SKIPPED", "ALREADY-PRESENT");
      for (NotificationKind kind : NotificationKind.values()) {
        TickReport.KindCounts c = report.counts().get(kind);
        counts.row(kind.code(), c.due(), c.created(), c.staleSkipped(), c.alreadyPresent());
      }
      counts.row(
          "total",
          report.totalDue(),
          report.totalCreated(),
          report.totalStaleSkipped(),
          report.totalAlreadyPresent());
      counts.print(out());
      if (!report.rows().isEmpty() && rows > 0) {
        out().println();
        Table list = new Table("DUE", "KIND", "USER", "APPOINTMENT", "OUTCOME", "DELIVERY");
        report.rows().stream()
            .limit(rows)
            .forEach(
                r ->
                    list.row(
                        r.dueAt(),
                        r.kind().code(),
                        r.userId(),
                        r.appointmentId(),
                        r.outcome().name().toLowerCase(java.util.Locale.ROOT)
                            + (r.skipReason() == null ? "" : " (" + r.skipReason() + ")"),
                        r.deliveryId()));
        list.print(out());
        if (report.rows().size() > rows || report.rowsTruncated()) {
          out().println("(more rows than listed; --rows lists more)");
        }
      }
      out().println();
      out()
          .printf(
              "%s; %d late appointment reminder(s); took %d ms%n",
              report.dryRun() ? "nothing written or queued" : report.enqueued() + " job(s) queued",
              report.lateReminders(),
              report.duration().toMillis());
      Optional.ofNullable(report.enqueueError())
          .ifPresent(
              e ->
                  out()
                      .println(
                          "queueing failed (" + e + "); the reconciler will queue the new rows"));
    }
  }
}
