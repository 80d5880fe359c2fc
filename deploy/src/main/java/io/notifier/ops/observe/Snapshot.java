package io.notifier.ops.observe;

import io.notifier.queue.QueueStats;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What Redis said at {@code readAt}: queue depths, heartbeats and last runs, or, when Redis could
 * not be read, {@code error} (and empty values).
 */
public record Snapshot(
    Instant readAt,
    QueueStats queues,
    List<WorkerBeat> workers,
    Map<String, LastRun> lastRuns,
    String error) {

  public Snapshot {
    workers = List.copyOf(workers);
    lastRuns = Map.copyOf(lastRuns);
  }

  public static Snapshot unreachable(Instant at, String error) {
    return new Snapshot(at, null, List.of(), Map.of(), error);
  }

  public boolean reachable() {
    return error == null;
  }

  public Optional<LastRun> lastRun(String name) {
    return Optional.ofNullable(lastRuns.get(name));
  }
}
