-- The PazPaz tables the notifier reads, with PazPaz's names, types, defaults and CHECK rules
-- (see docs/NOTIFICATION_SETTINGS.md and the PazPaz data model). In production these tables
-- belong to PazPaz and this migration never runs there: `notifier db migrate --notifier-only`
-- applies only the notifier's own tables. It runs in tests and in the embedded demo.

CREATE TABLE workspaces (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name        varchar(255) NOT NULL,
    is_active   boolean      NOT NULL DEFAULT true,
    status      varchar(50)  NOT NULL DEFAULT 'active'
                CONSTRAINT ck_workspaces_status CHECK (status IN ('active', 'suspended', 'deleted')),
    deleted_at  timestamptz,
    -- IANA zone name. PazPaz allows NULL and validates nothing: the notifier reads NULL as UTC
    -- and an unknown name as UTC with a warning and a counter.
    timezone    varchar(100) DEFAULT 'UTC',
    created_at  timestamptz  NOT NULL DEFAULT now(),
    updated_at  timestamptz  NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id  uuid         NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    email         varchar(255) NOT NULL,
    full_name     varchar(255) NOT NULL,
    role          varchar(50)  NOT NULL DEFAULT 'owner'
                  CONSTRAINT ck_users_role CHECK (role IN ('owner', 'assistant')),
    is_active     boolean      NOT NULL DEFAULT true,
    created_at    timestamptz  NOT NULL DEFAULT now(),
    updated_at    timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT uq_users_workspace_email UNIQUE (workspace_id, email)
);
CREATE INDEX ix_users_workspace_id ON users (workspace_id);

CREATE TABLE user_notification_settings (
    id                          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id                     uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    workspace_id                uuid        NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    email_enabled               boolean     NOT NULL DEFAULT true,
    notify_appointment_booked      boolean  NOT NULL DEFAULT true,
    notify_appointment_cancelled   boolean  NOT NULL DEFAULT true,
    notify_appointment_rescheduled boolean  NOT NULL DEFAULT true,
    notify_appointment_confirmed   boolean  NOT NULL DEFAULT true,
    digest_enabled              boolean     NOT NULL DEFAULT false,
    digest_time                 varchar(5)  DEFAULT '08:00',
    digest_days                 integer[]   NOT NULL DEFAULT '{1,2,3,4,5}',
    tomorrow_digest_enabled     boolean     NOT NULL DEFAULT false,
    tomorrow_digest_time        varchar(5)  DEFAULT '20:00',
    tomorrow_digest_days        integer[]   NOT NULL DEFAULT '{0,1,2,3,4}',
    reminder_enabled            boolean     NOT NULL DEFAULT true,
    reminder_minutes            integer     DEFAULT 60,
    notes_reminder_enabled      boolean     NOT NULL DEFAULT true,
    notes_reminder_time         varchar(5)  DEFAULT '18:00',
    extended_settings           jsonb       DEFAULT '{}'::jsonb,
    created_at                  timestamptz NOT NULL DEFAULT now(),
    updated_at                  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT uq_user_notification_settings_user UNIQUE (user_id),
    CONSTRAINT ck_digest_time_format
        CHECK (digest_time ~ '^([0-1][0-9]|2[0-3]):[0-5][0-9]$'),
    CONSTRAINT ck_tomorrow_digest_time_format
        CHECK (tomorrow_digest_time ~ '^([0-1][0-9]|2[0-3]):[0-5][0-9]$'),
    CONSTRAINT ck_notes_reminder_time_format
        CHECK (notes_reminder_time ~ '^([0-1][0-9]|2[0-3]):[0-5][0-9]$'),
    CONSTRAINT ck_reminder_minutes_allowed
        CHECK (reminder_minutes IN (15, 30, 60, 120, 1440)),
    -- 0 = Sunday ... 6 = Saturday, as PazPaz stores them.
    CONSTRAINT ck_digest_days_range
        CHECK (digest_days <@ ARRAY[0, 1, 2, 3, 4, 5, 6]),
    CONSTRAINT ck_tomorrow_digest_days_range
        CHECK (tomorrow_digest_days <@ ARRAY[0, 1, 2, 3, 4, 5, 6])
);
CREATE INDEX ix_user_notification_settings_workspace_id ON user_notification_settings (workspace_id);
-- PazPaz keeps one partial index per job. The producer looks up "who is due at this local
-- wall time", so each is keyed by that job's time column and holds only users the job can reach.
CREATE INDEX ix_uns_notes_reminder_due ON user_notification_settings (notes_reminder_time)
    WHERE email_enabled AND notes_reminder_enabled;
CREATE INDEX ix_uns_digest_due ON user_notification_settings (digest_time)
    WHERE email_enabled AND digest_enabled;
CREATE INDEX ix_uns_tomorrow_digest_due ON user_notification_settings (tomorrow_digest_time)
    WHERE email_enabled AND tomorrow_digest_enabled;
CREATE INDEX ix_uns_reminder_workspace ON user_notification_settings (workspace_id, reminder_minutes)
    WHERE email_enabled AND reminder_enabled;

CREATE TABLE clients (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id  uuid        NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    -- AES-256-GCM: b"v<N>:" || nonce(12) || ciphertext || tag(16), or the legacy form without prefix.
    first_name    bytea       NOT NULL,
    last_name     bytea       NOT NULL,
    is_active     boolean     NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ix_clients_workspace_id ON clients (workspace_id);

CREATE TABLE services (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id  uuid         NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name          varchar(255) NOT NULL,
    is_active     boolean      NOT NULL DEFAULT true,
    created_at    timestamptz  NOT NULL DEFAULT now(),
    updated_at    timestamptz  NOT NULL DEFAULT now()
);

CREATE TABLE locations (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id  uuid         NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name          varchar(255) NOT NULL,
    address       text,
    is_active     boolean      NOT NULL DEFAULT true,
    created_at    timestamptz  NOT NULL DEFAULT now(),
    updated_at    timestamptz  NOT NULL DEFAULT now()
);

CREATE TABLE appointments (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id      uuid        NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    client_id         uuid        NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    service_id        uuid        REFERENCES services (id) ON DELETE SET NULL,
    location_id       uuid        REFERENCES locations (id) ON DELETE SET NULL,
    scheduled_start   timestamptz NOT NULL,
    scheduled_end     timestamptz NOT NULL,
    location_type     varchar(50) NOT NULL DEFAULT 'clinic'
                      CONSTRAINT ck_appointments_location_type CHECK (location_type IN ('clinic', 'home', 'online')),
    location_details  text,
    status            varchar(50) NOT NULL DEFAULT 'scheduled'
                      CONSTRAINT ck_appointments_status CHECK (status IN ('scheduled', 'attended', 'cancelled', 'no_show')),
    -- Free-text clinical notes: never read by the notifier, never put in an email.
    notes             text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
-- Digests read one workspace's local day; reminders read every scheduled appointment whose
-- start falls in a window. Both are range scans on scheduled_start.
CREATE INDEX ix_appointments_workspace_start ON appointments (workspace_id, scheduled_start);
CREATE INDEX ix_appointments_scheduled_start ON appointments (scheduled_start)
    WHERE status = 'scheduled';

CREATE TABLE sessions (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id        uuid        NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    client_id           uuid        NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    appointment_id      uuid        REFERENCES appointments (id) ON DELETE SET NULL,
    created_by_user_id  uuid        REFERENCES users (id) ON DELETE SET NULL,
    session_date        timestamptz NOT NULL,
    is_draft            boolean     NOT NULL DEFAULT false,
    deleted_at          timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);
-- The notes reminder counts one user's own live drafts.
CREATE INDEX ix_sessions_draft_by_user ON sessions (created_by_user_id)
    WHERE is_draft AND deleted_at IS NULL;

-- The seed plan's dedup table, kept for compatibility with PazPaz. The notifier writes its
-- own ledger (notifier_deliveries) instead; see the notifier migrations.
CREATE TABLE appointment_reminders_sent (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    appointment_id  uuid        NOT NULL REFERENCES appointments (id) ON DELETE CASCADE,
    user_id         uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    reminder_type   varchar(50) NOT NULL
                    CONSTRAINT ck_reminder_type CHECK (reminder_type IN ('15min', '30min', '1hr', '2hr', '24hr')),
    sent_at         timestamptz NOT NULL DEFAULT now(),
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT uq_appointment_reminders_sent UNIQUE (appointment_id, user_id, reminder_type)
);
CREATE INDEX ix_appointment_reminders_sent_sent_at ON appointment_reminders_sent (sent_at);
