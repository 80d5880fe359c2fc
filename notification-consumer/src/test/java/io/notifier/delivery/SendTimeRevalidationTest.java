package io.notifier.delivery;

import static io.notifier.db.jooq.Tables.APPOINTMENTS;
import static io.notifier.db.jooq.Tables.USERS;
import static io.notifier.db.jooq.Tables.USER_NOTIFICATION_SETTINGS;
import static io.notifier.db.jooq.Tables.WORKSPACES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.notifier.db.jooq.tables.records.AppointmentsRecord;
import io.notifier.db.jooq.tables.records.ClientsRecord;
import io.notifier.db.jooq.tables.records.UsersRecord;
import io.notifier.db.jooq.tables.records.WorkspacesRecord;
import io.notifier.ledger.Delivery;
import io.notifier.model.NotificationKind;
import io.notifier.model.NotificationStatus;
import io.notifier.model.SkipReason;
import io.notifier.queue.DeadLetter;
import io.notifier.queue.QueueConfig;
import io.notifier.queue.QueueStats;
import io.notifier.testing.MailParts;
import io.notifier.testing.RealServicesTest;
import io.notifier.testing.SettableClock;
import io.notifier.testing.TestDatabase;
import io.notifier.testing.TestRedis;
import io.notifier.testing.TestSmtp;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The world changes between enqueue and send: each change is found at send time and the
 * notification is skipped with its reason (or, for bad data, failed with one), never sent wrongly
 * and never stopping the worker.
 */
@RealServicesTest
class SendTimeRevalidationTest {

  private static final Instant NOW = Instant.parse("2027-03-15T08:00:00Z"); // a Monday
  private static final LocalDate TODAY = LocalDate.parse("2027-03-15");
  private static final Instant START = NOW.plus(Duration.ofMinutes(60));
  private static final SettableClock CLOCK = new SettableClock(NOW);
  private static Harness h;

  @BeforeAll
  static void setUp(TestDatabase db, TestRedis redis) {
    h = new Harness(db, redis, CLOCK, QueueConfig.TimeSource.CLOCK);
  }

  @AfterAll
  static void tearDown() {
    h.close();
  }

  @BeforeEach
  void clean(TestSmtp smtp) {
    CLOCK.set(NOW);
    h.reset();
    smtp.reset();
  }

  private record World(WorkspacesRecord ws, UsersRecord user, ClientsRecord client) {}

  private World world() {
    WorkspacesRecord ws = h.fixtures.workspace().timezone("Europe/London").create();
    UsersRecord user =
        h.fixtures
            .user(ws)
            .settings(s -> s.reminder(60).digest("08:00", 1).notesReminder("08:00"))
            .create();
    return new World(ws, user, h.fixtures.client(ws).create());
  }

  private Delivery reminderFor(World w, AppointmentsRecord appointment) {
    return h.reminder(appointment.getId(), w.user().getId(), w.ws().getId(), 60, START);
  }

  private AppointmentsRecord appointment(World w) {
    return h.fixtures.appointment(w.ws(), w.client()).startingAt(START).create();
  }

  private void assertSkipped(Map<Delivery, SkipReason> expected) {
    expected.forEach(
        (row, reason) -> {
          Delivery done = h.awaitStatus(row.id(), NotificationStatus.SKIPPED);
          assertThat(done.skipReason())
              .as("skip reason of %s", row.dedupKey())
              .isEqualTo(reason.code());
        });
  }

  @Test
  void cancelledMovedDeletedFinishedAndStartedAppointmentsAreSkippedWithTheirReason(TestSmtp smtp) {
    World w = world();
    AppointmentsRecord cancelled = appointment(w);
    AppointmentsRecord moved = appointment(w);
    AppointmentsRecord deleted = appointment(w);
    AppointmentsRecord attended = appointment(w);
    Map<Delivery, SkipReason> expected = new LinkedHashMap<>();
    expected.put(reminderFor(w, cancelled), SkipReason.APPOINTMENT_CANCELLED);
    expected.put(reminderFor(w, moved), SkipReason.APPOINTMENT_MOVED);
    expected.put(reminderFor(w, deleted), SkipReason.APPOINTMENT_DELETED);
    expected.put(reminderFor(w, attended), SkipReason.APPOINTMENT_NOT_SCHEDULED);
    var a = APPOINTMENTS;
    h.db.dsl().update(a).set(a.STATUS, "cancelled").where(a.ID.eq(cancelled.getId())).execute();
    h.db
        .dsl()
        .update(a)
        .set(a.SCHEDULED_START, START.plus(Duration.ofMinutes(30)).atOffset(ZoneOffset.UTC))
        .set(a.SCHEDULED_END, START.plus(Duration.ofMinutes(80)).atOffset(ZoneOffset.UTC))
        .where(a.ID.eq(moved.getId()))
        .execute();
    h.db.dsl().deleteFrom(a).where(a.ID.eq(deleted.getId())).execute();
    h.db.dsl().update(a).set(a.STATUS, "attended").where(a.ID.eq(attended.getId())).execute();
    // A reminder that only becomes ready after its appointment started (consumers were down).
    AppointmentsRecord soon =
        h.fixtures.appointment(w.ws(), w.client()).startingAt(NOW.plusSeconds(30)).create();
    expected.put(
        h.reminder(soon.getId(), w.user().getId(), w.ws().getId(), 60, NOW.plusSeconds(30)),
        SkipReason.APPOINTMENT_STARTED);
    CLOCK.set(NOW.plusSeconds(60));

    h.start("c1", smtp.port());

    assertSkipped(expected);
    assertThat(smtp.messages()).isEmpty();
    assertThat(h.metrics.count("skipped")).isEqualTo(5);
    assertThat(h.metrics.count("skipped:appointment_moved")).isEqualTo(1);
  }

  @Test
  void settingsUsersAndWorkspacesChangedSinceEnqueueAreSkipped(TestSmtp smtp) {
    var s = USER_NOTIFICATION_SETTINGS;
    Map<Delivery, SkipReason> expected = new LinkedHashMap<>();

    World emailOff = world();
    h.db
        .dsl()
        .update(s)
        .set(s.EMAIL_ENABLED, false)
        .where(s.USER_ID.eq(emailOff.user().getId()))
        .execute();
    expected.put(reminderFor(emailOff, appointment(emailOff)), SkipReason.SETTING_DISABLED);

    World reminderOff = world();
    h.db
        .dsl()
        .update(s)
        .set(s.REMINDER_ENABLED, false)
        .where(s.USER_ID.eq(reminderOff.user().getId()))
        .execute();
    expected.put(reminderFor(reminderOff, appointment(reminderOff)), SkipReason.SETTING_DISABLED);

    World offsetChanged = world();
    h.db
        .dsl()
        .update(s)
        .set(s.REMINDER_MINUTES, 30)
        .where(s.USER_ID.eq(offsetChanged.user().getId()))
        .execute();
    expected.put(
        reminderFor(offsetChanged, appointment(offsetChanged)), SkipReason.SETTING_DISABLED);

    World dayRemoved = world();
    h.db
        .dsl()
        .update(s)
        .set(s.DIGEST_DAYS, new Integer[] {2, 3})
        .where(s.USER_ID.eq(dayRemoved.user().getId()))
        .execute();
    appointment(dayRemoved);
    expected.put(
        h.daily(
            NotificationKind.DAILY_DIGEST,
            dayRemoved.user().getId(),
            dayRemoved.ws().getId(),
            TODAY,
            NOW),
        SkipReason.SETTING_DISABLED);

    World deactivated = world();
    h.db
        .dsl()
        .update(USERS)
        .set(USERS.IS_ACTIVE, false)
        .where(USERS.ID.eq(deactivated.user().getId()))
        .execute();
    expected.put(reminderFor(deactivated, appointment(deactivated)), SkipReason.USER_INACTIVE);

    World suspended = world();
    h.db
        .dsl()
        .update(WORKSPACES)
        .set(WORKSPACES.STATUS, "suspended")
        .where(WORKSPACES.ID.eq(suspended.ws().getId()))
        .execute();
    expected.put(reminderFor(suspended, appointment(suspended)), SkipReason.WORKSPACE_INACTIVE);

    World softDeleted = world();
    h.db
        .dsl()
        .update(WORKSPACES)
        .set(WORKSPACES.DELETED_AT, OffsetDateTime.now(ZoneOffset.UTC))
        .where(WORKSPACES.ID.eq(softDeleted.ws().getId()))
        .execute();
    expected.put(reminderFor(softDeleted, appointment(softDeleted)), SkipReason.WORKSPACE_INACTIVE);

    World settingsGone = world();
    h.db.dsl().deleteFrom(s).where(s.USER_ID.eq(settingsGone.user().getId())).execute();
    expected.put(reminderFor(settingsGone, appointment(settingsGone)), SkipReason.SETTINGS_MISSING);

    World userGone = world();
    AppointmentsRecord userGoneAppointment = appointment(userGone);
    Delivery userGoneRow = reminderFor(userGone, userGoneAppointment);
    h.db.dsl().deleteFrom(USERS).where(USERS.ID.eq(userGone.user().getId())).execute();
    expected.put(userGoneRow, SkipReason.USER_DELETED);

    World badEmail = world();
    h.db
        .dsl()
        .update(USERS)
        .set(USERS.EMAIL, "not an address")
        .where(USERS.ID.eq(badEmail.user().getId()))
        .execute();
    expected.put(reminderFor(badEmail, appointment(badEmail)), SkipReason.NO_EMAIL_ADDRESS);

    World blankEmail = world();
    h.db
        .dsl()
        .update(USERS)
        .set(USERS.EMAIL, " ")
        .where(USERS.ID.eq(blankEmail.user().getId()))
        .execute();
    expected.put(reminderFor(blankEmail, appointment(blankEmail)), SkipReason.NO_EMAIL_ADDRESS);

    h.start("c1", smtp.port());

    assertSkipped(expected);
    assertThat(smtp.messages()).isEmpty();
    assertThat(h.metrics.count("skipped")).isEqualTo(expected.size());
  }

  @Test
  void notesReminderWithZeroOwnDraftsAtSendTimeIsSkipped(TestSmtp smtp) throws Exception {
    World w = world();
    UsersRecord colleague = h.fixtures.user(w.ws()).create();
    var finished = h.fixtures.draftNote(w.user(), w.client());
    h.fixtures.session(w.user(), w.client()).draft(true).deletedAt(NOW).create();
    h.fixtures.draftNote(colleague, w.client()); // someone else's draft does not count
    Delivery row =
        h.daily(
            NotificationKind.SESSION_NOTES_REMINDER, w.user().getId(), w.ws().getId(), TODAY, NOW);
    // The user finished the last draft between enqueue and send.
    h.db
        .dsl()
        .update(io.notifier.db.jooq.Tables.SESSIONS)
        .set(io.notifier.db.jooq.Tables.SESSIONS.IS_DRAFT, false)
        .where(io.notifier.db.jooq.Tables.SESSIONS.ID.eq(finished.getId()))
        .execute();

    h.start("c1", smtp.port());

    assertSkipped(Map.of(row, SkipReason.NO_DRAFT_NOTES));
    assertThat(smtp.messages()).isEmpty();
  }

  /**
   * The send-time reads run right after the claims, in the same batch. When they fail (here: a
   * table they read is gone for a while) the claim has already committed: the delivery must take
   * the retry path, not be lost or left leased, and go out once the table is back.
   */
  @Test
  void aSendTimeReadFailingAfterTheClaimIsRetriedAndSentOnceTheDataIsBack(TestSmtp smtp)
      throws Exception {
    World w = world();
    h.fixtures.draftNote(w.user(), w.client());
    Delivery row =
        h.daily(
            NotificationKind.SESSION_NOTES_REMINDER, w.user().getId(), w.ws().getId(), TODAY, NOW);
    h.db.dsl().execute("alter table sessions rename to sessions_away");
    try {
      h.start("c1", smtp.port());

      Delivery waiting = h.awaitStatus(row.id(), NotificationStatus.RETRY_WAIT);
      assertThat(waiting.lastError()).contains("internal error before sending");
      assertThat(waiting.attempts()).isEqualTo(1);
      assertThat(smtp.messages()).isEmpty();
    } finally {
      h.db.dsl().execute("alter table sessions_away rename to sessions");
    }
    CLOCK.set(NOW.plusSeconds(1));

    Delivery sent = h.awaitStatus(row.id(), NotificationStatus.SENT);
    assertThat(sent.attempts()).isEqualTo(2);
    assertThat(smtp.awaitMessages(1, Duration.ofSeconds(10))).hasSize(1);
  }

  @Test
  void anEmptyDigestIsSkippedUnlessEmptyDigestsAreConfiguredOn(TestSmtp smtp) throws Exception {
    World quiet = world();
    Delivery skipped =
        h.daily(
            NotificationKind.DAILY_DIGEST, quiet.user().getId(), quiet.ws().getId(), TODAY, NOW);
    h.start("c1", smtp.port());
    assertSkipped(Map.of(skipped, SkipReason.EMPTY_DIGEST));
    h.stopConsumers();

    World alsoQuiet = world();
    Delivery sent =
        h.daily(
            NotificationKind.DAILY_DIGEST,
            alsoQuiet.user().getId(),
            alsoQuiet.ws().getId(),
            TODAY,
            NOW);
    h.start(
        Harness.config("c2").build(),
        Harness.smtp(smtp.port()),
        Harness.content().withEmptyDigests(true));
    h.awaitStatus(sent.id(), NotificationStatus.SENT);
    assertThat(MailParts.text(smtp.awaitMessages(1, Duration.ofSeconds(10)).get(0)))
        .contains("there are no appointments on your calendar");
  }

  @Test
  void aSupportTriggeredDigestIgnoresTheDayListButNotTheSwitches(TestSmtp smtp) throws Exception {
    World wanted = world();
    appointment(wanted);
    h.db
        .dsl()
        .update(USER_NOTIFICATION_SETTINGS)
        .set(USER_NOTIFICATION_SETTINGS.DIGEST_DAYS, new Integer[] {0})
        .where(USER_NOTIFICATION_SETTINGS.USER_ID.eq(wanted.user().getId()))
        .execute();
    Delivery manual =
        h.schedule(
            io.notifier.ledger.NewDelivery.pending(
                io.notifier.model.DedupKeys.manual(
                    NotificationKind.DAILY_DIGEST, wanted.user().getId(), UUID.randomUUID()),
                NotificationKind.DAILY_DIGEST,
                wanted.user().getId(),
                wanted.ws().getId(),
                null,
                TODAY,
                null,
                null,
                NOW));
    World optedOut = world();
    h.db
        .dsl()
        .update(USER_NOTIFICATION_SETTINGS)
        .set(USER_NOTIFICATION_SETTINGS.DIGEST_ENABLED, false)
        .where(USER_NOTIFICATION_SETTINGS.USER_ID.eq(optedOut.user().getId()))
        .execute();
    Delivery refused =
        h.schedule(
            io.notifier.ledger.NewDelivery.pending(
                io.notifier.model.DedupKeys.manual(
                    NotificationKind.DAILY_DIGEST, optedOut.user().getId(), UUID.randomUUID()),
                NotificationKind.DAILY_DIGEST,
                optedOut.user().getId(),
                optedOut.ws().getId(),
                null,
                TODAY,
                null,
                null,
                NOW));

    h.start("c1", smtp.port());

    h.awaitStatus(manual.id(), NotificationStatus.SENT);
    assertSkipped(Map.of(refused, SkipReason.SETTING_DISABLED));
    assertThat(smtp.awaitMessages(1, Duration.ofSeconds(10))).hasSize(1);
  }

  @Test
  void aDigestFromALongOutageIsSkippedAsStale(TestSmtp smtp) {
    World w = world();
    appointment(w);
    Delivery row =
        h.daily(NotificationKind.DAILY_DIGEST, w.user().getId(), w.ws().getId(), TODAY, NOW);
    CLOCK.set(NOW.plus(Duration.ofHours(7)));

    h.start("c1", smtp.port());

    assertSkipped(Map.of(row, SkipReason.STALE));
  }

  @Test
  void anUndecryptableClientNameFailsThatNotificationAndTheWorkerKeepsGoing(TestSmtp smtp)
      throws Exception {
    World w = world();
    ClientsRecord broken =
        h.fixtures
            .client(w.ws())
            .rawFirstName(
                "v7:this-key-version-is-not-configured".getBytes(StandardCharsets.US_ASCII))
            .create();
    AppointmentsRecord bad = h.fixtures.appointment(w.ws(), broken).startingAt(START).create();
    AppointmentsRecord good = appointment(w);
    Delivery badRow = reminderFor(w, bad);
    Delivery goodRow = reminderFor(w, good);

    h.start("c1", smtp.port());

    Delivery dead = h.awaitStatus(badRow.id(), NotificationStatus.DEAD);
    assertThat(dead.lastError())
        .startsWith("undecryptable client name (missing_key)")
        .contains("v7");
    h.awaitStatus(goodRow.id(), NotificationStatus.SENT);
    assertThat(smtp.awaitMessages(1, Duration.ofSeconds(10))).hasSize(1);
    assertThat(h.metrics.count("dead:undecryptable")).isEqualTo(1);
    List<DeadLetter> letters = h.queue.deadLetters(null, 10);
    assertThat(letters)
        .singleElement()
        .satisfies(
            l -> {
              assertThat(l.jobId()).isEqualTo(badRow.id().toString());
              assertThat(l.reason()).contains("undecryptable");
            });
  }

  @Test
  void undecodablePayloadsAreDeadLetteredWithTheReasonAndTheirRowMarkedDead(TestSmtp smtp) {
    World w = world();
    Delivery row = reminderFor(w, appointment(w));
    // Replace the good payload with garbage under the same id, and add one with an unknown kind.
    h.redis.flushNamespace();
    h.queue.ensureGroup();
    h.queue.enqueueRaw(row.id().toString(), NOW, "{not json");
    String unknownKindId = UUID.randomUUID().toString();
    h.queue.enqueueRaw(
        unknownKindId,
        NOW,
        "{\"id\":\"" + unknownKindId + "\",\"kind\":\"sms_blast\",\"dedupKey\":\"x\"}");

    h.start("c1", smtp.port());

    Delivery dead = h.awaitStatus(row.id(), NotificationStatus.DEAD);
    assertThat(dead.lastError()).contains("undecodable payload").contains("not valid JSON");
    await().atMost(Duration.ofSeconds(10)).until(() -> h.queue.deadLetters(null, 10).size() == 2);
    assertThat(h.queue.deadLetters(null, 10))
        .extracting(DeadLetter::reason)
        .anySatisfy(r -> assertThat(r).contains("not valid JSON"))
        .anySatisfy(r -> assertThat(r).contains("unknown kind"));
    assertThat(h.metrics.count("badPayload:invalid_json")).isEqualTo(1);
    assertThat(h.metrics.count("badPayload:unknown_kind")).isEqualTo(1);
    assertThat(h.queue.stats()).isEqualTo(new QueueStats(0, 0, 0, 2));
  }

  @Test
  void aJobWhoseRowIsAlreadyFinishedIsAcknowledgedAndNotSentAgain(TestSmtp smtp) {
    World w = world();
    Delivery row = reminderFor(w, appointment(w));
    // Another consumer already delivered it (e.g. the job came back through the reconciler).
    h.ledger.claim(row.id(), "someone-else", Duration.ofMinutes(1));
    h.ledger.markSent(row.id(), "someone-else", "<x@pazpaz.test>");

    h.start("c1", smtp.port());

    await().atMost(Duration.ofSeconds(10)).until(() -> h.metrics.count("duplicateSuppressed") == 1);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> h.queue.stats().equals(new QueueStats(0, 0, 0, 0)));
    assertThat(smtp.messages()).isEmpty();
    assertThat(h.ledger.find(row.id()).orElseThrow().attempts()).isEqualTo(1);
  }
}
