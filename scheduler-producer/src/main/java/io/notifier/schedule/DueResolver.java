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
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jooq.CommonTableExpression;
import org.jooq.Condition;
import org.jooq.Cursor;
import org.jooq.DSLContext;
import org.jooq.DataType;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.Record5;
import org.jooq.ResultQuery;
import org.jooq.Select;
import org.jooq.SelectField;
import org.jooq.Table;
import org.jooq.TableField;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * Turns one slice of a window into ledger rows, every kind of a {@link Part} in one set-based
 * statement:
 *
 * <pre>
 * WITH g, m                              -- the zone groups and their slots, as arrays
 *      cand_notes, cand_digest, cand_tomorrow AS MATERIALIZED (...)  -- schedule-index scans
 *      cand_appointments AS MATERIALIZED (...)                       -- scheduled_start ranges
 *      planned AS (... UNION ALL ...)    -- re-checked against PazPaz's rows; dedup key, status
 *      ins AS (INSERT INTO notifier_deliveries SELECT ... FROM planned
 *              ON CONFLICT (dedup_key) DO NOTHING RETURNING id, dedup_key)
 * SELECT planned.*, ins.id FROM planned LEFT JOIN ins USING (dedup_key)
 * </pre>
 *
 * One round trip both writes the new rows and tells, for every notification due, whether it was
 * new, written as skipped (too late), or already there. The dedup keys are built in SQL exactly as
 * {@link io.notifier.model.DedupKeys} builds them (a test holds the two together). Nothing here
 * reads the clock: the caller passes {@code now}.
 */
final class DueResolver {

  /** The reminder offsets PazPaz allows; any other value in settings never matches. */
  static final int[] REMINDER_MINUTES = {15, 30, 60, 120, 1440};

  /** Sort memory of a tick's transaction (SET LOCAL: the connection's default is unchanged). */
  static final String WORK_MEM = "64MB";

  /** Rows fetched per round trip while streaming a slice's result. */
  static final int FETCH_SIZE = 5_000;

  /**
   * Which kinds one statement resolves. A real tick resolves its two parts on two connections at
   * once: their candidates, re-checks and ledger rows are disjoint, and the benchmark's busiest
   * tick went from about 13 s in one statement to 10 s in two (docs/PERFORMANCE.md).
   */
  enum Part {
    /** Every kind (a dry run: one transaction, rolled back). */
    ALL(true, true),
    /** Notes reminders and both digests: the schedule index's candidates. */
    WALL_CLOCK(true, false),
    /** Appointment reminders, late ones included: PazPaz's appointments, not the index. */
    APPOINTMENT_REMINDERS(false, true);

    final boolean wallClock;
    final boolean reminders;

    Part(boolean wallClock, boolean reminders) {
      this.wallClock = wallClock;
      this.reminders = reminders;
    }
  }

  private final StalenessRules staleness;

  DueResolver(StalenessRules staleness) {
    this.staleness = staleness;
  }

  /**
   * One resolved notification: the planned row and, if it was inserted now, its ledger id.
   *
   * @param late an appointment reminder found because its appointment was booked or moved after the
   *     reminder was due
   */
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
      boolean late,
      UUID insertedId) {

    boolean inserted() {
      return insertedId != null;
    }

    /**
     * What the tick did with this row: found it already in the ledger, wrote it as skipped, or
     * wrote it as pending, the one outcome that needs a job in the queue.
     */
    TickReport.Outcome outcome() {
      if (!inserted()) {
        return TickReport.Outcome.ALREADY_PRESENT;
      }
      return status == NotificationStatus.SKIPPED
          ? TickReport.Outcome.SKIPPED
          : TickReport.Outcome.PENDING;
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

  /**
   * Resolves the {@code part}'s kinds due in {@code (from, to]}, given the zone groups of that
   * window. With {@code lateSince}, also the reminders of appointments booked or moved since then
   * (database time) whose due instant is at or before {@code from} and that have not started.
   */
  List<Resolved> resolve(
      DSLContext tx,
      List<ZoneGroup> groups,
      Instant from,
      Instant to,
      Instant now,
      OffsetDateTime lateSince,
      Part part) {
    ResultQuery<Record> query = query(tx, groups, from, to, now, lateSince, part);
    if (query == null) {
      return List.of();
    }
    // The statement sorts a busy minute's rows by dedup key twice (insert order, and to join
    // the inserted ids back); at PostgreSQL's default 4 MB they spill to disk.
    tx.execute("SET LOCAL work_mem = '" + WORK_MEM + "'");
    List<Resolved> resolved = new ArrayList<>();
    // Streamed in pages (the tick runs in a transaction, so pgjdbc uses a cursor): a busy
    // minute's 100,000+ rows never sit in memory three times over (driver rows, jOOQ records,
    // and these), which took more than 512 MB of heap at the benchmark's busiest minute.
    try (Cursor<Record> cursor = query.fetchSize(FETCH_SIZE).fetchLazy()) {
      for (Record r : cursor) {
        resolved.add(toResolved(r));
      }
    }
    return resolved;
  }

  /**
   * By position, in the order {@link #plannedFields} and {@link #insertReturning} select them: by
   * name, each of a busy minute's 135,084 rows cost thirteen field-name searches and converter
   * look-ups (JFR: a third of the time the tick spent streaming the result).
   */
  private static Resolved toResolved(Record r) {
    OffsetDateTime start = r.get(7, OffsetDateTime.class);
    return new Resolved(
        r.get(0, String.class),
        NotificationKind.fromCode(r.get(1, String.class)).orElseThrow(),
        r.get(2, UUID.class),
        r.get(3, UUID.class),
        r.get(4, UUID.class),
        r.get(5, LocalDate.class),
        r.get(6, Integer.class),
        start == null ? null : start.toInstant(),
        r.get(8, OffsetDateTime.class).toInstant(),
        NotificationStatus.fromCode(r.get(9, String.class)).orElseThrow(),
        r.get(10, String.class),
        Boolean.TRUE.equals(r.get(11, Boolean.class)),
        r.get(12, UUID.class));
  }

  /**
   * The statement {@link #resolve} runs (also for EXPLAIN); null when the part has nothing to look
   * at (wall-clock kinds in a window without slots). Built and rendered once per {@link Shape}; a
   * tick only binds its values (see {@link Statement}).
   */
  ResultQuery<Record> query(
      DSLContext tx,
      List<ZoneGroup> groups,
      Instant from,
      Instant to,
      Instant now,
      OffsetDateTime lateSince,
      Part part) {
    Map<Arg, Object> values = new EnumMap<>(Arg.class);
    boolean wallClock = part.wallClock && ZoneArrays.values(groups, values);
    if (!wallClock && !part.reminders) {
      return null;
    }
    boolean late = part.reminders && lateSince != null;
    if (wallClock) {
      for (WallKind kind : WALL_KINDS) {
        values.put(kind.staleBefore(), utc(now.minus(staleness.grace(kind.kind()).orElseThrow())));
      }
    }
    if (part.reminders) {
      values.put(Arg.NOW, utc(now));
      values.put(Arg.REMINDER_LOW, reminderStarts(from));
      values.put(Arg.REMINDER_HIGH, reminderStarts(to));
      if (late) {
        values.put(Arg.CHANGED_SINCE, lateSince);
      }
    }
    Shape shape = new Shape(wallClock, part.reminders, late);
    return statements.computeIfAbsent(shape, k -> Statement.render(tx, build(k))).bind(tx, values);
  }

  /** The statement of {@code shape}, its per-tick values as {@link Arg} placeholders. */
  private static Built build(Shape shape) {
    Placeholders p = new Placeholders();
    List<CommonTableExpression<?>> ctes = new ArrayList<>();
    List<Select<Record>> planned = new ArrayList<>();
    if (shape.wallClock()) {
      ZoneArrays arrays = ZoneArrays.ctes(p);
      ctes.add(arrays.zones());
      ctes.add(arrays.slots());
      for (WallKind kind : WALL_KINDS) {
        CommonTableExpression<?> cand = wallClockCandidates(kind, arrays);
        ctes.add(cand);
        planned.add(wallClockRows(kind, cand, p));
      }
    }
    if (shape.reminders()) {
      addReminders(ctes, planned, shape.late(), p);
    }
    Select<Record> all = planned.get(0);
    for (int i = 1; i < planned.size(); i++) {
      all = all.unionAll(planned.get(i));
    }
    return new Built(insertReturning(ctes, all), p);
  }

  /** The starts of appointments whose reminders fall due at {@code at}, one per offset. */
  private static OffsetDateTime[] reminderStarts(Instant at) {
    OffsetDateTime[] starts = new OffsetDateTime[REMINDER_MINUTES.length];
    for (int i = 0; i < starts.length; i++) {
      starts[i] = utc(at.plus(Duration.ofMinutes(REMINDER_MINUTES[i])));
    }
    return starts;
  }

  private static Integer[] reminderMinutes() {
    return java.util.Arrays.stream(REMINDER_MINUTES).boxed().toArray(Integer[]::new);
  }

  // ---- one statement per shape, bound per tick ----------------------------------------------

  /** Which kinds, and so which text, a statement has. */
  private record Shape(boolean wallClock, boolean reminders, boolean late) {}

  /**
   * What a statement binds per tick; everything else in it is constant. Building the statement with
   * jOOQ's DSL and rendering it took 10-60 ms of client CPU per tick in the benchmark's idle ticks
   * (the code stays cold in a process that ticks once a minute), more than PostgreSQL took to run
   * it; the text is the same every tick.
   */
  private enum Arg {
    GROUP_NO(SQLDataType.INTEGER.array()),
    GROUP_ZONE(SQLDataType.CLOB.array()),
    SLOT_GROUP(SQLDataType.INTEGER.array()),
    SLOT_TIME(SQLDataType.CLOB.array()),
    SLOT_DATE(SQLDataType.LOCALDATE.array()),
    SLOT_DUE(SQLDataType.TIMESTAMPWITHTIMEZONE.array()),
    SLOT_DAY(SQLDataType.INTEGER.array()),
    STALE_BEFORE_NOTES(SQLDataType.TIMESTAMPWITHTIMEZONE),
    STALE_BEFORE_DIGEST(SQLDataType.TIMESTAMPWITHTIMEZONE),
    STALE_BEFORE_TOMORROW(SQLDataType.TIMESTAMPWITHTIMEZONE),
    REMINDER_LOW(SQLDataType.TIMESTAMPWITHTIMEZONE.array()),
    REMINDER_HIGH(SQLDataType.TIMESTAMPWITHTIMEZONE.array()),
    CHANGED_SINCE(SQLDataType.TIMESTAMPWITHTIMEZONE),
    NOW(SQLDataType.TIMESTAMPWITHTIMEZONE);

    private final DataType<?> type;

    Arg(DataType<?> type) {
      this.type = type;
    }
  }

  /**
   * The {@link Arg}s of a statement being built. Each is a bind value holding an object no other
   * bind value holds, so that {@link Statement#render} finds its positions by identity.
   */
  private static final class Placeholders {
    private final Map<Object, Arg> byMarker = new java.util.IdentityHashMap<>();

    @SuppressWarnings("unchecked")
    <T> Field<T> field(Arg arg, Class<T> javaType) {
      if (!javaType.equals(arg.type.getType())) {
        throw new IllegalArgumentException(
            arg + " is a " + arg.type.getType() + ", not " + javaType);
      }
      Object marker =
          javaType.isArray()
              ? java.lang.reflect.Array.newInstance(javaType.getComponentType(), 0)
              : OffsetDateTime.of(1900 + arg.ordinal(), 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);
      byMarker.put(marker, arg);
      return DSL.val((T) marker, (DataType<T>) arg.type);
    }
  }

  /** A statement built with its placeholders. */
  private record Built(ResultQuery<Record> query, Placeholders placeholders) {}

  /**
   * A statement rendered once: its text, and for each bind position either the {@link Arg} bound
   * there or the constant the statement was built with.
   */
  private record Statement(String sql, Arg[] args, Object[] constants, Field<?>[] fields) {

    static Statement render(DSLContext tx, Built built) {
      List<Object> binds = tx.extractBindValues(built.query());
      Map<Object, Arg> markers = built.placeholders().byMarker;
      java.util.Set<Object> unplaced =
          java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
      unplaced.addAll(markers.keySet());
      Arg[] args = new Arg[binds.size()];
      Object[] constants = new Object[binds.size()];
      for (int i = 0; i < args.length; i++) {
        Arg arg = markers.get(binds.get(i));
        unplaced.remove(binds.get(i));
        if (arg == null) {
          constants[i] = binds.get(i);
        } else {
          args[i] = arg;
        }
      }
      if (!unplaced.isEmpty()) {
        // jOOQ copied a placeholder's value: its positions cannot be found.
        throw new IllegalStateException(
            "unplaced resolver values: " + unplaced.stream().map(markers::get).toList());
      }
      return new Statement(tx.render(built.query()), args, constants, built.query().fields());
    }

    /**
     * This statement with the tick's values, every {@link Arg} it places given in {@code values}.
     */
    ResultQuery<Record> bind(DSLContext tx, Map<Arg, Object> values) {
      Object[] bindings = new Object[args.length];
      for (int i = 0; i < args.length; i++) {
        if (args[i] == null) {
          bindings[i] = constants[i];
        } else if (values.containsKey(args[i])) {
          bindings[i] = values.get(args[i]);
        } else {
          throw new IllegalArgumentException("no value for " + args[i]);
        }
      }
      return tx.resultQuery(sql, bindings).coerce(fields);
    }
  }

  private final Map<Shape, Statement> statements = new java.util.concurrent.ConcurrentHashMap<>();

  private static void addReminders(
      List<CommonTableExpression<?>> ctes,
      List<Select<Record>> planned,
      boolean late,
      Placeholders p) {
    Select<Record5<UUID, UUID, OffsetDateTime, Integer, Boolean>> appointments =
        appointmentCandidates(p);
    if (late) {
      appointments = appointments.unionAll(lateAppointmentCandidates(p));
    }
    // In workspace order, so the re-checks probe the workspaces and settings indexes in order.
    Table<?> unordered = appointments.asTable("a");
    CommonTableExpression<?> cand =
        DSL.name("cand_appointments")
            .asMaterialized(
                DSL.select(unordered.fields())
                    .from(unordered)
                    .orderBy(unordered.field("workspace_id", UUID.class)));
    ctes.add(cand);
    planned.add(reminderRows(cand, p));
  }

  // ---- wall-clock kinds ---------------------------------------------------------------------

  /** What distinguishes one wall-clock kind from another. */
  private record WallKind(
      NotificationKind kind,
      String cte,
      TableField<NotifierUserScheduleRecord, String> indexTime,
      TableField<UserNotificationSettingsRecord, String> settingsTime,
      TableField<UserNotificationSettingsRecord, Boolean> enabled,
      TableField<UserNotificationSettingsRecord, Integer[]> days,
      Arg staleBefore) {}

  private static final WallKind NOTES =
      new WallKind(
          NotificationKind.SESSION_NOTES_REMINDER,
          "cand_notes",
          NOTIFIER_USER_SCHEDULE.NOTES_REMINDER_TIME,
          USER_NOTIFICATION_SETTINGS.NOTES_REMINDER_TIME,
          USER_NOTIFICATION_SETTINGS.NOTES_REMINDER_ENABLED,
          null,
          Arg.STALE_BEFORE_NOTES);
  private static final WallKind DIGEST =
      new WallKind(
          NotificationKind.DAILY_DIGEST,
          "cand_digest",
          NOTIFIER_USER_SCHEDULE.DIGEST_TIME,
          USER_NOTIFICATION_SETTINGS.DIGEST_TIME,
          USER_NOTIFICATION_SETTINGS.DIGEST_ENABLED,
          USER_NOTIFICATION_SETTINGS.DIGEST_DAYS,
          Arg.STALE_BEFORE_DIGEST);
  private static final WallKind TOMORROW =
      new WallKind(
          NotificationKind.TOMORROW_DIGEST,
          "cand_tomorrow",
          NOTIFIER_USER_SCHEDULE.TOMORROW_DIGEST_TIME,
          USER_NOTIFICATION_SETTINGS.TOMORROW_DIGEST_TIME,
          USER_NOTIFICATION_SETTINGS.TOMORROW_DIGEST_ENABLED,
          USER_NOTIFICATION_SETTINGS.TOMORROW_DIGEST_DAYS,
          Arg.STALE_BEFORE_TOMORROW);

  private static final List<WallKind> WALL_KINDS = List.of(NOTES, DIGEST, TOMORROW);

  /**
   * The zone groups as two arrays: {@code g(group_no, zone_key)}, every zone key with its group,
   * and {@code m(group_no, hhmm, local_date, due, dow)}, every slot with its group. Joined on the
   * group number, they give each zone its slots without repeating a group's slots per zone.
   */
  private record ZoneArrays(CommonTableExpression<?> zones, CommonTableExpression<?> slots) {

    /** Puts the groups' arrays into {@code values}; false when the window has no slot. */
    static boolean values(List<ZoneGroup> groups, Map<Arg, Object> values) {
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
        return false;
      }
      values.put(Arg.GROUP_NO, groupNo.toArray(Integer[]::new));
      values.put(Arg.GROUP_ZONE, groupZone.toArray(String[]::new));
      values.put(Arg.SLOT_GROUP, slotGroup.toArray(Integer[]::new));
      values.put(Arg.SLOT_TIME, slotTime.toArray(String[]::new));
      values.put(Arg.SLOT_DATE, slotDate.toArray(LocalDate[]::new));
      values.put(Arg.SLOT_DUE, slotDue.toArray(OffsetDateTime[]::new));
      values.put(Arg.SLOT_DAY, slotDay.toArray(Integer[]::new));
      return true;
    }

    static ZoneArrays ctes(Placeholders p) {
      Table<?> zoneTable =
          DSL.table(
                  "unnest({0}, {1})",
                  p.field(Arg.GROUP_NO, Integer[].class), p.field(Arg.GROUP_ZONE, String[].class))
              .as("gz", "group_no", "zone_key");
      CommonTableExpression<?> zones =
          DSL.name("g")
              .as(
                  DSL.select(
                          column("gz", "group_no", Integer.class),
                          column("gz", "zone_key", String.class))
                      .from(zoneTable));
      Table<?> slotTable =
          DSL.table(
                  "unnest({0}, {1}, {2}, {3}, {4})",
                  p.field(Arg.SLOT_GROUP, Integer[].class),
                  p.field(Arg.SLOT_TIME, String[].class),
                  p.field(Arg.SLOT_DATE, LocalDate[].class),
                  p.field(Arg.SLOT_DUE, OffsetDateTime[].class),
                  p.field(Arg.SLOT_DAY, Integer[].class))
              .as("ms", "group_no", "hhmm", "local_date", "due", "dow");
      CommonTableExpression<?> slots =
          DSL.name("m")
              .as(
                  DSL.select(
                          column("ms", "group_no", Integer.class),
                          column("ms", "hhmm", String.class),
                          column("ms", "local_date", LocalDate.class),
                          column("ms", "due", OffsetDateTime.class),
                          column("ms", "dow", Integer.class))
                      .from(slotTable));
      return new ZoneArrays(zones, slots);
    }
  }

  /**
   * Candidates of one kind: the schedule index's users whose (time, zone) is one of the slots.
   *
   * <p>The arrays hide their contents from the planner, which then guesses large and may prefer to
   * scan a whole partial index. A {@code LATERAL} subquery with {@code OFFSET 0} cannot be
   * flattened, so it runs once per (slot, zone) as an index range scan: the cost follows the users
   * due, whatever the planner guesses. The same idiom re-reads each candidate below.
   */
  private static CommonTableExpression<?> wallClockCandidates(WallKind spec, ZoneArrays arrays) {
    var p = NOTIFIER_USER_SCHEDULE;
    CommonTableExpression<?> g = arrays.zones();
    CommonTableExpression<?> m = arrays.slots();
    Field<String> mTime = m.field("hhmm", String.class);
    Field<String> gZone = g.field("zone_key", String.class);
    Table<?> due =
        DSL.lateral(
                DSL.select(p.USER_ID)
                    .from(p)
                    .where(spec.indexTime().eq(mTime))
                    .and(p.ZONE_KEY.eq(gZone))
                    .and(spec.indexTime().isNotNull())
                    .offset(DSL.inline(0)))
            .as("due_user");
    return DSL.name(spec.cte())
        .asMaterialized(
            DSL.select(
                    due.field(p.USER_ID).as("user_id"),
                    gZone.as("zone_key"),
                    mTime.as("hhmm"),
                    m.field("local_date", LocalDate.class).as("local_date"),
                    m.field("due", OffsetDateTime.class).as("due"),
                    m.field("dow", Integer.class).as("dow"))
                .from(g)
                .join(m)
                .on(m.field("group_no", Integer.class).eq(g.field("group_no", Integer.class)))
                .crossJoin(due)
                // In key order, so the re-checks below probe the settings, users and sessions
                // indexes in order (each leaf page read once) instead of at random: at the
                // benchmark's busiest minute, 75,000 notes candidates.
                .orderBy(due.field(p.USER_ID)));
  }

  /** One wall-clock kind's planned rows: candidates re-checked against PazPaz's own rows. */
  private static Select<Record> wallClockRows(
      WallKind spec, CommonTableExpression<?> cand, Placeholders p) {
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
    // Re-check everything against PazPaz's rows (the schedule index only nominates), one
    // candidate at a time through primary keys.
    Table<?> live =
        DSL.lateral(
                DSL.select(u.ID, u.WORKSPACE_ID)
                    .from(s)
                    .join(u)
                    .on(u.ID.eq(s.USER_ID))
                    .join(w)
                    .on(w.ID.eq(u.WORKSPACE_ID))
                    .where(s.USER_ID.eq(cUser))
                    .and(s.EMAIL_ENABLED.isTrue())
                    .and(spec.enabled().isTrue())
                    .and(spec.settingsTime().eq(cTime))
                    .and(u.IS_ACTIVE.isTrue())
                    .and(ZoneCache.workspaceIsLive())
                    .and(DSL.coalesce(w.TIMEZONE, DSL.inline(ZoneCatalog.NULL_KEY)).eq(cZone))
                    .and(extra)
                    .offset(DSL.inline(0)))
            .as("live_user");
    Field<UUID> userId = live.field(u.ID);
    Condition stale = cDue.lt(p.field(spec.staleBefore(), OffsetDateTime.class));
    Field<String> dedupKey =
        DSL.concat(
            DSL.inline(spec.kind().code() + ":"),
            userId.cast(SQLDataType.VARCHAR),
            DSL.inline(":"),
            DSL.field("to_char({0}, 'YYYY-MM-DD')", String.class, cDate));
    return DSL.select(
            plannedFields(
                dedupKey,
                DSL.inline(spec.kind().code()),
                userId,
                live.field(u.WORKSPACE_ID),
                DSL.inline((UUID) null, SQLDataType.UUID),
                cDate,
                DSL.inline((Integer) null, SQLDataType.INTEGER),
                DSL.inline((OffsetDateTime) null, SQLDataType.TIMESTAMPWITHTIMEZONE),
                cDue,
                stale,
                SkipReason.STALE,
                DSL.inline(false)))
        .from(cand)
        .crossJoin(live);
  }

  // ---- appointment reminders ----------------------------------------------------------------

  /**
   * Reminders due in {@code (from, to]}: for each offset m, scheduled appointments starting in
   * {@code (from + m, to + m]} (the partial index on scheduled_start, one range per offset).
   */
  private static Select<Record5<UUID, UUID, OffsetDateTime, Integer, Boolean>>
      appointmentCandidates(Placeholders p) {
    Table<?> offsets =
        DSL.table(
                "unnest({0}, {1}, {2})",
                DSL.val(reminderMinutes(), SQLDataType.INTEGER.array()),
                p.field(Arg.REMINDER_LOW, OffsetDateTime[].class),
                p.field(Arg.REMINDER_HIGH, OffsetDateTime[].class))
            .as("o", "m", "low", "high");
    var a = APPOINTMENTS;
    // One index range scan on scheduled_start per offset, whatever the planner guesses.
    Table<?> starting =
        DSL.lateral(
                DSL.select(a.ID, a.WORKSPACE_ID, a.SCHEDULED_START)
                    .from(a)
                    .where(a.STATUS.eq("scheduled"))
                    .and(
                        a.SCHEDULED_START.gt(DSL.field(DSL.name("o", "low"), OffsetDateTime.class)))
                    .and(
                        a.SCHEDULED_START.le(
                            DSL.field(DSL.name("o", "high"), OffsetDateTime.class)))
                    .offset(DSL.inline(0)))
            .as("starting");
    return DSL.select(
            starting.field(a.ID).as("appointment_id"),
            starting.field(a.WORKSPACE_ID).as("workspace_id"),
            starting.field(a.SCHEDULED_START).as("scheduled_start"),
            DSL.field(DSL.name("o", "m"), Integer.class).as("m"),
            DSL.inline(false).as("late"))
        .from(offsets)
        .crossJoin(starting);
  }

  /**
   * Reminders whose due instant is at or before {@code from} — no window will ever cover them — for
   * scheduled appointments booked or moved at or after {@code changedSince} (PazPaz's updated_at,
   * database time) that have not started: sent at once, late. Found through the partial index on
   * appointments(updated_at), so a tick reads only what changed since the last.
   */
  private static Select<Record5<UUID, UUID, OffsetDateTime, Integer, Boolean>>
      lateAppointmentCandidates(Placeholders p) {
    // start - m <= from  <=>  start <= from + m: the window's own low bounds.
    Table<?> offsets =
        DSL.table(
                "unnest({0}, {1})",
                DSL.val(reminderMinutes(), SQLDataType.INTEGER.array()),
                p.field(Arg.REMINDER_LOW, OffsetDateTime[].class))
            .as("lo", "m", "latest_start");
    var a = APPOINTMENTS;
    return DSL.select(
            a.ID.as("appointment_id"),
            a.WORKSPACE_ID.as("workspace_id"),
            a.SCHEDULED_START.as("scheduled_start"),
            DSL.field(DSL.name("lo", "m"), Integer.class).as("m"),
            DSL.inline(true).as("late"))
        .from(a)
        .join(offsets)
        .on(a.SCHEDULED_START.le(DSL.field(DSL.name("lo", "latest_start"), OffsetDateTime.class)))
        .where(a.STATUS.eq("scheduled"))
        .and(a.UPDATED_AT.ge(p.field(Arg.CHANGED_SINCE, OffsetDateTime.class)))
        .and(a.SCHEDULED_START.gt(p.field(Arg.NOW, OffsetDateTime.class)));
  }

  /** Appointment candidates joined to every eligible user of the workspace who wants offset m. */
  private static Select<Record> reminderRows(CommonTableExpression<?> cand, Placeholders p) {
    Field<UUID> cAppointment = cand.field("appointment_id", UUID.class);
    Field<UUID> cWorkspace = cand.field("workspace_id", UUID.class);
    Field<OffsetDateTime> cStart = cand.field("scheduled_start", OffsetDateTime.class);
    Field<Integer> cMinutes = cand.field("m", Integer.class);
    var s = USER_NOTIFICATION_SETTINGS;
    var u = USERS;
    var w = WORKSPACES;
    // Every eligible user of the appointment's workspace who wants offset m: through the partial
    // index on settings (workspace_id, reminder_minutes), one appointment at a time.
    Table<?> recipients =
        DSL.lateral(
                DSL.select(u.ID, u.WORKSPACE_ID)
                    .from(w)
                    .join(s)
                    .on(s.WORKSPACE_ID.eq(w.ID))
                    .join(u)
                    .on(u.ID.eq(s.USER_ID))
                    .where(w.ID.eq(cWorkspace))
                    .and(ZoneCache.workspaceIsLive())
                    .and(s.EMAIL_ENABLED.isTrue())
                    .and(s.REMINDER_ENABLED.isTrue())
                    .and(s.REMINDER_MINUTES.eq(cMinutes))
                    .and(u.IS_ACTIVE.isTrue())
                    .and(u.WORKSPACE_ID.eq(cWorkspace))
                    .offset(DSL.inline(0)))
            .as("recipient");
    Field<UUID> userId = recipients.field(u.ID);
    Condition started = cStart.le(p.field(Arg.NOW, OffsetDateTime.class));
    Field<String> dedupKey =
        DSL.concat(
            DSL.inline(NotificationKind.APPOINTMENT_REMINDER.code() + ":"),
            cAppointment.cast(SQLDataType.VARCHAR),
            DSL.inline(":"),
            userId.cast(SQLDataType.VARCHAR),
            DSL.inline(":"),
            cMinutes.cast(SQLDataType.VARCHAR),
            DSL.inline(":"),
            // As Instant.getEpochSecond: whole seconds, rounded down.
            DSL.field("floor(extract(epoch from {0}))::bigint", Long.class, cStart)
                .cast(SQLDataType.VARCHAR));
    return DSL.select(
            plannedFields(
                dedupKey,
                DSL.inline(NotificationKind.APPOINTMENT_REMINDER.code()),
                userId,
                recipients.field(u.WORKSPACE_ID),
                cAppointment,
                DSL.inline((LocalDate) null, SQLDataType.LOCALDATE),
                cMinutes,
                cStart,
                DSL.field(
                    "{0} - make_interval(mins => {1})", OffsetDateTime.class, cStart, cMinutes),
                started,
                SkipReason.APPOINTMENT_STARTED,
                cand.field("late", Boolean.class)))
        .from(cand)
        .crossJoin(recipients);
  }

  // ---- the shared insert --------------------------------------------------------------------

  /** The ledger's columns, named as the ledger names them, plus {@code late}. */
  private static List<SelectField<?>> plannedFields(
      Field<String> dedupKey,
      Field<String> kind,
      Field<UUID> userId,
      Field<UUID> workspaceId,
      Field<UUID> appointmentId,
      Field<LocalDate> localDate,
      Field<Integer> reminderMinutes,
      Field<OffsetDateTime> appointmentStart,
      Field<OffsetDateTime> due,
      Condition skipped,
      SkipReason reason,
      Field<Boolean> late) {
    return List.of(
        dedupKey.as("dedup_key"),
        kind.as("kind"),
        userId.as("user_id"),
        workspaceId.as("workspace_id"),
        appointmentId.as("appointment_id"),
        localDate.as("local_date"),
        reminderMinutes.as("reminder_minutes"),
        appointmentStart.as("appointment_start"),
        due.as("due_at"),
        DSL.when(skipped, DSL.inline(NotificationStatus.SKIPPED.code()))
            .else_(DSL.inline(NotificationStatus.PENDING.code()))
            .as("status"),
        DSL.when(skipped, DSL.inline(reason.code()))
            .else_(DSL.inline((String) null))
            .as("skip_reason"),
        late.as("late"));
  }

  /**
   * Wraps {@code plannedSelect} into the insert and returns every planned row with the id of the
   * row inserted for it, if any.
   */
  private static ResultQuery<Record> insertReturning(
      List<CommonTableExpression<?>> before, Select<Record> plannedSelect) {
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
                            .from(planned)
                            // One order for every writer: concurrent inserts of the same keys
                            // then wait for each other instead of deadlocking.
                            .orderBy(pKey))
                    .onConflict(d.DEDUP_KEY)
                    .doNothing()
                    .returning(d.ID, d.DEDUP_KEY));
    List<CommonTableExpression<?>> ctes = new ArrayList<>(before);
    ctes.add(planned);
    ctes.add(ins);
    List<SelectField<?>> out = new ArrayList<>(List.of(planned.fields()));
    out.add(ins.field("id", UUID.class).as("inserted_id"));
    return DSL.with(ctes)
        .select(out)
        .from(planned)
        .leftJoin(ins)
        .on(ins.field("dedup_key", String.class).eq(pKey));
  }

  /** A column of an aliased plain-SQL table, named as itself. */
  private static <T> Field<T> column(String table, String name, Class<T> type) {
    return DSL.field(DSL.name(table, name), type).as(name);
  }

  private static OffsetDateTime utc(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
