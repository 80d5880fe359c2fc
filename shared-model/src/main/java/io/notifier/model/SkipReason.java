package io.notifier.model;

/**
 * Why a notification was deliberately not sent. The code is stored in the ledger's skip_reason and
 * used as the {@code reason} tag of the skipped counter, so keep the set small and stable.
 */
public enum SkipReason {
  /** Due too long ago for its kind's staleness rule (see NOTIFICATION_SETTINGS.md). */
  STALE("stale"),
  /** The appointment starts before the reminder could go out. */
  APPOINTMENT_STARTED("appointment_started"),
  APPOINTMENT_CANCELLED("appointment_cancelled"),
  APPOINTMENT_DELETED("appointment_deleted"),
  /** scheduled_start changed since the reminder was scheduled; the new start gets its own. */
  APPOINTMENT_MOVED("appointment_moved"),
  /** The appointment is no longer 'scheduled' (attended or no-show) but was not cancelled. */
  APPOINTMENT_NOT_SCHEDULED("appointment_not_scheduled"),
  /** email_enabled or the kind's own switch was turned off, or its time or offset changed. */
  SETTING_DISABLED("setting_disabled"),
  SETTINGS_MISSING("settings_missing"),
  USER_INACTIVE("user_inactive"),
  USER_DELETED("user_deleted"),
  WORKSPACE_INACTIVE("workspace_inactive"),
  /** The user has no valid email address on file. */
  NO_EMAIL_ADDRESS("no_email_address"),
  /** A notes reminder with nothing left to write. */
  NO_DRAFT_NOTES("no_draft_notes"),
  /** A digest for a day without appointments (unless empty digests are configured on). */
  EMPTY_DIGEST("empty_digest");

  private final String code;

  SkipReason(String code) {
    this.code = code;
  }

  public String code() {
    return code;
  }
}
