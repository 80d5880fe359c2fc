package io.notifier.app;

import io.notifier.time.FileClock;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/**
 * Where a process reads the time: the system clock, unless {@code NOTIFIER_CLOCK=file:PATH} names a
 * {@link FileClock} that tests share between the processes they start to simulate time (see
 * docs/RELIABILITY.md). Never set in production; a process using it says so in a WARN at start.
 */
final class ClockSource {

  static final String ENV = "NOTIFIER_CLOCK";
  private static final String FILE_PREFIX = "file:";

  private ClockSource() {}

  /** The clock the environment asks for; a malformed value is an IllegalArgumentException. */
  static Clock fromEnvironment(Map<String, String> env) {
    String spec = env.get(ENV);
    if (spec == null || spec.isBlank()) {
      return Clock.systemUTC();
    }
    if (!spec.startsWith(FILE_PREFIX) || spec.length() == FILE_PREFIX.length()) {
      throw new IllegalArgumentException(
          ENV + " must be file:PATH (tests only), was '" + spec + "'");
    }
    return FileClock.open(Path.of(spec.substring(FILE_PREFIX.length())), Clock.systemUTC());
  }
}
