package io.notifier.ledger;

import static io.notifier.db.jooq.Tables.NOTIFIER_DELIVERIES;

import io.notifier.db.jooq.tables.records.NotifierDeliveriesRecord;
import io.notifier.model.NotificationKind;
import io.notifier.model.NotificationStatus;
import io.notifier.model.SkipReason;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.InsertValuesStepN;
import org.jooq.Record2;
import org.jooq.impl.DSL;

/**
 * The delivery ledger: one row per logical notification, the single source of truth for what was
 * sent. Every change of status goes through {@link #transition}, which takes the allowed sources
 * from {@link NotificationStatus}'s transition table, so the database itself refuses any other
 * move, including one raced by another process.
 */
public final class DeliveryLedger {

  private static final int INSERT_BATCH = 1_000;
  private static final int ERROR_MAX_LENGTH = 2_000;

  // The consumer's two batched transitions run for every email (claim, then sent), tens of rows
  // per statement under load. Built through jOOQ's DSL, rendering the statement and mapping every
  // returned column took an eighth of a consumer's CPU (JFR, benchmark burst); they are constant
  // text, so they are written once here and run as prepared statements. Same conditions as
  // claim/markSent, and the allowed sources still come from NotificationStatus's table.

  /** Every column, in the order {@link #toDelivery(ResultSet)} reads them. */
  private static final String COLUMNS =
      "id, dedup_key, kind, user_id, workspace_id, appointment_id, local_date, reminder_minutes,"
          + " appointment_start, due_at, status, attempts, next_attempt_at, lease_owner,"
          + " lease_expires_at, possible_duplicate, skip_reason, last_error, message_id,"
          + " created_at, updated_at, enqueued_at, sent_at";

  /**
   * The status test of the batched statements, written so the planner cannot match it to the
   * partial index of unfinished rows. When it could, PostgreSQL planned the claim as a BitmapAnd of
   * the primary key and that whole index whenever its statistics still said the unfinished set was
   * small, which is exactly the case during a burst (100,000 rows queued a minute after the last
   * analyze): every claim of a few hundred ids then read all 135,000 entries of the index, a third
   * of PostgreSQL's CPU in the benchmark's burst (perf). Looking rows up by id alone is always
   * right here; {@code coalesce} over the NOT NULL column changes nothing but the plan.
   */
  private static String statusIn(String column, NotificationStatus target) {
    return "coalesce(" + column + ", '') in (" + sourcesList(target) + ")";
  }

  /** {@link #claim} for an array of ids: owner, lease end, now, ids, now. */
  static final String CLAIM_ALL_SQL =
      "update notifier_deliveries set attempts = attempts + 1, lease_owner = ?,"
          + " lease_expires_at = ?,"
          + " possible_duplicate = (possible_duplicate or status = '"
          + NotificationStatus.SENDING.code()
          + "'), status = '"
          + NotificationStatus.SENDING.code()
          + "', updated_at = ?"
          + " where id = any (?) and "
          + statusIn("status", NotificationStatus.SENDING)
          + " and (status <> '"
          + NotificationStatus.SENDING.code()
          + "' or lease_expires_at < ?)"
          + " returning "
          + COLUMNS;

  /**
   * {@link #markSent} for arrays of ids and Message-IDs: now, now, ids, message ids, ids, owner.
   */
  static final String MARK_SENT_ALL_SQL =
      "update notifier_deliveries d set sent_at = ?, message_id = v.mid,"
          + " lease_expires_at = null, last_error = null, status = '"
          + NotificationStatus.SENT.code()
          + "', updated_at = ?"
          + " from unnest(?::uuid[], ?::varchar[]) as v (id, mid)"
          // The ids a second time as "= any": the rows are then found through the primary key
          // whatever the planner guesses about the unnest join (it chose a sequential scan of the
          // ledger for it when its statistics called few rows 'sending').
          + " where d.id = v.id and d.id = any (?) and "
          + statusIn("d.status", NotificationStatus.SENT)
          + " and coalesce(d.status, '') = '"
          + NotificationStatus.SENDING.code()
          + "' and d.lease_owner = ?"
          + " returning d.id";

  private static String sourcesList(NotificationStatus target) {
    return NotificationStatus.sourcesOf(target).stream()
        .map(status -> "'" + status.code() + "'")
        .sorted()
        .collect(java.util.stream.Collectors.joining(", "));
  }

  private final DSLContext dsl;
  private final Clock clock;

  public DeliveryLedger(DSLContext dsl, Clock clock) {
    this.dsl = dsl;
    this.clock = clock;
  }

  public DSLContext dsl() {
    return dsl;
  }

  // ---- producer -------------------------------------------------------------------------------

  /**
   * Inserts the rows whose dedup key is new, inside the caller's transaction {@code tx}, and
   * returns just those: a key that already exists (another producer, an earlier pass over the same
   * window) is silently left alone.
   */
  public List<Delivery> insertNew(DSLContext tx, Collection<NewDelivery> rows) {
    List<Delivery> inserted = new ArrayList<>(rows.size());
    List<NewDelivery> batch = new ArrayList<>(Math.min(rows.size(), INSERT_BATCH));
    for (NewDelivery row : rows) {
      batch.add(row);
      if (batch.size() == INSERT_BATCH) {
        inserted.addAll(insertBatch(tx, batch));
        batch.clear();
      }
    }
    if (!batch.isEmpty()) {
      inserted.addAll(insertBatch(tx, batch));
    }
    return inserted;
  }

  private List<Delivery> insertBatch(DSLContext tx, List<NewDelivery> rows) {
    var d = NOTIFIER_DELIVERIES;
    InsertValuesStepN<NotifierDeliveriesRecord> insert =
        tx.insertInto(
            d,
            List.of(
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
                d.NEXT_ATTEMPT_AT));
    for (NewDelivery row : rows) {
      insert =
          insert.values(
              row.id(),
              row.dedupKey(),
              row.kind().code(),
              row.userId(),
              row.workspaceId(),
              row.appointmentId(),
              row.localDate(),
              row.reminderMinutes(),
              utc(row.appointmentStart()),
              utc(row.dueAt()),
              row.status().code(),
              row.skipReason() == null ? null : row.skipReason().code(),
              utc(row.dueAt()));
    }
    return insert.onConflict(d.DEDUP_KEY).doNothing().returning().fetch(DeliveryLedger::toDelivery);
  }

  /**
   * Records when jobs were re-queued (the reconciler, a manual trigger): diagnostics for support.
   * The producer's tick does not call it for the rows it has just written (a second write of a busy
   * minute's every row); nothing decides anything by this column.
   */
  public void markEnqueued(Collection<UUID> ids) {
    if (ids.isEmpty()) {
      return;
    }
    // One array parameter, not an IN list: a busy minute's 100,000 ids as literals took seconds
    // to render and to parse.
    dsl.update(NOTIFIER_DELIVERIES)
        .set(NOTIFIER_DELIVERIES.ENQUEUED_AT, now())
        .where(
            NOTIFIER_DELIVERIES.ID.eq(
                DSL.any(DSL.val(ids.toArray(UUID[]::new), org.jooq.impl.SQLDataType.UUID.array()))))
        .execute();
  }

  /**
   * Unfinished rows that should be on the queue by {@code readyBy}: pending or waiting for a retry,
   * and rows stuck in sending whose lease ran out. Oldest first, at most {@code limit}, after the
   * keyset position ({@code afterReadyAt}, {@code afterId}) when given.
   */
  public List<Delivery> unfinished(Instant readyBy, Instant afterReadyAt, UUID afterId, int limit) {
    var d = NOTIFIER_DELIVERIES;
    // `unfinished` (the status list as a stored column) is the partial index's predicate: saying
    // it lets the planner use ix_deliveries_unfinished.
    Condition due =
        d.UNFINISHED
            .isTrue()
            .and(
                d.STATUS
                    .in(NotificationStatus.PENDING.code(), NotificationStatus.RETRY_WAIT.code())
                    .or(
                        d.STATUS
                            .eq(NotificationStatus.SENDING.code())
                            .and(d.LEASE_EXPIRES_AT.lt(now()))));
    Condition where = due.and(d.NEXT_ATTEMPT_AT.le(utc(readyBy)));
    if (afterReadyAt != null && afterId != null) {
      where = where.and(DSL.row(d.NEXT_ATTEMPT_AT, d.ID).gt(utc(afterReadyAt), afterId));
    }
    return dsl.selectFrom(d)
        .where(where)
        .orderBy(d.NEXT_ATTEMPT_AT, d.ID)
        .limit(limit)
        .fetch(DeliveryLedger::toDelivery);
  }

  // ---- consumer -------------------------------------------------------------------------------

  /**
   * A claimed row. {@code possibleDuplicate} is true once any claim took the row over from a
   * consumer whose lease ran out: an earlier attempt may have reached the SMTP server.
   */
  public record Claim(Delivery delivery, boolean possibleDuplicate) {}

  /**
   * Claims the row for {@code owner} until now + {@code lease}: pending or retry_wait rows, or a
   * sending row whose lease ran out (its consumer died; the row is then marked possible duplicate).
   * Counts the attempt. Empty when someone else holds it or it is finished: the caller must not
   * send.
   */
  public Optional<Claim> claim(UUID id, String owner, Duration lease) {
    var d = NOTIFIER_DELIVERIES;
    OffsetDateTime now = now();
    Condition wasSending = d.STATUS.eq(NotificationStatus.SENDING.code());
    Optional<NotifierDeliveriesRecord> claimed =
        transition(
            id,
            NotificationStatus.SENDING,
            Map.of(
                d.ATTEMPTS, d.ATTEMPTS.plus(1),
                d.LEASE_OWNER, DSL.val(owner),
                d.LEASE_EXPIRES_AT, DSL.val(now.plus(lease)),
                d.POSSIBLE_DUPLICATE,
                    DSL.field(DSL.condition(d.POSSIBLE_DUPLICATE).or(wasSending))),
            d.STATUS.ne(NotificationStatus.SENDING.code()).or(d.LEASE_EXPIRES_AT.lt(now)));
    return claimed.map(r -> new Claim(toDelivery(r), r.getPossibleDuplicate()));
  }

  /**
   * {@link #claim} for many rows in one statement: each row is claimed, or not, exactly as its own
   * {@link #claim} would have decided. Returns the claimed rows by id; an id absent from the result
   * must not be sent.
   */
  public Map<UUID, Claim> claimAll(Collection<UUID> ids, String owner, Duration lease) {
    if (ids.isEmpty()) {
      return Map.of();
    }
    OffsetDateTime now = now();
    Map<UUID, Claim> claimed = new java.util.HashMap<>();
    dsl.connection(
        c -> {
          try (PreparedStatement st = c.prepareStatement(CLAIM_ALL_SQL)) {
            st.setString(1, owner);
            st.setObject(2, now.plus(lease));
            st.setObject(3, now);
            st.setArray(4, c.createArrayOf("uuid", ids.toArray()));
            st.setObject(5, now);
            try (ResultSet rs = st.executeQuery()) {
              while (rs.next()) {
                Delivery d = toDelivery(rs);
                claimed.put(d.id(), new Claim(d, d.possibleDuplicate()));
              }
            }
          }
        });
    return claimed;
  }

  /** Extends the lease of a row this owner holds (a slow send). */
  public boolean extendLease(UUID id, String owner, Duration lease) {
    var d = NOTIFIER_DELIVERIES;
    return dsl.update(d)
            .set(d.LEASE_EXPIRES_AT, now().plus(lease))
            .set(d.UPDATED_AT, now())
            .where(d.ID.eq(id))
            .and(d.STATUS.eq(NotificationStatus.SENDING.code()))
            .and(d.LEASE_OWNER.eq(owner))
            .execute()
        == 1;
  }

  public Optional<Delivery> markSent(UUID id, String owner, String messageId) {
    var d = NOTIFIER_DELIVERIES;
    return transition(
            id,
            NotificationStatus.SENT,
            Map.of(
                d.SENT_AT, DSL.val(now()),
                d.MESSAGE_ID, DSL.val(messageId),
                d.LEASE_EXPIRES_AT, DSL.val((OffsetDateTime) null),
                d.LAST_ERROR, DSL.val((String) null)),
            heldBy(owner))
        .map(DeliveryLedger::toDelivery);
  }

  /**
   * {@link #markSent} for many rows held by {@code owner}, in one statement: row id to the
   * Message-ID it was sent with. Returns the ids that were recorded as sent (a row missing from it
   * was taken over by another consumer meanwhile).
   */
  public Set<UUID> markSentAll(Map<UUID, String> messageIds, String owner) {
    if (messageIds.isEmpty()) {
      return Set.of();
    }
    UUID[] ids = new UUID[messageIds.size()];
    String[] mids = new String[messageIds.size()];
    int i = 0;
    for (Map.Entry<UUID, String> e : messageIds.entrySet()) {
      ids[i] = e.getKey();
      mids[i] = e.getValue();
      i++;
    }
    OffsetDateTime now = now();
    Set<UUID> sent = new java.util.HashSet<>();
    dsl.connection(
        c -> {
          try (PreparedStatement st = c.prepareStatement(MARK_SENT_ALL_SQL)) {
            st.setObject(1, now);
            st.setObject(2, now);
            java.sql.Array idArray = c.createArrayOf("uuid", ids);
            st.setArray(3, idArray);
            st.setArray(4, c.createArrayOf("varchar", mids));
            st.setArray(5, idArray);
            st.setString(6, owner);
            try (ResultSet rs = st.executeQuery()) {
              while (rs.next()) {
                sent.add(rs.getObject(1, UUID.class));
              }
            }
          }
        });
    return sent;
  }

  public Optional<Delivery> markRetry(UUID id, String owner, Instant nextAttemptAt, String error) {
    var d = NOTIFIER_DELIVERIES;
    return transition(
            id,
            NotificationStatus.RETRY_WAIT,
            Map.of(
                d.NEXT_ATTEMPT_AT, DSL.val(utc(nextAttemptAt)),
                d.LAST_ERROR, DSL.val(truncate(error)),
                d.LEASE_EXPIRES_AT, DSL.val((OffsetDateTime) null)),
            heldBy(owner))
        .map(DeliveryLedger::toDelivery);
  }

  /**
   * Marks the row dead. With an owner, only while that owner holds it; without (a job that never
   * got claimed, an operator), from any status the table allows.
   */
  public Optional<Delivery> markDead(UUID id, String owner, String error) {
    var d = NOTIFIER_DELIVERIES;
    return transition(
            id,
            NotificationStatus.DEAD,
            Map.of(
                d.LAST_ERROR, DSL.val(truncate(error)),
                d.LEASE_EXPIRES_AT, DSL.val((OffsetDateTime) null)),
            owner == null ? DSL.noCondition() : heldBy(owner))
        .map(DeliveryLedger::toDelivery);
  }

  public Optional<Delivery> markSkipped(UUID id, String owner, SkipReason reason) {
    var d = NOTIFIER_DELIVERIES;
    return transition(
            id,
            NotificationStatus.SKIPPED,
            Map.of(
                d.SKIP_REASON, DSL.val(reason.code()),
                d.LEASE_EXPIRES_AT, DSL.val((OffsetDateTime) null)),
            owner == null ? DSL.noCondition() : heldBy(owner))
        .map(DeliveryLedger::toDelivery);
  }

  /** The outcome of the last attempt is unknown (e.g. a timeout after the message data). */
  public Optional<Delivery> markUncertain(UUID id, String owner, String error) {
    var d = NOTIFIER_DELIVERIES;
    return transition(
            id,
            NotificationStatus.UNCERTAIN,
            Map.of(
                d.LAST_ERROR, DSL.val(truncate(error)),
                d.LEASE_EXPIRES_AT, DSL.val((OffsetDateTime) null)),
            heldBy(owner))
        .map(DeliveryLedger::toDelivery);
  }

  // ---- operations -----------------------------------------------------------------------------

  /**
   * Makes a dead or uncertain row pending again with a fresh attempt budget, ready now. Empty when
   * the row is in any other status (for instance, delivered meanwhile): then nothing must be sent.
   */
  public Optional<Delivery> replay(UUID id) {
    var d = NOTIFIER_DELIVERIES;
    return transition(
            id,
            NotificationStatus.PENDING,
            Map.of(
                d.ATTEMPTS, DSL.val(0),
                d.NEXT_ATTEMPT_AT, DSL.val(now()),
                d.LEASE_OWNER, DSL.val((String) null),
                d.LEASE_EXPIRES_AT, DSL.val((OffsetDateTime) null)),
            DSL.noCondition())
        .map(DeliveryLedger::toDelivery);
  }

  public Optional<Delivery> find(UUID id) {
    return dsl.selectFrom(NOTIFIER_DELIVERIES)
        .where(NOTIFIER_DELIVERIES.ID.eq(id))
        .fetchOptional(DeliveryLedger::toDelivery);
  }

  public Optional<Delivery> findByDedupKey(String dedupKey) {
    return dsl.selectFrom(NOTIFIER_DELIVERIES)
        .where(NOTIFIER_DELIVERIES.DEDUP_KEY.eq(dedupKey))
        .fetchOptional(DeliveryLedger::toDelivery);
  }

  /** One user's deliveries, newest due first, optionally of one kind and status. */
  public List<Delivery> history(
      UUID userId, NotificationKind kind, NotificationStatus status, int limit) {
    var d = NOTIFIER_DELIVERIES;
    Condition where = d.USER_ID.eq(userId);
    if (kind != null) {
      where = where.and(d.KIND.eq(kind.code()));
    }
    if (status != null) {
      where = where.and(d.STATUS.eq(status.code()));
    }
    return dsl.selectFrom(d)
        .where(where)
        .orderBy(d.DUE_AT.desc(), d.ID)
        .limit(limit)
        .fetch(DeliveryLedger::toDelivery);
  }

  /** Row counts per status (small table scans are fine: operations only). */
  public Map<NotificationStatus, Long> countByStatus() {
    var d = NOTIFIER_DELIVERIES;
    Map<NotificationStatus, Long> counts = new EnumMap<>(NotificationStatus.class);
    for (Record2<String, Integer> row :
        dsl.select(d.STATUS, DSL.count()).from(d).groupBy(d.STATUS).fetch()) {
      NotificationStatus.fromCode(row.value1())
          .ifPresent(s -> counts.put(s, row.value2().longValue()));
    }
    return counts;
  }

  /**
   * Deletes up to {@code batchSize} finished rows due before {@code cutoff}; unfinished rows are
   * never deleted. Short statements keep locks brief; call until it returns 0.
   */
  public int deleteFinishedBefore(Instant cutoff, int batchSize) {
    var d = NOTIFIER_DELIVERIES;
    var ids =
        DSL.select(d.ID)
            .from(d)
            .where(d.DUE_AT.lt(utc(cutoff)))
            .and(
                d.STATUS.in(
                    NotificationStatus.SENT.code(),
                    NotificationStatus.SKIPPED.code(),
                    NotificationStatus.DEAD.code(),
                    NotificationStatus.UNCERTAIN.code()))
            .limit(batchSize)
            .forUpdate()
            .skipLocked();
    return dsl.deleteFrom(d).where(d.ID.in(ids)).execute();
  }

  // ---- the one place status changes -----------------------------------------------------------

  /**
   * Moves row {@code id} to {@code target} if, and only if, its current status may move there (by
   * the transition table) and {@code extra} holds. Returns the updated row, or empty when the
   * database refused: the row is elsewhere, someone else moved it first, or it does not exist.
   */
  private Optional<NotifierDeliveriesRecord> transition(
      UUID id, NotificationStatus target, Map<Field<?>, Field<?>> sets, Condition extra) {
    return transitionQuery(id, target, sets, extra).fetchOptional();
  }

  /** The statement {@link #transition} runs (a test reads its plan). */
  org.jooq.UpdateResultStep<NotifierDeliveriesRecord> transitionQuery(
      UUID id, NotificationStatus target, Map<Field<?>, Field<?>> sets, Condition extra) {
    var d = NOTIFIER_DELIVERIES;
    Set<NotificationStatus> sources = NotificationStatus.sourcesOf(target);
    Map<Field<?>, Object> assignments = new java.util.LinkedHashMap<>(sets);
    assignments.put(d.STATUS, DSL.val(target.code()));
    assignments.put(d.UPDATED_AT, DSL.val(now()));
    return dsl.update(d)
        .set(assignments)
        .where(d.ID.eq(id))
        // As statusIn: by id alone, never through the partial index of unfinished rows.
        .and(
            DSL.coalesce(d.STATUS, DSL.inline(""))
                .in(sources.stream().map(NotificationStatus::code).toList()))
        .and(extra)
        .returning();
  }

  private static Condition heldBy(String owner) {
    return DSL.coalesce(NOTIFIER_DELIVERIES.STATUS, DSL.inline(""))
        .eq(NotificationStatus.SENDING.code())
        .and(NOTIFIER_DELIVERIES.LEASE_OWNER.eq(owner));
  }

  private OffsetDateTime now() {
    return clock.instant().atOffset(ZoneOffset.UTC);
  }

  private static OffsetDateTime utc(Instant instant) {
    return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
  }

  private static Instant instant(OffsetDateTime time) {
    return time == null ? null : time.toInstant();
  }

  private static String truncate(String error) {
    if (error == null || error.length() <= ERROR_MAX_LENGTH) {
      return error;
    }
    return error.substring(0, ERROR_MAX_LENGTH);
  }

  private static Delivery toDelivery(ResultSet rs) throws SQLException {
    return new Delivery(
        rs.getObject(1, UUID.class),
        rs.getString(2),
        NotificationKind.fromCode(rs.getString(3)).orElseThrow(),
        rs.getObject(4, UUID.class),
        rs.getObject(5, UUID.class),
        rs.getObject(6, UUID.class),
        rs.getObject(7, java.time.LocalDate.class),
        (Integer) rs.getObject(8),
        instant(rs.getObject(9, OffsetDateTime.class)),
        instant(rs.getObject(10, OffsetDateTime.class)),
        NotificationStatus.fromCode(rs.getString(11)).orElseThrow(),
        rs.getInt(12),
        instant(rs.getObject(13, OffsetDateTime.class)),
        rs.getString(14),
        instant(rs.getObject(15, OffsetDateTime.class)),
        rs.getBoolean(16),
        rs.getString(17),
        rs.getString(18),
        rs.getString(19),
        instant(rs.getObject(20, OffsetDateTime.class)),
        instant(rs.getObject(21, OffsetDateTime.class)),
        instant(rs.getObject(22, OffsetDateTime.class)),
        instant(rs.getObject(23, OffsetDateTime.class)));
  }

  static Delivery toDelivery(NotifierDeliveriesRecord r) {
    return new Delivery(
        r.getId(),
        r.getDedupKey(),
        NotificationKind.fromCode(r.getKind()).orElseThrow(),
        r.getUserId(),
        r.getWorkspaceId(),
        r.getAppointmentId(),
        r.getLocalDate(),
        r.getReminderMinutes(),
        instant(r.getAppointmentStart()),
        instant(r.getDueAt()),
        NotificationStatus.fromCode(r.getStatus()).orElseThrow(),
        r.getAttempts(),
        instant(r.getNextAttemptAt()),
        r.getLeaseOwner(),
        instant(r.getLeaseExpiresAt()),
        Boolean.TRUE.equals(r.getPossibleDuplicate()),
        r.getSkipReason(),
        r.getLastError(),
        r.getMessageId(),
        instant(r.getCreatedAt()),
        instant(r.getUpdatedAt()),
        instant(r.getEnqueuedAt()),
        instant(r.getSentAt()));
  }
}
