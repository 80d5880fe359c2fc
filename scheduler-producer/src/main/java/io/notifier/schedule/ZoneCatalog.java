package io.notifier.schedule;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The workspace time zones in use and how each is read. A key is the stored value of {@code
 * workspaces.timezone}, with {@code ""} standing for NULL. NULL means UTC; a value that is not a
 * zone {@link ZoneId#of} knows means UTC too, and is listed in {@link #invalid()} so it can be
 * reported.
 *
 * @param zones every key and the zone it is resolved as
 * @param invalid the keys that are not valid zone names (resolved as UTC)
 */
public record ZoneCatalog(Map<String, ZoneId> zones, Set<String> invalid) {

  /** The key of a workspace whose time zone is NULL (and of one whose zone is empty). */
  public static final String NULL_KEY = "";

  public static final ZoneCatalog EMPTY = new ZoneCatalog(Map.of(), Set.of());

  public ZoneCatalog {
    zones = Collections.unmodifiableMap(new TreeMap<>(zones));
    invalid = Collections.unmodifiableSet(new TreeSet<>(invalid));
  }

  /**
   * How a stored {@code workspaces.timezone} is read: NULL as UTC, a name {@link ZoneId#of} accepts
   * as that zone, anything else (including the empty string) as empty: invalid.
   */
  public static Optional<ZoneId> parse(String storedValue) {
    if (storedValue == null) {
      return Optional.of(ZoneOffset.UTC);
    }
    if (storedValue.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(ZoneId.of(storedValue));
    } catch (DateTimeException e) {
      return Optional.empty();
    }
  }

  /** The key a stored value is filed under. */
  public static String keyOf(String storedValue) {
    return storedValue == null ? NULL_KEY : storedValue;
  }

  public boolean contains(String key) {
    return zones.containsKey(key);
  }

  /** This catalog with {@code key} added, resolved as {@code zone}. */
  public ZoneCatalog with(String key, ZoneId zone, boolean isInvalid) {
    Map<String, ZoneId> more = new HashMap<>(zones);
    more.put(key, zone);
    Set<String> bad = new TreeSet<>(invalid);
    if (isInvalid) {
      bad.add(key);
    }
    return new ZoneCatalog(more, bad);
  }

  /**
   * Groups the zones by what fires in {@code (from, to]}: one {@link DueTimes#slots} computation
   * per distinct zone, and one group per distinct result. Zones where nothing fires are left out.
   */
  public List<ZoneGroup> groups(Instant from, Instant to) {
    Map<ZoneId, List<DueSlot>> slotsByZone = new HashMap<>();
    Map<List<DueSlot>, List<String>> keysBySlots = new LinkedHashMap<>();
    for (Map.Entry<String, ZoneId> entry : zones.entrySet()) {
      List<DueSlot> slots =
          slotsByZone.computeIfAbsent(entry.getValue(), zone -> DueTimes.slots(zone, from, to));
      if (!slots.isEmpty()) {
        keysBySlots.computeIfAbsent(slots, s -> new ArrayList<>()).add(entry.getKey());
      }
    }
    List<ZoneGroup> groups = new ArrayList<>(keysBySlots.size());
    keysBySlots.forEach((slots, keys) -> groups.add(new ZoneGroup(keys, slots)));
    return groups;
  }
}
