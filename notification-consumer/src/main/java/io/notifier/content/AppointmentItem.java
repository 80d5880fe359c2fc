package io.notifier.content;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * One appointment as the emails show it. Client names are still encrypted: they are decrypted while
 * rendering, and only when the name mode shows them. Clinical notes are never loaded.
 *
 * @param status {@code scheduled}, {@code attended} or {@code no_show}
 * @param locationType {@code clinic}, {@code home} or {@code online}
 */
public record AppointmentItem(
    UUID id,
    Instant start,
    Instant end,
    String status,
    byte[] clientFirstName,
    byte[] clientLastName,
    String serviceName,
    String locationType,
    String locationName,
    String locationAddress,
    String locationDetails) {

  public AppointmentItem {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(end, "end");
  }

  @Override
  public String toString() {
    return "AppointmentItem[id=" + id + ", start=" + start + "]";
  }
}
