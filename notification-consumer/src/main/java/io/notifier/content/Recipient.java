package io.notifier.content;

import java.time.ZoneId;
import java.util.Objects;
import java.util.UUID;

/**
 * Who receives the email, and the workspace time zone every time in it is shown in.
 *
 * @param fullName the therapist's own name, for the greeting
 */
public record Recipient(UUID userId, String email, String fullName, ZoneId zone) {

  public Recipient {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(email, "email");
    Objects.requireNonNull(zone, "zone");
  }

  @Override
  public String toString() {
    return "Recipient[userId=" + userId + ", zone=" + zone + "]";
  }
}
