package io.notifier.reliability;

import static io.notifier.db.jooq.Tables.CLIENTS;
import static io.notifier.db.jooq.Tables.NOTIFIER_DELIVERIES;
import static io.notifier.db.jooq.Tables.USERS;
import static io.notifier.db.jooq.Tables.WORKSPACES;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.notifier.db.fixtures.Fixtures;
import io.notifier.db.jooq.tables.records.AppointmentsRecord;
import io.notifier.db.jooq.tables.records.ClientsRecord;
import io.notifier.db.jooq.tables.records.NotifierDeliveriesRecord;
import io.notifier.db.jooq.tables.records.UsersRecord;
import io.notifier.db.jooq.tables.records.WorkspacesRecord;
import io.notifier.queue.RedisJobQueue;
import io.notifier.testing.RealServicesTest;
import io.notifier.testing.RedisTestSupport;
import io.notifier.testing.TestDatabase;
import io.notifier.testing.TestRedis;
import io.notifier.testing.TestSmtp;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

/**
 * Bad data through the real processes: settings that bypassed PazPaz's CHECK constraints, NULL and
 * invalid time zones, a NULL and a malformed email, a user, a client and a workspace deleted
 * between enqueue and send, an undecryptable client name, and job payloads in Redis that are not
 * JSON or name an unknown kind. Each gets its outcome in the ledger (or, for settings, nothing
 * queued), a counter on /metrics and a log line naming ids only; and the workers go on: the
 * notifications due after all of it arrive, exactly as the oracle says.
 */
@RealServicesTest
@Tag("reliability")
class BadInputTest {

  static final Instant START = Instant.parse("2027-03-15T06:05:00Z"); // a Monday
  static final Instant DUE = Instant.parse("2027-03-15T07:00:00Z");
  static final Instant LATER = Instant.parse("2027-03-15T07:15:00Z");
  static final Instant END = Instant.parse("2027-03-15T07:35:00Z");
  static final Set<Integer> EVERY_DAY = Set.of(0, 1, 2, 3, 4, 5, 6);

  @Test
  void everyBadInputGetsALoggedCountedOutcomeAndTheWorkersGoOn(
      TestDatabase db, TestRedis redis, TestSmtp smtp) {
    // This database plays a PazPaz without the CHECK constraints and with a nullable email.
    for (String check :
        List.of(
            "ck_digest_time_format",
            "ck_tomorrow_digest_time_format",
            "ck_notes_reminder_time_format",
            "ck_reminder_minutes_allowed",
            "ck_digest_days_range",
            "ck_tomorrow_digest_days_range")) {
      db.dsl().execute("ALTER TABLE user_notification_settings DROP CONSTRAINT " + check);
    }
    db.dsl().execute("ALTER TABLE users ALTER COLUMN email DROP NOT NULL");
    Fixtures fixtures = new Fixtures(db.dsl());

    // What must arrive: NULL and invalid zones read as UTC, and control users due before and
    // after everything bad.
    Population population = new Population(fixtures);
    for (String zone : java.util.Arrays.asList(null, Population.INVALID_ZONE)) {
      Population.Workspace ws = population.workspace(zone);
      population.user(
          ws,
          new Population.Settings(true, null, LocalTime.of(7, 0), EVERY_DAY, null, Set.of(), 60),
          0);
      population.appointment(ws, DUE.plus(Duration.ofMinutes(60)), false);
    }
    population.burst("UTC", 2, 1, DUE);
    population.burst("UTC", 2, 1, LATER);

    // Settings that bypassed the constraints: never matched, reported.
    WorkspacesRecord badSettings = fixtures.workspace().timezone("UTC").create();
    ClientsRecord client = fixtures.client(badSettings).create();
    fixtures.appointment(badSettings, client).startingAt(DUE.plus(Duration.ofMinutes(45))).create();
    Map<String, UsersRecord> malformed = new LinkedHashMap<>();
    malformed.put(
        "notes_reminder_time", user(fixtures, badSettings, s -> s.allOff().notesReminder("24:00")));
    fixtures.draftNote(malformed.get("notes_reminder_time"), client);
    malformed.put("digest_time", user(fixtures, badSettings, s -> s.allOff().digest("7:5", 1)));
    malformed.put(
        "tomorrow_digest_time", user(fixtures, badSettings, s -> s.allOff().tomorrowDigest("", 1)));
    malformed.put("reminder_minutes", user(fixtures, badSettings, s -> s.allOff().reminder(45)));
    malformed.put("digest_days", user(fixtures, badSettings, s -> s.allOff().digest("07:00")));
    malformed.put(
        "tomorrow_digest_days",
        user(fixtures, badSettings, s -> s.allOff().tomorrowDigest("07:00", 9)));

    // Valid when queued, broken before sent.
    Single nullEmail = single(fixtures);
    Single badEmail = single(fixtures);
    Single deletedUser = single(fixtures);
    Single deletedClient = single(fixtures);
    Single deletedWorkspace = single(fixtures);
    Single undecryptable = single(fixtures);
    db.dsl()
        .update(CLIENTS)
        .set(CLIENTS.FIRST_NAME, "v7:no-such-key-version".getBytes(StandardCharsets.US_ASCII))
        .where(CLIENTS.ID.eq(undecryptable.client().getId()))
        .execute();
    population.establish();

    RedissonClient redisson = RedisTestSupport.redisson(redis);
    try (Deployment d = new Deployment("bad-input", db, redis, smtp.port(), START)) {
      NotifierProcess producer = d.producer("producer");
      NotifierProcess consumer = d.consumer("consumer");
      d.awaitStarted(producer, consumer);
      d.settle(START, Duration.ofSeconds(90));
      d.stepTo(START.plus(Duration.ofMinutes(15)));
      d.stepTo(START.plus(Duration.ofMinutes(30)));
      Instant queued = START.plus(Duration.ofMinutes(45)); // 06:50: the 07:00 jobs are queued
      d.stepTo(queued);
      assertThat(Ledger.dueAt(db.dsl(), DUE)).hasSizeGreaterThanOrEqualTo(6);

      db.dsl()
          .update(USERS)
          .setNull(USERS.EMAIL)
          .where(USERS.ID.eq(nullEmail.user().getId()))
          .execute();
      db.dsl()
          .update(USERS)
          .set(USERS.EMAIL, "therapist at example dot test")
          .where(USERS.ID.eq(badEmail.user().getId()))
          .execute();
      db.dsl().deleteFrom(USERS).where(USERS.ID.eq(deletedUser.user().getId())).execute();
      db.dsl().deleteFrom(CLIENTS).where(CLIENTS.ID.eq(deletedClient.client().getId())).execute();
      db.dsl()
          .deleteFrom(WORKSPACES)
          .where(WORKSPACES.ID.eq(deletedWorkspace.workspace().getId()))
          .execute();
      RedisJobQueue queue = d.queue(redisson);
      String notJson = UUID.randomUUID().toString();
      String unknownKind = UUID.randomUUID().toString();
      queue.enqueueRaw(notJson, DUE, "{this is not json");
      queue.enqueueRaw(
          unknownKind,
          DUE,
          "{\"id\":\"" + unknownKind + "\",\"kind\":\"fax_blast\",\"dedupKey\":\"x\"}");

      for (Instant t = queued.plus(Duration.ofMinutes(15));
          !t.isAfter(END);
          t = t.plus(Duration.ofMinutes(15))) {
        d.stepTo(t);
      }

      // The workers went on: everything the oracle expects arrived, before and after the bad input.
      Map<String, Population.Expected> expected = population.expected(START.minusSeconds(60), END);
      assertThat(expected.values()).anyMatch(e -> e.due().equals(LATER));
      Expectations.Outcome outcome =
          Expectations.assertExactlyOnce(expected, Mailbox.of(smtp), db.dsl());
      assertThat(outcome.duplicates()).isEmpty();
      assertThat(producer.isAlive() && consumer.isAlive()).isTrue();

      // Outcomes in the ledger.
      assertSkipped(db, nullEmail, "no_email_address");
      assertSkipped(db, badEmail, "no_email_address");
      assertSkipped(db, deletedUser, "user_deleted");
      assertSkipped(db, deletedClient, "appointment_deleted");
      assertSkipped(db, deletedWorkspace, "user_deleted");
      NotifierDeliveriesRecord dead = rowOf(db, undecryptable);
      assertThat(dead.getStatus()).isEqualTo("dead");
      assertThat(dead.getLastError()).startsWith("undecryptable client name (");
      malformed
          .values()
          .forEach(
              u ->
                  assertThat(
                          db.dsl()
                              .fetchCount(
                                  NOTIFIER_DELIVERIES, NOTIFIER_DELIVERIES.USER_ID.eq(u.getId())))
                      .isZero());

      // Counted.
      for (String field : malformed.keySet()) {
        assertThat(producer.metric("notifier_bad_settings_total", "field", field))
            .as(field)
            .isPositive();
      }
      assertThat(producer.metric("notifier_invalid_timezone_total")).isPositive();
      assertThat(consumer.metric("notifier_invalid_timezone_total")).isPositive();
      assertThat(consumer.metric("notifier_jobs_skipped_total", "reason", "no_email_address"))
          .isEqualTo(2);
      assertThat(consumer.metric("notifier_jobs_skipped_total", "reason", "user_deleted"))
          .isEqualTo(2);
      assertThat(consumer.metric("notifier_jobs_skipped_total", "reason", "appointment_deleted"))
          .isEqualTo(1);
      assertThat(consumer.metric("notifier_jobs_dead_total", "reason", "undecryptable"))
          .isEqualTo(1);
      assertThat(consumer.metric("notifier_bad_payloads_total", "reason", "invalid_json"))
          .isEqualTo(1);
      assertThat(consumer.metric("notifier_bad_payloads_total", "reason", "unknown_kind"))
          .isEqualTo(1);
      assertThat(queue.deadLetters(null, 10))
          .extracting(l -> l.jobId() + " " + l.reason())
          .anySatisfy(l -> assertThat(l).startsWith(notJson).contains("not valid JSON"))
          .anySatisfy(l -> assertThat(l).startsWith(unknownKind).contains("unknown kind"))
          .anySatisfy(
              l -> assertThat(l).startsWith(dead.getId().toString()).contains("undecryptable"))
          .hasSize(3);

      // Logged, with ids and never an address.
      List<JsonNode> producerLog = producer.logEvents();
      for (UsersRecord u : malformed.values()) {
        assertThat(producerLog)
            .anySatisfy(
                e -> {
                  assertThat(e.path("level").asText()).isEqualTo("WARN");
                  assertThat(e.path("message").asText()).contains(u.getId().toString());
                });
      }
      assertThat(producerLog)
          .anySatisfy(
              e ->
                  assertThat(e.path("message").asText()).contains("is not a valid IANA zone name"));
      List<JsonNode> consumerLog = consumer.logEvents();
      for (Single s : List.of(nullEmail, badEmail, deletedUser, deletedClient, deletedWorkspace)) {
        String id = rowOf(db, s).getId().toString();
        assertThat(consumerLog)
            .anySatisfy(
                e -> {
                  assertThat(e.path("level").asText()).isEqualTo("WARN");
                  assertThat(e.path("message").asText()).startsWith("skipped").contains(id);
                });
      }
      for (String id : List.of(dead.getId().toString(), notJson, unknownKind)) {
        assertThat(consumerLog)
            .anySatisfy(
                e -> {
                  assertThat(e.path("level").asText()).isEqualTo("ERROR");
                  assertThat(e.path("message").asText()).contains(id);
                });
      }
      for (NotifierProcess p : List.of(producer, consumer)) {
        assertThat(p.logText()).doesNotContain("@example.test").doesNotContain("@mail.example");
      }
    } finally {
      redisson.shutdown();
    }
  }

  /** A workspace of its own with one user who wants a 60-minute reminder due at DUE. */
  record Single(
      WorkspacesRecord workspace,
      UsersRecord user,
      ClientsRecord client,
      AppointmentsRecord appointment) {}

  private static Single single(Fixtures fixtures) {
    WorkspacesRecord ws = fixtures.workspace().timezone("UTC").create();
    UsersRecord user = fixtures.user(ws).settings(s -> s.allOff().reminder(60)).create();
    ClientsRecord client = fixtures.client(ws).create();
    AppointmentsRecord appointment =
        fixtures.appointment(ws, client).startingAt(DUE.plus(Duration.ofMinutes(60))).create();
    return new Single(ws, user, client, appointment);
  }

  private static UsersRecord user(
      Fixtures fixtures,
      WorkspacesRecord ws,
      java.util.function.Consumer<Fixtures.SettingsBuilder> settings) {
    return fixtures.user(ws).settings(settings).create();
  }

  private static NotifierDeliveriesRecord rowOf(TestDatabase db, Single s) {
    return db.dsl()
        .selectFrom(NOTIFIER_DELIVERIES)
        .where(NOTIFIER_DELIVERIES.USER_ID.eq(s.user().getId()))
        .fetchSingle();
  }

  private static void assertSkipped(TestDatabase db, Single s, String reason) {
    NotifierDeliveriesRecord row = rowOf(db, s);
    assertThat(row.getStatus()).as("%s", reason).isEqualTo("skipped");
    assertThat(row.getSkipReason()).isEqualTo(reason);
  }
}
