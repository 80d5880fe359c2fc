package io.notifier.demo;

import static io.notifier.db.jooq.Tables.APPOINTMENTS;

import io.notifier.db.crypto.ClientNameCipher;
import io.notifier.db.fixtures.Fixtures;
import io.notifier.db.jooq.tables.records.AppointmentsRecord;
import io.notifier.db.jooq.tables.records.ClientsRecord;
import io.notifier.db.jooq.tables.records.LocationsRecord;
import io.notifier.db.jooq.tables.records.ServicesRecord;
import io.notifier.db.jooq.tables.records.UsersRecord;
import io.notifier.db.jooq.tables.records.WorkspacesRecord;
import io.notifier.model.NotificationKind;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Consumer;
import org.jooq.DSLContext;

/**
 * Writes the demo practice: five workspaces in different time zones (Asia/Jerusalem,
 * America/New_York, Asia/Kathmandu at +05:45, Europe/London, and one without a time zone, which
 * PazPaz allows and the notifier reads as UTC), therapists with varied settings, clients whose
 * names are encrypted as PazPaz encrypts them, a day of appointments around each digest, and draft
 * notes. Every wall-clock setting is chosen from a {@link DemoSchedule}, so that each kind of email
 * falls due within two minutes of seeding; what is expected is returned with the counts.
 *
 * <p>Everything is written in one transaction with the shared {@link Fixtures} builders. Addresses
 * are under {@value #EMAIL_DOMAIN}, a reserved name that no real mailbox has.
 */
final class DemoPractice {

  static final String EMAIL_DOMAIN = "demo.pazpaz.example";

  /**
   * How long ago the practice "booked" its appointments. Appointments written just now look to the
   * producer like late bookings, whose overdue reminders it sends at once; the demo wants exactly
   * one of those, so every other appointment is dated as booked days before.
   */
  static final Duration BOOKED_AHEAD = Duration.ofDays(3);

  /** One notification the demo expects within two minutes. */
  record Expected(NotificationKind kind, String email, Instant dueAt) {}

  /** What was written, and what should arrive. */
  record Seeded(
      int workspaces,
      int users,
      int appointments,
      int draftNotes,
      List<Expected> expected,
      Map<String, ZoneId> zoneByEmail,
      List<String> notes) {

    Seeded {
      expected = List.copyOf(expected);
      zoneByEmail = Map.copyOf(zoneByEmail);
      notes = List.copyOf(notes);
    }
  }

  private final Fixtures fixtures;
  private final DemoSchedule schedule;
  private final List<Expected> expected = new ArrayList<>();
  private final Map<String, ZoneId> zoneByEmail = new LinkedHashMap<>();
  private final List<String> notes = new ArrayList<>();
  private final List<UUID> bookedAhead = new ArrayList<>();
  private int workspaces;
  private int users;
  private int appointments;
  private int draftNotes;

  private DemoPractice(Fixtures fixtures, DemoSchedule schedule) {
    this.fixtures = fixtures;
    this.schedule = schedule;
  }

  /** Writes the practice in one transaction and says what to expect. */
  static Seeded seed(DSLContext dsl, ClientNameCipher cipher, DemoSchedule schedule) {
    return dsl.transactionResult(
        cfg -> new DemoPractice(new Fixtures(cfg.dsl(), cipher), schedule).write());
  }

  private Seeded write() {
    Instant first = schedule.first();
    Instant second = schedule.second();

    Practice telAviv = practice("Tel Aviv Physio", "Asia/Jerusalem", "Physiotherapy");
    telAviv.clients("נועה ברק", "Avi Ohana", "Miriam Katz");
    UsersRecord dana =
        telAviv.therapist(
            "Dana",
            "Levi",
            false,
            s ->
                s.allOff()
                    .notesReminder(telAviv.wall(first))
                    // Sunday to Thursday, Israel's working week, and today whatever it is.
                    .digest(telAviv.wall(first), telAviv.days(first, 0, 1, 2, 3, 4))
                    .reminder(DemoSchedule.SHORT_REMINDER_MINUTES));
    telAviv.drafts(dana, 3);
    telAviv.expectNotes(dana, first);
    telAviv.expectDailyDigest(dana, first);
    UsersRecord yossi =
        telAviv.therapist(
            "Yossi",
            "Mizrahi",
            true,
            s ->
                s.allOff()
                    .tomorrowDigest(telAviv.wall(second), telAviv.days(second))
                    .reminder(DemoSchedule.SHORT_REMINDER_MINUTES));
    telAviv.expectTomorrowDigest(yossi, second);
    telAviv.appointmentSoon(dana, yossi);

    Practice brooklyn = practice("Brooklyn Bodywork", "America/New_York", "Massage therapy");
    brooklyn.clients("Jordan Rivera", "Casey Brooks");
    UsersRecord maya =
        brooklyn.therapist(
            "Maya",
            "Johnson",
            false,
            s ->
                s.allOff()
                    .notesReminder(brooklyn.wall(second))
                    .tomorrowDigest(brooklyn.wall(second), brooklyn.days(second, 0, 1, 2, 3, 4))
                    .reminder(DemoSchedule.SHORT_REMINDER_MINUTES));
    brooklyn.drafts(maya, 1);
    brooklyn.expectNotes(maya, second);
    brooklyn.expectTomorrowDigest(maya, second);
    brooklyn.appointmentSoon(maya);

    Practice kathmandu = practice("Kathmandu Wellness", "Asia/Kathmandu", "Ayurvedic massage");
    kathmandu.clients("Sita Gurung", "Ramesh Thapa");
    UsersRecord anil =
        kathmandu.therapist(
            "Anil",
            "Shrestha",
            false,
            s ->
                s.allOff()
                    .notesReminder(kathmandu.wall(first))
                    .digest(kathmandu.wall(first), 0, 1, 2, 3, 4, 5, 6)
                    .reminder(DemoSchedule.HOUR_REMINDER_MINUTES));
    kathmandu.drafts(anil, 2);
    kathmandu.expectNotes(anil, first);
    kathmandu.expectDailyDigest(anil, first);
    kathmandu.lateBooking(anil);

    Practice london = practice("London Movement Clinic", "Europe/London", "Sports massage");
    london.clients("Amelia Clarke", "Harry Wilson");
    UsersRecord oliver =
        london.therapist(
            "Oliver",
            "Hughes",
            false,
            s ->
                s.allOff()
                    .digest(london.wall(second), london.days(second, 1, 2, 3, 4, 5))
                    .reminder(DemoSchedule.SHORT_REMINDER_MINUTES));
    london.expectDailyDigest(oliver, second);
    // Email switched off: every kind due for her, and none is sent.
    london.therapist(
        "Priya",
        "Patel",
        true,
        s ->
            s.emailEnabled(false)
                .notesReminder(london.wall(first))
                .digest(london.wall(first), 0, 1, 2, 3, 4, 5, 6)
                .reminder(DemoSchedule.SHORT_REMINDER_MINUTES));
    london.appointmentSoon(oliver);

    Practice remote = practice("Remote Practice", null, "Online counselling");
    remote.clients("Lena Fischer", "Tomás García");
    UsersRecord noa =
        remote.therapist(
            "Noa",
            "Cohen",
            false,
            s ->
                s.allOff()
                    .notesReminder(remote.wall(first))
                    .digest(remote.wall(second), 0, 1, 2, 3, 4, 5, 6)
                    .reminder(30));
    remote.drafts(noa, 1);
    remote.expectNotes(noa, first);
    remote.expectDailyDigest(noa, second);
    // No settings row: PazPaz's users without one receive nothing.
    remote.withoutSettings("Sam", "Taylor");

    Instant bookedAt = schedule.seededAt().minus(BOOKED_AHEAD);
    fixtures
        .dsl()
        .update(APPOINTMENTS)
        .set(APPOINTMENTS.CREATED_AT, bookedAt.atOffset(ZoneOffset.UTC))
        .set(APPOINTMENTS.UPDATED_AT, bookedAt.atOffset(ZoneOffset.UTC))
        .where(APPOINTMENTS.ID.in(bookedAhead))
        .execute();
    return new Seeded(workspaces, users, appointments, draftNotes, expected, zoneByEmail, notes);
  }

  private Practice practice(String name, String timezone, String serviceName) {
    WorkspacesRecord workspace = fixtures.workspace().name(name).timezone(timezone).create();
    workspaces++;
    ZoneId zone = ZoneId.of(timezone == null ? "UTC" : timezone);
    return new Practice(
        workspace,
        zone,
        fixtures.service(workspace, serviceName),
        fixtures.location(workspace, name, "1 Demo Street"));
  }

  /** One workspace while it is being written. */
  private final class Practice {
    private final WorkspacesRecord workspace;
    private final ZoneId zone;
    private final ServicesRecord service;
    private final LocationsRecord location;
    private final List<ClientsRecord> clients = new ArrayList<>();
    private final Set<LocalDate> daysWithAppointments = new TreeSet<>();
    private int nextClient;

    Practice(
        WorkspacesRecord workspace, ZoneId zone, ServicesRecord service, LocationsRecord location) {
      this.workspace = workspace;
      this.zone = zone;
      this.service = service;
      this.location = location;
    }

    String label() {
      return workspace.getName()
          + " ("
          + (workspace.getTimezone() == null ? "no time zone, so UTC" : zone)
          + ")";
    }

    String wall(Instant at) {
      return DemoSchedule.wallTime(at, zone);
    }

    /** {@code usual} days plus the workspace's day at {@code at}, so the digest is due today. */
    Integer[] days(Instant at, int... usual) {
      Set<Integer> days = new TreeSet<>();
      for (int day : usual) {
        days.add(day);
      }
      days.add(DemoSchedule.dayNumber(DemoSchedule.localDate(at, zone)));
      return days.toArray(Integer[]::new);
    }

    void clients(String... names) {
      for (String name : names) {
        int space = name.indexOf(' ');
        clients.add(
            fixtures
                .client(workspace)
                .name(name.substring(0, space), name.substring(space + 1))
                .create());
      }
    }

    private ClientsRecord nextClient() {
      return clients.get(nextClient++ % clients.size());
    }

    UsersRecord therapist(
        String first, String last, boolean assistant, Consumer<Fixtures.SettingsBuilder> settings) {
      Fixtures.UserBuilder builder =
          fixtures.user(workspace).email(email(first, last)).fullName(first + " " + last);
      if (assistant) {
        builder.assistant();
      }
      UsersRecord user = builder.settings(settings).create();
      users++;
      zoneByEmail.put(user.getEmail(), zone);
      return user;
    }

    void withoutSettings(String first, String last) {
      fixtures
          .user(workspace)
          .email(email(first, last))
          .fullName(first + " " + last)
          .withoutSettings()
          .create();
      users++;
    }

    private String email(String first, String last) {
      return (first + "." + last).toLowerCase(java.util.Locale.ROOT) + "@" + EMAIL_DOMAIN;
    }

    /** Draft notes of earlier sessions, written by {@code author}. */
    void drafts(UsersRecord author, int count) {
      for (int i = 1; i <= count; i++) {
        fixtures
            .session(author, nextClient())
            .draft(true)
            .on(schedule.seededAt().minus(Duration.ofDays(i)))
            .create();
        draftNotes++;
      }
    }

    void expectNotes(UsersRecord user, Instant at) {
      expect(NotificationKind.SESSION_NOTES_REMINDER, user, at);
    }

    /** Expects the digest and writes the day it lists. */
    void expectDailyDigest(UsersRecord user, Instant at) {
      day(DemoSchedule.localDate(at, zone));
      expect(NotificationKind.DAILY_DIGEST, user, at);
    }

    /** Expects the digest and writes the next day, which it lists. */
    void expectTomorrowDigest(UsersRecord user, Instant at) {
      day(DemoSchedule.localDate(at, zone).plusDays(1));
      expect(NotificationKind.TOMORROW_DIGEST, user, at);
    }

    private void expect(NotificationKind kind, UsersRecord user, Instant at) {
      if (DemoSchedule.firesAt(at, zone)) {
        expected.add(new Expected(kind, user.getEmail(), at));
      } else {
        notes.add(
            kind.code()
                + " of "
                + user.getEmail()
                + ": "
                + label()
                + " has just turned its clocks back, and "
                + wall(at)
                + " already fired an hour ago (a time that occurs twice fires at its first"
                + " occurrence)");
      }
    }

    /** An appointment whose 15-minute reminder each of {@code recipients} gets at once. */
    void appointmentSoon(UsersRecord... recipients) {
      appointment(schedule.reminderStart(), "scheduled", true);
      for (UsersRecord user : recipients) {
        expected.add(
            new Expected(
                NotificationKind.APPOINTMENT_REMINDER,
                user.getEmail(),
                schedule
                    .reminderStart()
                    .minus(Duration.ofMinutes(DemoSchedule.SHORT_REMINDER_MINUTES))));
      }
    }

    /**
     * Booked just now, 40 minutes ahead: the 60-minute reminder of {@code user} is overdue, so the
     * producer sends it at once ("Appointment in 39 minutes").
     */
    void lateBooking(UsersRecord user) {
      appointment(schedule.lateBookingStart(), "scheduled", false);
      expected.add(
          new Expected(
              NotificationKind.APPOINTMENT_REMINDER, user.getEmail(), schedule.seededAt()));
    }

    /**
     * A working day of appointments on {@code date}: a morning session, a home visit, an online
     * one, a cancelled one (not listed), and an evening one. Those already over are attended (one a
     * no-show).
     */
    private void day(LocalDate date) {
      if (!daysWithAppointments.add(date)) {
        return;
      }
      dayAppointment(date, LocalTime.of(9, 0), "attended", Kind.CLINIC);
      dayAppointment(date, LocalTime.of(11, 30), "no_show", Kind.HOME);
      dayAppointment(date, LocalTime.of(13, 0), "cancelled", Kind.CLINIC);
      dayAppointment(date, LocalTime.of(15, 30), "attended", Kind.ONLINE);
      dayAppointment(date, LocalTime.of(18, 0), "attended", Kind.CLINIC);
    }

    private void dayAppointment(LocalDate date, LocalTime time, String pastStatus, Kind kind) {
      Instant start = DemoSchedule.at(date, time, zone);
      String status =
          pastStatus.equals("cancelled")
              ? pastStatus
              : start.isBefore(schedule.seededAt()) ? pastStatus : "scheduled";
      AppointmentsRecord record =
          switch (kind) {
            case CLINIC -> appointmentBuilder(start, status).location(location).create();
            case HOME -> appointmentBuilder(start, status).create();
            case ONLINE ->
                appointmentBuilder(start, status)
                    .online("https://meet.demo.pazpaz.example/" + workspace.getId())
                    .create();
          };
      if (kind == Kind.HOME) {
        record.setLocationType("home");
        record.store();
      }
      bookedAhead.add(record.getId());
      appointments++;
    }

    private void appointment(Instant start, String status, boolean bookedInAdvance) {
      AppointmentsRecord record = appointmentBuilder(start, status).location(location).create();
      if (bookedInAdvance) {
        bookedAhead.add(record.getId());
      }
      appointments++;
    }

    private Fixtures.AppointmentBuilder appointmentBuilder(Instant start, String status) {
      return fixtures
          .appointment(workspace, nextClient())
          .startingAt(start)
          .lasting(Duration.ofMinutes(50))
          .service(service)
          .status(status);
    }
  }

  private enum Kind {
    CLINIC,
    HOME,
    ONLINE
  }
}
