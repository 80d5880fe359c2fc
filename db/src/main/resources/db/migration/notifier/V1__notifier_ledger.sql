-- The notifier's own tables. These are all a deployment against an existing PazPaz database
-- applies (`notifier db migrate --notifier-only`), with their own Flyway history table.
-- There are deliberately no foreign keys into PazPaz's tables: a hard-deleted appointment must
-- leave its delivery history behind (the consumer skips it with a reason), and the notifier
-- must never take locks on rows PazPaz writes.

-- One row per logical notification: the generalisation of PazPaz's appointment_reminders_sent
-- to every kind. The row is inserted by the producer in the same transaction that advances the
-- watermark, and every later change of status is a conditional update by the consumer.
CREATE TABLE notifier_deliveries (
    id                 uuid PRIMARY KEY,
    -- Deterministic identity of the logical notification, e.g.
    --   daily_digest:<user>:2027-03-14
    --   appointment_reminder:<appointment>:<user>:60:<scheduled start epoch seconds>
    -- Its UNIQUE constraint is the exactly-once guarantee, whatever the number of producers.
    dedup_key          varchar(200) NOT NULL,
    kind               varchar(32)  NOT NULL
                       CONSTRAINT ck_deliveries_kind CHECK (kind IN (
                           'session_notes_reminder', 'daily_digest', 'tomorrow_digest', 'appointment_reminder')),
    user_id            uuid         NOT NULL,
    workspace_id       uuid         NOT NULL,
    appointment_id     uuid,
    -- The recipient's local date the notification is about (digests and notes reminders).
    local_date         date,
    -- Appointment reminders: the offset and the start they were computed from, so a moved
    -- appointment is recognised at send time.
    reminder_minutes   integer,
    appointment_start  timestamptz,
    -- The instant the user asked for; a consumer delivers at this second.
    due_at             timestamptz  NOT NULL,
    status             varchar(16)  NOT NULL
                       CONSTRAINT ck_deliveries_status CHECK (status IN (
                           'pending', 'sending', 'sent', 'retry_wait', 'dead', 'skipped', 'uncertain')),
    attempts           integer      NOT NULL DEFAULT 0,
    -- When the job should next be on the ready stream: due_at at first, later a retry's time.
    next_attempt_at    timestamptz  NOT NULL,
    -- The consumer holding the row while it sends, and until when. A lease that has run out
    -- means that consumer died; another may take the row over.
    lease_owner        varchar(200),
    lease_expires_at   timestamptz,
    -- Set when a row is taken over from a consumer that died while sending: the earlier attempt
    -- may have reached the SMTP server, so this delivery may have arrived twice.
    possible_duplicate boolean      NOT NULL DEFAULT false,
    skip_reason        varchar(64),
    last_error         text,
    message_id         varchar(255),
    created_at         timestamptz  NOT NULL DEFAULT now(),
    updated_at         timestamptz  NOT NULL DEFAULT now(),
    enqueued_at        timestamptz,
    sent_at            timestamptz,
    CONSTRAINT uq_deliveries_dedup_key UNIQUE (dedup_key)
);

-- The reconciler's question: which unfinished rows should be on the queue by now? Partial, so
-- it only ever holds the few rows in flight, never the history.
CREATE INDEX ix_deliveries_unfinished ON notifier_deliveries (next_attempt_at)
    WHERE status IN ('pending', 'retry_wait', 'sending');

-- `notifier deliveries --user ID`: one user's history, newest first.
CREATE INDEX ix_deliveries_user ON notifier_deliveries (user_id, due_at DESC);

-- Re-validation of appointment reminders and support questions about one appointment.
CREATE INDEX ix_deliveries_appointment ON notifier_deliveries (appointment_id)
    WHERE appointment_id IS NOT NULL;

-- The weekly cleanup deletes by age in small batches.
CREATE INDEX ix_deliveries_due_at ON notifier_deliveries (due_at);

-- The producer's durable watermark: every due instant up to covered_until has been resolved
-- and written to the ledger. Each tick covers (covered_until, now + look-ahead] and moves it
-- forward in the same transaction as its ledger rows, so a crash loses nothing and repeats
-- nothing. One row per producer pipeline (a single 'default' today).
CREATE TABLE notifier_scheduler_state (
    name           varchar(64) PRIMARY KEY,
    covered_until  timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    updated_by     varchar(200)
);
