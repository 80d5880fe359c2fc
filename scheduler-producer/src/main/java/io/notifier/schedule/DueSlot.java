package io.notifier.schedule;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.Objects;

/**
 * One local wall-clock minute of one local date in some zone, and the instant it fires.
 *
 * @param localDate the recipient's local date (the dedup key's date)
 * @param wallTime the local time as settings store it, whole minutes
 * @param due the instant it fires ({@link DueTimes#fireInstant})
 */
public record DueSlot(LocalDate localDate, LocalTime wallTime, Instant due) {

  public DueSlot {
    Objects.requireNonNull(localDate, "localDate");
    Objects.requireNonNull(wallTime, "wallTime");
    Objects.requireNonNull(due, "due");
    if (wallTime.getSecond() != 0 || wallTime.getNano() != 0) {
      throw new IllegalArgumentException("wall times are whole minutes, was " + wallTime);
    }
  }

  /** The time in PazPaz's settings format, {@code HH:MM}. */
  public String hhmm() {
    int h = wallTime.getHour();
    int m = wallTime.getMinute();
    return (h < 10 ? "0" : "") + h + ":" + (m < 10 ? "0" : "") + m;
  }

  /** PazPaz's day number of {@link #localDate}: 0 = Sunday ... 6 = Saturday. */
  public int dayOfWeek() {
    return dayNumber(localDate.getDayOfWeek());
  }

  static int dayNumber(DayOfWeek day) {
    return day.getValue() % 7;
  }
}
