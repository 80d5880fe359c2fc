package io.notifier.content;

import java.time.LocalDate;
import java.util.List;

/** What one email is about, as loaded from the database at send time. */
public sealed interface NotificationData {

  /** The user's own live draft notes. */
  record DraftNotes(int count) implements NotificationData {}

  /**
   * The appointments of one local day of the workspace, in start order.
   *
   * @param tomorrow whether this is the evening-before digest (wording differs)
   */
  record Digest(LocalDate day, boolean tomorrow, List<AppointmentItem> appointments)
      implements NotificationData {
    public Digest {
      appointments = List.copyOf(appointments);
    }
  }

  /** The appointment a reminder is about. */
  record Reminder(AppointmentItem appointment) implements NotificationData {}
}
