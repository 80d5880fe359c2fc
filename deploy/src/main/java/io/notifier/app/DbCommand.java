package io.notifier.app;

import io.notifier.db.Database;
import io.notifier.db.MigrationScope;
import io.notifier.db.Migrations;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "db",
    description = "Database schema.",
    mixinStandardHelpOptions = true,
    subcommands = DbCommand.Migrate.class)
final class DbCommand extends BaseCommand {

  @Override
  public Integer call() {
    spec.commandLine().usage(out());
    return ErrorHandler.USAGE;
  }

  @Command(
      name = "migrate",
      mixinStandardHelpOptions = true,
      description = {
        "Applies the schema migrations; running it again is a no-op.",
        "By default PazPaz's tables and the notifier's (a fresh database, the demo).",
        "Beside a real PazPaz database use --notifier-only: PazPaz owns its own schema."
      })
  static final class Migrate extends BaseCommand {

    @Mixin DatabaseOptions database;

    @Option(
        names = "--notifier-only",
        description = "Apply only the notifier's own tables (env NOTIFIER_MIGRATE_NOTIFIER_ONLY).")
    @Env("NOTIFIER_MIGRATE_NOTIFIER_ONLY")
    boolean notifierOnly;

    @Override
    public Integer call() {
      MigrationScope scope = notifierOnly ? MigrationScope.NOTIFIER_ONLY : MigrationScope.ALL;
      try (Database db = Database.connect(database.config(), "migrate")) {
        List<Migrations.Applied> applied = Migrations.migrate(db.dataSource(), scope);
        for (Migrations.Applied a : applied) {
          out()
              .printf(
                  "%-34s %d migration(s) applied, schema now at version %s%n",
                  a.location().replace("classpath:db/migration/", ""),
                  a.migrationsExecuted(),
                  a.targetVersion() == null ? "(unchanged)" : a.targetVersion());
        }
      }
      return 0;
    }
  }
}
