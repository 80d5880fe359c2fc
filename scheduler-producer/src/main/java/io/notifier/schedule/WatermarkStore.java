package io.notifier.schedule;

import static io.notifier.db.jooq.Tables.NOTIFIER_SCHEDULER_STATE;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.jooq.DSLContext;
import org.jooq.Record3;
import org.jooq.impl.DSL;

/**
 * The producer's durable watermark ({@code notifier_scheduler_state}): every due instant up to
 * {@code covered_until} has been resolved into the ledger. Read with {@code FOR UPDATE} at the
 * start of each tick's transaction, which serialises producers on the database alone, Redis or not,
 * and moved forward in the same transaction as the ledger rows.
 */
final class WatermarkStore {

  /**
   * @param coveredUntil due instants up to here are resolved (producer clock)
   * @param changesSeenUntil PazPaz rows changed before this database time have been read; null
   *     before the first tick
   * @param databaseNow the database's time at the start of this transaction
   */
  record State(Instant coveredUntil, OffsetDateTime changesSeenUntil, OffsetDateTime databaseNow) {}

  private final String name;
  private final String instanceId;

  WatermarkStore(String name, String instanceId) {
    this.name = name;
    this.instanceId = instanceId;
  }

  /**
   * Locks the row for this transaction, creating it first (covered until {@code initial}) if the
   * pipeline never ran.
   */
  State lock(DSLContext tx, Instant initial, Instant now) {
    State state = selectForUpdate(tx);
    if (state != null) {
      return state;
    }
    var s = NOTIFIER_SCHEDULER_STATE;
    // Two producers starting together both get here; the loser's insert waits, then does nothing.
    tx.insertInto(s, s.NAME, s.COVERED_UNTIL, s.UPDATED_AT, s.UPDATED_BY)
        .values(name, utc(initial), utc(now), instanceId)
        .onConflict(s.NAME)
        .doNothing()
        .execute();
    return selectForUpdate(tx);
  }

  private State selectForUpdate(DSLContext tx) {
    var s = NOTIFIER_SCHEDULER_STATE;
    Record3<OffsetDateTime, OffsetDateTime, OffsetDateTime> row =
        tx.select(s.COVERED_UNTIL, s.CHANGES_SEEN_UNTIL, DSL.currentOffsetDateTime())
            .from(s)
            .where(s.NAME.eq(name))
            .forUpdate()
            .of(s)
            .fetchOne();
    return row == null ? null : new State(row.value1().toInstant(), row.value2(), row.value3());
  }

  void save(DSLContext tx, Instant coveredUntil, OffsetDateTime changesSeenUntil, Instant now) {
    var s = NOTIFIER_SCHEDULER_STATE;
    tx.update(s)
        .set(s.COVERED_UNTIL, utc(coveredUntil))
        .set(s.CHANGES_SEEN_UNTIL, changesSeenUntil)
        .set(s.UPDATED_AT, utc(now))
        .set(s.UPDATED_BY, instanceId)
        .where(s.NAME.eq(name))
        .execute();
  }

  private static OffsetDateTime utc(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
