package io.notifier.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.notifier.model.NotificationKind;
import io.notifier.model.SkipReason;
import java.time.Duration;
import java.time.Instant;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The producer's configuration and staleness rules: defaults, and what is refused and why. */
class ProducerConfigTest {

  @Test
  void theDefaultsAreTheDocumentedOnes() {
    ProducerConfig config = ProducerConfig.defaults("producer-1");

    assertThat(config.pipeline()).isEqualTo("default");
    assertThat(config.tickInterval()).isEqualTo(Duration.ofMinutes(1));
    assertThat(config.lookAhead()).isEqualTo(Duration.ofMinutes(2));
    assertThat(config.maxCatchUp()).isEqualTo(Duration.ofHours(26));
    assertThat(config.catchUpSlice()).isEqualTo(Duration.ofHours(1));
    assertThat(config.zoneCacheTtl()).isEqualTo(Duration.ofMinutes(5));
    assertThat(config.reconcileInterval()).isEqualTo(Duration.ofMinutes(1));
    assertThat(config.leaderLeaseTime()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.lateAppointmentReminders()).isTrue();
    assertThat(config.staleness()).isEqualTo(StalenessRules.DEFAULTS);
    assertThat(config.toBuilder().build()).isEqualTo(config);
  }

  static Stream<Arguments> invalid() {
    return Stream.of(
        Arguments.of(
            "blank id", (UnaryOperator<ProducerConfig.Builder>) b -> ProducerConfig.builder(" ")),
        Arguments.of("tick under a second", op(b -> b.tickInterval(Duration.ofMillis(500)))),
        Arguments.of("tick not dividing a day", op(b -> b.tickInterval(Duration.ofSeconds(7)))),
        Arguments.of("tick over an hour", op(b -> b.tickInterval(Duration.ofHours(2)))),
        Arguments.of(
            "look-ahead shorter than a tick", op(b -> b.lookAhead(Duration.ofSeconds(30)))),
        Arguments.of(
            "catch-up shorter than tick + look-ahead",
            op(b -> b.maxCatchUp(Duration.ofMinutes(2)))),
        Arguments.of("catch-up over a week", op(b -> b.maxCatchUp(Duration.ofDays(8)))),
        Arguments.of("slice shorter than a tick", op(b -> b.catchUpSlice(Duration.ofSeconds(10)))),
        Arguments.of("zero zone TTL", op(b -> b.zoneCacheTtl(Duration.ZERO))),
        Arguments.of("negative slack", op(b -> b.changeSlack(Duration.ofSeconds(-1)))),
        Arguments.of("page size zero", op(b -> b.reconcilePageSize(0))),
        Arguments.of(
            "lease under three seconds", op(b -> b.leaderLeaseTime(Duration.ofSeconds(1)))),
        Arguments.of("negative row limit", op(b -> b.reportRowLimit(-1))));
  }

  private static UnaryOperator<ProducerConfig.Builder> op(UnaryOperator<ProducerConfig.Builder> f) {
    return f;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void anInvalidValueIsRefusedWhenTheConfigIsBuilt(
      String what, UnaryOperator<ProducerConfig.Builder> change) {
    assertThatThrownBy(() -> change.apply(ProducerConfig.builder("p")).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("null");
  }

  @Test
  void wallClockKindsAreStaleOnlyAfterTheirGraceAndRemindersOnlyOnceTheAppointmentStarted() {
    StalenessRules rules = StalenessRules.DEFAULTS;
    Instant due = Instant.parse("2027-01-11T08:00:00Z");

    assertThat(
            rules.verdict(NotificationKind.DAILY_DIGEST, due, null, due.plus(Duration.ofHours(2))))
        .isEmpty();
    assertThat(
            rules.verdict(
                NotificationKind.DAILY_DIGEST,
                due,
                null,
                due.plus(Duration.ofHours(2)).plusSeconds(1)))
        .contains(SkipReason.STALE);
    assertThat(
            rules.verdict(
                NotificationKind.TOMORROW_DIGEST, due, null, due.plus(Duration.ofHours(3))))
        .contains(SkipReason.STALE);
    assertThat(
            rules.verdict(
                NotificationKind.SESSION_NOTES_REMINDER,
                due,
                null,
                due.plus(Duration.ofMinutes(119))))
        .isEmpty();
    Instant start = due.plus(Duration.ofHours(24));
    assertThat(
            rules.verdict(NotificationKind.APPOINTMENT_REMINDER, due, start, start.minusSeconds(1)))
        .isEmpty();
    assertThat(rules.verdict(NotificationKind.APPOINTMENT_REMINDER, due, start, start))
        .contains(SkipReason.APPOINTMENT_STARTED);
    assertThat(rules.grace(NotificationKind.APPOINTMENT_REMINDER)).isEmpty();
    assertThatThrownBy(() -> new StalenessRules(Duration.ofHours(-1), Duration.ZERO, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
