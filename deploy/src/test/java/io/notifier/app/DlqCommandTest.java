package io.notifier.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.notifier.ledger.Delivery;
import io.notifier.model.NotificationKind;
import io.notifier.model.NotificationStatus;
import io.notifier.testing.RealServicesTest;
import io.notifier.testing.SettableClock;
import io.notifier.testing.TestDatabase;
import io.notifier.testing.TestRedis;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@RealServicesTest
class DlqCommandTest {

  private final TestDatabase db;
  private final TestRedis redis;
  private QueueFixture fixture;
  private Cli cli;

  DlqCommandTest(TestDatabase db, TestRedis redis) {
    this.db = db;
    this.redis = redis;
  }

  @BeforeEach
  void cleanSlate() {
    db.truncateAll();
    redis.flushNamespace();
    fixture = new QueueFixture(db, redis, new SettableClock(Instant.now().minusSeconds(3600)));
    cli = Cli.against(db, redis).clock(Clock.systemUTC());
  }

  @AfterEach
  void close() {
    fixture.close();
  }

  @Test
  void listShowsEachDeadLetterWithKindJobAndReason() {
    var one =
        fixture.dead(NotificationKind.DAILY_DIGEST, UUID.randomUUID(), "550 5.1.1 no such user");
    var two = fixture.dead(NotificationKind.APPOINTMENT_REMINDER, UUID.randomUUID(), "exhausted");

    Cli.Result result = cli.run("dlq", "list");

    assertThat(result.code()).as(result.toString()).isZero();
    assertThat(result.out())
        .contains(
            one.entryId(), one.row().id().toString(), "daily_digest", "550 5.1.1 no such user")
        .contains(two.entryId(), "appointment_reminder", "exhausted")
        .contains("2 shown, 2 dead letter(s) in all");
  }

  @Test
  void listFiltersByKindAndLimits() {
    fixture.dead(NotificationKind.DAILY_DIGEST, UUID.randomUUID(), "a");
    var reminder = fixture.dead(NotificationKind.APPOINTMENT_REMINDER, UUID.randomUUID(), "b");
    fixture.dead(NotificationKind.APPOINTMENT_REMINDER, UUID.randomUUID(), "c");

    Cli.Result byKind = cli.run("dlq", "list", "--kind", "appointment-reminder", "--limit", "1");

    assertThat(byKind.code()).as(byKind.toString()).isZero();
    assertThat(byKind.out()).contains(reminder.entryId()).doesNotContain("daily_digest");
    assertThat(byKind.out()).contains("1 shown, 3 dead letter(s) in all");
  }

  @Test
  void listSinceAnInstantAfterEverythingShowsNone() {
    fixture.dead(NotificationKind.DAILY_DIGEST, UUID.randomUUID(), "a");

    Cli.Result result = cli.run("dlq", "list", "--since", "2099-01-01T00:00:00Z");

    assertThat(result.code()).isZero();
    assertThat(result.out()).contains("no dead letters match");
  }

  @Test
  void showPrintsTheLetterAndItsLedgerRow() {
    var dead = fixture.dead(NotificationKind.TOMORROW_DIGEST, UUID.randomUUID(), "exhausted: 421");

    Cli.Result result = cli.run("dlq", "show", dead.entryId());

    assertThat(result.code()).as(result.toString()).isZero();
    assertThat(result.out())
        .contains("entry      " + dead.entryId())
        .contains("reason     exhausted: 421")
        .contains("ledger     dead, 1 attempt(s)");
  }

  @Test
  void showOfAnUnknownOrMalformedEntryIsOneLineAndExitsNonZero() {
    Cli.Result unknown = cli.run("dlq", "show", "1-0");
    Cli.Result malformed = cli.run("dlq", "show", "not-an-id");

    assertThat(unknown.code()).isEqualTo(1);
    assertThat(unknown.err().strip()).isEqualTo("notifier dlq show: no dead letter 1-0");
    assertThat(malformed.code()).isEqualTo(1);
    assertThat(malformed.err().lines()).hasSize(1);
    assertThat(malformed.err()).contains("'not-an-id' is not a dead-letter entry id");
  }

  @Test
  void replayMakesADeadRowPendingRequeuesItAndRemovesTheLetter() {
    var dead = fixture.dead(NotificationKind.DAILY_DIGEST, UUID.randomUUID(), "exhausted");

    Cli.Result result = cli.run("dlq", "replay", dead.entryId());

    assertThat(result.code()).as(result.toString()).isZero();
    assertThat(result.out()).contains("[1/1]", "replayed: pending again", "1 replayed");
    Delivery row = fixture.ledger.find(dead.row().id()).orElseThrow();
    assertThat(row.status()).isEqualTo(NotificationStatus.PENDING);
    assertThat(row.attempts()).isZero();
    assertThat(fixture.queue.holds(row.id())).isTrue();
    assertThat(fixture.queue.deadLetter(dead.entryId())).isEmpty();
  }

  @Test
  void replayOfARowDeliveredMeanwhileSendsNothingAndRemovesTheLetterWithANote() {
    var sent = fixture.deadThenSent(NotificationKind.DAILY_DIGEST, UUID.randomUUID());

    Cli.Result result = cli.run("dlq", "replay", sent.entryId());

    assertThat(result.code()).as(result.toString()).isZero();
    assertThat(result.out())
        .contains("already sent at", "nothing sent", "1 removed without sending");
    assertThat(fixture.ledger.find(sent.row().id()).orElseThrow().status())
        .isEqualTo(NotificationStatus.SENT);
    assertThat(fixture.queue.holds(sent.row().id())).isFalse();
    assertThat(fixture.queue.deadLetter(sent.entryId())).isEmpty();
  }

  @Test
  void dryRunChangesNothing() {
    var dead = fixture.dead(NotificationKind.DAILY_DIGEST, UUID.randomUUID(), "exhausted");

    Cli.Result result = cli.run("dlq", "replay", "--all", "--dry-run");

    assertThat(result.code()).as(result.toString()).isZero();
    assertThat(result.out()).contains("would replay", "dry run: 1 replayed");
    assertThat(fixture.ledger.find(dead.row().id()).orElseThrow().status())
        .isEqualTo(NotificationStatus.DEAD);
    assertThat(fixture.queue.deadLetter(dead.entryId())).isPresent();
    assertThat(fixture.queue.holds(dead.row().id())).isFalse();
  }

  @Test
  void bulkReplayOfOneKindShowsProgressAndLeavesOtherKinds() {
    var a = fixture.dead(NotificationKind.APPOINTMENT_REMINDER, UUID.randomUUID(), "x");
    var b = fixture.dead(NotificationKind.APPOINTMENT_REMINDER, UUID.randomUUID(), "y");
    var digest = fixture.dead(NotificationKind.DAILY_DIGEST, UUID.randomUUID(), "z");

    Cli.Result result =
        cli.run("dlq", "replay", "--all", "--kind", "appointment_reminder", "--since", "7d");

    assertThat(result.code()).as(result.toString()).isZero();
    assertThat(result.out()).contains("[1/2] " + a.entryId(), "[2/2] " + b.entryId(), "2 replayed");
    assertThat(fixture.queue.deadLetter(digest.entryId())).isPresent();
    assertThat(fixture.ledger.find(a.row().id()).orElseThrow().status())
        .isEqualTo(NotificationStatus.PENDING);
  }

  @Test
  void replayNeedsIdsOrAll() {
    Cli.Result result = cli.run("dlq", "replay");

    assertThat(result.code()).isEqualTo(1);
    assertThat(result.err().strip())
        .isEqualTo(
            "notifier dlq replay: give entry ids, --delivery ids or --all (exactly one of them)");
  }

  @Test
  void replayByLedgerIdWorksAfterRedisLostTheDeadLetters() {
    var dead = fixture.dead(NotificationKind.DAILY_DIGEST, UUID.randomUUID(), "exhausted");
    var sent = fixture.deadThenSent(NotificationKind.DAILY_DIGEST, UUID.randomUUID());
    var kept = fixture.dead(NotificationKind.DAILY_DIGEST, UUID.randomUUID(), "exhausted");
    fixture.queue.removeDeadLetter(dead.entryId()); // as if Redis had been wiped

    Cli.Result result =
        cli.run(
            "dlq",
            "replay",
            "--delivery",
            dead.row().id().toString(),
            "--delivery",
            sent.row().id().toString());

    assertThat(result.code()).as(result.toString()).isZero();
    assertThat(result.out())
        .contains("[1/2] delivery " + dead.row().id() + ": replayed: pending again")
        .contains("[2/2] delivery " + sent.row().id() + ": not replayed: it is sent")
        .contains("1 of 2 replayed");
    assertThat(fixture.ledger.find(dead.row().id()).orElseThrow().status())
        .isEqualTo(NotificationStatus.PENDING);
    assertThat(fixture.queue.holds(dead.row().id())).isTrue();
    assertThat(fixture.ledger.find(sent.row().id()).orElseThrow().status())
        .isEqualTo(NotificationStatus.SENT);
    assertThat(fixture.queue.deadLetter(kept.entryId())).isPresent();
  }

  @Test
  void replayByLedgerIdRemovesTheRowsDeadLetter() {
    var dead = fixture.dead(NotificationKind.DAILY_DIGEST, UUID.randomUUID(), "exhausted");

    Cli.Result result = cli.run("dlq", "replay", "--delivery", dead.row().id().toString());

    assertThat(result.code()).as(result.toString()).isZero();
    assertThat(fixture.queue.deadLetter(dead.entryId())).isEmpty();
  }

  @Test
  void replayOfAnUnknownLedgerIdIsOneClearLine() {
    UUID unknown = UUID.randomUUID();
    Cli.Result result = cli.run("dlq", "replay", "--delivery", unknown.toString());

    assertThat(result.code()).isEqualTo(1);
    assertThat(result.err().strip()).isEqualTo("notifier dlq replay: no delivery " + unknown);
  }

  @Test
  void purgeRefusesWithoutYesThenDeletesEveryLetter() {
    var dead = fixture.dead(NotificationKind.DAILY_DIGEST, UUID.randomUUID(), "x");
    fixture.dead(NotificationKind.DAILY_DIGEST, UUID.randomUUID(), "y");

    Cli.Result refused = cli.run("dlq", "purge");
    assertThat(refused.code()).isEqualTo(1);
    assertThat(refused.err()).contains("would delete 2 dead letter(s)", "--yes");
    assertThat(fixture.queue.stats().dead()).isEqualTo(2);

    Cli.Result purged = cli.run("dlq", "purge", "--yes");
    assertThat(purged.code()).as(purged.toString()).isZero();
    assertThat(purged.out()).contains("deleted 2 dead letter(s)");
    assertThat(fixture.queue.stats().dead()).isZero();
    // The ledger keeps the record of what happened.
    assertThat(fixture.ledger.find(dead.row().id()).orElseThrow().status())
        .isEqualTo(NotificationStatus.DEAD);
  }

  @Test
  void deadRowWithoutLedgerRowIsKeptOnReplay() {
    var dead = fixture.dead(NotificationKind.DAILY_DIGEST, UUID.randomUUID(), "x");
    db.dsl().execute("DELETE FROM notifier_deliveries");

    Cli.Result result = cli.run("dlq", "replay", dead.entryId());

    assertThat(result.code()).isZero();
    assertThat(result.out()).contains("kept: no ledger row", "1 kept");
    assertThat(fixture.queue.deadLetter(dead.entryId())).isPresent();
  }
}
