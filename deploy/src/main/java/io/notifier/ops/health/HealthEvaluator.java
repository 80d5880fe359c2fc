package io.notifier.ops.health;

import io.notifier.ops.observe.LastRun;
import io.notifier.ops.observe.Snapshot;
import io.notifier.ops.observe.WorkerBeat;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Judges a {@link Snapshot}: unhealthy when Redis cannot be read, when no worker has a heartbeat,
 * when any worker is stale, or when the producer has not ticked recently. The one evaluation behind
 * both the HTTP endpoint and {@code notifier health}.
 */
public final class HealthEvaluator {

  private final HealthConfig config;
  private final Clock clock;

  public HealthEvaluator(HealthConfig config, Clock clock) {
    this.config = config;
    this.clock = clock;
  }

  public HealthConfig config() {
    return config;
  }

  public HealthReport evaluate(Snapshot snapshot) {
    Instant now = clock.instant();
    List<String> problems = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    if (!snapshot.reachable()) {
      problems.add("Redis is unreachable: " + snapshot.error());
      return new HealthReport(false, now, problems, notes, List.of(), snapshot.lastRuns(), null);
    }
    List<HealthReport.WorkerStatus> workers = new ArrayList<>();
    for (WorkerBeat beat : snapshot.workers()) {
      Duration silent = beat.lastBeat() == null ? null : Duration.between(beat.lastBeat(), now);
      boolean stale = silent == null || silent.compareTo(config.workerStaleAfter()) > 0;
      workers.add(new HealthReport.WorkerStatus(beat, silent, stale));
      if (stale) {
        problems.add(
            "worker "
                + beat.id()
                + " ("
                + (beat.role() == null ? "unknown role" : beat.role())
                + ") "
                + (silent == null
                    ? "has an unreadable heartbeat"
                    : "has been silent for " + human(silent))
                + " (limit "
                + human(config.workerStaleAfter())
                + ")");
      }
    }
    if (workers.isEmpty()) {
      problems.add("no worker has a heartbeat: is any producer or consumer running?");
    }
    Optional<LastRun> tick = snapshot.lastRun(config.tickRunName());
    if (tick.isEmpty() || tick.get().at() == null) {
      problems.add("the producer has never ticked");
    } else {
      Duration since = Duration.between(tick.get().at(), now);
      if (since.compareTo(config.producerTickMaxAge()) > 0) {
        problems.add(
            "the producer last ticked "
                + human(since)
                + " ago (limit "
                + human(config.producerTickMaxAge())
                + ")");
      }
    }
    if (snapshot.queues() != null && snapshot.queues().dead() > 0) {
      notes.add(
          snapshot.queues().dead() + " dead letter(s) wait for an operator (notifier dlq list)");
    }
    return new HealthReport(
        problems.isEmpty(), now, problems, notes, workers, snapshot.lastRuns(), snapshot.queues());
  }

  /** 95s, 4m05s, 2h10m, 3d4h: short and readable. */
  public static String human(Duration d) {
    if (d.isNegative()) {
      return "-" + human(d.negated());
    }
    long s = d.toSeconds();
    if (s < 60) {
      return s == 0 && d.toMillis() > 0 ? d.toMillis() + "ms" : s + "s";
    }
    if (s < 3600) {
      return s / 60 + "m" + (s % 60 == 0 ? "" : String.format("%02ds", s % 60));
    }
    if (s < 86_400) {
      return s / 3600 + "h" + (s % 3600 / 60 == 0 ? "" : String.format("%02dm", s % 3600 / 60));
    }
    return s / 86_400 + "d" + (s % 86_400 / 3600 == 0 ? "" : s % 86_400 / 3600 + "h");
  }
}
