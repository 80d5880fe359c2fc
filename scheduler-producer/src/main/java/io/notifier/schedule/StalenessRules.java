package io.notifier.schedule;

import io.notifier.model.NotificationKind;
import io.notifier.model.SkipReason;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What is still worth sending late, per kind. A notification the producer finds too late (after an
 * outage, a long catch-up) is written to the ledger as skipped with the reason, counted, and never
 * queued; everything else is queued, late or not, once.
 *
 * <ul>
 *   <li>Daily digest, tomorrow digest, session-notes reminder: sent up to their grace period after
 *       the due instant (default two hours), skipped as {@code stale} after that.
 *   <li>Appointment reminder: sent late only while the appointment has not started; skipped as
 *       {@code appointment_started} from its start on. An hour late is still useful for a 24-hour
 *       reminder; a minute late is useless once the client is in the room.
 * </ul>
 *
 * @param dailyDigest how late a daily digest may still go out
 * @param tomorrowDigest how late a tomorrow digest may still go out
 * @param notesReminder how late a session-notes reminder may still go out
 */
public record StalenessRules(
    Duration dailyDigest, Duration tomorrowDigest, Duration notesReminder) {

  public static final Duration DEFAULT_DIGEST_GRACE = Duration.ofHours(2);
  public static final Duration DEFAULT_TOMORROW_DIGEST_GRACE = Duration.ofHours(2);
  public static final Duration DEFAULT_NOTES_REMINDER_GRACE = Duration.ofHours(2);

  public static final StalenessRules DEFAULTS =
      new StalenessRules(
          DEFAULT_DIGEST_GRACE, DEFAULT_TOMORROW_DIGEST_GRACE, DEFAULT_NOTES_REMINDER_GRACE);

  public StalenessRules {
    requireNonNegative(dailyDigest, "dailyDigest");
    requireNonNegative(tomorrowDigest, "tomorrowDigest");
    requireNonNegative(notesReminder, "notesReminder");
  }

  private static void requireNonNegative(Duration grace, String name) {
    Objects.requireNonNull(grace, name);
    if (grace.isNegative()) {
      throw new IllegalArgumentException(name + " grace must not be negative, was " + grace);
    }
  }

  /** The grace period of a wall-clock kind; empty for appointment reminders (see above). */
  public Optional<Duration> grace(NotificationKind kind) {
    return switch (kind) {
      case DAILY_DIGEST -> Optional.of(dailyDigest);
      case TOMORROW_DIGEST -> Optional.of(tomorrowDigest);
      case SESSION_NOTES_REMINDER -> Optional.of(notesReminder);
      case APPOINTMENT_REMINDER -> Optional.empty();
    };
  }

  /**
   * Whether a notification due at {@code due} must be skipped when found at {@code now}, and why.
   * {@code appointmentStart} is needed for appointment reminders only.
   */
  public Optional<SkipReason> verdict(
      NotificationKind kind, Instant due, Instant appointmentStart, Instant now) {
    if (kind == NotificationKind.APPOINTMENT_REMINDER) {
      Objects.requireNonNull(appointmentStart, "appointmentStart");
      return now.isBefore(appointmentStart)
          ? Optional.empty()
          : Optional.of(SkipReason.APPOINTMENT_STARTED);
    }
    Duration grace = grace(kind).orElseThrow();
    return due.plus(grace).isBefore(now) ? Optional.of(SkipReason.STALE) : Optional.empty();
  }
}
