package io.notifier.model;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Objects;
import java.util.UUID;

/**
 * What travels through Redis: the ledger row's identity and enough context to log, count and
 * re-validate. The ledger stays the authority; the consumer re-reads the row before acting.
 *
 * @param id the ledger row id (notifier_deliveries.id)
 * @param dueAt the instant the user asked for; the job becomes ready at {@code readyAt}
 * @param readyAt when the job should leave the delayed set: dueAt, or a retry's time
 * @param attempt 1 for the first try, incremented by each retry
 */
public record NotificationJob(
    UUID id,
    NotificationKind kind,
    String dedupKey,
    UUID userId,
    UUID workspaceId,
    UUID appointmentId,
    LocalDate localDate,
    Integer reminderMinutes,
    Instant appointmentStart,
    Instant dueAt,
    Instant readyAt,
    int attempt) {

  public NotificationJob {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(dedupKey, "dedupKey");
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(workspaceId, "workspaceId");
    Objects.requireNonNull(dueAt, "dueAt");
    Objects.requireNonNull(readyAt, "readyAt");
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt starts at 1, was " + attempt);
    }
  }

  /** The same job scheduled again for {@code at}, as attempt {@code attempt}. */
  public NotificationJob retryAt(Instant at, int attempt) {
    return new NotificationJob(
        id,
        kind,
        dedupKey,
        userId,
        workspaceId,
        appointmentId,
        localDate,
        reminderMinutes,
        appointmentStart,
        dueAt,
        at,
        attempt);
  }
}
