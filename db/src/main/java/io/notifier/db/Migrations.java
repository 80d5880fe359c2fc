package io.notifier.db;

import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Applies the schema. PazPaz's tables and the notifier's own live in separate Flyway locations with
 * separate history tables, so that against a real PazPaz database (whose schema PazPaz owns) only
 * the notifier's part is ever applied.
 */
public final class Migrations {

  public static final String PAZPAZ_LOCATION = "classpath:db/migration/pazpaz";
  public static final String PAZPAZ_HISTORY_TABLE = "pazpaz_schema_history";
  public static final String NOTIFIER_LOCATION = "classpath:db/migration/notifier";
  public static final String NOTIFIER_HISTORY_TABLE = "notifier_schema_history";

  private Migrations() {}

  /** One applied location: how many migrations ran now, and the schema version after. */
  public record Applied(String location, int migrationsExecuted, String targetVersion) {}

  /** Migrates and returns what was applied; re-running it is a no-op. */
  public static List<Applied> migrate(DataSource dataSource, MigrationScope scope) {
    List<Applied> applied = new ArrayList<>();
    if (scope == MigrationScope.ALL) {
      applied.add(run(dataSource, PAZPAZ_LOCATION, PAZPAZ_HISTORY_TABLE));
    }
    applied.add(run(dataSource, NOTIFIER_LOCATION, NOTIFIER_HISTORY_TABLE));
    return List.copyOf(applied);
  }

  private static Applied run(DataSource dataSource, String location, String historyTable) {
    Flyway flyway =
        Flyway.configure()
            .dataSource(dataSource)
            .locations(location)
            .table(historyTable)
            // An existing PazPaz database is not empty; the notifier's history starts at zero.
            .baselineOnMigrate(true)
            .baselineVersion("0")
            .load();
    MigrateResult result = flyway.migrate();
    // On a no-op Flyway leaves targetSchemaVersion empty; the history knows the current one.
    var current = flyway.info().current();
    String version = current == null ? null : current.getVersion().getVersion();
    return new Applied(location, result.migrationsExecuted, version);
  }
}
