-- The producer's index from (local wall-clock time, time zone) to users.
--
-- A tick asks "who has their digest at 08:00 in the zones where it is 08:00 now?". PazPaz keeps
-- the time in user_notification_settings and the zone in workspaces, so no index on its tables can
-- answer that: an index on the time column alone returns every user with 08:00 in every zone, and
-- each :00 minute some zone is at 08:00, so every hour a tick would read most users. This table
-- puts the two side by side, so one index range scan returns exactly the users due. The producer
-- re-reads every candidate from PazPaz's own rows before writing anything, so a row that is out of
-- date here can never cause a wrong send; the producer keeps it current (see
-- docs/NOTIFICATION_SETTINGS.md, "How the producer finds who is due"):
--   - each tick, rows whose settings or workspace changed since the last tick (updated_at),
--   - every full-resync interval and at start-up, all rows (which also drops rows of deleted users).
CREATE TABLE notifier_user_schedule (
    user_id               uuid        PRIMARY KEY,
    -- coalesce(workspaces.timezone, ''): NULL and unknown names both mean UTC to the producer.
    zone_key              text        NOT NULL,
    -- Each time is copied only while email_enabled and that kind's switch are on, else NULL, so
    -- the partial indexes below hold only users a kind can reach. Stored as PazPaz has it, even
    -- when malformed: such a value simply never matches a wall-clock 'HH:MM'.
    notes_reminder_time   text,
    digest_time           text,
    tomorrow_digest_time  text,
    synced_at             timestamptz NOT NULL DEFAULT now()
);

-- One per kind: "users of these zones whose time is one of these HH:MM".
CREATE INDEX ix_user_schedule_notes ON notifier_user_schedule (notes_reminder_time, zone_key)
    WHERE notes_reminder_time IS NOT NULL;
CREATE INDEX ix_user_schedule_digest ON notifier_user_schedule (digest_time, zone_key)
    WHERE digest_time IS NOT NULL;
CREATE INDEX ix_user_schedule_tomorrow ON notifier_user_schedule (tomorrow_digest_time, zone_key)
    WHERE tomorrow_digest_time IS NOT NULL;

-- Up to which database time the producer has read PazPaz's changed rows (updated_at): settings
-- and workspaces into notifier_user_schedule, appointments booked or moved after their reminder
-- was due. Database time, because PazPaz writes updated_at from its own clock, not the producer's.
ALTER TABLE notifier_scheduler_state ADD COLUMN changes_seen_until timestamptz;
