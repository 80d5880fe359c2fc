package io.notifier.schedule;

import io.notifier.model.DedupKeys;
import io.notifier.model.NotificationKind;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * An independent oracle for the simulation tests: what should be in the ledger after ticking
 * through {@code (from, to]}, computed by brute force over instants (walk the clock minute by
 * minute until the zone's wall clock reads the wanted time or later) rather than with the
 * producer's zone-rules arithmetic.
 */
final class ExpectedNotifications {

  private final Instant from;
  private final Instant to;
  private final Map<String, Instant> expected = new TreeMap<>();

  /** Notifications due in {@code (from, to]}. */
  ExpectedNotifications(Instant from, Instant to) {
    this.from = from;
    this.to = to;
  }

  /** Dedup key to due instant. */
  Map<String, Instant> all() {
    return expected;
  }

  /** A wall-clock kind at {@code time} on {@code days} (0 = Sunday) for a user in {@code zone}. */
  ExpectedNotifications wallClock(
      NotificationKind kind, UUID user, ZoneId zone, String time, Integer... days) {
    Set<Integer> onDays = new HashSet<>(Arrays.asList(days));
    LocalTime wall = LocalTime.parse(time);
    // Every local date whose wall time could fall in the span, with a day's margin either side.
    LocalDate first = LocalDate.ofInstant(from, ZoneOffset.UTC).minusDays(2);
    LocalDate last = LocalDate.ofInstant(to, ZoneOffset.UTC).plusDays(2);
    for (LocalDate date = first; !date.isAfter(last); date = date.plusDays(1)) {
      if (!onDays.contains(dayNumber(date.getDayOfWeek()))) {
        continue;
      }
      Instant due = bruteForceFire(zone, LocalDateTime.of(date, wall));
      if (due.isAfter(from) && !due.isAfter(to)) {
        expected.put(DedupKeys.daily(kind, user, date), due);
      }
    }
    return this;
  }

  /** An appointment reminder {@code minutes} before {@code start}, if due in the span. */
  ExpectedNotifications reminder(UUID appointment, UUID user, int minutes, Instant start) {
    Instant due = start.minus(Duration.ofMinutes(minutes));
    if (due.isAfter(from) && !due.isAfter(to)) {
      expected.put(DedupKeys.appointmentReminder(appointment, user, minutes, start), due);
    }
    return this;
  }

  static int dayNumber(DayOfWeek day) {
    return day.getValue() % 7;
  }

  /** The first whole-minute instant at which the zone's wall clock reads {@code wall} or later. */
  static Instant bruteForceFire(ZoneId zone, LocalDateTime wall) {
    // No zone is more than 14 hours ahead of UTC: start the walk well before.
    Instant t = wall.toInstant(ZoneOffset.ofHours(15)).truncatedTo(ChronoUnit.MINUTES);
    while (LocalDateTime.ofInstant(t, zone).isBefore(wall)) {
      t = t.plusSeconds(60);
    }
    return t;
  }
}
