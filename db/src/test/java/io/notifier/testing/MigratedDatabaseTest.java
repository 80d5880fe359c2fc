package io.notifier.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.notifier.db.Database;
import io.notifier.db.MigrationScope;
import io.notifier.db.Migrations;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;

@RealServicesTest
class MigratedDatabaseTest {

  @Test
  void theClassDatabaseHasThePazPazAndNotifierTables(TestDatabase db) throws SQLException {
    List<String> tables = tables(db.dataSource());

    assertThat(tables)
        .contains(
            "workspaces",
            "users",
            "appointments",
            "notifier_deliveries",
            "notifier_scheduler_state",
            Migrations.PAZPAZ_HISTORY_TABLE,
            Migrations.NOTIFIER_HISTORY_TABLE);
  }

  @Test
  void bothMigrationHistoriesRecordSuccessfulMigrations(TestDatabase db) {
    DSLContext dsl = db.dsl();
    for (String history :
        List.of(Migrations.PAZPAZ_HISTORY_TABLE, Migrations.NOTIFIER_HISTORY_TABLE)) {
      int applied =
          dsl.fetchCount(
              DSL.table(DSL.name(history)),
              DSL.field(DSL.name("success")).eq(true),
              DSL.field(DSL.name("version")).isNotNull());
      assertThat(applied).as(history).isGreaterThanOrEqualTo(1);
    }
  }

  @Test
  void coordinatesDescribeTheSameDatabase(TestDatabase db) throws SQLException {
    assertThat(db.jdbcUrl()).startsWith("jdbc:postgresql://").contains(db.databaseName());
    assertThat(db.jdbcUrl()).doesNotContain("password=");
    assertThat(db.databaseName()).startsWith("ntest_");

    Properties credentials = new Properties();
    credentials.setProperty("user", db.user());
    if (!db.password().isEmpty()) {
      credentials.setProperty("password", db.password());
    }
    try (Connection connection = DriverManager.getConnection(db.jdbcUrl(), credentials);
        ResultSet rs = connection.createStatement().executeQuery("SELECT current_database()")) {
      rs.next();
      assertThat(rs.getString(1)).isEqualTo(db.databaseName());
    }
    try (Database database = Database.connect(db.config(), "harness-test")) {
      assertThat(database.dsl().fetchValue("SELECT current_database()"))
          .isEqualTo(db.databaseName());
    }
  }

  @Test
  void truncateAllEmptiesEveryTableButKeepsTheMigrationHistory(TestDatabase db) {
    DSLContext dsl = db.dsl();
    dsl.execute("INSERT INTO workspaces (name) VALUES ('Clinic A'), ('Clinic B')");
    assertThat(dsl.fetchCount(DSL.table(DSL.name("workspaces")))).isEqualTo(2);

    db.truncateAll();

    assertThat(dsl.fetchCount(DSL.table(DSL.name("workspaces")))).isZero();
    assertThat(dsl.fetchCount(DSL.table(DSL.name(Migrations.NOTIFIER_HISTORY_TABLE)))).isPositive();
    assertThat(dsl.fetchCount(DSL.table(DSL.name(Migrations.PAZPAZ_HISTORY_TABLE)))).isPositive();
  }

  @Test
  void newDatabaseIsAnotherMigratedDatabaseWithItsOwnRows(TestDatabase db) throws SQLException {
    TestDatabase other = db.newDatabase();

    assertThat(other.databaseName()).isNotEqualTo(db.databaseName());
    assertThat(tables(other.dataSource())).contains("workspaces", "notifier_deliveries");

    other.dsl().execute("INSERT INTO workspaces (name) VALUES ('only in the other one')");
    assertThat(
            db.dsl()
                .fetchCount(
                    DSL.table(DSL.name("workspaces")),
                    DSL.field(DSL.name("name")).eq("only in the other one")))
        .isZero();
  }

  @Test
  void unmigratedDatabaseIsEmptyAndMigratable(TestDatabase db) throws SQLException {
    TestDatabase empty = db.unmigratedDatabase();

    assertThat(empty.databaseName()).isNotEqualTo(db.databaseName());
    assertThat(tables(empty.dataSource())).isEmpty();
    assertThatThrownBy(() -> empty.dsl().fetchCount(DSL.table(DSL.name("workspaces"))))
        .hasMessageContaining("workspaces");

    Migrations.migrate(empty.dataSource(), MigrationScope.NOTIFIER_ONLY);

    assertThat(tables(empty.dataSource()))
        .contains("notifier_deliveries", Migrations.NOTIFIER_HISTORY_TABLE)
        .doesNotContain("workspaces");
  }

  static List<String> tables(DataSource dataSource) throws SQLException {
    List<String> tables = new ArrayList<>();
    try (Connection connection = dataSource.getConnection();
        ResultSet rs =
            connection
                .createStatement()
                .executeQuery(
                    "SELECT table_name FROM information_schema.tables"
                        + " WHERE table_schema = 'public' ORDER BY table_name")) {
      while (rs.next()) {
        tables.add(rs.getString(1));
      }
    }
    return tables;
  }
}
