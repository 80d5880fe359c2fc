package io.notifier.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.notifier.testing.SettableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

  private final RetryPolicy policy =
      RetryPolicy.exponential(Duration.ofSeconds(10), 2.0, Duration.ofMinutes(1))
          .withMaxAttempts(4)
          .withJitter(0.0);

  @Test
  void backoffDoublesFromTheInitialWaitUpToTheCap() {
    assertThat(policy.baseBackoff(1)).isEqualTo(Duration.ofSeconds(10));
    assertThat(policy.baseBackoff(2)).isEqualTo(Duration.ofSeconds(20));
    assertThat(policy.baseBackoff(3)).isEqualTo(Duration.ofSeconds(40));
    assertThat(policy.baseBackoff(4)).isEqualTo(Duration.ofMinutes(1));
    assertThat(policy.baseBackoff(40)).isEqualTo(Duration.ofMinutes(1));
  }

  @Test
  void theNextAttemptIsComputedFromTheClockUntilAttemptsRunOut() {
    SettableClock clock = new SettableClock(Instant.parse("2027-01-01T00:00:00Z"));
    SplittableRandom random = new SplittableRandom(1);
    assertThat(policy.nextAttempt(1, clock, random))
        .contains(Instant.parse("2027-01-01T00:00:10Z"));
    assertThat(policy.nextAttempt(3, clock, random))
        .contains(Instant.parse("2027-01-01T00:00:40Z"));
    assertThat(policy.nextAttempt(4, clock, random)).isEmpty();
  }

  @Test
  void jitterStaysWithinItsFractionAndActuallyVaries() {
    RetryPolicy jittered = policy.withJitter(0.2);
    SplittableRandom random = new SplittableRandom(42);
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (int i = 0; i < 1_000; i++) {
      long millis = jittered.backoff(2, random).toMillis();
      min = Math.min(min, millis);
      max = Math.max(max, millis);
    }
    assertThat(min).isGreaterThanOrEqualTo(16_000);
    assertThat(max).isLessThanOrEqualTo(24_000);
    assertThat(max - min).isGreaterThan(4_000);
  }

  @Test
  void nonsenseIsRejectedWhenThePolicyIsBuilt() {
    assertThatThrownBy(() -> policy.withMaxAttempts(0)).hasMessageContaining("maxAttempts");
    assertThatThrownBy(() -> policy.withJitter(1.5)).hasMessageContaining("jitter");
    assertThatThrownBy(() -> policy.withBackoff(Duration.ofMinutes(2), Duration.ofMinutes(1)))
        .hasMessageContaining("maxBackoff");
    assertThatThrownBy(() -> RetryPolicy.exponential(Duration.ZERO, 2, Duration.ofMinutes(1)))
        .hasMessageContaining("initialBackoff");
  }
}
