package io.notifier.content;

import java.util.Locale;
import java.util.Objects;

/** How client names appear in email bodies. They never appear in subjects, whatever the mode. */
public enum ClientNameMode {
  /** "Dana Levi": what the plan asks for, and the default. */
  FULL,
  /** "D. L.": enough to recognise the appointment, less exposed if the mailbox is shared. */
  INITIALS,
  /** No names at all; names are then not even decrypted. */
  NONE;

  public static ClientNameMode parse(String text) {
    String value = Objects.requireNonNull(text, "client name mode").trim().toUpperCase(Locale.ROOT);
    try {
      return valueOf(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "client name mode must be full, initials or none, was '" + text + "'");
    }
  }
}
