package io.notifier.schedule;

import static io.notifier.db.jooq.Tables.APPOINTMENTS;
import static org.assertj.core.api.Assertions.assertThat;

import io.notifier.db.jooq.tables.records.AppointmentsRecord;
import io.notifier.db.jooq.tables.records.ClientsRecord;
import io.notifier.db.jooq.tables.records.UsersRecord;
import io.notifier.db.jooq.tables.records.WorkspacesRecord;
import io.notifier.ledger.Delivery;
import io.notifier.model.DedupKeys;
import io.notifier.model.NotificationStatus;
import io.notifier.testing.TestDatabase;
import io.notifier.testing.TestRedis;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;

/**
 * Appointment reminders follow the appointment: a moved one gets a fresh reminder for its new start
 * (the old one is left for the consumer to skip as moved), a cancelled one gets none, and one
 * booked or moved after its reminder was due — but not yet started — gets it at once, late.
 */
class AppointmentRemindersTest extends ProducerTestBase {

  private static final Instant NINE = Instant.parse("2027-05-03T09:00:00Z");

  private WorkspacesRecord workspace;
  private ClientsRecord client;
  private UsersRecord therapist;

  AppointmentRemindersTest(TestDatabase database, TestRedis redis) {
    super(database, redis);
  }

  private Producer aPracticeWithAnHourlyReminder(ProducerConfig config) {
    workspace = harness.fixtures.workspace().timezone("Europe/Berlin").create();
    client = harness.fixtures.client(workspace).create();
    therapist = harness.fixtures.user(workspace).settings(s -> s.allOff().reminder(60)).create();
    return harness.producer(config);
  }

  private AppointmentsRecord bookedLongAgo(Instant start) {
    AppointmentsRecord appointment =
        harness.fixtures.appointment(workspace, client).startingAt(start).create();
    harness.appointmentsBookedLongAgo();
    return appointment;
  }

  /** PazPaz moves an appointment: new start, updated_at now (its ORM's onupdate). */
  private void move(AppointmentsRecord appointment, Instant newStart) {
    harness
        .dsl()
        .update(APPOINTMENTS)
        .set(APPOINTMENTS.SCHEDULED_START, newStart.atOffset(ZoneOffset.UTC))
        .set(
            APPOINTMENTS.SCHEDULED_END,
            newStart.plus(Duration.ofMinutes(50)).atOffset(ZoneOffset.UTC))
        .set(APPOINTMENTS.UPDATED_AT, DSL.currentOffsetDateTime())
        .where(APPOINTMENTS.ID.eq(appointment.getId()))
        .execute();
  }

  private void cancel(AppointmentsRecord appointment) {
    harness
        .dsl()
        .update(APPOINTMENTS)
        .set(APPOINTMENTS.STATUS, "cancelled")
        .set(APPOINTMENTS.UPDATED_AT, DSL.currentOffsetDateTime())
        .where(APPOINTMENTS.ID.eq(appointment.getId()))
        .execute();
  }

  private List<Delivery> reminders(AppointmentsRecord appointment) {
    return harness.deliveries().stream()
        .filter(d -> appointment.getId().equals(d.appointmentId()))
        .toList();
  }

  @Test
  void aRescheduledAppointmentGetsAFreshReminderForItsNewStart() {
    scenario(NINE.minus(Duration.ofMinutes(5)));
    Producer producer = aPracticeWithAnHourlyReminder(harness.config("p1").build());
    Instant ten = NINE.plus(Duration.ofHours(1));
    Instant eleven = ten.plus(Duration.ofHours(1));
    AppointmentsRecord appointment = bookedLongAgo(ten);
    harness.tickEveryMinute(
        producer, NINE.minus(Duration.ofMinutes(5)), NINE.plus(Duration.ofMinutes(5)));
    assertThat(reminders(appointment)).hasSize(1);

    move(appointment, eleven); // after its first reminder went out
    harness.tickEvery(
        producer,
        NINE.plus(Duration.ofMinutes(6)),
        ten.plus(Duration.ofMinutes(5)),
        Duration.ofMinutes(1));

    assertThat(reminders(appointment))
        .extracting(Delivery::dedupKey, Delivery::dueAt, Delivery::appointmentStart)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(
                DedupKeys.appointmentReminder(appointment.getId(), therapist.getId(), 60, ten),
                NINE,
                ten),
            org.assertj.core.groups.Tuple.tuple(
                DedupKeys.appointmentReminder(appointment.getId(), therapist.getId(), 60, eleven),
                ten,
                eleven));
  }

  @Test
  void aCancelledAppointmentGetsNoReminder() {
    scenario(NINE.minus(Duration.ofMinutes(30)));
    Producer producer = aPracticeWithAnHourlyReminder(harness.config("p1").build());
    AppointmentsRecord appointment = bookedLongAgo(NINE.plus(Duration.ofHours(1)));
    harness.tickEveryMinute(
        producer, NINE.minus(Duration.ofMinutes(30)), NINE.minus(Duration.ofMinutes(20)));

    cancel(appointment);
    harness.tickEveryMinute(
        producer, NINE.minus(Duration.ofMinutes(19)), NINE.plus(Duration.ofMinutes(5)));

    assertThat(reminders(appointment)).isEmpty();
  }

  @Test
  void anAppointmentMovedToLessThanItsOffsetAheadGetsTheReminderAtOnceCountedAsLate() {
    // Booked 70 minutes ahead, then moved to 45 minutes ahead before its reminder was due.
    scenario(NINE);
    Producer producer = aPracticeWithAnHourlyReminder(harness.config("p1").build());
    AppointmentsRecord appointment = bookedLongAgo(NINE.plus(Duration.ofMinutes(70)));
    harness.tickEveryMinute(producer, NINE, NINE.plus(Duration.ofMinutes(4)));
    assertThat(reminders(appointment)).isEmpty(); // due 09:10, not yet

    Instant newStart = NINE.plus(Duration.ofMinutes(50));
    move(appointment, newStart); // at 09:05, its new reminder was due at 08:50
    harness.clock.set(NINE.plus(Duration.ofMinutes(6)));
    TickReport next = producer.tick(NINE.plus(Duration.ofMinutes(6)), false);

    assertThat(next.lateReminders()).isEqualTo(1);
    assertThat(reminders(appointment))
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.appointmentStart()).isEqualTo(newStart);
              assertThat(d.dueAt()).isEqualTo(NINE.minus(Duration.ofMinutes(10)));
              assertThat(d.status()).isEqualTo(NotificationStatus.PENDING);
              // Ready at once: its due instant is past.
              assertThat(harness.queuedReadyAt().get(d.id())).isEqualTo(d.dueAt());
            });
    // Later ticks do not add another.
    harness.tickEveryMinute(
        producer, NINE.plus(Duration.ofMinutes(7)), NINE.plus(Duration.ofMinutes(20)));
    assertThat(reminders(appointment)).hasSize(1);
  }

  @Test
  void anAppointmentBookedAfterItsReminderWasDueGetsItAtOnceUnlessItHasStarted() {
    scenario(NINE);
    Producer producer = aPracticeWithAnHourlyReminder(harness.config("p1").build());
    harness.tickEveryMinute(producer, NINE, NINE.plus(Duration.ofMinutes(10)));

    // Booked at 09:10 (database time is what counts) for 09:40: the reminder was due at 08:40.
    AppointmentsRecord soon =
        harness
            .fixtures
            .appointment(workspace, client)
            .startingAt(NINE.plus(Duration.ofMinutes(40)))
            .create();
    // And one booked for a start the producer will only see after it passed.
    AppointmentsRecord alreadyStarted =
        harness
            .fixtures
            .appointment(workspace, client)
            .startingAt(NINE.plus(Duration.ofMinutes(10)))
            .create();
    harness.clock.set(NINE.plus(Duration.ofMinutes(11)));
    TickReport next = producer.tick(NINE.plus(Duration.ofMinutes(11)), false);

    assertThat(next.lateReminders()).isEqualTo(1);
    assertThat(reminders(soon))
        .singleElement()
        .satisfies(d -> assertThat(d.dueAt()).isEqualTo(NINE.minus(Duration.ofMinutes(20))));
    assertThat(reminders(alreadyStarted)).isEmpty();
  }

  @Test
  void withLateRemindersSwitchedOffABookingAfterTheDueInstantGetsNone() {
    scenario(NINE);
    Producer producer =
        aPracticeWithAnHourlyReminder(harness.config("p1").lateAppointmentReminders(false).build());
    harness.tickEveryMinute(producer, NINE, NINE.plus(Duration.ofMinutes(10)));

    AppointmentsRecord soon =
        harness
            .fixtures
            .appointment(workspace, client)
            .startingAt(NINE.plus(Duration.ofMinutes(40)))
            .create();
    harness.tickEveryMinute(
        producer, NINE.plus(Duration.ofMinutes(11)), NINE.plus(Duration.ofMinutes(20)));

    assertThat(reminders(soon)).isEmpty();
  }

  @Test
  void theDedupKeyBuiltInSqlIsTheOneDedupKeysBuildsEvenForAStartBetweenSeconds() {
    scenario(NINE.minus(Duration.ofMinutes(5)));
    Producer producer = aPracticeWithAnHourlyReminder(harness.config("p1").build());
    Instant oddStart = Instant.parse("2027-05-03T10:00:00.750Z");
    AppointmentsRecord appointment = bookedLongAgo(oddStart);

    harness.tickEveryMinute(
        producer, NINE.minus(Duration.ofMinutes(5)), NINE.plus(Duration.ofMinutes(3)));

    assertThat(reminders(appointment))
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.dedupKey())
                  .isEqualTo(
                      DedupKeys.appointmentReminder(
                          appointment.getId(), therapist.getId(), 60, oddStart))
                  .endsWith(":" + oddStart.getEpochSecond());
              assertThat(d.appointmentStart()).isEqualTo(oddStart);
              assertThat(d.dueAt()).isEqualTo(oddStart.minus(Duration.ofHours(1)));
            });
  }
}
