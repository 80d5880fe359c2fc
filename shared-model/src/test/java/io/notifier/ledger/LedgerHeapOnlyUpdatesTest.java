package io.notifier.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.notifier.testing.RealServicesTest;
import io.notifier.testing.SettableClock;
import io.notifier.testing.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A claim changes no column an index reads (V3: the unfinished index's predicate is a stored column
 * that stays true from pending to sending), so PostgreSQL writes it as a heap-only (HOT) update,
 * with no new entry in any of the ledger's six indexes. The step to sent leaves the unfinished
 * index and cannot be heap-only.
 *
 * <p>A class of its own because PostgreSQL's table statistics are per database and published late
 * (a backend publishes its counts when it goes idle, at most once a second, so up to ten seconds
 * after its statement): in this class's own database no other test's updates arrive mid-count.
 */
@RealServicesTest
class LedgerHeapOnlyUpdatesTest {

  private static final Instant T0 = DeliveryLedgerTest.T0;
  private static final Duration LEASE = Duration.ofMinutes(5);

  private final TestDatabase database;
  private final DeliveryLedger ledger;

  LedgerHeapOnlyUpdatesTest(TestDatabase database) {
    this.database = database;
    this.ledger = new DeliveryLedger(database.dsl(), new SettableClock(T0));
  }

  @Test
  void claimsAreHeapOnlyUpdatesAndSendsAreNot() {
    List<NewDelivery> rows = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      rows.add(DeliveryLedgerTest.digest(UUID.randomUUID(), LocalDate.of(2027, 3, 14)));
    }
    List<UUID> ids = ledger.insertNew(database.dsl(), rows).stream().map(Delivery::id).toList();

    // In small batches, as the consumer's group commit claims them.
    for (int i = 0; i < ids.size(); i += 5) {
      assertThat(ledger.claimAll(ids.subList(i, i + 5), "owner", LEASE)).hasSize(5);
    }
    awaitUpdates(30, 30);

    Map<UUID, String> messageIds =
        ids.stream().collect(Collectors.toMap(Function.identity(), id -> "<" + id + "@test>"));
    assertThat(ledger.markSentAll(messageIds, "owner")).hasSize(30);
    awaitUpdates(60, 30);
    assertThat(ledger.unfinished(T0.plusSeconds(60), null, null, 100)).isEmpty();
  }

  private void awaitUpdates(long updates, long heapOnly) {
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              var row =
                  database
                      .dsl()
                      .fetchOne(
                          "select n_tup_upd, n_tup_hot_upd from pg_stat_user_tables"
                              + " where relname = 'notifier_deliveries'");
              assertThat(row.get(0, Long.class)).as("updates").isEqualTo(updates);
              assertThat(row.get(1, Long.class)).as("heap-only updates").isEqualTo(heapOnly);
            });
  }
}
