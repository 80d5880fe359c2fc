package io.notifier.app;

import io.notifier.model.NotificationKind;
import io.notifier.model.NotificationStatus;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** picocli converters whose failures read as one plain sentence. */
final class Converters {

  private Converters() {}

  private static final Pattern SHORT_DURATION =
      Pattern.compile("(?i)\\s*(\\d+)\\s*(ms|s|m|h|d|w)\\s*");

  /** {@code 2027-03-14T07:30:00Z} or with an offset, {@code 2027-03-14T09:30:00+02:00}. */
  static final class InstantConverter implements ITypeConverter<Instant> {
    @Override
    public Instant convert(String value) {
      return parseInstant(value);
    }
  }

  static Instant parseInstant(String value) {
    try {
      return Instant.parse(value.trim());
    } catch (DateTimeParseException e) {
      try {
        return OffsetDateTime.parse(value.trim()).toInstant();
      } catch (DateTimeParseException e2) {
        throw new TypeConversionException(
            "'" + value + "' is not an instant; write it like 2027-03-14T07:30:00Z");
      }
    }
  }

  static final class UuidConverter implements ITypeConverter<UUID> {
    @Override
    public UUID convert(String value) {
      try {
        UUID id = UUID.fromString(value.trim());
        if (!id.toString().equalsIgnoreCase(value.trim())) {
          throw new IllegalArgumentException();
        }
        return id;
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(
            "'" + value + "' is not an id; ids look like 3f2b8c1e-7a4d-4e0b-9c6f-2d1e5a7b8c9d");
      }
    }
  }

  static final class KindConverter implements ITypeConverter<NotificationKind> {
    @Override
    public NotificationKind convert(String value) {
      return NotificationKind.parse(value)
          .orElseThrow(
              () ->
                  new TypeConversionException(
                      "unknown kind '" + value + "'; kinds are " + kinds()));
    }
  }

  static String kinds() {
    return Arrays.stream(NotificationKind.values())
        .map(NotificationKind::code)
        .collect(Collectors.joining(", "));
  }

  static final class StatusConverter implements ITypeConverter<NotificationStatus> {
    @Override
    public NotificationStatus convert(String value) {
      return NotificationStatus.parse(value)
          .orElseThrow(
              () ->
                  new TypeConversionException(
                      "unknown status '"
                          + value
                          + "'; statuses are "
                          + Arrays.stream(NotificationStatus.values())
                              .map(NotificationStatus::code)
                              .collect(Collectors.joining(", "))));
    }
  }

  /**
   * {@code 250ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 30d}, {@code 1w} or ISO {@code
   * PT5M}.
   */
  static final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      return parseDuration(value);
    }
  }

  static Duration parseDuration(String value) {
    Matcher m = SHORT_DURATION.matcher(value);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2).toLowerCase(Locale.ROOT)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        case "d" -> Duration.ofDays(n);
        default -> Duration.ofDays(7 * n);
      };
    }
    try {
      return Duration.parse(value.trim());
    } catch (DateTimeParseException e) {
      throw new TypeConversionException(
          "'" + value + "' is not a duration; write it like 250ms, 30s, 5m, 2h, 30d or PT5M");
    }
  }

  /** A point in time given as an instant or as a duration before now ({@code 24h}: a day ago). */
  record Since(Instant at, Duration ago) {
    Instant resolve(java.time.Clock clock) {
      return at != null ? at : clock.instant().minus(ago);
    }
  }

  static final class SinceConverter implements ITypeConverter<Since> {
    @Override
    public Since convert(String value) {
      try {
        return new Since(parseInstant(value), null);
      } catch (TypeConversionException notAnInstant) {
        try {
          return new Since(null, parseDuration(value));
        } catch (TypeConversionException notADuration) {
          throw new TypeConversionException(
              "'"
                  + value
                  + "' is neither an instant (2027-03-14T07:30:00Z) nor a duration ago (24h)");
        }
      }
    }
  }
}
