package io.notifier.schedule;

import io.notifier.model.NotificationKind;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What one tick did (or, dry, would do): the window it covered, per-kind counts and the planned
 * ledger rows, for logs, metrics and {@code notifier producer tick --at ... [--dry-run]}.
 *
 * @param now the instant the tick ran as
 * @param windowFrom due instants after this (the watermark it found, or the catch-up limit)...
 * @param windowTo ...up to and including this (now + look-ahead) were resolved; equal to {@code
 *     windowFrom} when there was nothing left to cover
 * @param dryRun nothing was written or queued
 * @param abandoned how much of an older watermark was given up (beyond the maximum catch-up)
 * @param counts per kind, every kind present
 * @param rows the planned rows, at most the configured limit, in resolution order
 * @param rowsTruncated whether {@code rows} lists fewer rows than the counts say
 * @param lateReminders appointment reminders queued at once because their appointment was booked or
 *     moved after the reminder was due (included in the counts)
 * @param enqueued jobs handed to Redis after the commit
 * @param enqueueError why queueing failed (the reconciler queues them later), or null
 * @param duration how long the tick took
 */
public record TickReport(
    Instant now,
    Instant windowFrom,
    Instant windowTo,
    boolean dryRun,
    Duration abandoned,
    Map<NotificationKind, KindCounts> counts,
    List<PlannedRow> rows,
    boolean rowsTruncated,
    int lateReminders,
    int enqueued,
    String enqueueError,
    Duration duration) {

  public TickReport {
    Map<NotificationKind, KindCounts> all = new EnumMap<>(NotificationKind.class);
    for (NotificationKind kind : NotificationKind.values()) {
      all.put(kind, counts.getOrDefault(kind, KindCounts.ZERO));
    }
    counts = Collections.unmodifiableMap(all);
    rows = List.copyOf(rows);
  }

  /**
   * @param due notifications whose due instant fell in the window (plus late reminders)
   * @param created new pending ledger rows (to be queued)
   * @param staleSkipped new rows written as skipped: too late by the staleness rules
   * @param alreadyPresent already in the ledger (an earlier tick, another producer)
   */
  public record KindCounts(int due, int created, int staleSkipped, int alreadyPresent) {
    public static final KindCounts ZERO = new KindCounts(0, 0, 0, 0);

    KindCounts plus(KindCounts other) {
      return new KindCounts(
          due + other.due,
          created + other.created,
          staleSkipped + other.staleSkipped,
          alreadyPresent + other.alreadyPresent);
    }
  }

  /** What became of one planned row. */
  public enum Outcome {
    /** Inserted as pending: queued for its due instant. */
    PENDING,
    /** Inserted as skipped (stale, appointment started): counted, never queued. */
    SKIPPED,
    /** The dedup key was already in the ledger: nothing written. */
    ALREADY_PRESENT
  }

  /**
   * One logical notification the tick resolved.
   *
   * @param deliveryId the new ledger row's id; null when already present
   * @param skipReason the reason code when {@link Outcome#SKIPPED}
   */
  public record PlannedRow(
      NotificationKind kind,
      UUID userId,
      UUID appointmentId,
      LocalDate localDate,
      Instant dueAt,
      String dedupKey,
      Outcome outcome,
      String skipReason,
      UUID deliveryId) {}

  public int totalDue() {
    return counts.values().stream().mapToInt(KindCounts::due).sum();
  }

  public int totalCreated() {
    return counts.values().stream().mapToInt(KindCounts::created).sum();
  }

  public int totalStaleSkipped() {
    return counts.values().stream().mapToInt(KindCounts::staleSkipped).sum();
  }

  public int totalAlreadyPresent() {
    return counts.values().stream().mapToInt(KindCounts::alreadyPresent).sum();
  }

  /** Whether the window was empty (the watermark was already ahead). */
  public boolean idleWindow() {
    return !windowTo.isAfter(windowFrom);
  }
}
