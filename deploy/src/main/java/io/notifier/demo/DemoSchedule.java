package io.notifier.demo;

import io.notifier.schedule.DueTimes;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * When the demo's notifications fall due, relative to the instant it seeds: the wall-clock kinds
 * (session-notes reminders, daily and tomorrow digests) at the next two whole minutes, each written
 * as its workspace's local "HH:mm"; appointments whose 15-minute reminders fall due at the first of
 * those minutes; and one appointment booked "just now", 40 minutes ahead, whose 60-minute reminder
 * is already overdue (a late booking: reminded at once).
 *
 * @param seededAt the instant the demo practice is written
 * @param first the next whole minute after {@code seededAt}
 * @param second the whole minute after {@code first}
 * @param reminderStart an appointment start whose 15-minute reminder is due at {@code first}: 15 to
 *     16 minutes after {@code seededAt}
 * @param lateBookingStart an appointment start 39 to 40 minutes after {@code seededAt}
 */
record DemoSchedule(
    Instant seededAt,
    Instant first,
    Instant second,
    Instant reminderStart,
    Instant lateBookingStart) {

  /** The reminder offset of the appointments that start a quarter of an hour from now. */
  static final int SHORT_REMINDER_MINUTES = 15;

  /** The reminder offset of the late booking (and of the users who want an hour's notice). */
  static final int HOUR_REMINDER_MINUTES = 60;

  private static final Duration LATE_BOOKING_AHEAD = Duration.ofMinutes(40);
  private static final DateTimeFormatter HH_MM = DateTimeFormatter.ofPattern("HH:mm");

  DemoSchedule {
    Objects.requireNonNull(seededAt, "seededAt");
    Objects.requireNonNull(first, "first");
    Objects.requireNonNull(second, "second");
    Objects.requireNonNull(reminderStart, "reminderStart");
    Objects.requireNonNull(lateBookingStart, "lateBookingStart");
    if (!first.isAfter(seededAt) || !second.isAfter(first)) {
      throw new IllegalArgumentException("the demo's due minutes must follow the seeding instant");
    }
  }

  /** The schedule of a demo practice seeded at {@code now}. */
  static DemoSchedule at(Instant now) {
    Instant minute = now.truncatedTo(ChronoUnit.MINUTES);
    Instant first = minute.plus(Duration.ofMinutes(1));
    return new DemoSchedule(
        now,
        first,
        minute.plus(Duration.ofMinutes(2)),
        first.plus(Duration.ofMinutes(SHORT_REMINDER_MINUTES)),
        minute.plus(LATE_BOOKING_AHEAD));
  }

  /** The setting ("HH:mm", as PazPaz stores it) that reads {@code at} on the workspace's clock. */
  static String wallTime(Instant at, ZoneId zone) {
    return HH_MM.format(at.atZone(zone));
  }

  /** The workspace's calendar date at {@code at}. */
  static LocalDate localDate(Instant at, ZoneId zone) {
    return at.atZone(zone).toLocalDate();
  }

  /** PazPaz's day number of {@code date}: 0 = Sunday ... 6 = Saturday. */
  static int dayNumber(LocalDate date) {
    return date.getDayOfWeek().getValue() % 7;
  }

  /**
   * Whether the setting {@link #wallTime} gives for {@code at} fires at {@code at} itself. It does
   * except in the second hour of a fall-back overlap: a time that occurs twice fires at its first
   * occurrence only (docs/NOTIFICATION_SETTINGS.md), which has then already passed.
   */
  static boolean firesAt(Instant at, ZoneId zone) {
    LocalDateTime wall = at.atZone(zone).toLocalDateTime().truncatedTo(ChronoUnit.MINUTES);
    return DueTimes.fireInstant(zone, wall).equals(at);
  }

  /**
   * {@code time} on {@code date} in {@code zone}, for appointment starts (a gap shifts forward).
   */
  static Instant at(LocalDate date, LocalTime time, ZoneId zone) {
    return ZonedDateTime.of(date, time, zone).toInstant();
  }
}
