package io.notifier.retry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * When to try again: exponential backoff with jitter, up to a number of attempts. A small value;
 * compose it with the {@code with*} methods. Times come from the caller's {@link Clock}.
 *
 * @param maxAttempts attempts in all, the first included
 * @param initialBackoff wait after the first failed attempt
 * @param multiplier growth per further failure
 * @param maxBackoff cap on any single wait
 * @param jitter fraction (0..1) of each wait that is randomised, so that a burst of failures does
 *     not come back as a burst
 */
public record RetryPolicy(
    int maxAttempts,
    Duration initialBackoff,
    double multiplier,
    Duration maxBackoff,
    double jitter) {

  public static final int DEFAULT_MAX_ATTEMPTS = 5;
  public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofSeconds(30);
  public static final double DEFAULT_MULTIPLIER = 2.0;
  public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofMinutes(30);
  public static final double DEFAULT_JITTER = 0.2;

  public static final RetryPolicy DEFAULT =
      new RetryPolicy(
          DEFAULT_MAX_ATTEMPTS,
          DEFAULT_INITIAL_BACKOFF,
          DEFAULT_MULTIPLIER,
          DEFAULT_MAX_BACKOFF,
          DEFAULT_JITTER);

  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
    }
    Objects.requireNonNull(initialBackoff, "initialBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    if (initialBackoff.isNegative() || initialBackoff.isZero()) {
      throw new IllegalArgumentException("initialBackoff must be positive");
    }
    if (maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException("maxBackoff must not be shorter than initialBackoff");
    }
    if (!(multiplier >= 1.0)) {
      throw new IllegalArgumentException("multiplier must be at least 1");
    }
    if (!(jitter >= 0.0 && jitter <= 1.0)) {
      throw new IllegalArgumentException("jitter must be between 0 and 1");
    }
  }

  public static RetryPolicy exponential(Duration initial, double multiplier, Duration max) {
    return new RetryPolicy(DEFAULT_MAX_ATTEMPTS, initial, multiplier, max, DEFAULT_JITTER);
  }

  public RetryPolicy withMaxAttempts(int attempts) {
    return new RetryPolicy(attempts, initialBackoff, multiplier, maxBackoff, jitter);
  }

  public RetryPolicy withJitter(double fraction) {
    return new RetryPolicy(maxAttempts, initialBackoff, multiplier, maxBackoff, fraction);
  }

  public RetryPolicy withBackoff(Duration initial, Duration max) {
    return new RetryPolicy(maxAttempts, initial, multiplier, max, jitter);
  }

  /** Whether another attempt may follow {@code attemptsMade} attempts. */
  public boolean allowsAnotherAfter(int attemptsMade) {
    return attemptsMade < maxAttempts;
  }

  /**
   * The wait after the {@code attemptsMade}-th failed attempt, before jitter: initial times
   * multiplier^(attemptsMade - 1), capped.
   */
  public Duration baseBackoff(int attemptsMade) {
    double millis = initialBackoff.toMillis() * Math.pow(multiplier, Math.max(0, attemptsMade - 1));
    return millis >= maxBackoff.toMillis() ? maxBackoff : Duration.ofMillis((long) millis);
  }

  /** The base wait with jitter applied: uniformly within ±jitter of it, never below zero. */
  public Duration backoff(int attemptsMade, RandomGenerator random) {
    long base = baseBackoff(attemptsMade).toMillis();
    long spread = (long) (base * jitter);
    long offset = spread == 0 ? 0 : random.nextLong(-spread, spread + 1);
    return Duration.ofMillis(Math.max(0, base + offset));
  }

  /** When the next attempt should run, or empty when the attempts are used up. */
  public Optional<Instant> nextAttempt(int attemptsMade, Clock clock, RandomGenerator random) {
    if (!allowsAnotherAfter(attemptsMade)) {
      return Optional.empty();
    }
    return Optional.of(clock.instant().plus(backoff(attemptsMade, random)));
  }
}
