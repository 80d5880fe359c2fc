package io.notifier.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

/**
 * The demo's times: each kind due within two minutes of seeding, written as the workspace's local
 * "HH:mm", and the one case where such a setting does not fire at the minute it names (the second
 * hour of a fall-back overlap), across real DST transitions.
 */
class DemoScheduleTest {

  private static final ZoneId LONDON = ZoneId.of("Europe/London");
  private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
  private static final ZoneId JERUSALEM = ZoneId.of("Asia/Jerusalem");
  private static final ZoneId KATHMANDU = ZoneId.of("Asia/Kathmandu");

  @Test
  void
      everyDueInstantFallsWithinTwoMinutesOfSeedingAndTheReminderAppointmentStartsInFifteenToSixteen() {
    Instant now = Instant.parse("2027-03-14T06:58:41.250Z");

    DemoSchedule schedule = DemoSchedule.at(now);

    assertThat(schedule.first()).isEqualTo(Instant.parse("2027-03-14T06:59:00Z"));
    assertThat(schedule.second()).isEqualTo(Instant.parse("2027-03-14T07:00:00Z"));
    assertThat(Duration.between(now, schedule.second())).isLessThanOrEqualTo(Duration.ofMinutes(2));
    assertThat(Duration.between(now, schedule.reminderStart()))
        .isGreaterThanOrEqualTo(Duration.ofMinutes(15))
        .isLessThan(Duration.ofMinutes(16));
    assertThat(schedule.reminderStart().minus(Duration.ofMinutes(15)))
        .as("the 15-minute reminder is due at the first minute")
        .isEqualTo(schedule.first());
    assertThat(Duration.between(now, schedule.lateBookingStart()))
        .as("booked now, its 60-minute reminder already overdue")
        .isLessThan(Duration.ofMinutes(60))
        .isGreaterThan(Duration.ofMinutes(30));
  }

  @Test
  void onAWholeMinuteTheFirstDueMinuteIsStillInTheFuture() {
    DemoSchedule schedule = DemoSchedule.at(Instant.parse("2027-03-14T07:00:00Z"));

    assertThat(schedule.first()).isEqualTo(Instant.parse("2027-03-14T07:01:00Z"));
    assertThat(schedule.reminderStart()).isEqualTo(Instant.parse("2027-03-14T07:16:00Z"));
  }

  @Test
  void wallTimesAreTheWorkspacesLocalClockIncludingAQuarterHourOffset() {
    Instant at = Instant.parse("2027-03-14T06:59:00Z");

    assertThat(DemoSchedule.wallTime(at, KATHMANDU)).isEqualTo("12:44");
    assertThat(DemoSchedule.wallTime(at, JERUSALEM)).isEqualTo("08:59");
    assertThat(DemoSchedule.wallTime(at, ZoneId.of("UTC"))).isEqualTo("06:59");
    assertThat(DemoSchedule.firesAt(at, KATHMANDU)).isTrue();
  }

  @Test
  void rightAfterASpringForwardGapTheLocalTimeFiresAtItsOwnInstant() {
    // New York, 2027-03-14: 02:00 EST jumps to 03:00 EDT at 07:00Z.
    Instant firstAfterGap = Instant.parse("2027-03-14T07:01:00Z");

    assertThat(DemoSchedule.wallTime(firstAfterGap, NEW_YORK)).isEqualTo("03:01");
    assertThat(DemoSchedule.firesAt(firstAfterGap, NEW_YORK)).isTrue();
    assertThat(DemoSchedule.firesAt(Instant.parse("2027-03-14T07:00:00Z"), NEW_YORK)).isTrue();
  }

  @Test
  void inTheSecondHourOfAFallBackOverlapTheSettingAlreadyFiredAnHourEarlier() {
    // London, 2027-10-31: 01:00-02:00 happens twice, BST (00:00Z-01:00Z) then GMT (01:00Z-02:00Z).
    Instant firstOccurrence = Instant.parse("2027-10-31T00:30:00Z");
    Instant secondOccurrence = Instant.parse("2027-10-31T01:30:00Z");

    assertThat(DemoSchedule.wallTime(firstOccurrence, LONDON)).isEqualTo("01:30");
    assertThat(DemoSchedule.wallTime(secondOccurrence, LONDON)).isEqualTo("01:30");
    assertThat(DemoSchedule.firesAt(firstOccurrence, LONDON)).isTrue();
    assertThat(DemoSchedule.firesAt(secondOccurrence, LONDON)).isFalse();
    // Jerusalem's overlap that night is 01:00-02:00 local: +03:00 (22:00Z-23:00Z the day
    // before), then +02:00 (23:00Z-00:00Z).
    assertThat(DemoSchedule.firesAt(Instant.parse("2027-10-30T22:30:00Z"), JERUSALEM)).isTrue();
    assertThat(DemoSchedule.firesAt(Instant.parse("2027-10-30T23:30:00Z"), JERUSALEM)).isFalse();
    assertThat(DemoSchedule.firesAt(secondOccurrence, JERUSALEM)).isTrue();
  }

  @Test
  void theLocalDateAndPazPazsDayNumberFollowTheWorkspacesCalendar() {
    Instant at = Instant.parse("2027-03-13T18:30:00Z"); // Saturday in UTC, Sunday in Kathmandu

    assertThat(DemoSchedule.localDate(at, KATHMANDU)).isEqualTo(LocalDate.of(2027, 3, 14));
    assertThat(DemoSchedule.dayNumber(DemoSchedule.localDate(at, KATHMANDU))).isZero();
    assertThat(DemoSchedule.dayNumber(DemoSchedule.localDate(at, ZoneId.of("UTC")))).isEqualTo(6);
  }
}
