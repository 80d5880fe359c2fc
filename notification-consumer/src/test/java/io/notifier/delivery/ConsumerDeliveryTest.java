package io.notifier.delivery;

import static io.notifier.testing.MailParts.html;
import static io.notifier.testing.MailParts.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.notifier.db.jooq.tables.records.AppointmentsRecord;
import io.notifier.db.jooq.tables.records.ClientsRecord;
import io.notifier.db.jooq.tables.records.UsersRecord;
import io.notifier.db.jooq.tables.records.WorkspacesRecord;
import io.notifier.ledger.Delivery;
import io.notifier.mail.MessageIds;
import io.notifier.model.NotificationKind;
import io.notifier.model.NotificationStatus;
import io.notifier.queue.QueueConfig;
import io.notifier.queue.QueueStats;
import io.notifier.testing.RealServicesTest;
import io.notifier.testing.SettableClock;
import io.notifier.testing.TestDatabase;
import io.notifier.testing.TestRedis;
import io.notifier.testing.TestSmtp;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every kind, end to end: ledger row and queue entry in, email out of a real SMTP server, with its
 * subject, both bodies, local times on DST days, links, Message-ID and ledger outcome.
 */
@RealServicesTest
class ConsumerDeliveryTest {

  private static final SettableClock CLOCK =
      new SettableClock(Instant.parse("2027-03-26T05:00:00Z"));
  private static Harness h;

  @BeforeAll
  static void setUp(TestDatabase db, TestRedis redis) {
    h = new Harness(db, redis, CLOCK, QueueConfig.TimeSource.CLOCK);
  }

  @AfterAll
  static void tearDown() {
    h.close();
  }

  @BeforeEach
  void clean(TestSmtp smtp) {
    h.reset();
    smtp.reset();
  }

  @Test
  void everyKindArrivesWithLocalTimesOnIsraelsSpringForwardDay(TestSmtp smtp) throws Exception {
    // Friday 2027-03-26: Israel moves from +02:00 to +03:00 at 02:00; 05:00Z is 08:00 local.
    CLOCK.set(Instant.parse("2027-03-26T05:00:00Z"));
    LocalDate day = LocalDate.parse("2027-03-26");
    WorkspacesRecord ws = h.fixtures.workspace().timezone("Asia/Jerusalem").create();
    UsersRecord user =
        h.fixtures
            .user(ws)
            .email("noa@example.org")
            .fullName("Noa Barak")
            .settings(s -> s.digest("08:00", 5).notesReminder("08:00").reminder(60))
            .create();
    ClientsRecord dana = h.fixtures.client(ws).name("Dana", "Levi").create();
    ClientsRecord avi = h.fixtures.client(ws).name("Avi", "Cohen").legacyEncrypted().create();
    var massage = h.fixtures.service(ws, "Massage");
    var room = h.fixtures.location(ws, "Room 1", "Herzl 1, Tel Aviv");
    h.fixtures
        .appointment(ws, dana)
        .startingAt(Instant.parse("2027-03-25T22:30:00Z")) // 00:30 local, +02:00
        .service(massage)
        .location(room)
        .create();
    AppointmentsRecord online =
        h.fixtures
            .appointment(ws, avi)
            .startingAt(Instant.parse("2027-03-26T06:00:00Z")) // 09:00 local, +03:00
            .online("https://meet.example/abc")
            .create();
    h.fixtures
        .appointment(ws, dana)
        .startingAt(Instant.parse("2027-03-26T08:00:00Z")) // 11:00, cancelled: not listed
        .status("cancelled")
        .create();
    h.fixtures
        .appointment(ws, dana)
        .startingAt(Instant.parse("2027-03-26T21:30:00Z")) // 00:30 on the 27th: not listed
        .create();
    h.fixtures.draftNote(user, dana);
    h.fixtures.draftNote(user, avi);

    Instant due = CLOCK.instant();
    Delivery digest = h.daily(NotificationKind.DAILY_DIGEST, user.getId(), ws.getId(), day, due);
    Delivery notes =
        h.daily(NotificationKind.SESSION_NOTES_REMINDER, user.getId(), ws.getId(), day, due);
    Delivery reminder =
        h.reminder(
            online.getId(), user.getId(), ws.getId(), 60, Instant.parse("2027-03-26T06:00:00Z"));

    h.start("c1", smtp.port());
    Map<String, MimeMessage> bySubject =
        smtp.awaitMessages(3, Duration.ofSeconds(20)).stream()
            .collect(Collectors.toMap(ConsumerDeliveryTest::subject, Function.identity()));

    MimeMessage digestMail = bySubject.get("Your schedule for Friday, March 26");
    assertThat(digestMail).isNotNull();
    assertThat(Harness.to(digestMail)).isEqualTo("noa@example.org");
    assertThat(text(digestMail))
        .contains("Hi \u2068Noa Barak\u2069, you have 2 appointments on Friday, March 26.")
        .contains("00:30-01:20  \u2068Dana Levi\u2069")
        .contains("\u2068Massage\u2069")
        .contains("\u2068Room 1, Herzl 1, Tel Aviv\u2069")
        .contains("09:00-09:50  \u2068Avi Cohen\u2069")
        .contains("\u2068Online: https://meet.example/abc\u2069")
        .contains("Open your calendar: https://app.pazpaz.test/calendar?date=2027-03-26")
        .contains("https://app.pazpaz.test/settings/notifications")
        .contains("Asia/Jerusalem")
        .doesNotContain("11:00")
        .doesNotContain("Clinical notes");
    assertThat(text(digestMail).indexOf("00:30")).isLessThan(text(digestMail).indexOf("09:00"));
    assertThat(html(digestMail))
        .contains("Dana Levi")
        .contains("09:00&ndash;09:50")
        .contains("href=\"https://app.pazpaz.test/calendar?date=2027-03-26\"")
        .doesNotContain("Clinical notes");

    MimeMessage notesMail = bySubject.get("You have 2 draft session notes");
    assertThat(notesMail).isNotNull();
    assertThat(text(notesMail))
        .contains("You have 2 draft session notes waiting to be completed.")
        .contains("https://app.pazpaz.test/sessions");
    assertThat(html(notesMail)).contains("href=\"https://app.pazpaz.test/sessions\"");

    MimeMessage reminderMail = bySubject.get("Appointment in 60 minutes");
    assertThat(reminderMail).isNotNull();
    assertThat(text(reminderMail))
        .contains("your appointment with \u2068Avi Cohen\u2069 starts in 60 minutes.")
        .contains("When:    Friday, March 26, 09:00-09:50")
        .contains("Where:   \u2068Online: https://meet.example/abc\u2069");
    assertThat(html(reminderMail)).contains("Avi Cohen").contains("Friday, March 26, 09:00");
    for (MimeMessage mail : bySubject.values()) {
      assertThat(subject(mail)).doesNotContain("Dana").doesNotContain("Avi");
      assertThat(mail.getHeader("Auto-Submitted")).containsExactly("auto-generated");
    }

    for (Delivery row : List.of(digest, notes, reminder)) {
      Delivery sent = h.awaitStatus(row.id(), NotificationStatus.SENT);
      String expectedId = MessageIds.forDedupKey(row.dedupKey(), "pazpaz.test");
      assertThat(sent.messageId()).isEqualTo(expectedId);
      assertThat(sent.attempts()).isEqualTo(1);
      assertThat(sent.sentAt()).isEqualTo(CLOCK.instant());
      assertThat(sent.possibleDuplicate()).isFalse();
      MimeMessage mail =
          bySubject.values().stream()
              .filter(m -> header(m, "X-Notifier-Delivery").equals(row.id().toString()))
              .findFirst()
              .orElseThrow();
      assertThat(mail.getMessageID()).isEqualTo(expectedId);
    }
    assertThat(h.metrics.count("sent")).isEqualTo(3);
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> h.queue.stats().equals(new QueueStats(0, 0, 0, 0)));
  }

  @Test
  void digestsReadTogetherEachListOnlyTheirOwnWorkspacesLocalDay(TestSmtp smtp) throws Exception {
    // Friday 2027-03-26, 05:00Z: four digests queued at once, so one consumer reads their
    // schedules together; each must list its own workspace's day in its own zone.
    LocalDate day = LocalDate.parse("2027-03-26");
    WorkspacesRecord tokyo = h.fixtures.workspace().timezone("Asia/Tokyo").create();
    WorkspacesRecord newYork = h.fixtures.workspace().timezone("America/New_York").create();
    WorkspacesRecord london = h.fixtures.workspace().timezone("Europe/London").create();
    UsersRecord tokyoOne = h.fixtures.user(tokyo).settings(s -> s.digest("08:00", 5)).create();
    UsersRecord tokyoTwo = h.fixtures.user(tokyo).settings(s -> s.digest("08:00", 5)).create();
    UsersRecord newYorker = h.fixtures.user(newYork).settings(s -> s.digest("08:00", 5)).create();
    UsersRecord londoner = h.fixtures.user(london).settings(s -> s.digest("08:00", 5)).create();
    ClientsRecord tokyoClient = h.fixtures.client(tokyo).name("Dana", "Levi").create();
    ClientsRecord newYorkClient = h.fixtures.client(newYork).name("Noa", "Cohen").create();
    h.fixtures
        .appointment(tokyo, tokyoClient)
        .startingAt(Instant.parse("2027-03-26T00:00:00Z"))
        .create(); // 09:00 JST
    h.fixtures
        .appointment(tokyo, tokyoClient)
        .startingAt(Instant.parse("2027-03-26T05:00:00Z"))
        .create(); // 14:00 JST
    h.fixtures
        .appointment(tokyo, tokyoClient)
        .startingAt(Instant.parse("2027-03-26T02:00:00Z")) // 11:00 JST, cancelled
        .status("cancelled")
        .create();
    h.fixtures
        .appointment(tokyo, tokyoClient)
        .startingAt(Instant.parse("2027-03-26T15:30:00Z"))
        .create(); // 00:30 JST on the 27th
    h.fixtures
        .appointment(newYork, newYorkClient)
        .startingAt(Instant.parse("2027-03-26T13:00:00Z"))
        .create(); // 09:00 EDT
    h.fixtures
        .appointment(newYork, newYorkClient)
        .startingAt(Instant.parse("2027-03-26T03:30:00Z"))
        .create(); // 23:30 EDT on the 25th
    Map<String, UsersRecord> byEmail =
        java.util.stream.Stream.of(tokyoOne, tokyoTwo, newYorker, londoner)
            .collect(Collectors.toMap(UsersRecord::getEmail, Function.identity()));
    Delivery empty = null;
    for (UsersRecord u : byEmail.values()) {
      Delivery row =
          h.daily(
              NotificationKind.DAILY_DIGEST, u.getId(), u.getWorkspaceId(), day, CLOCK.instant());
      if (u == londoner) {
        empty = row;
      }
    }

    h.start("c1", smtp.port());
    List<MimeMessage> mails = smtp.awaitMessages(3, Duration.ofSeconds(20));

    Map<UsersRecord, String> texts = new java.util.HashMap<>();
    for (MimeMessage mail : mails) {
      texts.put(byEmail.get(mail.getAllRecipients()[0].toString()), text(mail));
    }
    assertThat(texts).containsOnlyKeys(tokyoOne, tokyoTwo, newYorker);
    for (UsersRecord u : List.of(tokyoOne, tokyoTwo)) {
      assertThat(texts.get(u))
          .contains("09:00-09:50")
          .contains("14:00-14:50")
          .doesNotContain("11:00")
          .doesNotContain("00:30")
          .contains("Asia/Tokyo");
      assertThat(texts.get(u).indexOf("09:00-09:50"))
          .isLessThan(texts.get(u).indexOf("14:00-14:50"));
    }
    assertThat(texts.get(newYorker))
        .contains("09:00-09:50")
        .doesNotContain("23:30")
        .doesNotContain("14:00")
        .contains("America/New_York");
    h.awaitStatus(empty.id(), NotificationStatus.SKIPPED);
  }

  @Test
  void tomorrowDigestListsNewYorksShortDayAcrossTheDstGap(TestSmtp smtp) throws Exception {
    // Saturday 2027-03-13 20:00 EST = 2027-03-14T01:00Z; Sunday the 14th is 23 hours long.
    CLOCK.set(Instant.parse("2027-03-14T01:00:00Z"));
    WorkspacesRecord ws = h.fixtures.workspace().timezone("America/New_York").create();
    UsersRecord user = h.fixtures.user(ws).settings(s -> s.tomorrowDigest("20:00", 6)).create();
    ClientsRecord client = h.fixtures.client(ws).name("Dana", "Levi").create();
    for (String start :
        List.of(
            "2027-03-14T04:30:00Z", // 23:30 EST on the 13th: not tomorrow
            "2027-03-14T06:30:00Z", // 01:30 EST on the 14th, ends 03:20 EDT
            "2027-03-14T14:00:00Z", // 10:00 EDT on the 14th
            "2027-03-15T04:30:00Z")) { // 00:30 EDT on the 15th: not tomorrow
      h.fixtures.appointment(ws, client).startingAt(Instant.parse(start)).create();
    }
    Delivery row =
        h.daily(
            NotificationKind.TOMORROW_DIGEST,
            user.getId(),
            ws.getId(),
            LocalDate.parse("2027-03-13"),
            CLOCK.instant());

    h.start("c1", smtp.port());
    MimeMessage mail = smtp.awaitMessages(1, Duration.ofSeconds(20)).get(0);

    assertThat(subject(mail)).isEqualTo("Your schedule for tomorrow, Sunday, March 14");
    assertThat(text(mail))
        .contains("you have 2 appointments tomorrow, Sunday, March 14.")
        .contains("01:30-03:20")
        .contains("10:00-10:50")
        .doesNotContain("23:30")
        .doesNotContain("00:30")
        .contains("America/New_York")
        .contains("https://app.pazpaz.test/calendar?date=2027-03-14");
    h.awaitStatus(row.id(), NotificationStatus.SENT);
  }

  @Test
  void nullAndInvalidTimeZonesShowUtcAndTheInvalidOneIsCounted(TestSmtp smtp) throws Exception {
    CLOCK.set(Instant.parse("2027-03-15T08:00:00Z"));
    WorkspacesRecord nullZone = h.fixtures.workspace().timezone(null).create();
    WorkspacesRecord badZone = h.fixtures.workspace().timezone("Mars/Olympus_Mons").create();
    for (WorkspacesRecord ws : List.of(nullZone, badZone)) {
      UsersRecord user = h.fixtures.user(ws).settings(s -> s.reminder(60)).create();
      ClientsRecord client = h.fixtures.client(ws).create();
      AppointmentsRecord appointment =
          h.fixtures
              .appointment(ws, client)
              .startingAt(Instant.parse("2027-03-15T09:00:00Z"))
              .create();
      h.reminder(
          appointment.getId(), user.getId(), ws.getId(), 60, Instant.parse("2027-03-15T09:00:00Z"));
    }

    h.start("c1", smtp.port());
    List<MimeMessage> mails = smtp.awaitMessages(2, Duration.ofSeconds(20));

    for (MimeMessage mail : mails) {
      assertThat(subject(mail)).isEqualTo("Appointment in 60 minutes");
      assertThat(text(mail))
          .contains("Monday, March 15, 09:00-09:50")
          .contains("the UTC time zone");
    }
    assertThat(h.metrics.count("invalidTimezone")).isEqualTo(1);
  }

  @Test
  void hostileClientNamesArriveEscapedAndIntactThroughRealSmtp(TestSmtp smtp) throws Exception {
    CLOCK.set(Instant.parse("2027-03-15T08:00:00Z"));
    WorkspacesRecord ws = h.fixtures.workspace().timezone("Asia/Jerusalem").create();
    UsersRecord user = h.fixtures.user(ws).settings(s -> s.reminder(60)).create();
    String first = "<img src=x onerror=alert(1)> \u05D3\u05E0\u05D4 \uD83D\uDC69\u200D\u2695\uFE0F";
    String last = "\u05DC\u05D5\u05D9".repeat(350); // 1,050 characters of Hebrew
    ClientsRecord client = h.fixtures.client(ws).name(first, last).create();
    AppointmentsRecord appointment =
        h.fixtures
            .appointment(ws, client)
            .startingAt(Instant.parse("2027-03-15T09:00:00Z"))
            .create();
    h.reminder(
        appointment.getId(), user.getId(), ws.getId(), 60, Instant.parse("2027-03-15T09:00:00Z"));

    h.start("c1", smtp.port());
    MimeMessage mail = smtp.awaitMessages(1, Duration.ofSeconds(20)).get(0);

    assertThat(subject(mail)).isEqualTo("Appointment in 60 minutes");
    assertThat(html(mail))
        .doesNotContain("<img")
        .contains("&lt;img src=x onerror=alert(1)&gt;")
        .contains("\u05D3\u05E0\u05D4")
        .contains("\uD83D\uDC69\u200D\u2695\uFE0F")
        .contains("dir=\"auto\"")
        .doesNotContain("\u05DC\u05D5\u05D9".repeat(100));
    assertThat(text(mail))
        .contains("\u2068" + first + " ")
        .contains("\u2026\u2069")
        .contains("11:00-11:50"); // 09:00Z in Israel (+02:00 in March before the change)
  }

  static String subject(MimeMessage message) {
    try {
      return message.getSubject();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String header(MimeMessage message, String name) {
    try {
      String[] values = message.getHeader(name);
      return values == null ? "" : values[0];
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
