package io.notifier.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.notifier.db.jooq.tables.records.AppointmentsRecord;
import io.notifier.db.jooq.tables.records.ClientsRecord;
import io.notifier.db.jooq.tables.records.UsersRecord;
import io.notifier.db.jooq.tables.records.WorkspacesRecord;
import io.notifier.ledger.Delivery;
import io.notifier.model.DedupKeys;
import io.notifier.model.NotificationKind;
import io.notifier.testing.TestDatabase;
import io.notifier.testing.TestRedis;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Who gets what: only active users of active, non-deleted workspaces, with a settings row, email on
 * and the kind on; a notes reminder only for the user's own live drafts (PazPaz mistakes #4 and
 * #5); appointment reminders only for scheduled appointments, to every eligible user of the
 * workspace who asked for that offset.
 */
class EligibilityTest extends ProducerTestBase {

  /** 08:00 in London on a winter Monday is 08:00Z. */
  private static final Instant EIGHT = Instant.parse("2027-01-11T08:00:00Z");

  private static final LocalDate MONDAY = LocalDate.of(2027, 1, 11);

  EligibilityTest(TestDatabase database, TestRedis redis) {
    super(database, redis);
  }

  /** Ticks from 07:55 to 08:05: every 08:00 notification is resolved once. */
  private void tickAroundEight() {
    harness.tickEveryMinute(
        harness.producer("p1"),
        EIGHT.minus(Duration.ofMinutes(5)),
        EIGHT.plus(Duration.ofMinutes(5)));
  }

  private Set<UUID> recipients(NotificationKind kind) {
    return harness.deliveries(kind).stream().map(Delivery::userId).collect(Collectors.toSet());
  }

  private UsersRecord digestAtEight(WorkspacesRecord workspace) {
    return harness
        .fixtures
        .user(workspace)
        .settings(s -> s.allOff().digest("08:00", EVERY_DAY))
        .create();
  }

  @Test
  void inactiveUsersAndSuspendedInactiveOrDeletedWorkspacesGetNothing() {
    scenario(EIGHT.minus(Duration.ofMinutes(5)));
    WorkspacesRecord live = harness.fixtures.workspace().timezone("Europe/London").create();
    UsersRecord eligible = digestAtEight(live);
    UsersRecord inactive =
        harness
            .fixtures
            .user(live)
            .inactive()
            .settings(s -> s.allOff().digest("08:00", EVERY_DAY))
            .create();
    UsersRecord inSuspended =
        digestAtEight(
            harness.fixtures.workspace().timezone("Europe/London").status("suspended").create());
    UsersRecord inInactive =
        digestAtEight(harness.fixtures.workspace().timezone("Europe/London").inactive().create());
    UsersRecord inDeleted =
        digestAtEight(
            harness
                .fixtures
                .workspace()
                .timezone("Europe/London")
                .deletedAt(Instant.parse("2026-12-01T00:00:00Z"))
                .create());

    tickAroundEight();

    assertThat(recipients(NotificationKind.DAILY_DIGEST)).containsExactly(eligible.getId());
    assertThat(List.of(inactive, inSuspended, inInactive, inDeleted))
        .allSatisfy(u -> assertThat(harness.deliveriesOf(u)).isEmpty());
  }

  @Test
  void aUserWithoutASettingsRowGetsNothingAsInPazPaz() {
    scenario(EIGHT.minus(Duration.ofMinutes(5)));
    WorkspacesRecord workspace = harness.fixtures.workspace().timezone("Europe/London").create();
    ClientsRecord client = harness.fixtures.client(workspace).create();
    UsersRecord noSettings = harness.fixtures.user(workspace).withoutSettings().create();
    harness.fixtures.draftNote(noSettings, client);
    harness
        .fixtures
        .appointment(workspace, client)
        .startingAt(EIGHT.plus(Duration.ofHours(1)))
        .create();
    harness.appointmentsBookedLongAgo();

    tickAroundEight();

    assertThat(harness.deliveries()).isEmpty();
  }

  @Test
  void emailSwitchedOffOrTheKindSwitchedOffSendsNothingOfIt() {
    scenario(EIGHT.minus(Duration.ofMinutes(5)));
    WorkspacesRecord workspace = harness.fixtures.workspace().timezone("Europe/London").create();
    ClientsRecord client = harness.fixtures.client(workspace).create();
    UsersRecord emailOff =
        harness
            .fixtures
            .user(workspace)
            .settings(
                s ->
                    s.digest("08:00", EVERY_DAY)
                        .tomorrowDigest("08:00", EVERY_DAY)
                        .notesReminder("08:00")
                        .emailEnabled(false))
            .create();
    harness.fixtures.draftNote(emailOff, client);
    UsersRecord onlyTomorrow =
        harness
            .fixtures
            .user(workspace)
            .settings(
                s ->
                    s.digest("08:00", EVERY_DAY)
                        .digestEnabled(false)
                        .tomorrowDigest("08:00", EVERY_DAY)
                        .notesReminder("08:00")
                        .notesReminderEnabled(false))
            .create();
    harness.fixtures.draftNote(onlyTomorrow, client);

    tickAroundEight();

    assertThat(harness.deliveriesOf(emailOff)).isEmpty();
    assertThat(harness.deliveriesOf(onlyTomorrow))
        .extracting(Delivery::dedupKey)
        .containsExactly(
            DedupKeys.daily(NotificationKind.TOMORROW_DIGEST, onlyTomorrow.getId(), MONDAY));
  }

  @Test
  void aNotesReminderCountsOnlyTheUsersOwnLiveDrafts() {
    scenario(EIGHT.minus(Duration.ofMinutes(5)));
    WorkspacesRecord workspace = harness.fixtures.workspace().timezone("Europe/London").create();
    ClientsRecord client = harness.fixtures.client(workspace).create();
    UsersRecord withDraft = notesAtEight(workspace);
    harness.fixtures.draftNote(withDraft, client);
    UsersRecord noNotes = notesAtEight(workspace);
    // PazPaz counted the workspace's drafts: a colleague's must not remind this user.
    UsersRecord othersDraftsOnly = notesAtEight(workspace);
    UsersRecord colleague = harness.fixtures.user(workspace).settings(s -> s.allOff()).create();
    harness.fixtures.draftNote(colleague, client);
    harness.fixtures.draftNote(colleague, client);
    harness.fixtures.draftNote(withDraft, client);
    UsersRecord deletedDraftOnly = notesAtEight(workspace);
    harness
        .fixtures
        .session(deletedDraftOnly, client)
        .draft(true)
        .deletedAt(Instant.parse("2027-01-10T12:00:00Z"))
        .create();
    UsersRecord finishedNotesOnly = notesAtEight(workspace);
    harness.fixtures.session(finishedNotesOnly, client).draft(false).create();
    // An unowned draft (author deleted) counts for nobody.
    harness.fixtures.session(null, client).draft(true).create();

    tickAroundEight();

    assertThat(recipients(NotificationKind.SESSION_NOTES_REMINDER))
        .containsExactly(withDraft.getId());
    assertThat(List.of(noNotes, othersDraftsOnly, deletedDraftOnly, finishedNotesOnly))
        .allSatisfy(u -> assertThat(harness.deliveriesOf(u)).isEmpty());
  }

  private UsersRecord notesAtEight(WorkspacesRecord workspace) {
    return harness
        .fixtures
        .user(workspace)
        .settings(s -> s.allOff().notesReminder("08:00"))
        .create();
  }

  @Test
  void onlyScheduledAppointmentsRemindAndEveryEligibleUserOfTheWorkspaceWithThatOffsetGetsOne() {
    scenario(EIGHT.minus(Duration.ofMinutes(5)));
    WorkspacesRecord workspace = harness.fixtures.workspace().timezone("Europe/London").create();
    ClientsRecord client = harness.fixtures.client(workspace).create();
    UsersRecord owner =
        harness.fixtures.user(workspace).settings(s -> s.allOff().reminder(60)).create();
    UsersRecord assistant =
        harness
            .fixtures
            .user(workspace)
            .assistant()
            .settings(s -> s.allOff().reminder(60))
            .create();
    UsersRecord otherOffset =
        harness.fixtures.user(workspace).settings(s -> s.allOff().reminder(30)).create();
    UsersRecord remindersOff = harness.fixtures.user(workspace).settings(s -> s.allOff()).create();
    UsersRecord inactive =
        harness.fixtures.user(workspace).inactive().settings(s -> s.allOff().reminder(60)).create();
    UsersRecord elsewhere =
        harness
            .fixtures
            .user(harness.fixtures.workspace().create())
            .settings(s -> s.allOff().reminder(60))
            .create();
    Instant nine = EIGHT.plus(Duration.ofHours(1));
    AppointmentsRecord scheduled =
        harness.fixtures.appointment(workspace, client).startingAt(nine).create();
    for (String status : List.of("cancelled", "attended", "no_show")) {
      harness.fixtures.appointment(workspace, client).startingAt(nine).status(status).create();
    }
    harness.appointmentsBookedLongAgo();

    tickAroundEight();

    assertThat(harness.deliveries(NotificationKind.APPOINTMENT_REMINDER))
        .allSatisfy(
            d -> {
              assertThat(d.appointmentId()).isEqualTo(scheduled.getId());
              assertThat(d.dueAt()).isEqualTo(EIGHT);
              assertThat(d.reminderMinutes()).isEqualTo(60);
              assertThat(d.appointmentStart()).isEqualTo(nine);
              assertThat(d.dedupKey())
                  .isEqualTo(
                      DedupKeys.appointmentReminder(scheduled.getId(), d.userId(), 60, nine));
            })
        .extracting(Delivery::userId)
        .containsExactlyInAnyOrder(owner.getId(), assistant.getId());
    assertThat(List.of(otherOffset, remindersOff, inactive, elsewhere))
        .allSatisfy(u -> assertThat(harness.deliveriesOf(u)).isEmpty());
  }
}
