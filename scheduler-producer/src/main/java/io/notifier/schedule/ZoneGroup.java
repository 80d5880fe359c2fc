package io.notifier.schedule;

import java.util.List;

/**
 * Zones whose wall-clock mapping is identical over one window: the same local dates, times and fire
 * instants (typically zones that share an offset at that moment). They are resolved together.
 *
 * @param zoneKeys the workspace time-zone values of the group, as stored ({@code ""} for NULL)
 * @param slots what fires in the window, for every zone of the group
 */
public record ZoneGroup(List<String> zoneKeys, List<DueSlot> slots) {

  public ZoneGroup {
    zoneKeys = List.copyOf(zoneKeys);
    slots = List.copyOf(slots);
  }
}
