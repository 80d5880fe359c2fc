package io.notifier.content;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.notifier.db.crypto.ClientNameCipher;
import io.notifier.db.crypto.UndecryptableException;
import io.notifier.db.fixtures.Fixtures;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Content without services: subjects, local times across DST, links, and hostile names. */
class EmailRendererTest {

  private static final ClientNameCipher CIPHER = new ClientNameCipher(Fixtures.testKeys());
  private static final ZoneId JERUSALEM = ZoneId.of("Asia/Jerusalem");
  private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
  private static final ContentConfig CONTENT =
      ContentConfig.defaults(URI.create("https://app.pazpaz.test/"));

  private final EmailRenderer renderer = new EmailRenderer(CONTENT, CIPHER);

  private static Recipient recipient(ZoneId zone) {
    return new Recipient(UUID.randomUUID(), "therapist@example.org", "Noa Therapist", zone);
  }

  private static AppointmentItem appointment(
      Instant start, String first, String last, String service, String type, String details) {
    return new AppointmentItem(
        UUID.randomUUID(),
        start,
        start.plus(Duration.ofMinutes(50)),
        "scheduled",
        CIPHER.encrypt(first),
        CIPHER.encrypt(last),
        service,
        type,
        "Room 1",
        "Herzl 1, Tel Aviv",
        details);
  }

  @Test
  void notesReminderSubjectIsSingularForOneAndPluralOtherwise() throws Exception {
    Instant now = Instant.parse("2027-03-26T16:00:00Z");
    RenderedEmail one =
        renderer.render(recipient(JERUSALEM), new NotificationData.DraftNotes(1), now);
    RenderedEmail three =
        renderer.render(recipient(JERUSALEM), new NotificationData.DraftNotes(3), now);

    assertThat(one.subject()).isEqualTo("You have 1 draft session note");
    assertThat(three.subject()).isEqualTo("You have 3 draft session notes");
    assertThat(three.text()).contains("You have 3 draft session notes waiting");
    assertThat(three.text()).contains("https://app.pazpaz.test/sessions");
    assertThat(three.text()).doesNotContain("time zone"); // no times in it to explain
    assertThat(three.html()).contains("href=\"https://app.pazpaz.test/sessions\"");
    assertThat(three.html()).contains("href=\"https://app.pazpaz.test/settings/notifications\"");
  }

  @Test
  void dailyDigestOnIsraelsSpringForwardDayShowsLocalTimesInOrder() throws Exception {
    // 2027-03-26: Israel moves from +02:00 to +03:00 at 02:00 local; the day is 23 hours long.
    LocalDate day = LocalDate.parse("2027-03-26");
    AppointmentItem early =
        appointment(
            Instant.parse("2027-03-25T22:30:00Z"), "Dana", "Levi", "Massage", "clinic", null);
    AppointmentItem late =
        appointment(
            Instant.parse("2027-03-26T06:00:00Z"),
            "Avi",
            "Cohen",
            "Reflexology",
            "online",
            "https://meet.example/abc");

    RenderedEmail email =
        renderer.render(
            recipient(JERUSALEM),
            new NotificationData.Digest(day, false, List.of(early, late)),
            Instant.parse("2027-03-26T05:00:00Z"));

    assertThat(email.subject()).isEqualTo("Your schedule for Friday, March 26");
    // 22:30Z on the 25th is 00:30 local (+02:00); 06:00Z is 09:00 local (+03:00).
    assertThat(email.text()).contains("00:30-01:20").contains("09:00-09:50");
    assertThat(email.text().indexOf("00:30")).isLessThan(email.text().indexOf("09:00"));
    assertThat(email.text()).contains("Dana Levi").contains("Massage");
    assertThat(email.text()).contains("Room 1, Herzl 1, Tel Aviv");
    assertThat(email.text()).contains("Online: https://meet.example/abc");
    assertThat(email.text()).contains("you have 2 appointments on Friday, March 26");
    assertThat(email.text()).contains("Asia/Jerusalem");
    assertThat(email.html()).contains("09:00&ndash;09:50").contains("Dana Levi");
    assertThat(email.html()).contains("https://app.pazpaz.test/calendar?date=2027-03-26");
  }

  @Test
  void tomorrowDigestNamesTheDayAfterAndSaysTomorrow() throws Exception {
    LocalDate tomorrow = LocalDate.parse("2027-03-15");
    RenderedEmail email =
        renderer.render(
            recipient(NEW_YORK),
            new NotificationData.Digest(
                tomorrow,
                true,
                List.of(
                    appointment(
                        Instant.parse("2027-03-15T13:00:00Z"),
                        "Dana",
                        "Levi",
                        null,
                        "home",
                        null))),
            Instant.parse("2027-03-15T00:00:00Z"));

    assertThat(email.subject()).isEqualTo("Your schedule for tomorrow, Monday, March 15");
    assertThat(email.text()).contains("09:00-09:50").contains("Home visit");
    assertThat(email.text()).contains("you have 1 appointment tomorrow, Monday, March 15");
  }

  @Test
  void anEmptyDigestSaysThereIsNothingScheduled() throws Exception {
    RenderedEmail email =
        renderer.render(
            recipient(NEW_YORK),
            new NotificationData.Digest(LocalDate.parse("2027-03-15"), false, List.of()),
            Instant.parse("2027-03-15T12:00:00Z"));

    assertThat(email.text()).contains("there are no appointments on your calendar");
    assertThat(email.html())
        .doesNotContain(
            "<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"width:100%;table-layout:fixed;border-collapse:collapse;\">");
  }

  @Test
  void appointmentReminderPhrasingForEveryOffsetOnNewYorksSpringForwardDay() throws Exception {
    // 2027-03-14: New York moves from -05:00 to -04:00 at 02:00. 10:00 EDT is 14:00Z.
    Instant start = Instant.parse("2027-03-14T14:00:00Z");
    AppointmentItem item = appointment(start, "Dana", "Levi", "Massage", "clinic", null);

    assertThat(subjectAt(item, start.minus(Duration.ofMinutes(15))))
        .isEqualTo("Appointment in 15 minutes");
    assertThat(subjectAt(item, start.minus(Duration.ofMinutes(30))))
        .isEqualTo("Appointment in 30 minutes");
    assertThat(subjectAt(item, start.minus(Duration.ofMinutes(60))))
        .isEqualTo("Appointment in 60 minutes");
    assertThat(subjectAt(item, start.minus(Duration.ofMinutes(120))))
        .isEqualTo("Appointment in 2 hours");
    // 24 hours before is 09:00 EST on Saturday: the appointment is tomorrow at 10:00 local.
    assertThat(subjectAt(item, start.minus(Duration.ofMinutes(1440))))
        .isEqualTo("Appointment tomorrow at 10:00");
    // A reminder sent late (booked 45 minutes ahead) tells the truth.
    assertThat(subjectAt(item, start.minus(Duration.ofMinutes(45)).plusSeconds(10)))
        .isEqualTo("Appointment in 45 minutes");

    RenderedEmail email =
        renderer.render(
            recipient(NEW_YORK),
            new NotificationData.Reminder(item),
            start.minus(Duration.ofMinutes(60)));
    assertThat(email.text()).contains("Sunday, March 14, 10:00-10:50");
    assertThat(email.text()).contains("with \u2068Dana Levi\u2069 starts in 60 minutes");
    assertThat(email.text()).contains("\nService: \u2068Massage\u2069\n");
    assertThat(email.html()).contains("https://app.pazpaz.test/calendar?date=2027-03-14");
  }

  @Test
  void aDayReminderAcrossTheDstGapNamesTheDateNotTomorrow() throws Exception {
    // 00:30 EDT on Monday 2027-03-15; 24 hours earlier it is 23:30 EST on Saturday the 13th.
    Instant start = Instant.parse("2027-03-15T04:30:00Z");
    AppointmentItem item = appointment(start, "Dana", "Levi", null, "clinic", null);

    assertThat(subjectAt(item, start.minus(Duration.ofMinutes(1440))))
        .isEqualTo("Appointment on Monday, March 15 at 00:30");
  }

  @Test
  void hostileNamesAreEscapedIsolatedAndBounded() throws Exception {
    String html = "<script>alert('x')</script> & \"Dana\"";
    String rtl = "\u05D3\u05E0\u05D4";
    String emoji = "\uD83D\uDC69\u200D\u2695\uFE0F Dana";
    String thousand = "A".repeat(1000);
    AppointmentItem a =
        appointment(
            Instant.parse("2027-03-15T13:00:00Z"), html, rtl, "<b>Massage</b>", "clinic", null);
    AppointmentItem b =
        appointment(Instant.parse("2027-03-15T14:00:00Z"), emoji, thousand, null, "clinic", null);

    RenderedEmail email =
        renderer.render(
            recipient(NEW_YORK),
            new NotificationData.Digest(LocalDate.parse("2027-03-15"), false, List.of(a, b)),
            Instant.parse("2027-03-15T12:00:00Z"));

    assertThat(email.html()).doesNotContain("<script>").doesNotContain("<b>Massage");
    assertThat(email.html())
        .contains("&lt;script&gt;")
        .contains("&amp;")
        .contains("&lt;b&gt;Massage");
    assertThat(email.html()).contains(rtl).contains(emoji);
    assertThat(email.html()).contains("overflow-wrap:anywhere");
    assertThat(email.html()).doesNotContain("A".repeat(200));
    assertThat(email.text()).contains("\u2068" + html + " " + rtl + "\u2069");
    assertThat(email.text()).contains(emoji + " " + "A".repeat(113) + "\u2026");
    assertThat(email.subject()).doesNotContain("Dana").doesNotContain(rtl);
  }

  @Test
  void initialsModeShowsInitialsAndNoneModeShowsNoNameAndNeverDecrypts() throws Exception {
    AppointmentItem item =
        appointment(
            Instant.parse("2027-03-15T13:00:00Z"),
            "dana",
            "\u05DC\u05D5\u05D9",
            null,
            "clinic",
            null);
    EmailRenderer initials =
        new EmailRenderer(CONTENT.withClientNames(ClientNameMode.INITIALS), CIPHER);
    RenderedEmail withInitials =
        initials.render(
            recipient(NEW_YORK),
            new NotificationData.Reminder(item),
            Instant.parse("2027-03-15T12:00:00Z"));
    assertThat(withInitials.text()).contains("D. \u05DC.").doesNotContain("dana");

    AppointmentItem undecryptable =
        new AppointmentItem(
            item.id(),
            item.start(),
            item.end(),
            "scheduled",
            new byte[40],
            new byte[40],
            null,
            "clinic",
            null,
            null,
            null);
    EmailRenderer none = new EmailRenderer(CONTENT.withClientNames(ClientNameMode.NONE), CIPHER);
    RenderedEmail withoutNames =
        none.render(
            recipient(NEW_YORK),
            new NotificationData.Reminder(undecryptable),
            Instant.parse("2027-03-15T12:00:00Z"));
    assertThat(withoutNames.text())
        .contains("your appointment starts in 60 minutes")
        .doesNotContain("Client:");
  }

  @Test
  void anUndecryptableNameFailsTheRenderWithAReason() {
    AppointmentItem item =
        new AppointmentItem(
            UUID.randomUUID(),
            Instant.parse("2027-03-15T13:00:00Z"),
            Instant.parse("2027-03-15T13:50:00Z"),
            "scheduled",
            "v9:garbage-garbage-garbage-garbage"
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII),
            CIPHER.encrypt("Levi"),
            null,
            "clinic",
            null,
            null,
            null);

    assertThatThrownBy(
            () ->
                renderer.render(
                    recipient(NEW_YORK),
                    new NotificationData.Reminder(item),
                    Instant.parse("2027-03-15T12:00:00Z")))
        .isInstanceOf(UndecryptableException.class);
  }

  @Test
  void configRejectsARelativeBaseUrlAndStripsATrailingSlash() {
    assertThat(CONTENT.appBaseUrl().toString()).isEqualTo("https://app.pazpaz.test");
    assertThatThrownBy(() -> ContentConfig.defaults(URI.create("/relative")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ContentConfig.defaults(URI.create("ftp://x.test")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private String subjectAt(AppointmentItem item, Instant now) throws Exception {
    return renderer.render(recipient(NEW_YORK), new NotificationData.Reminder(item), now).subject();
  }
}
