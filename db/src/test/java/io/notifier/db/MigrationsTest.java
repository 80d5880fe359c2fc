package io.notifier.db;

import static io.notifier.db.jooq.Tables.USER_NOTIFICATION_SETTINGS;
import static org.assertj.core.api.Assertions.assertThat;

import io.notifier.db.fixtures.Fixtures;
import io.notifier.db.jooq.tables.records.UserNotificationSettingsRecord;
import io.notifier.db.jooq.tables.records.UsersRecord;
import io.notifier.db.jooq.tables.records.WorkspacesRecord;
import io.notifier.testing.RealServicesTest;
import io.notifier.testing.TestDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * The Flyway bootstrap against real, initially empty PostgreSQL databases: what {@link
 * MigrationScope#ALL} and {@link MigrationScope#NOTIFIER_ONLY} create, that re-running is a no-op,
 * that the notifier-only scope leaves a PazPaz database it does not own alone, and that the domain
 * column defaults are PazPaz's.
 */
@RealServicesTest
class MigrationsTest {

  private static final Set<String> PAZPAZ_TABLES =
      Set.of(
          "workspaces",
          "users",
          "user_notification_settings",
          "clients",
          "services",
          "locations",
          "appointments",
          "sessions",
          "appointment_reminders_sent");

  private static final Set<String> NOTIFIER_TABLES =
      Set.of("notifier_deliveries", "notifier_scheduler_state", "notifier_user_schedule");

  @Test
  void allScopeOnAnEmptyDatabaseCreatesEveryPazPazAndNotifierTable(TestDatabase db) {
    TestDatabase empty = db.unmigratedDatabase();
    assertThat(tables(empty.dataSource())).isEmpty();

    List<Migrations.Applied> applied = Migrations.migrate(empty.dataSource(), MigrationScope.ALL);

    assertThat(applied)
        .extracting(Migrations.Applied::location)
        .containsExactly(Migrations.PAZPAZ_LOCATION, Migrations.NOTIFIER_LOCATION);
    assertThat(applied)
        .allSatisfy(
            a -> {
              assertThat(a.migrationsExecuted()).isPositive();
              assertThat(a.targetVersion()).isNotBlank();
            });
    Set<String> tables = tables(empty.dataSource());
    assertThat(tables)
        .containsAll(PAZPAZ_TABLES)
        .containsAll(NOTIFIER_TABLES)
        .contains(Migrations.PAZPAZ_HISTORY_TABLE, Migrations.NOTIFIER_HISTORY_TABLE);
  }

  @Test
  void runningAllScopeAgainExecutesNoMigration(TestDatabase db) {
    TestDatabase empty = db.unmigratedDatabase();
    Migrations.migrate(empty.dataSource(), MigrationScope.ALL);
    Set<String> tablesAfterFirstRun = tables(empty.dataSource());
    int pazpazHistoryRows = count(empty.dataSource(), Migrations.PAZPAZ_HISTORY_TABLE);
    int notifierHistoryRows = count(empty.dataSource(), Migrations.NOTIFIER_HISTORY_TABLE);

    List<Migrations.Applied> again = Migrations.migrate(empty.dataSource(), MigrationScope.ALL);

    assertThat(again).hasSize(2);
    assertThat(again).allSatisfy(a -> assertThat(a.migrationsExecuted()).isZero());
    // A no-op still reports the version the schema is at.
    assertThat(again).allSatisfy(a -> assertThat(a.targetVersion()).isNotBlank());
    assertThat(tables(empty.dataSource())).isEqualTo(tablesAfterFirstRun);
    assertThat(count(empty.dataSource(), Migrations.PAZPAZ_HISTORY_TABLE))
        .isEqualTo(pazpazHistoryRows);
    assertThat(count(empty.dataSource(), Migrations.NOTIFIER_HISTORY_TABLE))
        .isEqualTo(notifierHistoryRows);
  }

  @Test
  void notifierOnlyScopeOnAnEmptyDatabaseCreatesOnlyTheNotifierTables(TestDatabase db) {
    TestDatabase empty = db.unmigratedDatabase();

    List<Migrations.Applied> applied =
        Migrations.migrate(empty.dataSource(), MigrationScope.NOTIFIER_ONLY);

    assertThat(applied).hasSize(1);
    assertThat(applied.get(0).location()).isEqualTo(Migrations.NOTIFIER_LOCATION);
    assertThat(applied.get(0).migrationsExecuted()).isPositive();
    Set<String> expected = new TreeSet<>(NOTIFIER_TABLES);
    expected.add(Migrations.NOTIFIER_HISTORY_TABLE);
    assertThat(tables(empty.dataSource())).containsExactlyInAnyOrderElementsOf(expected);
  }

  /**
   * A real PazPaz database is managed by Alembic: its tables exist, created by plain SQL, and there
   * is no Flyway history at all. The notifier-only scope must add its own tables and touch nothing
   * of PazPaz's.
   */
  @Test
  void notifierOnlyScopeBesideAnAlembicManagedPazPazDatabaseLeavesItsTablesUntouched(
      TestDatabase db) throws Exception {
    TestDatabase pazpaz = db.unmigratedDatabase();
    DataSource dataSource = pazpaz.dataSource();
    execute(dataSource, resource("db/migration/pazpaz/V1__pazpaz_domain.sql"));
    execute(
        dataSource,
        """
        CREATE TABLE alembic_version (
            version_num varchar(32) NOT NULL CONSTRAINT alembic_version_pkc PRIMARY KEY);
        INSERT INTO alembic_version VALUES ('8f3c2a1b9d0e');
        INSERT INTO workspaces (id, name, timezone)
            VALUES ('00000000-0000-0000-0000-000000000001', 'Existing practice', 'Asia/Jerusalem');
        INSERT INTO users (id, workspace_id, email, full_name)
            VALUES ('00000000-0000-0000-0000-000000000002', '00000000-0000-0000-0000-000000000001',
                    'therapist@example.test', 'Existing Therapist');
        INSERT INTO user_notification_settings (user_id, workspace_id, digest_enabled, digest_time)
            VALUES ('00000000-0000-0000-0000-000000000002', '00000000-0000-0000-0000-000000000001',
                    true, '07:30');
        """);
    String schemaBefore = schemaSnapshot(dataSource);
    String rowsBefore = rowSnapshot(dataSource);

    List<Migrations.Applied> applied = Migrations.migrate(dataSource, MigrationScope.NOTIFIER_ONLY);

    assertThat(applied).hasSize(1);
    assertThat(applied.get(0).location()).isEqualTo(Migrations.NOTIFIER_LOCATION);
    assertThat(applied.get(0).migrationsExecuted()).isPositive();
    assertThat(tables(dataSource))
        .containsAll(PAZPAZ_TABLES)
        .containsAll(NOTIFIER_TABLES)
        .contains("alembic_version", Migrations.NOTIFIER_HISTORY_TABLE)
        .doesNotContain(Migrations.PAZPAZ_HISTORY_TABLE, "flyway_schema_history");
    assertThat(schemaSnapshot(dataSource))
        .as("PazPaz's columns, constraints and indexes after the notifier-only migration")
        .isEqualTo(schemaBefore);
    assertThat(rowSnapshot(dataSource))
        .as("PazPaz's rows after the notifier-only migration")
        .isEqualTo(rowsBefore)
        .contains("8f3c2a1b9d0e", "Existing practice", "07:30");

    assertThat(Migrations.migrate(dataSource, MigrationScope.NOTIFIER_ONLY))
        .singleElement()
        .satisfies(again -> assertThat(again.migrationsExecuted()).isZero());
  }

  @Test
  void settingsRowWithOnlyUserAndWorkspaceGetsPazPazDefaults(TestDatabase db) {
    Fixtures fixtures = new Fixtures(db.dsl());
    WorkspacesRecord workspace = fixtures.workspace().create();
    UsersRecord user = fixtures.user(workspace).withoutSettings().create();

    db.dsl()
        .insertInto(USER_NOTIFICATION_SETTINGS)
        .set(USER_NOTIFICATION_SETTINGS.USER_ID, user.getId())
        .set(USER_NOTIFICATION_SETTINGS.WORKSPACE_ID, workspace.getId())
        .execute();
    UserNotificationSettingsRecord settings =
        db.dsl()
            .selectFrom(USER_NOTIFICATION_SETTINGS)
            .where(USER_NOTIFICATION_SETTINGS.USER_ID.eq(user.getId()))
            .fetchSingle();

    assertThat(settings.getId()).isNotNull();
    assertThat(settings.getDigestTime()).isEqualTo("08:00");
    assertThat(settings.getDigestDays()).containsExactly(1, 2, 3, 4, 5);
    assertThat(settings.getTomorrowDigestTime()).isEqualTo("20:00");
    assertThat(settings.getTomorrowDigestDays()).containsExactly(0, 1, 2, 3, 4);
    assertThat(settings.getReminderMinutes()).isEqualTo(60);
    assertThat(settings.getNotesReminderTime()).isEqualTo("18:00");
    assertThat(settings.getEmailEnabled()).isTrue();
    assertThat(settings.getDigestEnabled()).isFalse();
    assertThat(settings.getTomorrowDigestEnabled()).isFalse();
    assertThat(settings.getReminderEnabled()).isTrue();
    assertThat(settings.getNotesReminderEnabled()).isTrue();
    assertThat(settings.getExtendedSettings()).isNotNull();
    assertThat(settings.getExtendedSettings().data().replace(" ", "")).isEqualTo("{}");
    assertThat(settings.getCreatedAt()).isNotNull();
    assertThat(settings.getUpdatedAt()).isNotNull();
  }

  // --- helpers ---------------------------------------------------------------------------------

  /** The ordinary tables of the public schema. */
  private static Set<String> tables(DataSource dataSource) {
    return new TreeSet<>(
        query(
            dataSource,
            "SELECT table_name FROM information_schema.tables"
                + " WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"));
  }

  private static int count(DataSource dataSource, String table) {
    return Integer.parseInt(query(dataSource, "SELECT count(*) FROM " + table).get(0));
  }

  /** Every column, constraint and index of PazPaz's tables (and alembic_version), in order. */
  private static String schemaSnapshot(DataSource dataSource) {
    String pazpaz =
        "'alembic_version', '" + String.join("', '", new TreeSet<>(PAZPAZ_TABLES)) + "'";
    List<String> lines = new ArrayList<>();
    lines.addAll(
        query(
            dataSource,
            "SELECT concat_ws(' | ', table_name, ordinal_position, column_name, data_type,"
                + " character_maximum_length, is_nullable, column_default)"
                + " FROM information_schema.columns"
                + " WHERE table_schema = 'public' AND table_name IN ("
                + pazpaz
                + ") ORDER BY table_name, ordinal_position"));
    lines.addAll(
        query(
            dataSource,
            "SELECT concat_ws(' | ', c.conrelid::regclass::text, c.conname,"
                + " pg_get_constraintdef(c.oid))"
                + " FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid"
                + " WHERE t.relnamespace = 'public'::regnamespace AND t.relname IN ("
                + pazpaz
                + ") ORDER BY 1"));
    lines.addAll(
        query(
            dataSource,
            "SELECT concat_ws(' | ', tablename, indexname, indexdef) FROM pg_indexes"
                + " WHERE schemaname = 'public' AND tablename IN ("
                + pazpaz
                + ") ORDER BY 1"));
    return String.join("\n", lines);
  }

  private static String rowSnapshot(DataSource dataSource) {
    List<String> lines = new ArrayList<>();
    for (String table :
        List.of("alembic_version", "workspaces", "users", "user_notification_settings")) {
      lines.addAll(query(dataSource, "SELECT t::text FROM " + table + " t ORDER BY 1"));
    }
    return String.join("\n", lines);
  }

  private static List<String> query(DataSource dataSource, String sql) {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      List<String> values = new ArrayList<>();
      while (rs.next()) {
        values.add(rs.getString(1));
      }
      return values;
    } catch (SQLException e) {
      throw new IllegalStateException(sql + " failed: " + e.getMessage(), e);
    }
  }

  private static void execute(DataSource dataSource, String sql) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = MigrationsTest.class.getClassLoader().getResourceAsStream(name)) {
      assertThat(in).as("classpath resource " + name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
