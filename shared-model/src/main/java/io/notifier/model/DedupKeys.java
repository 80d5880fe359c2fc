package io.notifier.model;

import java.time.Instant;
import java.time.LocalDate;
import java.util.UUID;

/**
 * The identity of each logical notification. The ledger's UNIQUE constraint on these strings is
 * what makes enqueueing exactly-once, however many producers run and however often a window is
 * re-covered. The deterministic Message-ID is derived from them too.
 */
public final class DedupKeys {

  private DedupKeys() {}

  /** One per user per local date: fall-back's repeated hour cannot produce a second one. */
  public static String daily(NotificationKind kind, UUID userId, LocalDate localDate) {
    if (kind == NotificationKind.APPOINTMENT_REMINDER) {
      throw new IllegalArgumentException("appointment reminders are keyed by appointment");
    }
    return kind.code() + ":" + userId + ":" + localDate;
  }

  /**
   * One per appointment, user, offset and start: a rescheduled appointment has a new start and so
   * gets a fresh reminder, while the old one is skipped as moved.
   */
  public static String appointmentReminder(
      UUID appointmentId, UUID userId, int reminderMinutes, Instant scheduledStart) {
    return NotificationKind.APPOINTMENT_REMINDER.code()
        + ":"
        + appointmentId
        + ":"
        + userId
        + ":"
        + reminderMinutes
        + ":"
        + scheduledStart.getEpochSecond();
  }

  /** A support-triggered send: never collides with the scheduled one, nor with another trigger. */
  public static String manual(NotificationKind kind, UUID userId, UUID nonce) {
    return kind.code() + ":" + userId + ":manual:" + nonce;
  }
}
