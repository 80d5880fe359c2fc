package io.notifier.schedule;

import static io.notifier.db.jooq.Tables.USER_NOTIFICATION_SETTINGS;

import io.notifier.metrics.NotifierMetrics;
import io.notifier.model.NotificationKind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds settings that bypassed PazPaz's CHECK constraints (an older database may lack them): a time
 * that is not {@code HH:MM} (for example {@code 24:00}, {@code 7:5}, empty or NULL), a reminder
 * offset outside 15/30/60/120/1440, day lists that are empty or hold anything outside 0..6. Such a
 * value never matches anything, so the user silently gets nothing of that kind; this audit makes it
 * loud: one WARN per column with the user ids (never names or addresses) and one {@link
 * NotifierMetrics#badSetting} per user and column. Only enabled kinds of users with email on count.
 * It reads every settings row, so it runs with the full re-sync of the schedule index, not per
 * tick.
 */
final class SettingsAudit {

  private static final Logger LOG = LoggerFactory.getLogger(SettingsAudit.class);
  private static final String TIME_FORMAT = "^([0-1][0-9]|2[0-3]):[0-5][0-9]$";
  private static final int LOGGED_USER_IDS = 50;

  /** One malformed column: its kind, its name and the users who have it. */
  record Finding(NotificationKind kind, String column, List<UUID> userIds) {}

  private final NotifierMetrics metrics;

  SettingsAudit(NotifierMetrics metrics) {
    this.metrics = metrics;
  }

  /** Runs the audit, logs and counts what it found, and returns it. */
  List<Finding> run(DSLContext dsl) {
    var s = USER_NOTIFICATION_SETTINGS;
    Map<String, Check> checks = new LinkedHashMap<>();
    checks.put(
        "notes_reminder_time",
        new Check(
            NotificationKind.SESSION_NOTES_REMINDER,
            s.NOTES_REMINDER_ENABLED.isTrue().and(badTime(s.NOTES_REMINDER_TIME))));
    checks.put(
        "digest_time",
        new Check(
            NotificationKind.DAILY_DIGEST, s.DIGEST_ENABLED.isTrue().and(badTime(s.DIGEST_TIME))));
    checks.put(
        "digest_days",
        new Check(
            NotificationKind.DAILY_DIGEST, s.DIGEST_ENABLED.isTrue().and(badDays(s.DIGEST_DAYS))));
    checks.put(
        "tomorrow_digest_time",
        new Check(
            NotificationKind.TOMORROW_DIGEST,
            s.TOMORROW_DIGEST_ENABLED.isTrue().and(badTime(s.TOMORROW_DIGEST_TIME))));
    checks.put(
        "tomorrow_digest_days",
        new Check(
            NotificationKind.TOMORROW_DIGEST,
            s.TOMORROW_DIGEST_ENABLED.isTrue().and(badDays(s.TOMORROW_DIGEST_DAYS))));
    checks.put(
        "reminder_minutes",
        new Check(
            NotificationKind.APPOINTMENT_REMINDER,
            s.REMINDER_ENABLED
                .isTrue()
                .and(
                    s.REMINDER_MINUTES
                        .isNull()
                        .or(s.REMINDER_MINUTES.notIn(15, 30, 60, 120, 1440)))));

    List<Field<?>> select = new ArrayList<>();
    select.add(s.USER_ID);
    Condition any = DSL.falseCondition();
    for (Map.Entry<String, Check> check : checks.entrySet()) {
      select.add(DSL.field(check.getValue().bad()).as(check.getKey()));
      any = any.or(check.getValue().bad());
    }
    Map<String, List<UUID>> usersByColumn = new LinkedHashMap<>();
    for (Record row :
        dsl.select(select)
            .from(s)
            .where(s.EMAIL_ENABLED.isTrue())
            .and(any)
            .orderBy(s.USER_ID)
            .fetch()) {
      for (String column : checks.keySet()) {
        if (Boolean.TRUE.equals(row.get(column, Boolean.class))) {
          usersByColumn.computeIfAbsent(column, c -> new ArrayList<>()).add(row.get(s.USER_ID));
        }
      }
    }
    List<Finding> findings = new ArrayList<>();
    usersByColumn.forEach(
        (column, users) -> {
          NotificationKind kind = checks.get(column).kind();
          findings.add(new Finding(kind, column, List.copyOf(users)));
          for (int i = 0; i < users.size(); i++) {
            metrics.badSetting(kind, column);
          }
          LOG.warn(
              "{} users have a malformed {} and get no {} until it is fixed: {}{}",
              users.size(),
              column,
              kind.code(),
              users.subList(0, Math.min(users.size(), LOGGED_USER_IDS)),
              users.size() > LOGGED_USER_IDS ? " and more" : "");
        });
    return findings;
  }

  private record Check(NotificationKind kind, Condition bad) {}

  private static Condition badTime(Field<String> time) {
    return time.isNull().or(DSL.not(time.likeRegex(TIME_FORMAT)));
  }

  private static Condition badDays(Field<Integer[]> days) {
    // Empty, holding a NULL, or anything outside 0..6 (`<@` is false for NULL elements).
    return DSL.condition("cardinality({0}) = 0", days)
        .or(DSL.not(DSL.condition("{0} <@ ARRAY[0,1,2,3,4,5,6]", days)))
        .or(DSL.condition("{0} IS NULL", days));
  }
}
