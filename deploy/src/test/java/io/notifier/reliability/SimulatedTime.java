package io.notifier.reliability;

import io.notifier.time.FileClock;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The simulated time every process of a scenario reads ({@code NOTIFIER_CLOCK=file:...}): it flows
 * at the real rate, so leases, timeouts and backoffs expire as in production, and the test jumps it
 * forward (or back) by rewriting the file. The test reads the same file, so it and the processes
 * agree on "now".
 */
final class SimulatedTime {

  private final Path file;
  private final FileClock clock;

  private SimulatedTime(Path file) {
    this.file = file;
    this.clock = FileClock.open(file, Clock.systemUTC(), Duration.ZERO);
  }

  /** Time flowing from {@code start}, kept in {@code file}. */
  static SimulatedTime startingAt(Path file, Instant start) {
    FileClock.write(file, FileClock.line(start, Instant.now()));
    return new SimulatedTime(file);
  }

  /** Sets the time to {@code instant}, flowing on from there. */
  void set(Instant instant) {
    FileClock.write(file, FileClock.line(instant, Instant.now()));
  }

  /** Moves the time by {@code by} (negative: back) and returns the new instant. */
  Instant jump(Duration by) {
    Instant to = now().plus(by);
    set(to);
    return to;
  }

  Instant now() {
    return clock.instant();
  }

  Clock clock() {
    return clock;
  }

  /** The value of NOTIFIER_CLOCK. */
  String environmentValue() {
    return "file:" + file.toAbsolutePath();
  }
}
