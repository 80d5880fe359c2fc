package io.notifier.ledger;

import io.notifier.model.NotificationJob;
import io.notifier.model.NotificationKind;
import io.notifier.model.NotificationStatus;
import io.notifier.model.SkipReason;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Objects;
import java.util.UUID;

/**
 * A ledger row the producer wants to exist: {@link NotificationStatus#PENDING}, or {@link
 * NotificationStatus#SKIPPED} with a reason when it is already too late to send (recorded so that
 * it is counted once and never reconsidered).
 */
public record NewDelivery(
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
    SkipReason skipReason) {

  public NewDelivery {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(dedupKey, "dedupKey");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(workspaceId, "workspaceId");
    Objects.requireNonNull(dueAt, "dueAt");
    Objects.requireNonNull(status, "status");
    if (status != NotificationStatus.PENDING && status != NotificationStatus.SKIPPED) {
      throw new IllegalArgumentException("a new delivery is pending or skipped, not " + status);
    }
    if ((status == NotificationStatus.SKIPPED) != (skipReason != null)) {
      throw new IllegalArgumentException("a skip reason goes with, and only with, skipped");
    }
  }

  public static NewDelivery pending(
      String dedupKey,
      NotificationKind kind,
      UUID userId,
      UUID workspaceId,
      UUID appointmentId,
      LocalDate localDate,
      Integer reminderMinutes,
      Instant appointmentStart,
      Instant dueAt) {
    return new NewDelivery(
        UUID.randomUUID(),
        dedupKey,
        kind,
        userId,
        workspaceId,
        appointmentId,
        localDate,
        reminderMinutes,
        appointmentStart,
        dueAt,
        NotificationStatus.PENDING,
        null);
  }

  public NewDelivery skipped(SkipReason reason) {
    return new NewDelivery(
        id,
        dedupKey,
        kind,
        userId,
        workspaceId,
        appointmentId,
        localDate,
        reminderMinutes,
        appointmentStart,
        dueAt,
        NotificationStatus.SKIPPED,
        reason);
  }

  /** The first attempt's job. */
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
        dueAt,
        1);
  }
}
