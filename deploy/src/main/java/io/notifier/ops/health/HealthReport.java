package io.notifier.ops.health;

import io.notifier.ops.observe.LastRun;
import io.notifier.ops.observe.WorkerBeat;
import io.notifier.queue.QueueStats;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The verdict on the whole deployment, as {@code GET /api/v1/health/workers} and {@code notifier
 * health} give it.
 *
 * @param problems why it is unhealthy (empty when healthy), one short sentence each
 * @param notes worth knowing but not unhealthy (e.g. dead letters waiting)
 * @param queues null when Redis could not be read
 */
public record HealthReport(
    boolean healthy,
    Instant checkedAt,
    List<String> problems,
    List<String> notes,
    List<WorkerStatus> workers,
    Map<String, LastRun> lastRuns,
    QueueStats queues) {

  public HealthReport {
    problems = List.copyOf(problems);
    notes = List.copyOf(notes);
    workers = List.copyOf(workers);
    lastRuns = Map.copyOf(lastRuns);
  }

  /** One worker and how long it has been silent ({@code null} when its entry is unreadable). */
  public record WorkerStatus(WorkerBeat beat, Duration silentFor, boolean stale) {}
}
