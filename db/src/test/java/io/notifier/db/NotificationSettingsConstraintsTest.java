package io.notifier.db;

import static io.notifier.db.jooq.Tables.USER_NOTIFICATION_SETTINGS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.notifier.db.fixtures.Fixtures;
import io.notifier.db.jooq.tables.records.UserNotificationSettingsRecord;
import io.notifier.db.jooq.tables.records.UsersRecord;
import io.notifier.db.jooq.tables.records.WorkspacesRecord;
import io.notifier.testing.RealServicesTest;
import io.notifier.testing.TestDatabase;
import java.util.Map;
import java.util.stream.Stream;
import org.jooq.TableField;
import org.jooq.exception.DataAccessException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.util.PSQLException;

/**
 * PazPaz's CHECK constraints on {@code user_notification_settings}, exercised with real inserts.
 * Every rejection is checked for SQLState 23514 (check_violation) and the name of the constraint
 * that fired, so a rule that moved to another constraint, or vanished, is noticed.
 */
@RealServicesTest
class NotificationSettingsConstraintsTest {

  private static final String CHECK_VIOLATION = "23514";
  private static final String STRING_TOO_LONG = "22001";

  private static final Map<String, TableField<UserNotificationSettingsRecord, String>>
      TIME_COLUMNS =
          Map.of(
              "ck_digest_time_format", USER_NOTIFICATION_SETTINGS.DIGEST_TIME,
              "ck_tomorrow_digest_time_format", USER_NOTIFICATION_SETTINGS.TOMORROW_DIGEST_TIME,
              "ck_notes_reminder_time_format", USER_NOTIFICATION_SETTINGS.NOTES_REMINDER_TIME);

  private static final Map<String, TableField<UserNotificationSettingsRecord, Integer[]>>
      DAY_COLUMNS =
          Map.of(
              "ck_digest_days_range", USER_NOTIFICATION_SETTINGS.DIGEST_DAYS,
              "ck_tomorrow_digest_days_range", USER_NOTIFICATION_SETTINGS.TOMORROW_DIGEST_DAYS);

  private static TestDatabase db;
  private static Fixtures fixtures;
  private static WorkspacesRecord workspace;

  @BeforeAll
  static void createWorkspace(TestDatabase database) {
    db = database;
    fixtures = new Fixtures(db.dsl());
    workspace = fixtures.workspace().create();
  }

  // --- reminder_minutes ------------------------------------------------------------------------

  @ParameterizedTest(name = "reminder_minutes {0} is rejected")
  @ValueSource(ints = {45, 0, -15})
  void reminderMinutesOutsideTheAllowedSetAreRejected(int minutes) {
    PSQLException e =
        rejectedInsert(USER_NOTIFICATION_SETTINGS.REMINDER_MINUTES, Integer.valueOf(minutes));

    assertCheckViolation(e, "ck_reminder_minutes_allowed");
  }

  @ParameterizedTest(name = "reminder_minutes {0} is accepted")
  @ValueSource(ints = {15, 30, 60, 120, 1440})
  void reminderMinutesInTheAllowedSetAreStored(int minutes) {
    UserNotificationSettingsRecord stored =
        insert(USER_NOTIFICATION_SETTINGS.REMINDER_MINUTES, Integer.valueOf(minutes));

    assertThat(stored.getReminderMinutes()).isEqualTo(minutes);
  }

  @Test
  void reminderMinutesNullIsStored() {
    UserNotificationSettingsRecord stored =
        insert(USER_NOTIFICATION_SETTINGS.REMINDER_MINUTES, (Integer) null);

    assertThat(stored.getReminderMinutes()).isNull();
  }

  // --- HH:MM time columns ----------------------------------------------------------------------

  static Stream<Arguments> malformedTimes() {
    return TIME_COLUMNS.keySet().stream()
        .sorted()
        .flatMap(
            constraint ->
                Stream.of("24:00", "7:5", "", "12:60", "1200", " 8:00", "8:00 ", "ab:cd")
                    .map(value -> Arguments.of(constraint, value)));
  }

  @ParameterizedTest(name = "{0}: ''{1}'' is rejected")
  @MethodSource("malformedTimes")
  void malformedTimeStringsAreRejectedByTheirFormatCheck(String constraint, String value) {
    PSQLException e = rejectedInsert(TIME_COLUMNS.get(constraint), value);

    assertCheckViolation(e, constraint);
  }

  /**
   * {@code ' 08:00'} is six characters long and the columns are {@code varchar(5)}: PostgreSQL
   * rejects it for its length (22001) before any CHECK is evaluated, so no constraint is named. The
   * five-character {@code ' 8:00'} above shows that the format check itself refuses a leading
   * space.
   */
  @ParameterizedTest(name = "{0}: '' 08:00'' is rejected")
  @ValueSource(
      strings = {
        "ck_digest_time_format",
        "ck_tomorrow_digest_time_format",
        "ck_notes_reminder_time_format"
      })
  void timeWithLeadingSpaceIsRejectedAsTooLongForTheColumn(String constraint) {
    PSQLException e = rejectedInsert(TIME_COLUMNS.get(constraint), " 08:00");

    assertThat(e.getSQLState()).as(e.getMessage()).isEqualTo(STRING_TOO_LONG);
    assertThat(e.getMessage()).contains("character varying(5)");
  }

  static Stream<Arguments> wellFormedTimes() {
    return TIME_COLUMNS.keySet().stream()
        .sorted()
        .flatMap(
            constraint ->
                Stream.of("00:00", "23:59", "09:05", "19:30", null)
                    .map(value -> Arguments.of(constraint, value)));
  }

  @ParameterizedTest(name = "{0}: {1} is accepted")
  @MethodSource("wellFormedTimes")
  void wellFormedTimesAndNullAreStored(String constraint, String value) {
    TableField<UserNotificationSettingsRecord, String> column = TIME_COLUMNS.get(constraint);

    UserNotificationSettingsRecord stored = insert(column, value);

    assertThat(stored.get(column)).isEqualTo(value);
  }

  // --- day-of-week arrays ----------------------------------------------------------------------

  static Stream<Arguments> daysOutOfRange() {
    return DAY_COLUMNS.keySet().stream()
        .sorted()
        .flatMap(
            constraint ->
                Stream.of(new Integer[] {7}, new Integer[] {-1}, new Integer[] {1, 2, 7})
                    .map(days -> Arguments.of(constraint, days)));
  }

  @ParameterizedTest(name = "{0}: {1} is rejected")
  @MethodSource("daysOutOfRange")
  void dayArraysWithAnOutOfRangeDayAreRejected(String constraint, Integer[] days) {
    PSQLException e = rejectedInsert(DAY_COLUMNS.get(constraint), days);

    assertCheckViolation(e, constraint);
  }

  static Stream<Arguments> daysInRange() {
    return DAY_COLUMNS.keySet().stream()
        .sorted()
        .flatMap(
            constraint ->
                Stream.of(
                        new Integer[] {}, new Integer[] {0, 6}, new Integer[] {0, 1, 2, 3, 4, 5, 6})
                    .map(days -> Arguments.of(constraint, days)));
  }

  @ParameterizedTest(name = "{0}: {1} is accepted")
  @MethodSource("daysInRange")
  void dayArraysWithinSundayToSaturdayAreStored(String constraint, Integer[] days) {
    TableField<UserNotificationSettingsRecord, Integer[]> column = DAY_COLUMNS.get(constraint);

    UserNotificationSettingsRecord stored = insert(column, days);

    assertThat(stored.get(column)).containsExactly(days);
  }

  // --- helpers ---------------------------------------------------------------------------------

  /** A fresh user without settings: the table allows one settings row per user. */
  private static UsersRecord newUser() {
    return fixtures.user(workspace).withoutSettings().create();
  }

  /** Inserts a settings row with PazPaz's defaults except {@code column}, and reads it back. */
  private static <T> UserNotificationSettingsRecord insert(
      TableField<UserNotificationSettingsRecord, T> column, T value) {
    UsersRecord user = newUser();
    db.dsl()
        .insertInto(USER_NOTIFICATION_SETTINGS)
        .set(USER_NOTIFICATION_SETTINGS.USER_ID, user.getId())
        .set(USER_NOTIFICATION_SETTINGS.WORKSPACE_ID, workspace.getId())
        .set(column, value)
        .execute();
    return db.dsl()
        .selectFrom(USER_NOTIFICATION_SETTINGS)
        .where(USER_NOTIFICATION_SETTINGS.USER_ID.eq(user.getId()))
        .fetchSingle();
  }

  /** Tries the insert, expects PostgreSQL to refuse it, and returns the driver's exception. */
  private static <T> PSQLException rejectedInsert(
      TableField<UserNotificationSettingsRecord, T> column, T value) {
    UsersRecord user = newUser();
    Throwable thrown =
        catchThrowable(
            () ->
                db.dsl()
                    .insertInto(USER_NOTIFICATION_SETTINGS)
                    .set(USER_NOTIFICATION_SETTINGS.USER_ID, user.getId())
                    .set(USER_NOTIFICATION_SETTINGS.WORKSPACE_ID, workspace.getId())
                    .set(column, value)
                    .execute());
    assertThat(thrown)
        .as("inserting %s = %s", column.getName(), value)
        .isInstanceOf(DataAccessException.class);
    PSQLException cause = ((DataAccessException) thrown).getCause(PSQLException.class);
    assertThat((Throwable) cause).as("PostgreSQL's own error behind %s", thrown).isNotNull();
    assertThat(
            db.dsl()
                .fetchCount(
                    USER_NOTIFICATION_SETTINGS,
                    USER_NOTIFICATION_SETTINGS.USER_ID.eq(user.getId())))
        .as("rows stored for the refused insert")
        .isZero();
    return cause;
  }

  private static void assertCheckViolation(PSQLException e, String constraint) {
    assertThat(e.getSQLState()).as(e.getMessage()).isEqualTo(CHECK_VIOLATION);
    assertThat(e.getServerErrorMessage()).as("server error message").isNotNull();
    assertThat(e.getServerErrorMessage().getTable()).isEqualTo("user_notification_settings");
    assertThat(e.getServerErrorMessage().getConstraint()).isEqualTo(constraint);
  }
}
