package io.notifier.metrics;

import io.notifier.model.NotificationKind;
import java.time.Duration;

/**
 * What the job path reports. Implementations must never throw into the caller and must be cheap;
 * every method has a no-op default so tests and tools can pass {@link #NOOP}. Reason and failure
 * arguments are short stable codes (tag values), never messages or personal data.
 */
public interface NotifierMetrics {

  NotifierMetrics NOOP = new NotifierMetrics() {};

  // ---- producer ----

  /** One tick: how long it took, how many notifications fell due in its window, how many new. */
  default void tick(Duration duration, int due, int enqueued) {}

  default void enqueued(NotificationKind kind, int count) {}

  /** Whether this producer holds the leader lease (a gauge: 1 or 0). */
  default void leadership(boolean leader) {}

  /** How far behind now the watermark is after a tick (a gauge). */
  default void watermarkLag(Duration lag) {}

  /**
   * The watermark was older than the producer's maximum catch-up window: the oldest {@code
   * abandoned} stretch of due instants was given up without being resolved (one call per tick).
   */
  default void catchUpAbandoned(Duration abandoned) {}

  /**
   * A full re-sync of the producer's schedule index corrected {@code rows} rows that the per-tick
   * change tracking had missed (a PazPaz row changed without its updated_at moving).
   */
  default void scheduleDrift(int rows) {}

  /** Jobs the reconciler put back on the queue because Redis did not hold them. */
  default void reconciled(int count) {}

  /** A workspace time zone that is not a valid IANA name; UTC was used. */
  default void invalidTimezone() {}

  /**
   * A setting that bypassed the database's CHECK constraints (e.g. time {@code 24:00}, offset 45,
   * digest day 9) and was ignored. {@code field} is the column name.
   */
  default void badSetting(NotificationKind kind, String field) {}

  // ---- consumer ----

  /** Accepted by the SMTP server; lateness is acceptance minus the due instant. */
  default void sent(NotificationKind kind, Duration sendDuration, Duration lateness) {}

  /** A transient failure; {@code failure} e.g. {@code smtp_4xx}, {@code connection}. */
  default void retried(NotificationKind kind, String failure) {}

  /** Went to the dead-letter stream; {@code reason} e.g. {@code smtp_5xx}, {@code exhausted}. */
  default void dead(NotificationKind kind, String reason) {}

  /** The SMTP outcome is unknown (timeout after data). */
  default void uncertain(NotificationKind kind) {}

  /** Deliberately not sent, by producer (stale) or consumer (re-validation). */
  default void skipped(NotificationKind kind, String reason) {}

  /** A delivery whose ledger row was already finished or held by another consumer. */
  default void duplicateSuppressed(NotificationKind kind) {}

  /** Deliveries taken over from consumers that stopped acknowledging. */
  default void reclaimed(int count) {}

  /** A queue payload that could not be decoded (sent to dead letters). */
  default void badPayload(String reason) {}

  /** Sends in flight in this process (a gauge). */
  default void inFlight(int count) {}

  // ---- any long-running loop ----

  /** One iteration of {@code loop} failed and was retried later. */
  default void loopError(String loop) {}

  /** One iteration of {@code loop} completed (health reads these as heartbeats). */
  default void loopRan(String loop) {}
}
