#!/usr/bin/env bash
# The ledger's send-path updates alone, with the index layout before and after migration V3:
# for each (table, batch size, claim order) it inserts ROWS pending rows, then claims and marks
# them sent in batches, each statement its own transaction as in the consumer's group commit, and
# prints the time, the WAL written per row and how many updates were heap-only (HOT).
#
#   deploy/benchmark/ledger-hot-updates.sh [ROWS]      (default 20000; PSQL overrides the client)
#
# Uses its own database (ledger_hot_ab, dropped and recreated) on the PostgreSQL that psql reaches
# (PGHOST/PGPORT/PGUSER, default 127.0.0.1 as postgres); changes no server setting.
set -euo pipefail

ROWS=${1:-20000}
HERE=$(cd "$(dirname "$0")" && pwd)
V1="$HERE/../../db/src/main/resources/db/migration/notifier/V1__notifier_ledger.sql"
export PGHOST=${PGHOST:-127.0.0.1} PGUSER=${PGUSER:-postgres}
PSQL=${PSQL:-psql}
DB=ledger_hot_ab

$PSQL -q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
q() { $PSQL -X -q -At -v ON_ERROR_STOP=1 -d $DB "$@"; }

# Two copies of V1's notifier_deliveries: as V1 left it (led_v1), and as V3 leaves it (led_v3).
table_ddl=$(sed -n '/^CREATE TABLE notifier_deliveries/,/^-- The producer/p' "$V1" | sed '$d')
for t in led_v1 led_v3; do
  echo "$table_ddl" | sed "s/notifier_deliveries/$t/g; s/ix_deliveries/ix_$t/g; s/uq_deliveries/uq_$t/g; s/ck_deliveries/ck_$t/g" | q
done
q <<'SQL'
DROP INDEX ix_led_v3_unfinished;
ALTER TABLE led_v3 SET (fillfactor = 70);
ALTER TABLE led_v3 ADD COLUMN unfinished boolean NOT NULL
    GENERATED ALWAYS AS (status IN ('pending', 'retry_wait', 'sending')) STORED;
CREATE INDEX ix_led_v3_unfinished ON led_v3 (next_attempt_at) WHERE unfinished;

-- The consumer's claim and sent statements (DeliveryLedger.CLAIM_ALL_SQL, MARK_SENT_ALL_SQL), one
-- transaction each, batch after batch.
CREATE PROCEDURE send_all(tbl text, batch int, ord text) LANGUAGE plpgsql AS $$
DECLARE ids uuid[]; k int := 0; groups int;
BEGIN
  DROP TABLE IF EXISTS batches;
  EXECUTE format('CREATE TEMP TABLE batches AS SELECT (row_number() OVER (ORDER BY %s) - 1) / %s'
                 ' AS g, id FROM %I', ord, batch, tbl);
  CREATE INDEX ON batches (g);
  SELECT max(b.g) INTO groups FROM batches b;
  COMMIT;
  WHILE k <= groups LOOP
    SELECT array_agg(b.id) INTO ids FROM batches b WHERE b.g = k;
    EXECUTE format('UPDATE %I SET attempts = attempts + 1, lease_owner = ''me'','
                   ' lease_expires_at = now() + interval ''5 min'','
                   ' possible_duplicate = (possible_duplicate or status = ''sending''),'
                   ' status = ''sending'', updated_at = now() WHERE id = any ($1)'
                   ' AND coalesce(status, '''') in (''pending'', ''retry_wait'', ''sending'')', tbl)
      USING ids;
    COMMIT;
    EXECUTE format('UPDATE %I SET sent_at = now(), message_id = ''<m@x>'', lease_expires_at = null,'
                   ' last_error = null, status = ''sent'', updated_at = now() WHERE id = any ($1)'
                   ' AND coalesce(status, '''') = ''sending''', tbl)
      USING ids;
    COMMIT;
    k := k + 1;
  END LOOP;
END $$;
SQL

counts() { q -F' ' -c "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE relname = '$1'"; }

run() { # table batch order
  local t=$1 b=$2 o=$3
  q -c "TRUNCATE $t" \
    -c "INSERT INTO $t (id, dedup_key, kind, user_id, workspace_id, local_date, due_at, status,
          next_attempt_at)
        SELECT gen_random_uuid(), 'daily_digest:' || g || ':2030-01-15', 'daily_digest',
          gen_random_uuid(), gen_random_uuid(), date '2030-01-15', timestamptz '2030-01-15 16:00Z',
          'pending', timestamptz '2030-01-15 16:00Z' FROM generate_series(1, $ROWS) g" \
    -c "VACUUM ANALYZE $t" -c "CHECKPOINT"
  sleep 1
  read -r u0 h0 <<<"$(counts "$t")"
  local l0 s e l1
  l0=$(q -c "SELECT pg_current_wal_lsn()")
  s=$(date +%s.%N)
  q -c "CALL send_all('$t', $b, '$o')" 2>/dev/null
  e=$(date +%s.%N)
  l1=$(q -c "SELECT pg_current_wal_lsn()")
  local w
  w=$(q -c "SELECT pg_wal_lsn_diff('$l1', '$l0')")
  # A backend publishes its table counts when idle, at most every 10 s.
  sleep 11
  read -r u1 h1 <<<"$(counts "$t")"
  python3 -c "print('%-7s batch %3d, claimed in %-4s order: %5.2f s, %6.1f us/row, WAL %5.0f bytes/row, %d updates, %d heap-only' % ('$t', $b, '$o', $e - $s, ($e - $s) * 1e6 / $ROWS, $w / $ROWS, $u1 - $u0, $h1 - $h0))"
}

for spec in "10 ctid" "50 ctid" "50 id"; do
  set -- $spec
  run led_v1 "$1" "$2"
  run led_v3 "$1" "$2"
done
$PSQL -q -d postgres -c "DROP DATABASE $DB"
