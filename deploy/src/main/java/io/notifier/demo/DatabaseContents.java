package io.notifier.demo;

import io.notifier.db.MigrationScope;
import io.notifier.db.Migrations;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * What a configured database already holds, read before the demo migrates or seeds it: whether
 * PazPaz's tables are there, whose migrations made them, and whether they hold any practice.
 *
 * @param pazpazTables PazPaz's {@code workspaces} table exists
 * @param pazpazTablesOurs they were created by the notifier's own copy of PazPaz's schema (the
 *     demo, the tests, the Compose stack), not by PazPaz
 * @param workspaces rows in {@code workspaces} (0 when the table does not exist)
 */
record DatabaseContents(boolean pazpazTables, boolean pazpazTablesOurs, long workspaces) {

  static DatabaseContents read(DSLContext dsl) {
    boolean pazpaz = tableExists(dsl, "workspaces");
    boolean ours = tableExists(dsl, Migrations.PAZPAZ_HISTORY_TABLE);
    long count = pazpaz ? dsl.fetchCount(DSL.table(DSL.name("workspaces"))) : 0;
    return new DatabaseContents(pazpaz, ours, count);
  }

  /**
   * The migrations the demo may apply: PazPaz's tables and the notifier's on a database without
   * PazPaz's tables (or with the notifier's copy of them); only the notifier's own beside a real
   * PazPaz schema, which PazPaz owns.
   */
  MigrationScope migrationScope() {
    return !pazpazTables || pazpazTablesOurs ? MigrationScope.ALL : MigrationScope.NOTIFIER_ONLY;
  }

  boolean empty() {
    return workspaces == 0;
  }

  private static boolean tableExists(DSLContext dsl, String table) {
    return dsl.fetchExists(
        DSL.selectOne()
            .from(DSL.table(DSL.name("information_schema", "tables")))
            .where(DSL.field(DSL.name("table_schema")).eq(DSL.field("current_schema()")))
            .and(DSL.field(DSL.name("table_name")).eq(table)));
  }
}
