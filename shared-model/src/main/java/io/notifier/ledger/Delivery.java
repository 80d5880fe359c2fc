package io.notifier.ledger;

import io.notifier.model.NotificationJob;
import io.notifier.model.NotificationKind;
import io.notifier.model.NotificationStatus;
import java.time.Instant;
import java.time.LocalDate;
import java.util.UUID;

/** One row of the delivery ledger ({@code notifier_deliveries}). */
public record Delivery(
    UUID id,
    String dedupKey,
    NotificationKind kind,
    UUID userId,
    UUID workspaceId,
    UUID appointmentId,
    LocalDate localDate,
    Integer reminderMinutes,
    Instant appointmentStart,
    Instant dueAt,
    NotificationStatus status,
    int attempts,
    Instant nextAttemptAt,
    String leaseOwner,
    Instant leaseExpiresAt,
    boolean possibleDuplicate,
    String skipReason,
    String lastError,
    String messageId,
    Instant createdAt,
    Instant updatedAt,
    Instant enqueuedAt,
    Instant sentAt) {

  /** The queue job for this row's next attempt, ready at {@code nextAttemptAt}. */
  public NotificationJob toJob() {
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
        nextAttemptAt,
        attempts + 1);
  }
}
