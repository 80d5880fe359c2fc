package io.notifier.delivery;

import static io.notifier.db.jooq.Tables.APPOINTMENTS;
import static io.notifier.db.jooq.Tables.CLIENTS;
import static io.notifier.db.jooq.Tables.LOCATIONS;
import static io.notifier.db.jooq.Tables.SERVICES;
import static io.notifier.db.jooq.Tables.SESSIONS;
import static io.notifier.db.jooq.Tables.USERS;
import static io.notifier.db.jooq.Tables.USER_NOTIFICATION_SETTINGS;
import static io.notifier.db.jooq.Tables.WORKSPACES;

import com.sanctionco.jmail.JMail;
import io.notifier.content.AppointmentItem;
import io.notifier.content.NotificationData;
import io.notifier.content.Recipient;
import io.notifier.ledger.Delivery;
import io.notifier.metrics.NotifierMetrics;
import io.notifier.model.NotificationKind;
import io.notifier.model.SkipReason;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.Result;
import org.jooq.Select;
import org.jooq.SelectOnConditionStep;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The send-time check: everything the producer knew at enqueue time may have changed since
 * (settings, users, workspaces, appointments, drafts). {@link #read} reads the current rows of many
 * deliveries at once; {@link #check} says from them either why a notification must not go out, or
 * what it is about. Never reads {@code appointments.notes}.
 */
final class Revalidation {

  private static final Logger LOG = LoggerFactory.getLogger(Revalidation.class);
  private static final ZoneId UTC = ZoneId.of("UTC");

  /** What {@code DedupKeys.manual} puts in the key of a support-triggered send. */
  static final String MANUAL_KEY_MARK = ":manual:";

  /** The outcome of the check. */
  sealed interface Verdict {
    /** Do not send; record the reason. */
    record Skip(SkipReason reason, String detail) implements Verdict {}

    /** The job itself is inconsistent (a ledger row the producer never writes). */
    record Invalid(String error) implements Verdict {}

    /** Send this. */
    record Ready(Recipient recipient, NotificationData data) implements Verdict {}
  }

  private final DSLContext dsl;
  private final NotifierMetrics metrics;
  private final Duration staleAfter;
  private final boolean sendEmptyDigests;

  /** One digest's schedule: a workspace's appointments in one local day, as instants. */
  private record DigestDay(UUID workspaceId, OffsetDateTime from, OffsetDateTime to) {}

  /**
   * What the database says now about one delivery: its user's row (with workspace and settings;
   * null when the user is gone), the workspace's zone, and what its kind needs: the draft count,
   * the appointment's row (null when deleted) or the digest day's schedule. A field the delivery
   * cannot use is null.
   */
  record Facts(
      Record user,
      ZoneId zone,
      Integer drafts,
      Record appointment,
      LocalDate digestDay,
      List<AppointmentItem> digest) {}

  // The four reads run for every email, each once per batch of waiting deliveries.
  // jOOQ rendered each from its DSL tree on every execution, a fifth of a consumer's CPU in the
  // benchmark (JFR); they never change, so each is rendered once here, with bind markers, and
  // run as plain SQL coerced to the same fields (the records read exactly as before).
  private final Rendered usersQuery;
  private final Rendered draftsQuery;
  private final Rendered appointmentsQuery;
  private final Rendered digestQuery;

  /** A statement rendered once: its SQL with bind markers, and the fields it returns. */
  private record Rendered(String sql, Field<?>[] fields) {
    static Rendered of(DSLContext dsl, Select<?> select, int binds) {
      String sql = dsl.render(select);
      int markers = dsl.extractBindValues(select).size();
      // Plain SQL reads {n} as a template placeholder; these statements have none.
      if (markers != binds || sql.indexOf('{') >= 0) {
        throw new IllegalStateException("unexpected rendering: " + markers + " binds in " + sql);
      }
      return new Rendered(sql, select.getSelect().toArray(Field<?>[]::new));
    }

    Result<Record> fetch(DSLContext dsl, Object... binds) {
      return dsl.resultQuery(sql, binds).coerce(fields).fetch();
    }
  }

  Revalidation(DSLContext dsl, NotifierMetrics metrics, Duration staleAfter, boolean emptyDigests) {
    this.dsl = dsl;
    this.metrics = metrics;
    this.staleAfter = staleAfter;
    this.sendEmptyDigests = emptyDigests;
    this.usersQuery = Rendered.of(dsl, usersSelect(), 1);
    this.draftsQuery = Rendered.of(dsl, draftsSelect(), 1);
    var a = APPOINTMENTS;
    this.appointmentsQuery =
        Rendered.of(dsl, appointmentQuery().where(a.ID.eq(DSL.any(uuidArray(null)))), 1);
    this.digestQuery = digestsQuery();
  }

  /**
   * The current rows behind {@code deliveries}, by delivery id: one statement for all the users,
   * then one per kind of read that any of them needs (draft counts, appointments, digests'
   * schedules). The consumer calls it for each batch of claims, on the claiming thread, so a
   * delivery waits for one batch, not one per read.
   */
  Map<UUID, Facts> read(List<Delivery> deliveries) {
    Map<UUID, Facts> out = new HashMap<>();
    if (deliveries.isEmpty()) {
      return out;
    }
    Map<UUID, Record> users =
        loadUsers(deliveries.stream().map(Delivery::userId).distinct().toList());
    Map<UUID, ZoneId> zones = new HashMap<>();
    java.util.Set<UUID> authors = new java.util.LinkedHashSet<>();
    java.util.Set<UUID> appointmentIds = new java.util.LinkedHashSet<>();
    Map<UUID, DigestDay> digestDays = new HashMap<>();
    Map<UUID, LocalDate> localDays = new HashMap<>();
    for (Delivery d : deliveries) {
      Record user = users.get(d.userId());
      if (user == null) {
        continue;
      }
      ZoneId zone = zone(user.get(WORKSPACES.TIMEZONE), d.workspaceId());
      zones.put(d.id(), zone);
      switch (d.kind()) {
        case SESSION_NOTES_REMINDER -> authors.add(d.userId());
        case APPOINTMENT_REMINDER -> {
          if (d.appointmentId() != null) {
            appointmentIds.add(d.appointmentId());
          }
        }
        case DAILY_DIGEST, TOMORROW_DIGEST -> {
          if (d.localDate() != null) {
            LocalDate day =
                d.kind() == NotificationKind.TOMORROW_DIGEST
                    ? d.localDate().plusDays(1)
                    : d.localDate();
            // The local day in the workspace's zone: 23, 24 or 25 hours, whatever DST does.
            OffsetDateTime from = day.atStartOfDay(zone).toOffsetDateTime();
            OffsetDateTime to = day.plusDays(1).atStartOfDay(zone).toOffsetDateTime();
            digestDays.put(d.id(), new DigestDay(d.workspaceId(), from, to));
            localDays.put(d.id(), day);
          }
        }
      }
    }
    Map<UUID, Integer> drafts =
        authors.isEmpty() ? Map.of() : loadDraftCounts(List.copyOf(authors));
    Map<UUID, Record> appointments =
        appointmentIds.isEmpty() ? Map.of() : loadAppointments(List.copyOf(appointmentIds));
    Map<DigestDay, List<AppointmentItem>> schedules =
        digestDays.isEmpty()
            ? Map.of()
            : loadDigests(digestDays.values().stream().distinct().toList());
    for (Delivery d : deliveries) {
      Record user = users.get(d.userId());
      DigestDay day = digestDays.get(d.id());
      out.put(
          d.id(),
          new Facts(
              user,
              zones.get(d.id()),
              d.kind() == NotificationKind.SESSION_NOTES_REMINDER && user != null
                  ? drafts.getOrDefault(d.userId(), 0)
                  : null,
              d.appointmentId() == null ? null : appointments.get(d.appointmentId()),
              localDays.get(d.id()),
              day == null ? null : schedules.get(day)));
    }
    return out;
  }

  private static Field<UUID[]> uuidArray(UUID[] values) {
    return DSL.val(values, SQLDataType.UUID.array());
  }

  /** The user, workspace and settings row of each user (settings may be missing: left join). */
  private Select<?> usersSelect() {
    var u = USERS;
    var w = WORKSPACES;
    var s = USER_NOTIFICATION_SETTINGS;
    return dsl.select(
            u.ID,
            u.EMAIL,
            u.FULL_NAME,
            u.IS_ACTIVE,
            u.WORKSPACE_ID,
            w.IS_ACTIVE,
            w.STATUS,
            w.DELETED_AT,
            w.TIMEZONE,
            s.ID,
            s.EMAIL_ENABLED,
            s.DIGEST_ENABLED,
            s.DIGEST_DAYS,
            s.TOMORROW_DIGEST_ENABLED,
            s.TOMORROW_DIGEST_DAYS,
            s.REMINDER_ENABLED,
            s.REMINDER_MINUTES,
            s.NOTES_REMINDER_ENABLED)
        .from(u)
        .join(w)
        .on(w.ID.eq(u.WORKSPACE_ID))
        .leftJoin(s)
        .on(s.USER_ID.eq(u.ID))
        .where(u.ID.eq(DSL.any(uuidArray(null))));
  }

  private Map<UUID, Record> loadUsers(List<UUID> ids) {
    Map<UUID, Record> rows = new HashMap<>();
    for (Record r : usersQuery.fetch(dsl, uuidArray(ids.toArray(UUID[]::new)))) {
      rows.put(r.get(USERS.ID), r);
    }
    return rows;
  }

  /** Live draft notes per author; an author without any is absent. */
  private Select<?> draftsSelect() {
    return dsl.select(SESSIONS.CREATED_BY_USER_ID, DSL.count())
        .from(SESSIONS)
        .where(SESSIONS.CREATED_BY_USER_ID.eq(DSL.any(uuidArray(null))))
        .and(SESSIONS.IS_DRAFT.isTrue())
        .and(SESSIONS.DELETED_AT.isNull())
        .groupBy(SESSIONS.CREATED_BY_USER_ID);
  }

  private Map<UUID, Integer> loadDraftCounts(List<UUID> authors) {
    Map<UUID, Integer> counts = new HashMap<>();
    for (Record r : draftsQuery.fetch(dsl, uuidArray(authors.toArray(UUID[]::new)))) {
      counts.put(r.get(0, UUID.class), r.get(1, Integer.class));
    }
    return counts;
  }

  /**
   * Many digests' schedules in one statement: per (workspace, from, to) of the arrays, an index
   * range scan of that workspace's appointments (LATERAL ... OFFSET 0, so the planner cannot turn
   * it into one scan of all appointments), numbered by the day's position in the arrays. The
   * digests of a burst (a fifth of its emails) each ran their own statement before: its round trip,
   * and PostgreSQL planning its four-table join every time.
   */
  private Rendered digestsQuery() {
    var a = APPOINTMENTS;
    Select<?> day =
        appointmentQuery()
            .where(a.WORKSPACE_ID.eq(DSL.field(DSL.name("q", "workspace_id"), UUID.class)))
            .and(a.SCHEDULED_START.ge(DSL.field(DSL.name("q", "day_from"), OffsetDateTime.class)))
            .and(a.SCHEDULED_START.lt(DSL.field(DSL.name("q", "day_to"), OffsetDateTime.class)))
            // Cancelled ones are not on the schedule; attended and no-show ones are, labelled.
            .and(a.STATUS.ne(DSL.inline("cancelled")))
            .offset(DSL.inline(0));
    String daySql = dsl.render(day);
    if (!dsl.extractBindValues(day).isEmpty() || daySql.indexOf('{') >= 0) {
      throw new IllegalStateException("unexpected rendering of the digest query: " + daySql);
    }
    String sql =
        "select q.n, x.* from unnest(?, ?, ?) with ordinality as q (workspace_id, day_from,"
            + " day_to, n) cross join lateral ("
            + daySql
            + ") as x order by q.n, x.scheduled_start, x.id";
    List<Field<?>> fields = new java.util.ArrayList<>();
    fields.add(DSL.field(DSL.name("n"), Long.class));
    fields.addAll(day.getSelect());
    return new Rendered(sql, fields.toArray(Field<?>[]::new));
  }

  /** {@code days} are distinct (the Combiner passes each key once), so position n is one day. */
  private Map<DigestDay, List<AppointmentItem>> loadDigests(List<DigestDay> days) {
    Map<DigestDay, List<AppointmentItem>> out = new HashMap<>();
    UUID[] workspaces = new UUID[days.size()];
    OffsetDateTime[] from = new OffsetDateTime[days.size()];
    OffsetDateTime[] to = new OffsetDateTime[days.size()];
    for (int i = 0; i < days.size(); i++) {
      DigestDay d = days.get(i);
      workspaces[i] = d.workspaceId();
      from[i] = d.from();
      to[i] = d.to();
      out.put(d, new java.util.ArrayList<>()); // a day without appointments: an empty schedule
    }
    for (Record r :
        digestQuery.fetch(dsl, uuidArray(workspaces), timestamps(from), timestamps(to))) {
      out.get(days.get(r.get(0, Long.class).intValue() - 1)).add(toItem(r));
    }
    return out;
  }

  private static Field<OffsetDateTime[]> timestamps(OffsetDateTime[] values) {
    return DSL.val(values, SQLDataType.TIMESTAMPWITHTIMEZONE.array());
  }

  private Map<UUID, Record> loadAppointments(List<UUID> ids) {
    Map<UUID, Record> rows = new HashMap<>();
    for (Record r : appointmentsQuery.fetch(dsl, uuidArray(ids.toArray(UUID[]::new)))) {
      rows.put(r.get(APPOINTMENTS.ID), r);
    }
    return rows;
  }

  /** The verdict on {@code d} from what {@link #read} found for it. Reads nothing. */
  Verdict check(Delivery d, Facts facts, Instant now) {
    var u = USERS;
    var w = WORKSPACES;
    var s = USER_NOTIFICATION_SETTINGS;
    Record row = facts.user();
    if (row == null) {
      return skip(SkipReason.USER_DELETED, "the user no longer exists");
    }
    if (!d.workspaceId().equals(row.get(u.WORKSPACE_ID))) {
      return skip(SkipReason.USER_DELETED, "the user no longer belongs to the workspace");
    }
    if (!Boolean.TRUE.equals(row.get(w.IS_ACTIVE))
        || !"active".equals(row.get(w.STATUS))
        || row.get(w.DELETED_AT) != null) {
      return skip(SkipReason.WORKSPACE_INACTIVE, "the workspace is inactive, suspended or deleted");
    }
    if (!Boolean.TRUE.equals(row.get(u.IS_ACTIVE))) {
      return skip(SkipReason.USER_INACTIVE, "the user was deactivated");
    }
    if (row.get(s.ID) == null) {
      return skip(SkipReason.SETTINGS_MISSING, "the user has no notification settings row");
    }
    if (!Boolean.TRUE.equals(row.get(s.EMAIL_ENABLED))) {
      return skip(SkipReason.SETTING_DISABLED, "email notifications were switched off");
    }
    Verdict settings = checkKindSetting(d, row);
    if (settings != null) {
      return settings;
    }
    String email = row.get(u.EMAIL);
    if (email == null || email.isBlank() || !JMail.isValid(email.trim())) {
      return skip(SkipReason.NO_EMAIL_ADDRESS, "the user's email address is missing or malformed");
    }
    if (d.kind() != NotificationKind.APPOINTMENT_REMINDER
        && Duration.between(d.dueAt(), now).compareTo(staleAfter) > 0) {
      return skip(SkipReason.STALE, "more than " + staleAfter + " late at send time");
    }
    Recipient recipient =
        new Recipient(d.userId(), email.trim(), row.get(u.FULL_NAME), facts.zone());
    return switch (d.kind()) {
      case SESSION_NOTES_REMINDER -> draftNotes(facts, recipient);
      case DAILY_DIGEST, TOMORROW_DIGEST -> digest(d, facts, recipient);
      case APPOINTMENT_REMINDER -> reminder(d, facts, recipient, now);
    };
  }

  private Verdict checkKindSetting(Delivery d, Record row) {
    var s = USER_NOTIFICATION_SETTINGS;
    // A support-triggered send (notifier trigger) is not tied to a scheduled day or offset; it
    // still respects the user's switches.
    boolean manual = d.dedupKey().contains(MANUAL_KEY_MARK);
    switch (d.kind()) {
      case SESSION_NOTES_REMINDER -> {
        if (!Boolean.TRUE.equals(row.get(s.NOTES_REMINDER_ENABLED))) {
          return skip(SkipReason.SETTING_DISABLED, "the notes reminder was switched off");
        }
      }
      case DAILY_DIGEST, TOMORROW_DIGEST -> {
        boolean daily = d.kind() == NotificationKind.DAILY_DIGEST;
        if (!Boolean.TRUE.equals(row.get(daily ? s.DIGEST_ENABLED : s.TOMORROW_DIGEST_ENABLED))) {
          return skip(SkipReason.SETTING_DISABLED, "the digest was switched off");
        }
        if (d.localDate() == null) {
          return new Verdict.Invalid("a digest row without a local date");
        }
        if (manual) {
          return null;
        }
        Integer[] days = row.get(daily ? s.DIGEST_DAYS : s.TOMORROW_DIGEST_DAYS);
        int dayOfWeek = d.localDate().getDayOfWeek().getValue() % 7; // 0 = Sunday, as PazPaz
        if (days == null || Arrays.stream(days).noneMatch(v -> v != null && v == dayOfWeek)) {
          return skip(SkipReason.SETTING_DISABLED, "the digest is no longer wanted on this day");
        }
      }
      case APPOINTMENT_REMINDER -> {
        if (!Boolean.TRUE.equals(row.get(s.REMINDER_ENABLED))) {
          return skip(SkipReason.SETTING_DISABLED, "appointment reminders were switched off");
        }
        if (!manual && !Objects.equals(row.get(s.REMINDER_MINUTES), d.reminderMinutes())) {
          return skip(SkipReason.SETTING_DISABLED, "the reminder offset was changed");
        }
      }
    }
    return null;
  }

  private Verdict draftNotes(Facts facts, Recipient recipient) {
    Integer count = facts.drafts();
    if (count == null || count == 0) {
      return skip(SkipReason.NO_DRAFT_NOTES, "no draft notes left");
    }
    return new Verdict.Ready(recipient, new NotificationData.DraftNotes(count));
  }

  private Verdict digest(Delivery d, Facts facts, Recipient recipient) {
    boolean tomorrow = d.kind() == NotificationKind.TOMORROW_DIGEST;
    LocalDate day = facts.digestDay();
    List<AppointmentItem> items = facts.digest();
    if (items.isEmpty() && !sendEmptyDigests) {
      return skip(SkipReason.EMPTY_DIGEST, "no appointments on " + day);
    }
    return new Verdict.Ready(recipient, new NotificationData.Digest(day, tomorrow, items));
  }

  private Verdict reminder(Delivery d, Facts facts, Recipient recipient, Instant now) {
    if (d.appointmentId() == null || d.appointmentStart() == null) {
      return new Verdict.Invalid("an appointment reminder row without appointment or start");
    }
    var a = APPOINTMENTS;
    Record row = facts.appointment();
    if (row == null || !d.workspaceId().equals(row.get(a.WORKSPACE_ID))) {
      return skip(SkipReason.APPOINTMENT_DELETED, "the appointment was deleted");
    }
    String status = row.get(a.STATUS);
    if ("cancelled".equals(status)) {
      return skip(SkipReason.APPOINTMENT_CANCELLED, "the appointment was cancelled");
    }
    if (!"scheduled".equals(status)) {
      return skip(SkipReason.APPOINTMENT_NOT_SCHEDULED, "the appointment is " + status);
    }
    Instant start = row.get(a.SCHEDULED_START).toInstant();
    if (!start.equals(d.appointmentStart())) {
      return skip(SkipReason.APPOINTMENT_MOVED, "the appointment was moved");
    }
    if (!start.isAfter(now)) {
      return skip(SkipReason.APPOINTMENT_STARTED, "the appointment has already started");
    }
    return new Verdict.Ready(recipient, new NotificationData.Reminder(toItem(row)));
  }

  private SelectOnConditionStep<? extends Record> appointmentQuery() {
    var a = APPOINTMENTS;
    var c = CLIENTS;
    var sv = SERVICES;
    var l = LOCATIONS;
    return dsl.select(
            a.ID,
            a.WORKSPACE_ID,
            a.SCHEDULED_START,
            a.SCHEDULED_END,
            a.STATUS,
            a.LOCATION_TYPE,
            a.LOCATION_DETAILS,
            c.FIRST_NAME,
            c.LAST_NAME,
            sv.NAME,
            l.NAME,
            l.ADDRESS)
        .from(a)
        .join(c)
        .on(c.ID.eq(a.CLIENT_ID))
        .leftJoin(sv)
        .on(sv.ID.eq(a.SERVICE_ID))
        .leftJoin(l)
        .on(l.ID.eq(a.LOCATION_ID));
  }

  private static AppointmentItem toItem(Record r) {
    var a = APPOINTMENTS;
    return new AppointmentItem(
        r.get(a.ID),
        r.get(a.SCHEDULED_START).toInstant(),
        r.get(a.SCHEDULED_END).toInstant(),
        r.get(a.STATUS),
        r.get(CLIENTS.FIRST_NAME),
        r.get(CLIENTS.LAST_NAME),
        r.get(SERVICES.NAME),
        r.get(a.LOCATION_TYPE),
        r.get(LOCATIONS.NAME),
        r.get(LOCATIONS.ADDRESS),
        r.get(a.LOCATION_DETAILS));
  }

  /** NULL means UTC, as in PazPaz; an unknown name means UTC too, with a warning and a count. */
  private ZoneId zone(String timezone, UUID workspaceId) {
    if (timezone == null || timezone.isBlank()) {
      return UTC;
    }
    try {
      return ZoneId.of(timezone.trim());
    } catch (DateTimeException e) {
      LOG.warn("workspace {} has an invalid time zone; times are shown in UTC", workspaceId);
      metrics.invalidTimezone();
      return UTC;
    }
  }

  private static Verdict skip(SkipReason reason, String detail) {
    return new Verdict.Skip(reason, detail);
  }
}
