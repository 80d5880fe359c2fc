package io.notifier.ops.health;

import io.notifier.metrics.NotifierMetrics;
import io.notifier.model.NotificationKind;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@link NotifierMetrics} a process's components get: forwards every call to the real metrics
 * and remembers when each loop last finished an iteration, which is what {@code /health/live}
 * checks. Only loops that report completed iterations ({@code loopRan}) are watched; once watched,
 * a failed iteration counts as activity too (the dependency is down, which readiness reports, but
 * the loop turns). A watched loop silent for {@link HealthConfig#loopWedgedAfter()} is wedged.
 */
public final class LoopWatch implements NotifierMetrics {

  private final NotifierMetrics delegate;
  private final Clock clock;
  private final Map<String, Instant> lastActivity = new ConcurrentHashMap<>();
  private volatile Boolean leader;

  public LoopWatch(NotifierMetrics delegate, Clock clock) {
    this.delegate = delegate;
    this.clock = clock;
  }

  /** Loops silent for longer than {@code limit}, as "name (silent 6m)". */
  public List<String> wedged(Duration limit) {
    Instant now = clock.instant();
    List<String> wedged = new ArrayList<>();
    lastActivity.forEach(
        (loop, at) -> {
          Duration silent = Duration.between(at, now);
          if (silent.compareTo(limit) > 0) {
            wedged.add(loop + " (silent " + HealthEvaluator.human(silent) + ")");
          }
        });
    wedged.sort(String::compareTo);
    return wedged;
  }

  public Map<String, Instant> lastActivity() {
    return Map.copyOf(lastActivity);
  }

  /** Whether this process last reported holding the producer's leader lease (null: never said). */
  public Boolean leader() {
    return leader;
  }

  @Override
  public void loopRan(String loop) {
    lastActivity.put(loop, clock.instant());
    delegate.loopRan(loop);
  }

  /**
   * A failed iteration shows the loop still turns, but only for loops that report completed ones
   * too: a loop that reports only its failures would otherwise look wedged once it recovers.
   */
  @Override
  public void loopError(String loop) {
    lastActivity.computeIfPresent(loop, (name, at) -> clock.instant());
    delegate.loopError(loop);
  }

  @Override
  public void catchUpAbandoned(Duration abandoned) {
    delegate.catchUpAbandoned(abandoned);
  }

  @Override
  public void scheduleDrift(int rows) {
    delegate.scheduleDrift(rows);
  }

  @Override
  public void leadership(boolean isLeader) {
    this.leader = isLeader;
    delegate.leadership(isLeader);
  }

  @Override
  public void tick(Duration duration, int due, int enqueued) {
    delegate.tick(duration, due, enqueued);
  }

  @Override
  public void enqueued(NotificationKind kind, int count) {
    delegate.enqueued(kind, count);
  }

  @Override
  public void watermarkLag(Duration lag) {
    delegate.watermarkLag(lag);
  }

  @Override
  public void reconciled(int count) {
    delegate.reconciled(count);
  }

  @Override
  public void invalidTimezone() {
    delegate.invalidTimezone();
  }

  @Override
  public void badSetting(NotificationKind kind, String field) {
    delegate.badSetting(kind, field);
  }

  @Override
  public void sent(NotificationKind kind, Duration sendDuration, Duration lateness) {
    delegate.sent(kind, sendDuration, lateness);
  }

  @Override
  public void retried(NotificationKind kind, String failure) {
    delegate.retried(kind, failure);
  }

  @Override
  public void dead(NotificationKind kind, String reason) {
    delegate.dead(kind, reason);
  }

  @Override
  public void uncertain(NotificationKind kind) {
    delegate.uncertain(kind);
  }

  @Override
  public void skipped(NotificationKind kind, String reason) {
    delegate.skipped(kind, reason);
  }

  @Override
  public void duplicateSuppressed(NotificationKind kind) {
    delegate.duplicateSuppressed(kind);
  }

  @Override
  public void reclaimed(int count) {
    delegate.reclaimed(count);
  }

  @Override
  public void badPayload(String reason) {
    delegate.badPayload(reason);
  }

  @Override
  public void inFlight(int count) {
    delegate.inFlight(count);
  }
}
