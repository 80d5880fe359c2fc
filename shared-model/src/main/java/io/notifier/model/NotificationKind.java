package io.notifier.model;

import java.util.Arrays;
import java.util.Optional;

/** The four kinds of email the notifier sends. The code is what the ledger and queue store. */
public enum NotificationKind {
  /** "You have 3 draft session notes", at the user's notes_reminder_time. */
  SESSION_NOTES_REMINDER("session_notes_reminder"),
  /** "Your schedule for Tuesday, March 10", at digest_time on digest_days. */
  DAILY_DIGEST("daily_digest"),
  /** The next local day's appointments, at tomorrow_digest_time on tomorrow_digest_days. */
  TOMORROW_DIGEST("tomorrow_digest"),
  /** "Appointment in 60 minutes", reminder_minutes before scheduled_start. */
  APPOINTMENT_REMINDER("appointment_reminder");

  private final String code;

  NotificationKind(String code) {
    this.code = code;
  }

  public String code() {
    return code;
  }

  public static Optional<NotificationKind> fromCode(String code) {
    return Arrays.stream(values()).filter(k -> k.code.equals(code)).findFirst();
  }

  /** Accepts the code ({@code daily_digest}) or the constant name, any case, dashes or not. */
  public static Optional<NotificationKind> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    String normalized = text.trim().toLowerCase(java.util.Locale.ROOT).replace('-', '_');
    return fromCode(normalized);
  }
}
