package io.notifier.app;

import io.notifier.ops.health.HealthEvaluator;
import io.notifier.ops.health.HealthJson;
import io.notifier.ops.health.HealthReport;
import io.notifier.ops.observe.LastRun;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "health",
    mixinStandardHelpOptions = true,
    description = {
      "Checks the deployment as GET /api/v1/health/workers does: exit 0 when every worker",
      "heartbeats, the producer ticks and Redis answers; 1 otherwise, printing why."
    })
final class HealthCommand extends BaseCommand {

  @Mixin RedisOptions redis;
  @Mixin HealthOptions health;

  @Option(names = "--json", description = "Print the endpoint's JSON instead of text.")
  boolean json;

  @Override
  public Integer call() {
    try (Services services = new Services(context().clock(), null, redis, "health")) {
      HealthReport report =
          new HealthEvaluator(health.config(), context().clock())
              .evaluate(services.observer().snapshot());
      if (json) {
        out().println(HealthJson.workers(report));
      } else {
        print(report);
      }
      if (!report.healthy()) {
        for (String problem : report.problems()) {
          err().println("unhealthy: " + problem);
        }
      }
      return report.healthy() ? 0 : 1;
    }
  }

  private void print(HealthReport report) {
    out().println(report.healthy() ? "healthy" : "UNHEALTHY");
    if (!report.workers().isEmpty()) {
      Table workers = new Table("WORKER", "ROLE", "HOST", "LAST BEAT", "LEADER", "STATE");
      for (HealthReport.WorkerStatus w : report.workers()) {
        workers.row(
            w.beat().id(),
            w.beat().role(),
            w.beat().host(),
            w.silentFor() == null ? "unreadable" : HealthEvaluator.human(w.silentFor()) + " ago",
            w.beat().leader() ? "yes" : "",
            w.stale() ? "STALE" : "ok");
      }
      out().println();
      workers.print(out());
    }
    if (!report.lastRuns().isEmpty()) {
      Table runs = new Table("LAST RUN", "AT", "AGO", "BY", "TOOK", "OUTCOME");
      report.lastRuns().values().stream()
          .sorted(java.util.Comparator.comparing(LastRun::name))
          .forEach(
              r ->
                  runs.row(
                      r.name(),
                      r.at(),
                      r.at() == null
                          ? null
                          : HealthEvaluator.human(Duration.between(r.at(), report.checkedAt())),
                      r.by(),
                      r.durationMs() + "ms",
                      r.outcome()));
      out().println();
      runs.print(out());
    }
    if (report.queues() != null) {
      out().println();
      out()
          .printf(
              "queues: delayed %d, ready %d, pending %d, dead %d%n",
              report.queues().delayed(),
              report.queues().ready(),
              report.queues().pending(),
              report.queues().dead());
    }
    for (String note : report.notes()) {
      out().println("note: " + note);
    }
  }
}
