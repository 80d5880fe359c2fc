package io.notifier.content;

import io.notifier.db.crypto.ClientNameCipher;
import io.notifier.db.crypto.UndecryptableException;
import io.pebbletemplates.pebble.PebbleEngine;
import io.pebbletemplates.pebble.loader.ClasspathLoader;
import io.pebbletemplates.pebble.template.PebbleTemplate;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders the four kinds of email from Pebble templates ({@code templates/*.peb}): an HTML engine
 * that escapes every value by default, and a separate plain-text engine that does not (text has
 * nothing to escape). Subjects are built here from counts and dates only, never from names.
 *
 * <p>Client names are decrypted here, and only when the name mode shows them; a name that cannot be
 * decrypted fails this one email with {@link UndecryptableException}. Thread-safe.
 */
public final class EmailRenderer {

  /** Isolates user text in plain-text bodies, so a right-to-left name cannot reorder the line. */
  private static final String FSI = "\u2068";

  private static final String PDI = "\u2069";

  private final ContentConfig config;
  private final ClientNameCipher cipher;
  private final PebbleEngine html;
  private final PebbleEngine text;

  public EmailRenderer(ContentConfig config, ClientNameCipher cipher) {
    this.config = config;
    this.cipher = cipher;
    this.html = engine(true);
    this.text = engine(false);
  }

  private static PebbleEngine engine(boolean escape) {
    ClasspathLoader loader = new ClasspathLoader(EmailRenderer.class.getClassLoader());
    loader.setPrefix("templates");
    return new PebbleEngine.Builder()
        .loader(loader)
        .autoEscaping(escape)
        .defaultEscapingStrategy("html")
        .strictVariables(true)
        // Plain text keeps every line break as written; HTML does not care.
        .newLineTrimming(escape)
        .cacheActive(true)
        .build();
  }

  public ContentConfig config() {
    return config;
  }

  /**
   * The email for {@code data}, as of {@code now} (which only matters for "Appointment in N
   * minutes").
   */
  public RenderedEmail render(Recipient recipient, NotificationData data, Instant now)
      throws UndecryptableException {
    Map<String, Object> model = new HashMap<>();
    ZoneId zone = recipient.zone();
    model.put("recipientName", DisplayText.clean(recipient.fullName(), 200));
    model.put("zone", zone.getId());
    model.put("lang", config.locale().toLanguageTag());
    model.put("settingsUrl", link(ContentConfig.SETTINGS_PATH));
    model.put("sessionsUrl", link(ContentConfig.SESSIONS_PATH));
    String subject;
    String template;
    switch (data) {
      case NotificationData.DraftNotes notes -> {
        template = "session_notes_reminder";
        subject = notesSubject(notes.count());
        model.put("draftCount", notes.count());
        model.put("notesNoun", notes.count() == 1 ? "note" : "notes");
        model.put("calendarUrl", calendarLink(LocalDate.ofInstant(now, zone)));
      }
      case NotificationData.Digest digest -> {
        template = "digest";
        String day = config.dateFormatter().format(digest.day());
        subject =
            digest.tomorrow() ? "Your schedule for tomorrow, " + day : "Your schedule for " + day;
        model.put("heading", subject);
        model.put("dayText", day);
        model.put("tomorrow", digest.tomorrow());
        List<Map<String, Object>> rows = new ArrayList<>();
        for (AppointmentItem item : digest.appointments()) {
          rows.add(row(item, zone));
        }
        model.put("appointments", rows);
        model.put("count", rows.size());
        model.put("countText", rows.size() == 1 ? "1 appointment" : rows.size() + " appointments");
        model.put("calendarUrl", calendarLink(digest.day()));
      }
      case NotificationData.Reminder reminder -> {
        template = "appointment_reminder";
        AppointmentItem item = reminder.appointment();
        String when = relativeWhen(item.start(), now, zone);
        subject = "Appointment " + when;
        model.put("heading", subject);
        model.put("when", when);
        model.put("appointment", row(item, zone));
        model.put(
            "dateText", config.dateFormatter().format(item.start().atZone(zone).toLocalDate()));
        model.put("calendarUrl", calendarLink(item.start().atZone(zone).toLocalDate()));
      }
    }
    model.put("subject", subject);
    model.put("showsTimes", !(data instanceof NotificationData.DraftNotes));
    model.put("showNames", config.clientNames() != ClientNameMode.NONE);
    String htmlBody = evaluate(html, template + ".html.peb", model);
    Map<String, Object> textModel = new HashMap<>(model);
    isolateForText(textModel);
    String textBody = evaluate(text, template + ".txt.peb", textModel);
    return new RenderedEmail(subject, textBody, htmlBody);
  }

  /** "You have 3 draft session notes" / "You have 1 draft session note". */
  public static String notesSubject(int count) {
    return "You have " + count + " draft session " + (count == 1 ? "note" : "notes");
  }

  /**
   * "in 60 minutes", "in 2 hours", "in 1 hour 50 minutes", "tomorrow at 09:00": minutes are what is
   * left at render time (rounded), so a late or late-booked reminder still tells the truth; from
   * six hours ahead the local day and time read better than a count.
   */
  String relativeWhen(Instant start, Instant now, ZoneId zone) {
    long seconds = Duration.between(now, start).getSeconds();
    long minutes = Math.max(0, Math.round(seconds / 60.0));
    if (minutes < 1) {
      return "starting now";
    }
    if (minutes <= 60) {
      return "in " + minutes + (minutes == 1 ? " minute" : " minutes");
    }
    if (minutes < 6 * 60) {
      long hours = minutes / 60;
      long rest = minutes % 60;
      String h = "in " + hours + (hours == 1 ? " hour" : " hours");
      return rest == 0 ? h : h + " " + rest + (rest == 1 ? " minute" : " minutes");
    }
    ZonedDateTime local = start.atZone(zone);
    LocalDate today = now.atZone(zone).toLocalDate();
    String time = config.timeFormatter().format(local);
    if (local.toLocalDate().equals(today)) {
      return "today at " + time;
    }
    if (local.toLocalDate().equals(today.plusDays(1))) {
      return "tomorrow at " + time;
    }
    return "on " + config.dateFormatter().format(local) + " at " + time;
  }

  private Map<String, Object> row(AppointmentItem item, ZoneId zone) throws UndecryptableException {
    Map<String, Object> row = new LinkedHashMap<>();
    ZonedDateTime start = item.start().atZone(zone);
    ZonedDateTime end = item.end().atZone(zone);
    row.put("startTime", config.timeFormatter().format(start));
    row.put("endTime", config.timeFormatter().format(end));
    row.put("client", clientName(item));
    row.put("service", DisplayText.clean(item.serviceName(), 200));
    row.put("location", location(item));
    row.put(
        "status",
        switch (item.status() == null ? "scheduled" : item.status()) {
          case "attended" -> "attended";
          case "no_show" -> "no-show";
          default -> "";
        });
    return row;
  }

  private String clientName(AppointmentItem item) throws UndecryptableException {
    return switch (config.clientNames()) {
      case NONE -> "";
      case FULL -> {
        String first = cipher.decrypt(item.clientFirstName());
        String last = cipher.decrypt(item.clientLastName());
        yield DisplayText.clean(first + " " + last, config.maxNameLength());
      }
      case INITIALS -> {
        String first = DisplayText.initial(cipher.decrypt(item.clientFirstName()));
        String last = DisplayText.initial(cipher.decrypt(item.clientLastName()));
        yield ((first.isEmpty() ? "" : first + ". ") + (last.isEmpty() ? "" : last + ".")).trim();
      }
    };
  }

  private static String location(AppointmentItem item) {
    String type = item.locationType() == null ? "clinic" : item.locationType();
    String details = DisplayText.clean(item.locationDetails(), 300);
    return switch (type) {
      case "online" -> details.isEmpty() ? "Online" : "Online: " + details;
      case "home" -> details.isEmpty() ? "Home visit" : "Home visit: " + details;
      default -> {
        String name = DisplayText.clean(item.locationName(), 200);
        String address = DisplayText.clean(item.locationAddress(), 300);
        String place = name.isEmpty() ? "Clinic" : name;
        if (!address.isEmpty()) {
          place = place + ", " + address;
        }
        yield details.isEmpty() ? place : place + " (" + details + ")";
      }
    };
  }

  /** Wraps user-entered values of the text model in bidi isolates. */
  @SuppressWarnings("unchecked")
  private static void isolateForText(Map<String, Object> model) {
    model.computeIfPresent("recipientName", (k, v) -> isolate((String) v));
    Object appointment = model.get("appointment");
    if (appointment instanceof Map<?, ?> row) {
      model.put("appointment", isolateRow((Map<String, Object>) row));
    }
    Object rows = model.get("appointments");
    if (rows instanceof List<?> list) {
      List<Map<String, Object>> isolated = new ArrayList<>();
      for (Object row : list) {
        isolated.add(isolateRow((Map<String, Object>) row));
      }
      model.put("appointments", isolated);
    }
  }

  private static Map<String, Object> isolateRow(Map<String, Object> row) {
    Map<String, Object> copy = new LinkedHashMap<>(row);
    for (String key : List.of("client", "service", "location")) {
      copy.computeIfPresent(key, (k, v) -> isolate((String) v));
    }
    return copy;
  }

  private static String isolate(String value) {
    return value == null || value.isEmpty() ? "" : FSI + value + PDI;
  }

  private String link(String path) {
    return config.appBaseUrl() + path;
  }

  private String calendarLink(LocalDate day) {
    return link(ContentConfig.CALENDAR_PATH) + "?date=" + day;
  }

  private static String evaluate(PebbleEngine engine, String name, Map<String, Object> model) {
    PebbleTemplate template = engine.getTemplate(name);
    StringWriter out = new StringWriter();
    try {
      template.evaluate(out, model);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }
}
