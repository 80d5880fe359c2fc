package io.notifier.time;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Objects;

/**
 * A clock that several processes share through a small file: how tests simulate time across JVMs
 * ({@code NOTIFIER_CLOCK=file:PATH}, never set in production). The file holds one line, either
 *
 * <ul>
 *   <li>{@code <instant>}: time stands still at that instant; or
 *   <li>{@code <instant> <real instant>}: time flows at the real rate and read {@code <instant>}
 *       when the real clock read {@code <real instant>}. A test jumps time by rewriting the line,
 *       forward or back; between jumps, leases and timeouts expire as they would in production.
 * </ul>
 *
 * <p>Writers replace the file atomically ({@link #write}: a temporary file renamed over it), so a
 * reader sees the old line or the new one, never half of one. Reads are cached for {@code cacheFor}
 * of real time, so loops that poll the clock cost a file read every few milliseconds at most. A
 * read that fails after the first keeps the last good value.
 */
public final class FileClock extends Clock {

  public static final Duration DEFAULT_CACHE = Duration.ofMillis(5);

  private final Path file;
  private final Clock real;
  private final Duration cacheFor;
  private final ZoneId zone;
  private volatile Reading reading;

  /** One parsed line, and when (System.nanoTime) it was read. */
  private record Reading(Instant simulated, Instant realAnchor, long readAtNanos) {}

  private FileClock(Path file, Clock real, Duration cacheFor, ZoneId zone, Reading reading) {
    this.file = file;
    this.real = real;
    this.cacheFor = cacheFor;
    this.zone = zone;
    this.reading = reading;
  }

  /**
   * Opens the clock of {@code file}, reading it once now: a missing or malformed file is an {@link
   * IllegalArgumentException}. {@code real} is the clock a flowing line is measured against.
   */
  public static FileClock open(Path file, Clock real) {
    return open(file, real, DEFAULT_CACHE);
  }

  /** As {@link #open(Path, Clock)}, re-reading the file at most every {@code cacheFor}. */
  public static FileClock open(Path file, Clock real, Duration cacheFor) {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(real, "real");
    Objects.requireNonNull(cacheFor, "cacheFor");
    try {
      return new FileClock(file, real, cacheFor, ZoneOffset.UTC, read(file));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the clock file " + file + ": " + e, e);
    }
  }

  public Path file() {
    return file;
  }

  @Override
  public Instant instant() {
    Reading r = current();
    if (r.realAnchor() == null) {
      return r.simulated();
    }
    return r.simulated().plus(Duration.between(r.realAnchor(), real.instant()));
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return zone.equals(this.zone) ? this : new FileClock(file, real, cacheFor, zone, reading);
  }

  private Reading current() {
    Reading r = reading;
    if (System.nanoTime() - r.readAtNanos() < cacheFor.toNanos()) {
      return r;
    }
    try {
      r = read(file);
    } catch (IOException | IllegalArgumentException e) {
      // A writer that is not atomic, or a file removed at the end of a test: keep the last value.
      r = new Reading(r.simulated(), r.realAnchor(), System.nanoTime());
    }
    reading = r;
    return r;
  }

  private static Reading read(Path file) throws IOException {
    String line = Files.readString(file, StandardCharsets.UTF_8).trim();
    String[] parts = line.split("\\s+");
    try {
      if (parts.length == 1 && !parts[0].isEmpty()) {
        return new Reading(Instant.parse(parts[0]), null, System.nanoTime());
      }
      if (parts.length == 2) {
        return new Reading(Instant.parse(parts[0]), Instant.parse(parts[1]), System.nanoTime());
      }
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("the clock file " + file + " is malformed: " + line, e);
    }
    throw new IllegalArgumentException(
        "the clock file " + file + " must hold '<instant>' or '<instant> <real instant>': " + line);
  }

  /**
   * The line for a clock flowing from {@code simulated} at the real instant {@code realNow}, or
   * standing still at {@code simulated} when {@code realNow} is null.
   */
  public static String line(Instant simulated, Instant realNow) {
    return realNow == null ? simulated.toString() : simulated + " " + realNow;
  }

  /** Replaces the clock file atomically with {@code line}. */
  public static void write(Path file, String line) {
    Path temp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      Files.writeString(temp, line + "\n", StandardCharsets.UTF_8);
      try {
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the clock file " + file, e);
    }
  }

  @Override
  public String toString() {
    return "FileClock[" + file + "]";
  }
}
