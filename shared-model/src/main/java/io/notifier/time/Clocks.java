package io.notifier.time;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * How long-running loops wait for an instant of their injected {@link Clock}.
 *
 * <p>With the system clock, clock time and real time pass together, so a loop simply sleeps until
 * the instant: exactly what it did before these helpers existed. Any other clock (a test's settable
 * clock, a {@link FileClock} several processes share) may jump by hours between two reads, so a
 * loop must never sleep real time in proportion to a clock-time wait: it re-reads such a clock
 * every {@link #CONTROLLED_POLL} instead, and so notices a jump at once.
 */
public final class Clocks {

  /** How often a loop re-reads a clock that is not the system clock. */
  public static final Duration CONTROLLED_POLL = Duration.ofMillis(20);

  private static final Class<? extends Clock> SYSTEM_CLOCK = Clock.systemUTC().getClass();

  private Clocks() {}

  /** Whether {@code clock} is the JVM's system clock (in any zone). */
  public static boolean isSystemClock(Clock clock) {
    return Objects.requireNonNull(clock, "clock").getClass() == SYSTEM_CLOCK;
  }

  /**
   * The real time to sleep before re-reading {@code clock} when the caller wants to wait {@code
   * wanted} of clock time: {@code wanted} itself for the system clock, at most {@link
   * #CONTROLLED_POLL} for any other.
   */
  public static Duration realWait(Clock clock, Duration wanted) {
    if (isSystemClock(clock) || wanted.compareTo(CONTROLLED_POLL) <= 0) {
      return wanted;
    }
    return CONTROLLED_POLL;
  }

  /**
   * Waits until {@code clock} reads {@code deadline} or later, or {@code realLimit} of real time
   * has passed (so a clock set back never makes a loop slower than real time would), or {@code
   * stop} is released. Returns whether {@code stop} was released (or the thread interrupted, whose
   * flag is then set again).
   */
  public static boolean awaitUntil(
      Clock clock, Instant deadline, Duration realLimit, CountDownLatch stop) {
    long limitNanos = System.nanoTime() + realLimit.toNanos();
    try {
      while (true) {
        long realLeft = limitNanos - System.nanoTime();
        Duration clockLeft = Duration.between(clock.instant(), deadline);
        if (realLeft <= 0 || clockLeft.isNegative() || clockLeft.isZero()) {
          return stop.getCount() == 0;
        }
        long sleep = Math.min(realLeft, realWait(clock, clockLeft).toNanos());
        if (stop.await(Math.max(1, sleep), TimeUnit.NANOSECONDS)) {
          return true;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    }
  }
}
