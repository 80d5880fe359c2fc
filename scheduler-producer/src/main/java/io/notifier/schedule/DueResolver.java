package io.notifier.schedule;

import static io.notifier.db.jooq.Tables.APPOINTMENTS;
import static io.notifier.db.jooq.Tables.NOTIFIER_DELIVERIES;
import static io.notifier.db.jooq.Tables.NOTIFIER_USER_SCHEDULE;
import static io.notifier.db.jooq.Tables.SESSIONS;
import static io.notifier.db.jooq.Tables.USERS;
import static io.notifier.db.jooq.Tables.USER_NOTIFICATION_SETTINGS;
import static io.notifier.db.jooq.Tables.WORKSPACES;

import io.notifier.db.jooq.tables.records.NotifierUserScheduleRecord;
import io.notifier.db.jooq.tables.records.UserNotificationSettingsRecord;
import io.notifier.model.NotificationJob;
import io.notifier.model.NotificationKind;
import io.notifier.model.NotificationStatus;
import io.notifier.model.SkipReason;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jooq.CommonTableExpression;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.Record11;
import org.jooq.ResultQuery;
import org.jooq.Select;
import org.jooq.Table;
import org.jooq.TableField;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * Turns a window into ledger rows, one set-based statement per kind:
 *
 * <pre>
 * WITH cand AS MATERIALIZED (...)       -- candidates from an index range scan
 *      planned AS (...)                 -- re-checked against PazPaz's rows; dedup key, status
 *      ins AS (INSERT INTO notifier_deliveries SELECT ... FROM planned
 *              ON CONFLICT (dedup_key) DO NOTHING RETURNING id, dedup_key)
 * SELECT planned.*, ins.id FROM planned LEFT JOIN ins USING (dedup_key)
 * </pre>
 *
 * so one round trip both writes the new rows and tells, for every notification due, whether it was
 * new, written as skipped, or already there. The dedup keys are built in SQL exactly as {@link
 * io.notifier.model.DedupKeys} builds them (a test holds the two together).
 *
 * <p>Wall-clock kinds take their candidates from {@code notifier_user_schedule} by (local time,
 * zone): the {@link ZoneGroup}s' slots and zone keys go in as arrays, joined on the group number.
 * Appointment reminders take theirs from {@code appointments} by start-time range, one range per
 * offset. Nothing here reads the clock: the caller passes {@code now}.
 */
final class DueResolver {

  /** The reminder offsets PazPaz allows; any other value in settings never matches. */
  static final int[] REMINDER_MINUTES = {15, 30, 60, 120, 1440};

  private final StalenessRules staleness;

  DueResolver(StalenessRules staleness) {
    this.staleness = staleness;
  }

  /** One resolved notification: the planned row and, if it was inserted now, its ledger id. */
  record Resolved(
      String dedupKey,
      NotificationKind kind,
      UUID userId,
      UUID workspaceId,
      UUID appointmentId,
      LocalDate localDate,
      Integer reminderMinutes,
      Instant appointmentStart,
      Instant dueAt,
      NotificationStatus status,
      String skipReason,
      UUID insertedId) {

    boolean inserted() {
      return insertedId != null;
    }

    /** The first attempt's job, for a row inserted as pending now. */
    NotificationJob toJob() {
      return new NotificationJob(
          insertedId,
          kind,
          dedupKey,
          userId,
          workspaceId,
          appointmentId,
          localDate,
          reminderMinutes,
          appointmentStart,
          dueAt,
          dueAt,
          1);
    }
  }

  // ---- wall-clock kinds ---------------------------------------------------------------------

  /** What distinguishes one wall-clock kind from another. */
  private record WallKind(
      NotificationKind kind,
      TableField<NotifierUserScheduleRecord, String> indexTime,
      TableField<UserNotificationSettingsRecord, String> settingsTime,
      TableField<UserNotificationSettingsRecord, Boolean> enabled,
      TableField<UserNotificationSettingsRecord, Integer[]> days) {}

  private static final WallKind NOTES =
      new WallKind(
          NotificationKind.SESSION_NOTES_REMINDER,
          NOTIFIER_USER_SCHEDULE.NOTES_REMINDER_TIME,
          USER_NOTIFICATION_SETTINGS.NOTES_REMINDER_TIME,
          USER_NOTIFICATION_SETTINGS.NOTES_REMINDER_ENABLED,
          null);
  private static final WallKind DIGEST =
      new WallKind(
          NotificationKind.DAILY_DIGEST,
          NOTIFIER_USER_SCHEDULE.DIGEST_TIME,
          USER_NOTIFICATION_SETTINGS.DIGEST_TIME,
          USER_NOTIFICATION_SETTINGS.DIGEST_ENABLED,
          USER_NOTIFICATION_SETTINGS.DIGEST_DAYS);
  private static final WallKind TOMORROW =
      new WallKind(
          NotificationKind.TOMORROW_DIGEST,
          NOTIFIER_USER_SCHEDULE.TOMORROW_DIGEST_TIME,
          USER_NOTIFICATION_SETTINGS.TOMORROW_DIGEST_TIME,
          USER_NOTIFICATION_SETTINGS.TOMORROW_DIGEST_ENABLED,
          USER_NOTIFICATION_SETTINGS.TOMORROW_DIGEST_DAYS);

  static List<NotificationKind> wallClockKinds() {
    return List.of(NOTES.kind(), DIGEST.kind(), TOMORROW.kind());
  }

  /** Resolves one wall-clock kind for the zone groups of a window. */
  List<Resolved> resolveWallClock(
      DSLContext tx, NotificationKind kind, List<ZoneGroup> groups, Instant now) {
    ResultQuery<Record> query = wallClockQuery(tx, kind, groups, now);
    return query == null ? List.of() : run(query);
  }

  /** The statement {@link #resolveWallClock} runs (null when no zone has a slot), for EXPLAIN. */
  ResultQuery<Record> wallClockQuery(
      DSLContext tx, NotificationKind kind, List<ZoneGroup> groups, Instant now) {
    WallKind spec =
        switch (kind) {
          case SESSION_NOTES_REMINDER -> NOTES;
          case DAILY_DIGEST -> DIGEST;
          case TOMORROW_DIGEST -> TOMORROW;
          case APPOINTMENT_REMINDER ->
              throw new IllegalArgumentException("appointment reminders are not wall-clock");
        };
    List<Integer> groupNo = new ArrayList<>();
    List<String> groupZone = new ArrayList<>();
    List<Integer> slotGroup = new ArrayList<>();
    List<String> slotTime = new ArrayList<>();
    List<LocalDate> slotDate = new ArrayList<>();
    List<OffsetDateTime> slotDue = new ArrayList<>();
    List<Integer> slotDay = new ArrayList<>();
    for (int g = 0; g < groups.size(); g++) {
      ZoneGroup group = groups.get(g);
      for (String key : group.zoneKeys()) {
        groupNo.add(g);
        groupZone.add(key);
      }
      for (DueSlot slot : group.slots()) {
        slotGroup.add(g);
        slotTime.add(slot.hhmm());
        slotDate.add(slot.localDate());
        slotDue.add(utc(slot.due()));
        slotDay.add(slot.dayOfWeek());
      }
    }
    if (slotGroup.isEmpty() || groupNo.isEmpty()) {
      return null;
    }

    Table<?> zonesOfGroups =
        DSL.table(
                "unnest({0}, {1})",
                DSL.val(groupNo.toArray(Integer[]::new), SQLDataType.INTEGER.array()),
                DSL.val(groupZone.toArray(String[]::new), SQLDataType.CLOB.array()))
            .as("g", "group_no", "zone_key");
    Table<?> slots =
        DSL.table(
                "unnest({0}, {1}, {2}, {3}, {4})",
                DSL.val(slotGroup.toArray(Integer[]::new), SQLDataType.INTEGER.array()),
                DSL.val(slotTime.toArray(String[]::new), SQLDataType.CLOB.array()),
                DSL.val(slotDate.toArray(LocalDate[]::new), SQLDataType.LOCALDATE.array()),
                DSL.val(
                    slotDue.toArray(OffsetDateTime[]::new),
                    SQLDataType.TIMESTAMPWITHTIMEZONE.array()),
                DSL.val(slotDay.toArray(Integer[]::new), SQLDataType.INTEGER.array()))
            .as("m", "group_no", "hhmm", "local_date", "due", "dow");
    Field<Integer> gNo = DSL.field(DSL.name("g", "group_no"), Integer.class);
    Field<String> gZone = DSL.field(DSL.name("g", "zone_key"), String.class);
    Field<Integer> mNo = DSL.field(DSL.name("m", "group_no"), Integer.class);
    Field<String> mTime = DSL.field(DSL.name("m", "hhmm"), String.class);

    var p = NOTIFIER_USER_SCHEDULE;
    // Candidates: the index range scans (time, zone) of the schedule index. Materialized, so the
    // planner drives from the arrays instead of guessing at them and scanning PazPaz's tables.
    CommonTableExpression<?> cand =
        DSL.name("cand")
            .asMaterialized(
                DSL.select(
                        p.USER_ID.as("user_id"),
                        p.ZONE_KEY.as("zone_key"),
                        mTime.as("hhmm"),
                        DSL.field(DSL.name("m", "local_date"), LocalDate.class).as("local_date"),
                        DSL.field(DSL.name("m", "due"), OffsetDateTime.class).as("due"),
                        DSL.field(DSL.name("m", "dow"), Integer.class).as("dow"))
                    .from(zonesOfGroups)
                    .join(slots)
                    .on(mNo.eq(gNo))
                    .join(p)
                    .on(spec.indexTime().eq(mTime))
                    .and(p.ZONE_KEY.eq(gZone))
                    .and(spec.indexTime().isNotNull()));
    Field<UUID> cUser = cand.field("user_id", UUID.class);
    Field<String> cZone = cand.field("zone_key", String.class);
    Field<String> cTime = cand.field("hhmm", String.class);
    Field<LocalDate> cDate = cand.field("local_date", LocalDate.class);
    Field<OffsetDateTime> cDue = cand.field("due", OffsetDateTime.class);
    Field<Integer> cDay = cand.field("dow", Integer.class);

    var s = USER_NOTIFICATION_SETTINGS;
    var u = USERS;
    var w = WORKSPACES;
    Condition extra =
        switch (spec.kind()) {
          case SESSION_NOTES_REMINDER ->
              // Only the user's own live drafts count (PazPaz counted the whole workspace's).
              DSL.exists(
                  DSL.selectOne()
                      .from(SESSIONS)
                      .where(SESSIONS.CREATED_BY_USER_ID.eq(u.ID))
                      .and(SESSIONS.IS_DRAFT.isTrue())
                      .and(SESSIONS.DELETED_AT.isNull()));
          default -> cDay.eq(DSL.any(spec.days()));
        };
    OffsetDateTime staleBefore = utc(now.minus(staleness.grace(spec.kind()).orElseThrow()));
    Condition stale = cDue.lt(staleBefore);
    Field<String> dedupKey =
        DSL.concat(
            DSL.inline(spec.kind().code() + ":"),
            u.ID.cast(SQLDataType.VARCHAR),
            DSL.inline(":"),
            DSL.field("to_char({0}, 'YYYY-MM-DD')", String.class, cDate));
    Select<? extends Record11<?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?>> planned =
        DSL.select(
                dedupKey.as("dedup_key"),
                DSL.inline(spec.kind().code()).as("kind"),
                u.ID.as("user_id"),
                u.WORKSPACE_ID.as("workspace_id"),
                DSL.inline((UUID) null, SQLDataType.UUID).as("appointment_id"),
                cDate.as("local_date"),
                DSL.inline((Integer) null, SQLDataType.INTEGER).as("reminder_minutes"),
                DSL.inline((OffsetDateTime) null, SQLDataType.TIMESTAMPWITHTIMEZONE)
                    .as("appointment_start"),
                cDue.as("due_at"),
                statusWhen(stale).as("status"),
                DSL.when(stale, DSL.inline(SkipReason.STALE.code())).as("skip_reason"))
            .from(cand)
            // Re-check everything against PazPaz's rows: the schedule index only nominates.
            .join(s)
            .on(s.USER_ID.eq(cUser))
            .and(s.EMAIL_ENABLED.isTrue())
            .and(spec.enabled().isTrue())
            .and(spec.settingsTime().eq(cTime))
            .join(u)
            .on(u.ID.eq(cUser))
            .and(u.IS_ACTIVE.isTrue())
            .join(w)
            .on(w.ID.eq(u.WORKSPACE_ID))
            .and(ZoneCache.workspaceIsLive())
            .and(DSL.coalesce(w.TIMEZONE, DSL.inline(ZoneCatalog.NULL_KEY)).eq(cZone))
            .where(extra);
    return insertReturning(tx, List.of(cand), planned);
  }

  // ---- appointment reminders ----------------------------------------------------------------

  /**
   * Reminders due in {@code (from, to]}: for each offset m, scheduled appointments starting in
   * {@code (from + m, to + m]}, for every eligible user of the workspace whose offset is m.
   */
  List<Resolved> resolveAppointmentReminders(DSLContext tx, Instant from, Instant to, Instant now) {
    return run(appointmentQuery(tx, from, to, now));
  }

  ResultQuery<Record> appointmentQuery(DSLContext tx, Instant from, Instant to, Instant now) {
    int n = REMINDER_MINUTES.length;
    Integer[] minutes = new Integer[n];
    OffsetDateTime[] low = new OffsetDateTime[n];
    OffsetDateTime[] high = new OffsetDateTime[n];
    for (int i = 0; i < n; i++) {
      minutes[i] = REMINDER_MINUTES[i];
      low[i] = utc(from.plus(Duration.ofMinutes(REMINDER_MINUTES[i])));
      high[i] = utc(to.plus(Duration.ofMinutes(REMINDER_MINUTES[i])));
    }
    Table<?> offsets =
        DSL.table(
                "unnest({0}, {1}, {2})",
                DSL.val(minutes, SQLDataType.INTEGER.array()),
                DSL.val(low, SQLDataType.TIMESTAMPWITHTIMEZONE.array()),
                DSL.val(high, SQLDataType.TIMESTAMPWITHTIMEZONE.array()))
            .as("o", "m", "low", "high");
    var a = APPOINTMENTS;
    CommonTableExpression<?> cand =
        DSL.name("cand")
            .asMaterialized(
                DSL.select(
                        a.ID.as("appointment_id"),
                        a.WORKSPACE_ID.as("workspace_id"),
                        a.SCHEDULED_START.as("scheduled_start"),
                        DSL.field(DSL.name("o", "m"), Integer.class).as("m"))
                    .from(offsets)
                    .join(a)
                    .on(a.STATUS.eq("scheduled"))
                    .and(
                        a.SCHEDULED_START.gt(DSL.field(DSL.name("o", "low"), OffsetDateTime.class)))
                    .and(
                        a.SCHEDULED_START.le(
                            DSL.field(DSL.name("o", "high"), OffsetDateTime.class))));
    return insertReturning(tx, List.of(cand), reminderRows(cand, now));
  }

  /**
   * Reminders whose due instant is at or before {@code from} (so no window will ever cover them)
   * for appointments booked or moved at or after {@code changedSince} (database time, PazPaz's
   * updated_at) that have not started: queued at once, late. Found through the partial index on
   * appointments(updated_at), so a tick reads only what changed since the last one.
   */
  List<Resolved> resolveLateAppointmentReminders(
      DSLContext tx, Instant from, OffsetDateTime changedSince, Instant now) {
    return run(lateAppointmentQuery(tx, from, changedSince, now));
  }

  ResultQuery<Record> lateAppointmentQuery(
      DSLContext tx, Instant from, OffsetDateTime changedSince, Instant now) {
    int n = REMINDER_MINUTES.length;
    Integer[] minutes = new Integer[n];
    OffsetDateTime[] latestStart = new OffsetDateTime[n];
    for (int i = 0; i < n; i++) {
      minutes[i] = REMINDER_MINUTES[i];
      // start - m <= from  <=>  start <= from + m
      latestStart[i] = utc(from.plus(Duration.ofMinutes(REMINDER_MINUTES[i])));
    }
    Table<?> offsets =
        DSL.table(
                "unnest({0}, {1})",
                DSL.val(minutes, SQLDataType.INTEGER.array()),
                DSL.val(latestStart, SQLDataType.TIMESTAMPWITHTIMEZONE.array()))
            .as("o", "m", "latest_start");
    var a = APPOINTMENTS;
    CommonTableExpression<?> cand =
        DSL.name("cand")
            .asMaterialized(
                DSL.select(
                        a.ID.as("appointment_id"),
                        a.WORKSPACE_ID.as("workspace_id"),
                        a.SCHEDULED_START.as("scheduled_start"),
                        DSL.field(DSL.name("o", "m"), Integer.class).as("m"))
                    .from(a)
                    .join(offsets)
                    .on(
                        a.SCHEDULED_START.le(
                            DSL.field(DSL.name("o", "latest_start"), OffsetDateTime.class)))
                    .where(a.STATUS.eq("scheduled"))
                    .and(a.UPDATED_AT.ge(changedSince))
                    .and(a.SCHEDULED_START.gt(utc(now))));
    return insertReturning(tx, List.of(cand), reminderRows(cand, now));
  }

  /** Appointment candidates (id, workspace, start, m) joined to the users who want offset m. */
  private static Select<? extends Record11<?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?>> reminderRows(
      CommonTableExpression<?> cand, Instant now) {
    Field<UUID> cAppointment = cand.field("appointment_id", UUID.class);
    Field<UUID> cWorkspace = cand.field("workspace_id", UUID.class);
    Field<OffsetDateTime> cStart = cand.field("scheduled_start", OffsetDateTime.class);
    Field<Integer> cMinutes = cand.field("m", Integer.class);
    var s = USER_NOTIFICATION_SETTINGS;
    var u = USERS;
    var w = WORKSPACES;
    Condition started = cStart.le(utc(now));
    Field<String> dedupKey =
        DSL.concat(
            DSL.inline(NotificationKind.APPOINTMENT_REMINDER.code() + ":"),
            cAppointment.cast(SQLDataType.VARCHAR),
            DSL.inline(":"),
            u.ID.cast(SQLDataType.VARCHAR),
            DSL.inline(":"),
            cMinutes.cast(SQLDataType.VARCHAR),
            DSL.inline(":"),
            // Instant.getEpochSecond: whole seconds, rounded down.
            DSL.field("floor(extract(epoch from {0}))::bigint", Long.class, cStart)
                .cast(SQLDataType.VARCHAR));
    return DSL.select(
            dedupKey.as("dedup_key"),
            DSL.inline(NotificationKind.APPOINTMENT_REMINDER.code()).as("kind"),
            u.ID.as("user_id"),
            u.WORKSPACE_ID.as("workspace_id"),
            cAppointment.as("appointment_id"),
            DSL.inline((LocalDate) null, SQLDataType.LOCALDATE).as("local_date"),
            cMinutes.as("reminder_minutes"),
            cStart.as("appointment_start"),
            DSL.field("{0} - make_interval(mins => {1})", OffsetDateTime.class, cStart, cMinutes)
                .as("due_at"),
            statusWhen(started).as("status"),
            DSL.when(started, DSL.inline(SkipReason.APPOINTMENT_STARTED.code())).as("skip_reason"))
        .from(cand)
        .join(w)
        .on(w.ID.eq(cWorkspace))
        .and(ZoneCache.workspaceIsLive())
        .join(s)
        .on(s.WORKSPACE_ID.eq(cWorkspace))
        .and(s.EMAIL_ENABLED.isTrue())
        .and(s.REMINDER_ENABLED.isTrue())
        .and(s.REMINDER_MINUTES.eq(cMinutes))
        .join(u)
        .on(u.ID.eq(s.USER_ID))
        .and(u.IS_ACTIVE.isTrue())
        .and(u.WORKSPACE_ID.eq(cWorkspace));
  }

  // ---- the shared insert --------------------------------------------------------------------

  private static Field<String> statusWhen(Condition skipped) {
    return DSL.when(skipped, DSL.inline(NotificationStatus.SKIPPED.code()))
        .else_(DSL.inline(NotificationStatus.PENDING.code()));
  }

  /**
   * Wraps {@code planned} (the eleven ledger columns, named as the ledger's) into the insert and
   * returns every planned row with the id of the row inserted for it, if any.
   */
  private static ResultQuery<Record> insertReturning(
      DSLContext tx,
      List<CommonTableExpression<?>> before,
      Select<? extends Record11<?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?>> plannedSelect) {
    CommonTableExpression<?> planned = DSL.name("planned").as(plannedSelect);
    var d = NOTIFIER_DELIVERIES;
    Field<String> pKey = planned.field("dedup_key", String.class);
    Field<OffsetDateTime> pDue = planned.field("due_at", OffsetDateTime.class);
    CommonTableExpression<?> ins =
        DSL.name("ins")
            .as(
                DSL.insertInto(
                        d,
                        d.ID,
                        d.DEDUP_KEY,
                        d.KIND,
                        d.USER_ID,
                        d.WORKSPACE_ID,
                        d.APPOINTMENT_ID,
                        d.LOCAL_DATE,
                        d.REMINDER_MINUTES,
                        d.APPOINTMENT_START,
                        d.DUE_AT,
                        d.STATUS,
                        d.SKIP_REASON,
                        d.NEXT_ATTEMPT_AT)
                    .select(
                        DSL.select(
                                DSL.field("gen_random_uuid()", UUID.class),
                                pKey,
                                planned.field("kind", String.class),
                                planned.field("user_id", UUID.class),
                                planned.field("workspace_id", UUID.class),
                                planned.field("appointment_id", UUID.class),
                                planned.field("local_date", LocalDate.class),
                                planned.field("reminder_minutes", Integer.class),
                                planned.field("appointment_start", OffsetDateTime.class),
                                pDue,
                                planned.field("status", String.class),
                                planned.field("skip_reason", String.class),
                                pDue)
                            .from(planned))
                    .onConflict(d.DEDUP_KEY)
                    .doNothing()
                    .returning(d.ID, d.DEDUP_KEY));
    List<CommonTableExpression<?>> ctes = new ArrayList<>(before);
    ctes.add(planned);
    ctes.add(ins);
    List<Field<?>> out = new ArrayList<>(List.of(planned.fields()));
    out.add(ins.field("id", UUID.class).as("inserted_id"));
    return tx.with(ctes)
        .select(out)
        .from(planned)
        .leftJoin(ins)
        .on(ins.field("dedup_key", String.class).eq(pKey));
  }

  private static List<Resolved> run(ResultQuery<Record> query) {
    List<Resolved> resolved = new ArrayList<>();
    for (Record r : query.fetch()) {
      OffsetDateTime start = r.get("appointment_start", OffsetDateTime.class);
      resolved.add(
          new Resolved(
              r.get("dedup_key", String.class),
              NotificationKind.fromCode(r.get("kind", String.class)).orElseThrow(),
              r.get("user_id", UUID.class),
              r.get("workspace_id", UUID.class),
              r.get("appointment_id", UUID.class),
              r.get("local_date", LocalDate.class),
              r.get("reminder_minutes", Integer.class),
              start == null ? null : start.toInstant(),
              r.get("due_at", OffsetDateTime.class).toInstant(),
              NotificationStatus.fromCode(r.get("status", String.class)).orElseThrow(),
              r.get("skip_reason", String.class),
              r.get("inserted_id", UUID.class)));
    }
    return resolved;
  }

  private static OffsetDateTime utc(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
