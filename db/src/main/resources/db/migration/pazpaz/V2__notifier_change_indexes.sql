-- Indexes the notifier's producer needs on PazPaz's tables to find rows changed since its last
-- tick without reading whole tables. This location only runs in tests and the embedded demo; a
-- production PazPaz database needs the same three indexes added by PazPaz's own migrations
-- (docs/NOTIFICATION_SETTINGS.md lists them). Without them the producer still works, but each
-- tick scans these tables.

-- Settings changed since the last tick: re-copied into notifier_user_schedule.
CREATE INDEX ix_uns_updated_at ON user_notification_settings (updated_at);

-- Workspaces changed since the last tick (a new time zone): their users are re-copied.
CREATE INDEX ix_workspaces_updated_at ON workspaces (updated_at);

-- Scheduled appointments booked or moved since the last tick, whose reminder may already be due.
CREATE INDEX ix_appointments_scheduled_updated_at ON appointments (updated_at)
    WHERE status = 'scheduled';
