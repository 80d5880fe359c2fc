package io.notifier.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.notifier.testing.RealServicesTest;
import io.notifier.testing.TestDatabase;
import java.sql.Connection;
import org.junit.jupiter.api.Test;

@RealServicesTest
class DatabaseTest {

  @Test
  void connectionsNeverWaitForeverOnASilentServer(TestDatabase db) throws Exception {
    try (Database database = Database.connect(db.config(), "socket-timeout-test");
        Connection connection = database.dataSource().getConnection()) {
      assertThat(connection.getNetworkTimeout())
          .isEqualTo((int) Database.DEFAULT_SOCKET_TIMEOUT.toMillis());
    }
  }

  @Test
  void theUrlsOwnSocketTimeoutWins(TestDatabase db) throws Exception {
    String url = db.jdbcUrl() + (db.jdbcUrl().contains("?") ? "&" : "?") + "socketTimeout=7";
    DatabaseConfig config = new DatabaseConfig(url, db.user(), db.password());
    try (Database database = Database.connect(config, "socket-timeout-test");
        Connection connection = database.dataSource().getConnection()) {
      assertThat(connection.getNetworkTimeout()).isEqualTo(7_000);
    }
  }
}
