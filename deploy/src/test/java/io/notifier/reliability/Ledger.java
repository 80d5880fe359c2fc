package io.notifier.reliability;

import static io.notifier.db.jooq.Tables.NOTIFIER_DELIVERIES;

import io.notifier.db.jooq.tables.records.NotifierDeliveriesRecord;
import io.notifier.model.NotificationStatus;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.jooq.DSLContext;

/** The test's reads of the delivery ledger, straight from PostgreSQL (never through a proxy). */
final class Ledger {

  private Ledger() {}

  static int heldBy(DSLContext dsl, String workerId) {
    var d = NOTIFIER_DELIVERIES;
    return dsl.fetchCount(
        d, d.STATUS.eq(NotificationStatus.SENDING.code()).and(d.LEASE_OWNER.eq(workerId)));
  }

  static int withStatus(DSLContext dsl, NotificationStatus status) {
    var d = NOTIFIER_DELIVERIES;
    return dsl.fetchCount(d, d.STATUS.eq(status.code()));
  }

  /** Rows due exactly at {@code due}. */
  static List<NotifierDeliveriesRecord> dueAt(DSLContext dsl, Instant due) {
    var d = NOTIFIER_DELIVERIES;
    return dsl.selectFrom(d).where(d.DUE_AT.eq(due.atOffset(ZoneOffset.UTC))).fetch();
  }

  static List<NotifierDeliveriesRecord> flaggedPossibleDuplicate(DSLContext dsl) {
    var d = NOTIFIER_DELIVERIES;
    return dsl.selectFrom(d).where(d.POSSIBLE_DUPLICATE.isTrue()).fetch();
  }

  static NotifierDeliveriesRecord byDedupKey(DSLContext dsl, String dedupKey) {
    var d = NOTIFIER_DELIVERIES;
    return dsl.selectFrom(d).where(d.DEDUP_KEY.eq(dedupKey)).fetchOne();
  }
}
