package io.notifier.reliability;

import static io.notifier.db.jooq.Tables.APPOINTMENTS;
import static io.notifier.db.jooq.Tables.USER_NOTIFICATION_SETTINGS;
import static io.notifier.db.jooq.Tables.WORKSPACES;

import io.notifier.db.fixtures.Fixtures;
import io.notifier.db.jooq.tables.records.ClientsRecord;
import io.notifier.db.jooq.tables.records.UsersRecord;
import io.notifier.db.jooq.tables.records.WorkspacesRecord;
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
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.jooq.impl.DSL;

/**
 * A PazPaz practice population written with {@link Fixtures}, and the oracle that says, from this
 * model alone (never from the ledger), which emails are due in a window. Every configured time is
 * on a quarter hour and every appointment starts on a quarter hour of UTC, so with the offsets used
 * (all multiples of 15 minutes) every due instant, DST transitions included, lies on the 15-minute
 * grid of UTC: a test that stops its clock 5 minutes past a quarter knows nothing is due close to
 * that instant.
 */
final class Population {

  static final String INVALID_ZONE = "Mars/Olympus_Mons";

  /** Zones of the simulated-day tests: a DST day in New York and Los Angeles, odd offsets. */
  static final List<String> ZONES =
      List.of(
          "America/New_York",
          "America/Los_Angeles",
          "Europe/London",
          "Asia/Jerusalem",
          "Asia/Kolkata",
          "Asia/Kathmandu",
          "Australia/Lord_Howe",
          "Pacific/Kiritimati",
          "Pacific/Pago_Pago",
          "UTC");

  private static final int[] OFFSETS = {15, 30, 60, 120, 1440};

  record Settings(
      boolean emailEnabled,
      LocalTime notes,
      LocalTime digest,
      Set<Integer> digestDays,
      LocalTime tomorrow,
      Set<Integer> tomorrowDays,
      Integer reminderMinutes) {}

  record User(
      UUID id, UUID workspaceId, String email, ZoneId zone, Settings settings, int drafts) {}

  record Appointment(UUID id, UUID workspaceId, Instant start, boolean cancelled) {}

  record Workspace(WorkspacesRecord row, ZoneId zone, List<ClientsRecord> clients) {}

  /** One email the oracle expects. */
  record Expected(String dedupKey, NotificationKind kind, UUID userId, String email, Instant due) {}

  private final Fixtures fixtures;
  private final List<Workspace> workspaces = new ArrayList<>();
  private final List<User> users = new ArrayList<>();
  private final List<Appointment> appointments = new ArrayList<>();

  Population(Fixtures fixtures) {
    this.fixtures = fixtures;
  }

  List<User> users() {
    return Collections.unmodifiableList(users);
  }

  List<Appointment> appointments() {
    return Collections.unmodifiableList(appointments);
  }

  List<Workspace> workspaces() {
    return Collections.unmodifiableList(workspaces);
  }

  /**
   * Writes {@code workspacesPerZone} workspaces in each of {@code zones} (null: a NULL time zone;
   * {@link #INVALID_ZONE}: not an IANA name; both read as UTC) with {@code usersPerWorkspace} users
   * of random settings, and appointments spread from {@code from} to a day after {@code to}, so
   * that every kind falls due somewhere in the window. Deterministic for a seed.
   */
  Population generate(
      long seed,
      List<String> zones,
      int workspacesPerZone,
      int usersPerWorkspace,
      Instant from,
      Instant to) {
    Random random = new Random(seed);
    for (String zoneName : zones) {
      for (int w = 0; w < workspacesPerZone; w++) {
        Workspace ws = workspace(zoneName);
        for (int u = 0; u < usersPerWorkspace; u++) {
          Settings settings = randomSettings(random, ws.zone(), u == 0);
          user(ws, settings, random.nextInt(10) < 6 ? 1 + random.nextInt(3) : 0);
        }
        long spanQuarters = Duration.between(from, to.plus(Duration.ofHours(25))).toMinutes() / 15;
        int count = 3 + random.nextInt(4);
        for (int a = 0; a < count; a++) {
          Instant start =
              grid(from.minus(Duration.ofHours(2)))
                  .plus(Duration.ofMinutes(15 * (long) random.nextInt((int) spanQuarters)));
          appointment(ws, start, random.nextInt(10) == 0);
        }
      }
    }
    return this;
  }

  Workspace workspace(String zoneName) {
    WorkspacesRecord row = fixtures.workspace().timezone(zoneName).create();
    ZoneId zone =
        zoneName == null || INVALID_ZONE.equals(zoneName) ? ZoneOffset.UTC : ZoneId.of(zoneName);
    List<ClientsRecord> clients = new ArrayList<>();
    for (int c = 0; c < 3; c++) {
      clients.add(fixtures.client(row).create());
    }
    Workspace ws = new Workspace(row, zone, clients);
    workspaces.add(ws);
    return ws;
  }

  User user(Workspace ws, Settings s, int drafts) {
    return user(ws, s, drafts, null);
  }

  /** A user with these settings and drafts; {@code email} null: a generated address. */
  User user(Workspace ws, Settings s, int drafts, String email) {
    var builder = fixtures.user(ws.row());
    if (email != null) {
      builder.email(email);
    }
    UsersRecord row =
        builder
            .settings(
                b -> {
                  b.allOff().emailEnabled(s.emailEnabled());
                  if (s.notes() != null) {
                    b.notesReminder(hhmm(s.notes()));
                  }
                  if (s.digest() != null) {
                    b.digest(hhmm(s.digest()), s.digestDays().toArray(Integer[]::new));
                  }
                  if (s.tomorrow() != null) {
                    b.tomorrowDigest(hhmm(s.tomorrow()), s.tomorrowDays().toArray(Integer[]::new));
                  }
                  if (s.reminderMinutes() != null) {
                    b.reminder(s.reminderMinutes());
                  }
                })
            .create();
    for (int i = 0; i < drafts; i++) {
      fixtures.draftNote(row, ws.clients().get(i % ws.clients().size()));
    }
    // Notes that never count: a finished one and a deleted draft.
    fixtures.session(row, ws.clients().get(0)).draft(false).create();
    fixtures
        .session(row, ws.clients().get(0))
        .draft(true)
        .deletedAt(Instant.parse("2027-01-01T00:00:00Z"))
        .create();
    User user = new User(row.getId(), ws.row().getId(), row.getEmail(), ws.zone(), s, drafts);
    users.add(user);
    return user;
  }

  Appointment appointment(Workspace ws, Instant start, boolean cancelled) {
    var record =
        fixtures
            .appointment(ws.row(), ws.clients().get(appointments.size() % ws.clients().size()))
            .startingAt(start)
            .status(cancelled ? "cancelled" : "scheduled")
            .create();
    Appointment appointment = new Appointment(record.getId(), ws.row().getId(), start, cancelled);
    appointments.add(appointment);
    return appointment;
  }

  /**
   * Makes every row look long established (database time a day ago): otherwise the first tick would
   * take the appointments for just booked and send their past reminders as late ones.
   */
  void establish() {
    var dsl = fixtures.dsl();
    dsl.update(APPOINTMENTS)
        .set(APPOINTMENTS.UPDATED_AT, DSL.currentOffsetDateTime().minus(1))
        .set(APPOINTMENTS.CREATED_AT, DSL.currentOffsetDateTime().minus(1))
        .execute();
    dsl.update(USER_NOTIFICATION_SETTINGS)
        .set(USER_NOTIFICATION_SETTINGS.UPDATED_AT, DSL.currentOffsetDateTime().minus(1))
        .execute();
    dsl.update(WORKSPACES)
        .set(WORKSPACES.UPDATED_AT, DSL.currentOffsetDateTime().minus(1))
        .execute();
  }

  /** Appointment reminders only, {@code minutes} ahead. */
  static Settings remindersOnly(int minutes) {
    return new Settings(true, null, null, Set.of(), null, Set.of(), minutes);
  }

  /**
   * A workspace in {@code zone} whose {@code users} users all want 60-minute reminders and which
   * has {@code count} appointments starting at {@code due} + 60 minutes: {@code users * count}
   * reminders fall due at {@code due} at once.
   */
  Workspace burst(String zone, int users, int count, Instant due) {
    Workspace ws = workspace(zone);
    for (int u = 0; u < users; u++) {
      user(ws, remindersOnly(60), 0);
    }
    for (int a = 0; a < count; a++) {
      appointment(ws, due.plus(Duration.ofMinutes(60)), false);
    }
    return ws;
  }

  private static Settings randomSettings(Random random, ZoneId zone, boolean first) {
    boolean newYork = zone.getId().equals("America/New_York");
    LocalTime notes = random.nextInt(10) < 7 ? quarter(random) : null;
    LocalTime digest = random.nextInt(10) < 6 ? quarter(random) : null;
    LocalTime tomorrow = random.nextInt(10) < 5 ? quarter(random) : null;
    if (newYork && first) {
      // Inside New York's spring-forward gap on 2027-03-14: they fire at 07:00Z, once.
      notes = LocalTime.of(2, 30);
      digest = LocalTime.of(2, 0);
      tomorrow = LocalTime.of(2, 45);
    }
    Integer minutes = random.nextInt(10) < 8 ? OFFSETS[random.nextInt(OFFSETS.length)] : null;
    return new Settings(
        random.nextInt(20) != 0, notes, digest, days(random), tomorrow, days(random), minutes);
  }

  private static LocalTime quarter(Random random) {
    return LocalTime.of(random.nextInt(24), 15 * random.nextInt(4));
  }

  private static Set<Integer> days(Random random) {
    Set<Integer> days = new TreeSet<>();
    for (int d = 0; d < 7; d++) {
      if (random.nextInt(10) < 7) {
        days.add(d);
      }
    }
    if (days.isEmpty()) {
      days.add(random.nextInt(7));
    }
    return days;
  }

  private static Instant grid(Instant instant) {
    long quarter = 15 * 60;
    return Instant.ofEpochSecond(Math.floorDiv(instant.getEpochSecond(), quarter) * quarter);
  }

  private static String hhmm(LocalTime time) {
    return String.format("%02d:%02d", time.getHour(), time.getMinute());
  }

  // ---- the oracle ---------------------------------------------------------------------------

  /**
   * Every email due in {@code (fromExclusive, toInclusive]}, by dedup key, from the model alone:
   * the documented rules (docs/NOTIFICATION_SETTINGS.md, docs/DELIVERY.md), not the producer's
   * code.
   */
  Map<String, Expected> expected(Instant fromExclusive, Instant toInclusive) {
    Map<String, Expected> expected = new LinkedHashMap<>();
    for (User user : users) {
      Settings s = user.settings();
      if (!s.emailEnabled()) {
        continue;
      }
      LocalDate first = LocalDate.ofInstant(fromExclusive, user.zone()).minusDays(1);
      LocalDate last = LocalDate.ofInstant(toInclusive, user.zone()).plusDays(1);
      for (LocalDate day = first; !day.isAfter(last); day = day.plusDays(1)) {
        int dow = day.getDayOfWeek() == DayOfWeek.SUNDAY ? 0 : day.getDayOfWeek().getValue();
        if (s.notes() != null && user.drafts() > 0) {
          add(
              expected,
              user,
              NotificationKind.SESSION_NOTES_REMINDER,
              day,
              s.notes(),
              fromExclusive,
              toInclusive);
        }
        if (s.digest() != null && s.digestDays().contains(dow) && hasAppointments(user, day)) {
          add(
              expected,
              user,
              NotificationKind.DAILY_DIGEST,
              day,
              s.digest(),
              fromExclusive,
              toInclusive);
        }
        if (s.tomorrow() != null
            && s.tomorrowDays().contains(dow)
            && hasAppointments(user, day.plusDays(1))) {
          add(
              expected,
              user,
              NotificationKind.TOMORROW_DIGEST,
              day,
              s.tomorrow(),
              fromExclusive,
              toInclusive);
        }
      }
      if (s.reminderMinutes() != null) {
        for (Appointment a : appointments) {
          if (a.cancelled() || !a.workspaceId().equals(user.workspaceId())) {
            continue;
          }
          Instant due = a.start().minus(Duration.ofMinutes(s.reminderMinutes()));
          if (due.isAfter(fromExclusive) && !due.isAfter(toInclusive)) {
            String key =
                DedupKeys.appointmentReminder(a.id(), user.id(), s.reminderMinutes(), a.start());
            expected.put(
                key,
                new Expected(
                    key, NotificationKind.APPOINTMENT_REMINDER, user.id(), user.email(), due));
          }
        }
      }
    }
    return expected;
  }

  private void add(
      Map<String, Expected> expected,
      User user,
      NotificationKind kind,
      LocalDate day,
      LocalTime time,
      Instant fromExclusive,
      Instant toInclusive) {
    Instant due = fire(user.zone(), LocalDateTime.of(day, time));
    if (due.isAfter(fromExclusive) && !due.isAfter(toInclusive)) {
      String key = DedupKeys.daily(kind, user.id(), day);
      expected.put(key, new Expected(key, kind, user.id(), user.email(), due));
    }
  }

  /** Whether the user's workspace has a live appointment in the local day (23, 24 or 25 h). */
  private boolean hasAppointments(User user, LocalDate day) {
    Instant start = day.atStartOfDay(user.zone()).toInstant();
    Instant end = day.plusDays(1).atStartOfDay(user.zone()).toInstant();
    return appointments.stream()
        .anyMatch(
            a ->
                !a.cancelled()
                    && a.workspaceId().equals(user.workspaceId())
                    && !a.start().isBefore(start)
                    && a.start().isBefore(end));
  }

  /**
   * The documented rule: a wall time fires at the first instant the zone's clock reads it or later
   * (a time in a spring-forward gap at the transition; a repeated time at its first occurrence).
   */
  static Instant fire(ZoneId zone, LocalDateTime wall) {
    ZoneRules rules = zone.getRules();
    List<ZoneOffset> offsets = rules.getValidOffsets(wall);
    if (offsets.size() == 1) {
      return wall.toInstant(offsets.get(0));
    }
    ZoneOffsetTransition transition = rules.getTransition(wall);
    return offsets.isEmpty()
        ? transition.getInstant()
        : wall.toInstant(transition.getOffsetBefore());
  }
}
