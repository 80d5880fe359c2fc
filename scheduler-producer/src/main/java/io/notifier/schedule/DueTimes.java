package io.notifier.schedule;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.List;

/**
 * When a local wall-clock time fires, and which wall-clock minutes fire inside a window. Pure
 * arithmetic on {@link ZoneRules}; no clock, no database.
 *
 * <p>The rule: a wall time fires at the first instant at which the zone's clock reads that time or
 * later. So
 *
 * <ul>
 *   <li>an ordinary time fires at its only instant;
 *   <li>a time inside a spring-forward gap (02:30 in New York on 2027-03-14) fires at the
 *       transition instant itself, which the clock shows as the end of the gap (03:00 EDT). {@code
 *       ZonedDateTime.of} would instead shift it by the gap's length (03:30), which is not this
 *       rule;
 *   <li>a time that occurs twice (01:30 in New York on 2027-11-07) fires at its first occurrence;
 *       the dedup key {@code kind:user:localDate} makes sure the second occurrence sends nothing.
 * </ul>
 *
 * <p>This makes the fire instant a non-decreasing function of the local date-time, so the wall
 * times that fire in a window {@code (from, to]} are one contiguous run of minutes, which {@link
 * #slots} finds by binary search whatever the zone's offset (+05:45, +14:00, -11:00, Lord Howe's
 * half-hour DST): it never loops over UTC offsets.
 */
public final class DueTimes {

  /**
   * How far from the naive local time the first matching minute can be. Offsets span -12:00 to
   * +14:00 and the largest jump ever (Samoa, 2011) skipped one day, so three days is ample.
   */
  private static final long SEARCH_MINUTES = 3L * 24 * 60;

  private DueTimes() {}

  /** The instant {@code wall} fires in {@code zone}, by the rule above. */
  public static Instant fireInstant(ZoneId zone, LocalDateTime wall) {
    ZoneRules rules = zone.getRules();
    List<ZoneOffset> offsets = rules.getValidOffsets(wall);
    if (offsets.size() == 1) {
      return wall.toInstant(offsets.get(0));
    }
    ZoneOffsetTransition transition = rules.getTransition(wall);
    if (offsets.isEmpty()) {
      // In a gap: the first instant whose local time is at or after `wall` is the transition.
      return transition.getInstant();
    }
    // In an overlap: the offset before the transition gives the first (earlier) occurrence.
    return wall.toInstant(transition.getOffsetBefore());
  }

  /**
   * Every wall-clock minute whose fire instant lies in {@code (fromExclusive, toInclusive]}, in
   * local order, each with its local date and fire instant. A gap makes several minutes fire at the
   * same instant; an overlap's second hour contributes no minute.
   */
  public static List<DueSlot> slots(ZoneId zone, Instant fromExclusive, Instant toInclusive) {
    if (!toInclusive.isAfter(fromExclusive)) {
      return List.of();
    }
    LocalDateTime first = firstWallTimeFiringAfter(zone, fromExclusive);
    LocalDateTime end = firstWallTimeFiringAfter(zone, toInclusive);
    List<DueSlot> slots = new ArrayList<>((int) Math.max(0, first.until(end, ChronoUnit.MINUTES)));
    for (LocalDateTime wall = first; wall.isBefore(end); wall = wall.plusMinutes(1)) {
      slots.add(new DueSlot(wall.toLocalDate(), wall.toLocalTime(), fireInstant(zone, wall)));
    }
    return slots;
  }

  /** The earliest whole-minute wall time of {@code zone} that fires strictly after {@code at}. */
  static LocalDateTime firstWallTimeFiringAfter(ZoneId zone, Instant at) {
    LocalDateTime guess = LocalDateTime.ofInstant(at, zone).truncatedTo(ChronoUnit.MINUTES);
    // Away from a transition the answer is the next minute. Fire instants never decrease with the
    // wall time, so this pair is the boundary the search below would find, in two look-ups
    // instead of about fifteen (a tick does this for every zone, twice).
    LocalDateTime next = guess.plusMinutes(1);
    if (!fireInstant(zone, guess).isAfter(at) && fireInstant(zone, next).isAfter(at)) {
      return next;
    }
    long low = -SEARCH_MINUTES; // fires at or before `at`
    long high = SEARCH_MINUTES; // fires after `at`
    if (fireInstant(zone, guess.plusMinutes(low)).isAfter(at)
        || !fireInstant(zone, guess.plusMinutes(high)).isAfter(at)) {
      throw new IllegalStateException("zone " + zone + " has an offset jump beyond three days");
    }
    while (high - low > 1) {
      long mid = Math.floorDiv(low + high, 2);
      if (fireInstant(zone, guess.plusMinutes(mid)).isAfter(at)) {
        high = mid;
      } else {
        low = mid;
      }
    }
    return guess.plusMinutes(high);
  }
}
