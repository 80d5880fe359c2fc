package io.notifier.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.notifier.model.DedupKeys;
import io.notifier.model.NotificationKind;
import io.notifier.model.NotificationStatus;
import io.notifier.model.SkipReason;
import io.notifier.testing.RealServicesTest;
import io.notifier.testing.SettableClock;
import io.notifier.testing.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@RealServicesTest
class DeliveryLedgerTest {

  static final Instant T0 = Instant.parse("2027-03-14T07:30:00Z");
  private static final Duration LEASE = Duration.ofMinutes(5);

  private final SettableClock clock = new SettableClock(T0);
  private final TestDatabase database;
  private DeliveryLedger ledger;

  DeliveryLedgerTest(TestDatabase database) {
    this.database = database;
  }

  @BeforeEach
  void emptyLedger() {
    database.truncateAll();
    ledger = new DeliveryLedger(database.dsl(), clock);
  }

  /** A pending daily digest due at {@link #T0} (also LedgerHeapOnlyUpdatesTest's rows). */
  static NewDelivery digest(UUID user, LocalDate date) {
    return NewDelivery.pending(
        DedupKeys.daily(NotificationKind.DAILY_DIGEST, user, date),
        NotificationKind.DAILY_DIGEST,
        user,
        UUID.randomUUID(),
        null,
        date,
        null,
        null,
        T0);
  }

  private Delivery insertOne() {
    return ledger
        .insertNew(database.dsl(), List.of(digest(UUID.randomUUID(), LocalDate.of(2027, 3, 14))))
        .get(0);
  }

  @Test
  void aDedupKeyIsInsertedOnceWhateverHowOftenItIsOffered() {
    UUID user = UUID.randomUUID();
    LocalDate day = LocalDate.of(2027, 3, 14);

    List<Delivery> first = ledger.insertNew(database.dsl(), List.of(digest(user, day)));
    List<Delivery> again =
        ledger.insertNew(database.dsl(), List.of(digest(user, day), digest(user, day)));

    assertThat(first)
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.status()).isEqualTo(NotificationStatus.PENDING);
              assertThat(d.nextAttemptAt()).isEqualTo(T0);
              assertThat(d.attempts()).isZero();
            });
    assertThat(again).isEmpty();
    assertThat(ledger.countByStatus()).containsEntry(NotificationStatus.PENDING, 1L);
  }

  @Test
  void aRowAlreadyTooLateIsRecordedAsSkippedWithItsReason() {
    NewDelivery stale =
        digest(UUID.randomUUID(), LocalDate.of(2027, 3, 13)).skipped(SkipReason.STALE);

    Delivery stored = ledger.insertNew(database.dsl(), List.of(stale)).get(0);

    assertThat(stored.status()).isEqualTo(NotificationStatus.SKIPPED);
    assertThat(stored.skipReason()).isEqualTo("stale");
  }

  @Test
  void insertsLargeBatchesAcrossStatementBoundaries() {
    List<NewDelivery> rows = new ArrayList<>();
    for (int i = 0; i < 2_500; i++) {
      rows.add(digest(UUID.randomUUID(), LocalDate.of(2027, 3, 14)));
    }
    assertThat(ledger.insertNew(database.dsl(), rows)).hasSize(2_500);
  }

  @Test
  void claimingManyAtOnceDecidesEachRowAsItsOwnClaimWould() {
    Delivery free = insertOne();
    Delivery heldByOther = insertOne();
    Delivery abandoned = insertOne();
    Delivery finished = insertOne();
    ledger.claim(heldByOther.id(), "other", LEASE);
    ledger.claim(abandoned.id(), "dead", Duration.ofSeconds(10));
    ledger.claim(finished.id(), "other", LEASE);
    ledger.markSent(finished.id(), "other", "<m@x>");
    clock.advance(Duration.ofSeconds(11));

    var claimed =
        ledger.claimAll(
            List.of(free.id(), heldByOther.id(), abandoned.id(), finished.id(), UUID.randomUUID()),
            "me",
            LEASE);

    assertThat(claimed).containsOnlyKeys(free.id(), abandoned.id());
    assertThat(claimed.get(free.id()).possibleDuplicate()).isFalse();
    assertThat(claimed.get(free.id()).delivery().attempts()).isEqualTo(1);
    assertThat(claimed.get(abandoned.id()).possibleDuplicate()).isTrue();
    assertThat(claimed.get(abandoned.id()).delivery().leaseOwner()).isEqualTo("me");
    assertThat(ledger.find(heldByOther.id()).orElseThrow().leaseOwner()).isEqualTo("other");
    assertThat(ledger.claimAll(List.of(), "me", LEASE)).isEmpty();
  }

  /**
   * A burst queues 100,000 rows in a minute, long before autovacuum's next analyze: the statistics
   * still describe the few unfinished rows of a quiet hour. With them the planner once chose to
   * intersect the primary key with the whole partial index of unfinished rows for every batch.
   */
  @Test
  void batchedClaimsAndSendsLookRowsUpByIdWhenStatisticsCallTheUnfinishedSetSmall()
      throws Exception {
    List<NewDelivery> finished = new ArrayList<>();
    for (int i = 0; i < 3_000; i++) {
      finished.add(digest(UUID.randomUUID(), LocalDate.of(2027, 3, 13)));
    }
    List<UUID> finishedIds =
        ledger.insertNew(database.dsl(), finished).stream().map(Delivery::id).toList();
    ledger.claimAll(finishedIds, "me", LEASE);
    java.util.Map<UUID, String> messageIds = new java.util.HashMap<>();
    finishedIds.forEach(id -> messageIds.put(id, "<" + id + "@x>"));
    assertThat(ledger.markSentAll(messageIds, "me")).hasSize(3_000);
    database.dsl().execute("ALTER TABLE notifier_deliveries SET (autovacuum_enabled = false)");
    try {
      database.dsl().execute("ANALYZE notifier_deliveries");
      List<NewDelivery> burst = new ArrayList<>();
      for (int i = 0; i < 30_000; i++) {
        burst.add(digest(UUID.randomUUID(), LocalDate.of(2027, 3, 14)));
      }
      List<UUID> ids =
          ledger.insertNew(database.dsl(), burst).stream().map(Delivery::id).limit(256).toList();
      java.time.OffsetDateTime now = T0.atOffset(java.time.ZoneOffset.UTC);

      String claimPlan =
          explain(
              DeliveryLedger.CLAIM_ALL_SQL,
              (c, st) -> {
                st.setString(1, "me");
                st.setObject(2, now.plus(LEASE));
                st.setObject(3, now);
                st.setArray(4, c.createArrayOf("uuid", ids.toArray()));
                st.setObject(5, now);
              });
      String sentPlan =
          explain(
              DeliveryLedger.MARK_SENT_ALL_SQL,
              (c, st) -> {
                st.setObject(1, now);
                st.setObject(2, now);
                st.setArray(3, c.createArrayOf("uuid", ids.toArray()));
                st.setArray(
                    4, c.createArrayOf("varchar", ids.stream().map(UUID::toString).toArray()));
                st.setArray(5, c.createArrayOf("uuid", ids.toArray()));
                st.setString(6, "me");
              });

      String oneRowPlan =
          database
              .dsl()
              .explain(
                  ledger.transitionQuery(
                      ids.get(0),
                      NotificationStatus.SENT,
                      java.util.Map.of(),
                      org.jooq.impl.DSL.noCondition()))
              .plan();

      assertThat(oneRowPlan)
          .contains("notifier_deliveries_pkey")
          .doesNotContain("ix_deliveries_unfinished");
      assertThat(claimPlan)
          .contains("notifier_deliveries_pkey")
          .doesNotContain("ix_deliveries_unfinished");
      assertThat(sentPlan)
          .contains("notifier_deliveries_pkey")
          .doesNotContain("ix_deliveries_unfinished");
    } finally {
      database.dsl().execute("ALTER TABLE notifier_deliveries RESET (autovacuum_enabled)");
    }
  }

  private interface Binder {
    void bind(java.sql.Connection c, java.sql.PreparedStatement st) throws java.sql.SQLException;
  }

  /** The plan PostgreSQL chooses for {@code sql} with these values bound. */
  private String explain(String sql, Binder binder) {
    StringBuilder plan = new StringBuilder();
    database
        .dsl()
        .connection(
            c -> {
              try (java.sql.PreparedStatement st = c.prepareStatement("EXPLAIN " + sql)) {
                binder.bind(c, st);
                try (java.sql.ResultSet rs = st.executeQuery()) {
                  while (rs.next()) {
                    plan.append(rs.getString(1)).append('\n');
                  }
                }
              }
            });
    return plan.toString();
  }

  @Test
  void recordingManySendsAtOnceTouchesOnlyRowsThisOwnerHolds() {
    Delivery mine = insertOne();
    Delivery alsoMine = insertOne();
    Delivery takenOver = insertOne();
    ledger.claimAll(List.of(mine.id(), alsoMine.id(), takenOver.id()), "me", LEASE);
    clock.advance(LEASE.plusSeconds(1));
    ledger.claim(takenOver.id(), "other", LEASE);

    var sent =
        ledger.markSentAll(
            java.util.Map.of(mine.id(), "<a@x>", alsoMine.id(), "<b@x>", takenOver.id(), "<c@x>"),
            "me");

    assertThat(sent).containsExactlyInAnyOrder(mine.id(), alsoMine.id());
    Delivery a = ledger.find(mine.id()).orElseThrow();
    assertThat(a.status()).isEqualTo(NotificationStatus.SENT);
    assertThat(a.messageId()).isEqualTo("<a@x>");
    assertThat(a.sentAt()).isEqualTo(clock.instant());
    assertThat(a.leaseExpiresAt()).isNull();
    assertThat(ledger.find(alsoMine.id()).orElseThrow().messageId()).isEqualTo("<b@x>");
    Delivery c = ledger.find(takenOver.id()).orElseThrow();
    assertThat(c.status()).isEqualTo(NotificationStatus.SENDING);
    assertThat(c.leaseOwner()).isEqualTo("other");
    assertThat(ledger.markSentAll(java.util.Map.of(), "me")).isEmpty();
  }

  @Test
  void markingManyEnqueuedStampsEachOfThem() {
    Delivery a = insertOne();
    Delivery b = insertOne();
    Delivery untouched = insertOne();

    ledger.markEnqueued(List.of(a.id(), b.id()));

    assertThat(ledger.find(a.id()).orElseThrow().enqueuedAt()).isEqualTo(T0);
    assertThat(ledger.find(b.id()).orElseThrow().enqueuedAt()).isEqualTo(T0);
    assertThat(ledger.find(untouched.id()).orElseThrow().enqueuedAt()).isNull();
  }

  @Test
  void onlyOneOfManyConcurrentClaimsWins() throws Exception {
    Delivery row = insertOne();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Optional<DeliveryLedger.Claim>>> claims = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        String owner = "consumer-" + i;
        Callable<Optional<DeliveryLedger.Claim>> claim = () -> ledger.claim(row.id(), owner, LEASE);
        claims.add(pool.submit(claim));
      }
      long winners = 0;
      for (Future<Optional<DeliveryLedger.Claim>> claim : claims) {
        winners += claim.get().isPresent() ? 1 : 0;
      }
      assertThat(winners).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
    Delivery claimed = ledger.find(row.id()).orElseThrow();
    assertThat(claimed.status()).isEqualTo(NotificationStatus.SENDING);
    assertThat(claimed.attempts()).isEqualTo(1);
    assertThat(claimed.leaseExpiresAt()).isEqualTo(T0.plus(LEASE));
    assertThat(claimed.possibleDuplicate()).isFalse();
  }

  @Test
  void aRowWhoseLeaseRanOutIsTakenOverAndMarkedPossibleDuplicate() {
    Delivery row = insertOne();
    assertThat(ledger.claim(row.id(), "died", LEASE)).isPresent();
    assertThat(ledger.claim(row.id(), "rescuer", LEASE)).isEmpty();

    clock.advance(LEASE.plusSeconds(1));
    DeliveryLedger.Claim takeover = ledger.claim(row.id(), "rescuer", LEASE).orElseThrow();

    assertThat(takeover.possibleDuplicate()).isTrue();
    assertThat(takeover.delivery().attempts()).isEqualTo(2);
    assertThat(takeover.delivery().leaseOwner()).isEqualTo("rescuer");
    // The consumer that died comes back late: it no longer holds the row.
    assertThat(ledger.markSent(row.id(), "died", "<m@x>")).isEmpty();
    assertThat(ledger.markSent(row.id(), "rescuer", "<m@x>")).isPresent();
  }

  @Test
  void onlyTheHolderRecordsAnOutcome() {
    Delivery row = insertOne();
    ledger.claim(row.id(), "owner", LEASE);

    assertThat(ledger.markSent(row.id(), "intruder", "<m@x>")).isEmpty();
    Delivery sent = ledger.markSent(row.id(), "owner", "<m@x>").orElseThrow();

    assertThat(sent.status()).isEqualTo(NotificationStatus.SENT);
    assertThat(sent.sentAt()).isEqualTo(T0);
    assertThat(sent.messageId()).isEqualTo("<m@x>");
  }

  @Test
  void finishedRowsCannotBeClaimedOrMovedAgain() {
    Delivery row = insertOne();
    ledger.claim(row.id(), "owner", LEASE);
    ledger.markSent(row.id(), "owner", "<m@x>");

    assertThat(ledger.claim(row.id(), "other", LEASE)).isEmpty();
    assertThat(ledger.markRetry(row.id(), "owner", T0, "x")).isEmpty();
    assertThat(ledger.markDead(row.id(), null, "x")).isEmpty();
    assertThat(ledger.replay(row.id())).isEmpty();
    assertThat(ledger.find(row.id()).orElseThrow().status()).isEqualTo(NotificationStatus.SENT);
  }

  @Test
  void aRetryWaitsAndIsClaimedAgainAsTheNextAttempt() {
    Delivery row = insertOne();
    ledger.claim(row.id(), "owner", LEASE);

    Delivery waiting =
        ledger.markRetry(row.id(), "owner", T0.plusSeconds(30), "421 try later").orElseThrow();

    assertThat(waiting.status()).isEqualTo(NotificationStatus.RETRY_WAIT);
    assertThat(waiting.nextAttemptAt()).isEqualTo(T0.plusSeconds(30));
    assertThat(waiting.lastError()).isEqualTo("421 try later");
    assertThat(waiting.toJob().attempt()).isEqualTo(2);
    assertThat(waiting.toJob().readyAt()).isEqualTo(T0.plusSeconds(30));
    assertThat(ledger.claim(row.id(), "other", LEASE).orElseThrow().delivery().attempts())
        .isEqualTo(2);
  }

  @Test
  void replayRevivesOnlyDeadOrUncertainRowsWithAFreshBudget() {
    Delivery dead = insertOne();
    ledger.claim(dead.id(), "owner", LEASE);
    ledger.markDead(dead.id(), "owner", "550 no such user");
    Delivery uncertain = insertOne();
    ledger.claim(uncertain.id(), "owner", LEASE);
    ledger.markUncertain(uncertain.id(), "owner", "timeout after data");
    Delivery pending = insertOne();

    clock.advance(Duration.ofHours(1));
    Delivery revived = ledger.replay(dead.id()).orElseThrow();

    assertThat(revived.status()).isEqualTo(NotificationStatus.PENDING);
    assertThat(revived.attempts()).isZero();
    assertThat(revived.nextAttemptAt()).isEqualTo(T0.plus(Duration.ofHours(1)));
    assertThat(revived.lastError()).isEqualTo("550 no such user");
    assertThat(ledger.replay(uncertain.id())).isPresent();
    assertThat(ledger.replay(pending.id())).isEmpty();
  }

  @Test
  void skippedRowsKeepTheirReason() {
    Delivery row = insertOne();
    ledger.claim(row.id(), "owner", LEASE);
    Delivery skipped =
        ledger.markSkipped(row.id(), "owner", SkipReason.APPOINTMENT_CANCELLED).orElseThrow();
    assertThat(skipped.status()).isEqualTo(NotificationStatus.SKIPPED);
    assertThat(skipped.skipReason()).isEqualTo("appointment_cancelled");
  }

  @Test
  void unfinishedListsDueRowsAndAbandonedSendsButNotFutureOrFinishedOnes() {
    Delivery due = insertOne();
    Delivery abandoned = insertOne();
    ledger.claim(abandoned.id(), "died", LEASE);
    Delivery sent = insertOne();
    ledger.claim(sent.id(), "owner", LEASE);
    ledger.markSent(sent.id(), "owner", "<m>");
    Delivery future =
        ledger
            .insertNew(
                database.dsl(),
                List.of(
                    NewDelivery.pending(
                        "future",
                        NotificationKind.SESSION_NOTES_REMINDER,
                        UUID.randomUUID(),
                        UUID.randomUUID(),
                        null,
                        LocalDate.of(2027, 3, 15),
                        null,
                        null,
                        T0.plus(Duration.ofDays(1)))))
            .get(0);

    assertThat(ledger.unfinished(T0.plusSeconds(60), null, null, 100))
        .extracting(Delivery::id)
        .containsExactly(due.id());
    clock.advance(LEASE.plusSeconds(1));
    assertThat(ledger.unfinished(clock.instant(), null, null, 100))
        .extracting(Delivery::id)
        .containsExactlyInAnyOrder(due.id(), abandoned.id())
        .doesNotContain(future.id());
  }

  @Test
  void unfinishedPagesWithAKeyset() {
    List<NewDelivery> rows = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      rows.add(digest(UUID.randomUUID(), LocalDate.of(2027, 3, 14)));
    }
    ledger.insertNew(database.dsl(), rows);
    List<Delivery> page1 = ledger.unfinished(T0, null, null, 3);
    Delivery last = page1.get(2);
    List<Delivery> page2 = ledger.unfinished(T0, last.nextAttemptAt(), last.id(), 3);
    assertThat(page1).hasSize(3);
    assertThat(page2).hasSize(2).doesNotContainAnyElementsOf(page1);
  }

  @Test
  void cleanupDeletesOldFinishedRowsInBatchesAndNeverUnfinishedOnes() {
    List<Delivery> finished = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      Delivery row = insertOne();
      ledger.claim(row.id(), "owner", LEASE);
      ledger.markSent(row.id(), "owner", "<m>");
      finished.add(row);
    }
    Delivery unfinished = insertOne();
    Instant cutoff = T0.plus(Duration.ofDays(30));

    assertThat(ledger.deleteFinishedBefore(cutoff, 2)).isEqualTo(2);
    assertThat(ledger.deleteFinishedBefore(cutoff, 2)).isEqualTo(2);
    assertThat(ledger.deleteFinishedBefore(cutoff, 2)).isEqualTo(1);
    assertThat(ledger.deleteFinishedBefore(cutoff, 2)).isZero();
    assertThat(ledger.find(unfinished.id())).isPresent();
    assertThat(ledger.find(finished.get(0).id())).isEmpty();
  }

  @Test
  void historyFiltersByKindAndStatus() {
    UUID user = UUID.randomUUID();
    ledger.insertNew(
        database.dsl(),
        List.of(digest(user, LocalDate.of(2027, 3, 14)), digest(user, LocalDate.of(2027, 3, 15))));

    assertThat(ledger.history(user, NotificationKind.DAILY_DIGEST, null, 10))
        .extracting(Delivery::localDate)
        .containsExactlyInAnyOrder(LocalDate.of(2027, 3, 14), LocalDate.of(2027, 3, 15));
    assertThat(ledger.history(user, NotificationKind.APPOINTMENT_REMINDER, null, 10)).isEmpty();
    assertThat(ledger.history(user, null, NotificationStatus.SENT, 10)).isEmpty();
  }
}
