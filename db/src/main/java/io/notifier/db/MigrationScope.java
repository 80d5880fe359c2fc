package io.notifier.db;

/** Which Flyway migrations to apply. */
public enum MigrationScope {
  /** PazPaz's domain tables and the notifier's own: tests, the embedded demo, a fresh database. */
  ALL,
  /** Only the notifier's tables: a deployment beside an existing PazPaz database. */
  NOTIFIER_ONLY
}
