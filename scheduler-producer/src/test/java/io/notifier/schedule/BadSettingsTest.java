package io.notifier.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.notifier.db.jooq.tables.records.ClientsRecord;
import io.notifier.db.jooq.tables.records.UsersRecord;
import io.notifier.db.jooq.tables.records.WorkspacesRecord;
import io.notifier.ledger.Delivery;
import io.notifier.model.NotificationKind;
import io.notifier.testing.TestDatabase;
import io.notifier.testing.TestRedis;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Settings that bypassed PazPaz's CHECK constraints (an older database may not have them) never
 * crash a tick and never match anything, and each is reported: a WARN per column naming the users
 * (ids only) and a counter per user and column.
 */
class BadSettingsTest extends ProducerTestBase {

  private static final Instant START = Instant.parse("2027-01-11T06:50:00Z"); // a Monday, UTC

  BadSettingsTest(TestDatabase database, TestRedis redis) {
    super(database, redis);
  }

  /** This class's database plays an older PazPaz without the constraints. */
  @BeforeEach
  void dropTheChecks() {
    for (String check :
        List.of(
            "ck_digest_time_format",
            "ck_tomorrow_digest_time_format",
            "ck_notes_reminder_time_format",
            "ck_reminder_minutes_allowed",
            "ck_digest_days_range",
            "ck_tomorrow_digest_days_range")) {
      database
          .dsl()
          .execute("ALTER TABLE user_notification_settings DROP CONSTRAINT IF EXISTS " + check);
    }
  }

  @Test
  void malformedSettingsMatchNothingAndAreWarnedAboutAndCountedPerUserAndColumn() {
    scenario(START);
    WorkspacesRecord workspace = harness.fixtures.workspace().timezone("UTC").create();
    ClientsRecord client = harness.fixtures.client(workspace).create();
    UsersRecord control =
        harness
            .fixtures
            .user(workspace)
            .email("control@example.test")
            .settings(
                s ->
                    s.allOff()
                        .digest("07:05", EVERY_DAY)
                        .notesReminder("07:00")
                        .tomorrowDigest("07:00", EVERY_DAY)
                        .reminder(60))
            .create();
    harness.fixtures.draftNote(control, client);
    UsersRecord midnightAsTwentyFour =
        harness.fixtures.user(workspace).settings(s -> s.allOff().notesReminder("24:00")).create();
    harness.fixtures.draftNote(midnightAsTwentyFour, client);
    UsersRecord unpadded =
        harness
            .fixtures
            .user(workspace)
            .settings(s -> s.allOff().digest("7:5", EVERY_DAY))
            .create();
    UsersRecord noTime =
        harness.fixtures.user(workspace).settings(s -> s.allOff().digest(null, EVERY_DAY)).create();
    UsersRecord emptyTime =
        harness
            .fixtures
            .user(workspace)
            .settings(s -> s.allOff().tomorrowDigest("", EVERY_DAY))
            .create();
    UsersRecord noDays =
        harness.fixtures.user(workspace).settings(s -> s.allOff().digest("07:05")).create();
    UsersRecord dayNine =
        harness
            .fixtures
            .user(workspace)
            .settings(s -> s.allOff().tomorrowDigest("07:00", 9))
            .create();
    UsersRecord mondayAndNine =
        harness.fixtures.user(workspace).settings(s -> s.allOff().digest("07:05", 1, 9)).create();
    UsersRecord fortyFive =
        harness.fixtures.user(workspace).settings(s -> s.allOff().reminder(45)).create();
    harness
        .fixtures
        .appointment(workspace, client)
        .startingAt(Instant.parse("2027-01-11T07:55:00Z"))
        .create();
    harness
        .fixtures
        .appointment(workspace, client)
        .startingAt(Instant.parse("2027-01-11T08:00:00Z"))
        .create();
    harness.appointmentsBookedLongAgo();

    try (LogCapture audit = new LogCapture(SettingsAudit.class)) {
      harness.tickEveryMinute(harness.producer("p1"), START, START.plus(Duration.ofMinutes(20)));

      List<String> warnings = audit.messages(Level.WARN);
      assertThat(warnings).hasSize(6);
      assertThat(warnings)
          .anySatisfy(
              w ->
                  assertThat(w)
                      .contains("notes_reminder_time")
                      .contains(midnightAsTwentyFour.getId().toString()))
          .anySatisfy(
              w ->
                  assertThat(w)
                      .contains("malformed digest_time")
                      .contains(unpadded.getId().toString())
                      .contains(noTime.getId().toString()))
          .anySatisfy(
              w ->
                  assertThat(w)
                      .contains("tomorrow_digest_time")
                      .contains(emptyTime.getId().toString()))
          .anySatisfy(
              w ->
                  assertThat(w)
                      .contains("malformed digest_days")
                      .contains(noDays.getId().toString())
                      .contains(mondayAndNine.getId().toString()))
          .anySatisfy(
              w ->
                  assertThat(w)
                      .contains("tomorrow_digest_days")
                      .contains(dayNine.getId().toString()))
          .anySatisfy(
              w ->
                  assertThat(w)
                      .contains("reminder_minutes")
                      .contains(fortyFive.getId().toString()));
      // User ids only: never an address.
      assertThat(audit.events())
          .noneSatisfy(e -> assertThat(e.getFormattedMessage()).contains("@example.test"));
    }

    assertThat(
            harness.counter(
                "notifier_bad_settings",
                "kind",
                "session_notes_reminder",
                "field",
                "notes_reminder_time"))
        .isEqualTo(1.0);
    assertThat(
            harness.counter(
                "notifier_bad_settings", "kind", "daily_digest", "field", "digest_time"))
        .isEqualTo(2.0);
    assertThat(
            harness.counter(
                "notifier_bad_settings", "kind", "daily_digest", "field", "digest_days"))
        .isEqualTo(2.0);
    assertThat(
            harness.counter(
                "notifier_bad_settings",
                "kind",
                "tomorrow_digest",
                "field",
                "tomorrow_digest_time"))
        .isEqualTo(1.0);
    assertThat(
            harness.counter(
                "notifier_bad_settings",
                "kind",
                "tomorrow_digest",
                "field",
                "tomorrow_digest_days"))
        .isEqualTo(1.0);
    assertThat(
            harness.counter(
                "notifier_bad_settings",
                "kind",
                "appointment_reminder",
                "field",
                "reminder_minutes"))
        .isEqualTo(1.0);

    // Nothing matched the malformed values; the valid part of "Monday and 9" still works.
    assertThat(
            List.of(midnightAsTwentyFour, unpadded, noTime, emptyTime, noDays, dayNine, fortyFive))
        .allSatisfy(u -> assertThat(harness.deliveriesOf(u)).isEmpty());
    assertThat(harness.deliveriesOf(mondayAndNine))
        .singleElement()
        .satisfies(d -> assertThat(d.kind()).isEqualTo(NotificationKind.DAILY_DIGEST));
    assertThat(harness.deliveriesOf(control))
        .extracting(Delivery::kind)
        .containsExactlyInAnyOrder(
            NotificationKind.DAILY_DIGEST,
            NotificationKind.SESSION_NOTES_REMINDER,
            NotificationKind.TOMORROW_DIGEST,
            NotificationKind.APPOINTMENT_REMINDER,
            NotificationKind.APPOINTMENT_REMINDER);
  }
}
