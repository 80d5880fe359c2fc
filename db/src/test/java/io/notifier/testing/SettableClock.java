package io.notifier.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link Clock} that stands still until a test moves it. Thread-safe: code under test may read it
 * from any thread while the test sets or advances it. Views from {@link #withZone} share the
 * instant, so moving the original moves them too.
 */
public final class SettableClock extends Clock {

  private final AtomicReference<Instant> now;
  private final ZoneId zone;

  /** Starts at the current instant, truncated to milliseconds, in UTC. */
  public SettableClock() {
    this(Instant.now().truncatedTo(ChronoUnit.MILLIS));
  }

  /** Starts at {@code start}, in UTC. */
  public SettableClock(Instant start) {
    this(start, ZoneOffset.UTC);
  }

  public SettableClock(Instant start, ZoneId zone) {
    this(new AtomicReference<>(Objects.requireNonNull(start, "start")), zone);
  }

  private SettableClock(AtomicReference<Instant> now, ZoneId zone) {
    this.now = now;
    this.zone = Objects.requireNonNull(zone, "zone");
  }

  /** Sets the time; it may go backwards. */
  public void set(Instant instant) {
    now.set(Objects.requireNonNull(instant, "instant"));
  }

  /** Moves the time by {@code duration} (negative to go back) and returns the new instant. */
  public Instant advance(Duration duration) {
    Objects.requireNonNull(duration, "duration");
    return now.updateAndGet(current -> current.plus(duration));
  }

  @Override
  public Instant instant() {
    return now.get();
  }

  @Override
  public long millis() {
    return now.get().toEpochMilli();
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  /** The same settable time seen in another zone. */
  @Override
  public SettableClock withZone(ZoneId zone) {
    return zone.equals(this.zone) ? this : new SettableClock(now, zone);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof SettableClock that && that.now == now && that.zone.equals(zone);
  }

  @Override
  public int hashCode() {
    return System.identityHashCode(now) * 31 + zone.hashCode();
  }

  @Override
  public String toString() {
    return "SettableClock[" + now.get() + "," + zone + "]";
  }
}
