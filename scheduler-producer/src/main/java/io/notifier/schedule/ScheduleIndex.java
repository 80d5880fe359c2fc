package io.notifier.schedule;

import static io.notifier.db.jooq.Tables.NOTIFIER_USER_SCHEDULE;
import static io.notifier.db.jooq.Tables.USERS;
import static io.notifier.db.jooq.Tables.USER_NOTIFICATION_SETTINGS;
import static io.notifier.db.jooq.Tables.WORKSPACES;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record6;
import org.jooq.Select;
import org.jooq.impl.DSL;

/**
 * Keeps {@code notifier_user_schedule} — one row per user with the workspace's zone and the local
 * times of the three wall-clock kinds — in step with PazPaz's rows. The tick finds its candidates
 * there with one index range scan per (time, zone), then re-reads each candidate from PazPaz's own
 * tables, so this copy decides only who is looked at, never who is sent to.
 *
 * <p>Each tick copies the rows whose settings or workspace changed since the last tick (by {@code
 * updated_at}, which PazPaz moves on every write through its ORM, re-reading a slack before the
 * last sync); a full pass, at start-up and every full-resync interval, copies every row and drops
 * those of users that no longer have settings. Only rows whose values differ are written.
 */
final class ScheduleIndex {

  /**
   * Serialises writers of the index. One pipeline's producers are already serialised by its
   * watermark row; this also keeps producers of different pipelines (or a dry run beside a tick)
   * from deadlocking on the upsert. Transaction-scoped: released at commit or rollback.
   */
  private static final long WRITE_LOCK = 0x6e6f74696669L; // "notifi"

  /** What one sync wrote: rows inserted or changed, and the zone keys they carry. */
  record SyncResult(int rowsWritten, int rowsDeleted, Set<String> zoneKeys) {}

  /** Copies the rows whose settings or workspace changed at or after {@code since}. */
  SyncResult syncChangedSince(DSLContext tx, OffsetDateTime since) {
    lock(tx);
    Select<Record6<UUID, String, String, String, String, OffsetDateTime>> changed =
        source(USER_NOTIFICATION_SETTINGS.UPDATED_AT.ge(since))
            .union(source(WORKSPACES.UPDATED_AT.ge(since)));
    List<String> written = upsert(tx, changed);
    return new SyncResult(written.size(), 0, new TreeSet<>(written));
  }

  /** Copies every row and deletes the rows of users without settings. */
  SyncResult syncAll(DSLContext tx) {
    lock(tx);
    List<String> written = upsert(tx, source(DSL.noCondition()));
    var p = NOTIFIER_USER_SCHEDULE;
    int deleted =
        tx.deleteFrom(p)
            .where(
                DSL.notExists(
                    DSL.selectOne()
                        .from(USER_NOTIFICATION_SETTINGS)
                        .where(USER_NOTIFICATION_SETTINGS.USER_ID.eq(p.USER_ID))))
            .execute();
    return new SyncResult(written.size(), deleted, new TreeSet<>(written));
  }

  private static void lock(DSLContext tx) {
    tx.select(DSL.field("pg_advisory_xact_lock({0})", Object.class, DSL.val(WRITE_LOCK))).fetch();
  }

  /** Whether the index holds no row at all (a first start). */
  boolean isEmpty(DSLContext tx) {
    return !tx.fetchExists(NOTIFIER_USER_SCHEDULE);
  }

  private static List<String> upsert(
      DSLContext tx, Select<Record6<UUID, String, String, String, String, OffsetDateTime>> rows) {
    var p = NOTIFIER_USER_SCHEDULE;
    return tx.insertInto(
            p,
            p.USER_ID,
            p.ZONE_KEY,
            p.NOTES_REMINDER_TIME,
            p.DIGEST_TIME,
            p.TOMORROW_DIGEST_TIME,
            p.SYNCED_AT)
        .select(rows)
        .onConflict(p.USER_ID)
        .doUpdate()
        .set(p.ZONE_KEY, DSL.excluded(p.ZONE_KEY))
        .set(p.NOTES_REMINDER_TIME, DSL.excluded(p.NOTES_REMINDER_TIME))
        .set(p.DIGEST_TIME, DSL.excluded(p.DIGEST_TIME))
        .set(p.TOMORROW_DIGEST_TIME, DSL.excluded(p.TOMORROW_DIGEST_TIME))
        .set(p.SYNCED_AT, DSL.excluded(p.SYNCED_AT))
        // Unchanged rows are not rewritten: no dead tuples, and the count means "changed".
        .where(
            DSL.row(p.ZONE_KEY, p.NOTES_REMINDER_TIME, p.DIGEST_TIME, p.TOMORROW_DIGEST_TIME)
                .isDistinctFrom(
                    DSL.row(
                        DSL.excluded(p.ZONE_KEY),
                        DSL.excluded(p.NOTES_REMINDER_TIME),
                        DSL.excluded(p.DIGEST_TIME),
                        DSL.excluded(p.TOMORROW_DIGEST_TIME))))
        .returning(p.ZONE_KEY)
        .fetch(p.ZONE_KEY);
  }

  /** PazPaz's current values, as the index stores them, for the rows matching {@code where}. */
  private static org.jooq.SelectConditionStep<
          Record6<UUID, String, String, String, String, OffsetDateTime>>
      source(Condition where) {
    var s = USER_NOTIFICATION_SETTINGS;
    var u = USERS;
    var w = WORKSPACES;
    Field<String> zoneKey = DSL.coalesce(w.TIMEZONE, DSL.inline(ZoneCatalog.NULL_KEY));
    return DSL.select(
            s.USER_ID,
            zoneKey,
            onlyWhen(
                s.EMAIL_ENABLED.isTrue().and(s.NOTES_REMINDER_ENABLED.isTrue()),
                s.NOTES_REMINDER_TIME),
            onlyWhen(s.EMAIL_ENABLED.isTrue().and(s.DIGEST_ENABLED.isTrue()), s.DIGEST_TIME),
            onlyWhen(
                s.EMAIL_ENABLED.isTrue().and(s.TOMORROW_DIGEST_ENABLED.isTrue()),
                s.TOMORROW_DIGEST_TIME),
            DSL.currentOffsetDateTime())
        .from(s)
        // The user's own workspace decides the zone (settings.workspace_id should agree).
        .join(u)
        .on(u.ID.eq(s.USER_ID))
        .join(w)
        .on(w.ID.eq(u.WORKSPACE_ID))
        .where(where);
  }

  private static Field<String> onlyWhen(Condition enabled, Field<String> time) {
    return DSL.when(enabled, time).else_(DSL.inline((String) null));
  }
}
