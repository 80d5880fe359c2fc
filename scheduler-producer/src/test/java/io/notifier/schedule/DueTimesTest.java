package io.notifier.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.zone.ZoneOffsetTransition;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The wall-clock rule and the window arithmetic, against java.time's own zone rules. */
class DueTimesTest {

  private static Instant fire(String zone, String localDateTime) {
    return DueTimes.fireInstant(ZoneId.of(zone), LocalDateTime.parse(localDateTime));
  }

  @Test
  void theDstDatesOf2027AreTheOnesTheTestsAssume() {
    assertThat(transitions("America/New_York"))
        .containsExactly("2027-03-14T02:00 gap", "2027-11-07T02:00 overlap");
    assertThat(transitions("Europe/London"))
        .containsExactly("2027-03-28T01:00 gap", "2027-10-31T02:00 overlap");
    assertThat(transitions("Asia/Jerusalem"))
        .containsExactly("2027-03-26T02:00 gap", "2027-10-31T02:00 overlap");
    assertThat(transitions("Australia/Lord_Howe"))
        .containsExactly("2027-04-04T02:00 overlap", "2027-10-03T02:00 gap");
    for (String noDst :
        List.of("Asia/Kolkata", "Asia/Kathmandu", "Pacific/Kiritimati", "Pacific/Pago_Pago")) {
      assertThat(transitions(noDst)).as(noDst).isEmpty();
    }
  }

  private static List<String> transitions(String zone) {
    List<String> found = new ArrayList<>();
    ZoneOffsetTransition t =
        ZoneId.of(zone).getRules().nextTransition(Instant.parse("2027-01-01T00:00:00Z"));
    while (t != null && t.getInstant().isBefore(Instant.parse("2028-01-01T00:00:00Z"))) {
      found.add(t.getDateTimeBefore() + (t.isGap() ? " gap" : " overlap"));
      t = ZoneId.of(zone).getRules().nextTransition(t.getInstant());
    }
    return found;
  }

  @Nested
  class FireInstant {

    @ParameterizedTest(name = "{0} {1} fires at {2}")
    @CsvSource({
      // ordinary days, every offset family the issue names
      "America/New_York, 2027-01-15T08:00, 2027-01-15T13:00:00Z",
      "Europe/London, 2027-01-15T08:00, 2027-01-15T08:00:00Z",
      "Asia/Jerusalem, 2027-01-15T08:00, 2027-01-15T06:00:00Z",
      "Asia/Kolkata, 2027-01-15T08:00, 2027-01-15T02:30:00Z",
      "Asia/Kathmandu, 2027-01-15T08:00, 2027-01-15T02:15:00Z",
      "Australia/Lord_Howe, 2027-01-15T08:00, 2027-01-14T21:00:00Z",
      "Australia/Lord_Howe, 2027-07-15T08:00, 2027-07-14T21:30:00Z",
      "Pacific/Kiritimati, 2027-01-01T08:00, 2026-12-31T18:00:00Z",
      "Pacific/Pago_Pago, 2027-01-15T08:00, 2027-01-15T19:00:00Z",
      "Etc/GMT+12, 2027-01-15T08:00, 2027-01-15T20:00:00Z",
      "Pacific/Chatham, 2027-07-15T08:00, 2027-07-14T19:15:00Z",
      "UTC, 2027-01-15T23:59, 2027-01-15T23:59:00Z",
    })
    void anOrdinaryWallTimeFiresAtItsOnlyInstant(String zone, String wall, String expected) {
      assertThat(fire(zone, wall)).isEqualTo(Instant.parse(expected));
      assertThat(fire(zone, wall))
          .isEqualTo(ZonedDateTime.of(LocalDateTime.parse(wall), ZoneId.of(zone)).toInstant());
    }

    @ParameterizedTest(name = "{0} {1} (in the gap) fires at the transition {2}")
    @CsvSource({
      "America/New_York, 2027-03-14T02:00, 2027-03-14T07:00:00Z",
      "America/New_York, 2027-03-14T02:30, 2027-03-14T07:00:00Z",
      "America/New_York, 2027-03-14T02:59, 2027-03-14T07:00:00Z",
      "Europe/London, 2027-03-28T01:30, 2027-03-28T01:00:00Z",
      "Asia/Jerusalem, 2027-03-26T02:30, 2027-03-26T00:00:00Z",
      "Australia/Lord_Howe, 2027-10-03T02:15, 2027-10-02T15:30:00Z",
    })
    void aWallTimeInASpringForwardGapFiresAtTheTransitionInstant(
        String zone, String wall, String expected) {
      Instant fired = fire(zone, wall);

      assertThat(fired).isEqualTo(Instant.parse(expected));
      // java.time's own resolution shifts by the gap's length instead (the same only for the
      // first minute of the gap).
      Instant shifted = ZonedDateTime.of(LocalDateTime.parse(wall), ZoneId.of(zone)).toInstant();
      assertThat(shifted).isAfterOrEqualTo(fired);
      // The zone's clock reads the end of the gap at that instant: the first time >= the wall time.
      assertThat(LocalDateTime.ofInstant(fired, ZoneId.of(zone)))
          .isAfter(LocalDateTime.parse(wall));
      assertThat(LocalDateTime.ofInstant(fired.minusSeconds(1), ZoneId.of(zone)))
          .isBefore(LocalDateTime.parse(wall));
    }

    @Test
    void zonedDateTimeOfWouldFireHalfAnHourLateInTheMiddleOfTheGap() {
      LocalDateTime wall = LocalDateTime.parse("2027-03-14T02:30");
      ZoneId newYork = ZoneId.of("America/New_York");

      assertThat(ZonedDateTime.of(wall, newYork).toInstant())
          .isEqualTo(Instant.parse("2027-03-14T07:30:00Z"));
      assertThat(DueTimes.fireInstant(newYork, wall))
          .isEqualTo(Instant.parse("2027-03-14T07:00:00Z"));
    }

    @ParameterizedTest(name = "{0} {1} (occurs twice) fires at its first occurrence {2}")
    @CsvSource({
      "America/New_York, 2027-11-07T01:30, 2027-11-07T05:30:00Z",
      "America/New_York, 2027-11-07T01:00, 2027-11-07T05:00:00Z",
      "Europe/London, 2027-10-31T01:30, 2027-10-31T00:30:00Z",
      "Asia/Jerusalem, 2027-10-31T01:30, 2027-10-30T22:30:00Z",
      "Australia/Lord_Howe, 2027-04-04T01:45, 2027-04-03T14:45:00Z",
    })
    void aWallTimeThatOccursTwiceFiresAtItsFirstOccurrence(
        String zone, String wall, String expected) {
      Instant fired = fire(zone, wall);

      assertThat(fired).isEqualTo(Instant.parse(expected));
      assertThat(ZoneId.of(zone).getRules().getValidOffsets(LocalDateTime.parse(wall)).size())
          .isEqualTo(2);
      assertThat(fired)
          .isEqualTo(
              ZonedDateTime.of(LocalDateTime.parse(wall), ZoneId.of(zone))
                  .withEarlierOffsetAtOverlap()
                  .toInstant());
    }
  }

  @Nested
  class Slots {

    @Test
    void aOneMinuteWindowHoldsTheOneWallMinuteThatFiresInIt() {
      List<DueSlot> slots =
          DueTimes.slots(
              ZoneId.of("Asia/Kathmandu"),
              Instant.parse("2027-01-15T02:14:00Z"),
              Instant.parse("2027-01-15T02:15:00Z"));

      assertThat(slots)
          .containsExactly(
              new DueSlot(
                  LocalDate.of(2027, 1, 15),
                  LocalTime.of(8, 0),
                  Instant.parse("2027-01-15T02:15:00Z")));
      assertThat(slots.get(0).hhmm()).isEqualTo("08:00");
      assertThat(slots.get(0).dayOfWeek()).isEqualTo(5); // a Friday
    }

    @Test
    void theMinuteOfASpringForwardTransitionFiresTheWholeGapAndTheTimeAfterIt() {
      List<DueSlot> slots =
          DueTimes.slots(
              ZoneId.of("America/New_York"),
              Instant.parse("2027-03-14T06:59:00Z"),
              Instant.parse("2027-03-14T07:00:00Z"));

      assertThat(slots).hasSize(61);
      assertThat(slots.get(0).hhmm()).isEqualTo("02:00");
      assertThat(slots.get(59).hhmm()).isEqualTo("02:59");
      assertThat(slots.get(60).hhmm()).isEqualTo("03:00");
      assertThat(slots)
          .allSatisfy(s -> assertThat(s.due()).isEqualTo(Instant.parse("2027-03-14T07:00:00Z")));
    }

    @Test
    void theRepeatedHourOfAFallBackFiresNothingTheSecondTime() {
      ZoneId newYork = ZoneId.of("America/New_York");
      // 05:00Z-06:00Z is 01:00-02:00 EDT; 06:00Z-07:00Z is 01:00-02:00 EST, the repeat.
      List<DueSlot> firstPass =
          DueTimes.slots(
              newYork,
              Instant.parse("2027-11-07T05:00:00Z"),
              Instant.parse("2027-11-07T06:00:00Z"));
      List<DueSlot> repeat =
          DueTimes.slots(
              newYork,
              Instant.parse("2027-11-07T06:00:00Z"),
              Instant.parse("2027-11-07T06:59:00Z"));
      List<DueSlot> after =
          DueTimes.slots(
              newYork,
              Instant.parse("2027-11-07T06:59:00Z"),
              Instant.parse("2027-11-07T07:00:00Z"));

      assertThat(firstPass).hasSize(59);
      assertThat(firstPass.get(0).hhmm()).isEqualTo("01:01");
      assertThat(firstPass.get(58).hhmm()).isEqualTo("01:59");
      assertThat(repeat).isEmpty();
      assertThat(after)
          .singleElement()
          .satisfies(
              s -> {
                assertThat(s.hhmm()).isEqualTo("02:00");
                assertThat(s.due()).isEqualTo(Instant.parse("2027-11-07T07:00:00Z"));
              });
    }

    @Test
    void lordHowesHalfHourFallBackRepeatsOnlyHalfAnHour() {
      ZoneId lordHowe = ZoneId.of("Australia/Lord_Howe");
      // 02:00 +11 = 15:00Z on Apr 3 becomes 01:30 +10:30; 01:30-02:00 happens twice.
      List<DueSlot> slots =
          DueTimes.slots(
              lordHowe,
              Instant.parse("2027-04-03T14:00:00Z"),
              Instant.parse("2027-04-03T16:00:00Z"));

      assertThat(slots).extracting(DueSlot::hhmm).doesNotHaveDuplicates();
      assertThat(slots.get(0).hhmm()).isEqualTo("01:01");
      assertThat(slots.get(slots.size() - 1).hhmm()).isEqualTo("02:30");
      // 120 instants, of which the repeated half hour fires nothing.
      assertThat(slots).hasSize(90);
    }

    @Test
    void anEmptyOrBackwardWindowHasNoSlots() {
      Instant t = Instant.parse("2027-01-15T08:00:00Z");
      assertThat(DueTimes.slots(ZoneId.of("UTC"), t, t)).isEmpty();
      assertThat(DueTimes.slots(ZoneId.of("UTC"), t, t.minusSeconds(60))).isEmpty();
    }

    @Test
    void aWholeSkippedDayFiresAtItsTransition() {
      // Samoa skipped 2011-12-30 entirely, moving from -10:00 to +14:00.
      ZoneId apia = ZoneId.of("Pacific/Apia");
      Instant transition = Instant.parse("2011-12-30T10:00:00Z");
      List<DueSlot> slots = DueTimes.slots(apia, transition.minusSeconds(60), transition);

      assertThat(slots).hasSize(24 * 60 + 1);
      assertThat(slots.get(0).localDate()).isEqualTo(LocalDate.of(2011, 12, 30));
      assertThat(slots).allSatisfy(s -> assertThat(s.due()).isEqualTo(transition));
    }
  }

  /**
   * The property the producer relies on: cutting time into consecutive windows, of any sizes, fires
   * every local wall-clock minute exactly once, in a window containing its fire instant.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "America/New_York",
        "Europe/London",
        "Asia/Jerusalem",
        "Asia/Kolkata",
        "Asia/Kathmandu",
        "Australia/Lord_Howe",
        "Pacific/Kiritimati",
        "Pacific/Pago_Pago",
        "Pacific/Chatham",
        "Etc/GMT+12"
      })
  void consecutiveWindowsOfRandomSizeFireEveryWallMinuteExactlyOnceAcrossTheTransitions(
      String zoneName) {
    ZoneId zone = ZoneId.of(zoneName);
    Random random = new Random(zoneName.hashCode());
    // Between them, these spans hold every 2027 transition of these zones.
    checkSpan(
        zone, random, Instant.parse("2027-03-10T00:00:00Z"), Instant.parse("2027-04-10T00:00:00Z"));
    checkSpan(
        zone, random, Instant.parse("2027-09-20T00:00:00Z"), Instant.parse("2027-11-10T00:00:00Z"));
  }

  private static void checkSpan(ZoneId zone, Random random, Instant start, Instant end) {
    LocalDateTime previous = null;
    long count = 0;
    Instant from = start;
    while (from.isBefore(end)) {
      Instant to = from.plus(Duration.ofSeconds(1 + random.nextInt(6 * 3600)));
      if (to.isAfter(end)) {
        to = end;
      }
      for (DueSlot slot : DueTimes.slots(zone, from, to)) {
        LocalDateTime wall = LocalDateTime.of(slot.localDate(), slot.wallTime());
        // Plain checks (a hundred thousand slots per span); AssertJ only reports a failure.
        // Strictly consecutive wall minutes and the count below together mean: each exactly once.
        if (!slot.due().isAfter(from) || slot.due().isAfter(to)) {
          fail("%s fires at %s, outside (%s, %s]", wall, slot.due(), from, to);
        }
        if (previous != null && !wall.equals(previous.plusMinutes(1))) {
          fail("wall minutes skipped between %s and %s", previous, wall);
        }
        previous = wall;
        count++;
      }
      from = to;
    }
    LocalDateTime first = LocalDateTime.ofInstant(start, zone).plusMinutes(1);
    LocalDateTime last = LocalDateTime.ofInstant(end, zone);
    assertThat(count)
        .as("one slot per local minute of the span in %s", zone)
        .isEqualTo(Duration.between(first, last).toMinutes() + 1);
  }
}
