package io.notifier.content;

import java.net.URI;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Objects;

/**
 * What the emails say and link to.
 *
 * @param appBaseUrl the PazPaz web app, e.g. {@code https://app.pazpaz.example}; links are built
 *     from it (sessions page, calendar for a date, notification settings)
 * @param clientNames how client names appear in bodies (never in subjects)
 * @param sendEmptyDigests whether a digest for a day without appointments is sent ("nothing
 *     scheduled") rather than skipped as {@code empty_digest}
 * @param locale language of dates ("Tuesday, March 10"); the templates are English
 * @param timePattern {@link DateTimeFormatter} pattern of times, e.g. {@code HH:mm} or {@code h:mm
 *     a}
 * @param datePattern pattern of dates in subjects and headings, e.g. {@code EEEE, MMMM d}
 * @param maxNameLength longest client name shown, in characters as a reader counts them (grapheme
 *     clusters); longer ones are cut with an ellipsis
 */
public record ContentConfig(
    URI appBaseUrl,
    ClientNameMode clientNames,
    boolean sendEmptyDigests,
    Locale locale,
    String timePattern,
    String datePattern,
    int maxNameLength) {

  public static final ClientNameMode DEFAULT_CLIENT_NAMES = ClientNameMode.FULL;
  public static final Locale DEFAULT_LOCALE = Locale.US;
  public static final String DEFAULT_TIME_PATTERN = "HH:mm";
  public static final String DEFAULT_DATE_PATTERN = "EEEE, MMMM d";
  public static final int DEFAULT_MAX_NAME_LENGTH = 120;

  /** Paths of the app pages the emails link to, relative to {@link #appBaseUrl}. */
  public static final String SESSIONS_PATH = "/sessions";

  public static final String CALENDAR_PATH = "/calendar";
  public static final String SETTINGS_PATH = "/settings/notifications";

  public ContentConfig {
    Objects.requireNonNull(appBaseUrl, "appBaseUrl");
    String scheme = appBaseUrl.getScheme();
    if (!appBaseUrl.isAbsolute()
        || !("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))
        || appBaseUrl.getHost() == null) {
      throw new IllegalArgumentException("the app base URL must be an absolute http(s) URL");
    }
    if (appBaseUrl.getQuery() != null || appBaseUrl.getFragment() != null) {
      throw new IllegalArgumentException("the app base URL must not have a query or fragment");
    }
    String text = appBaseUrl.toString();
    while (text.endsWith("/")) {
      text = text.substring(0, text.length() - 1);
    }
    appBaseUrl = URI.create(text);
    Objects.requireNonNull(clientNames, "clientNames");
    Objects.requireNonNull(locale, "locale");
    Objects.requireNonNull(timePattern, "timePattern");
    Objects.requireNonNull(datePattern, "datePattern");
    try {
      DateTimeFormatter.ofPattern(timePattern, locale);
      DateTimeFormatter.ofPattern(datePattern, locale);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid date or time pattern: " + e.getMessage());
    }
    if (maxNameLength < 8) {
      throw new IllegalArgumentException("maxNameLength must be at least 8");
    }
  }

  public static ContentConfig defaults(URI appBaseUrl) {
    return new ContentConfig(
        appBaseUrl,
        DEFAULT_CLIENT_NAMES,
        false,
        DEFAULT_LOCALE,
        DEFAULT_TIME_PATTERN,
        DEFAULT_DATE_PATTERN,
        DEFAULT_MAX_NAME_LENGTH);
  }

  public ContentConfig withClientNames(ClientNameMode mode) {
    return new ContentConfig(
        appBaseUrl, mode, sendEmptyDigests, locale, timePattern, datePattern, maxNameLength);
  }

  public ContentConfig withEmptyDigests(boolean send) {
    return new ContentConfig(
        appBaseUrl, clientNames, send, locale, timePattern, datePattern, maxNameLength);
  }

  public ContentConfig withFormats(Locale locale, String timePattern, String datePattern) {
    return new ContentConfig(
        appBaseUrl, clientNames, sendEmptyDigests, locale, timePattern, datePattern, maxNameLength);
  }

  public DateTimeFormatter timeFormatter() {
    return DateTimeFormatter.ofPattern(timePattern, locale);
  }

  public DateTimeFormatter dateFormatter() {
    return DateTimeFormatter.ofPattern(datePattern, locale);
  }
}
