package io.notifier.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.notifier.testing.SettableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileClockTest {

  private static final Instant SIM = Instant.parse("2027-03-14T06:55:00Z");
  private static final Instant REAL = Instant.parse("2026-01-01T00:00:00Z");

  @TempDir Path dir;

  @Test
  void aFlowingLineMovesWithTheRealClockAndARewriteJumpsIt() throws Exception {
    Path file = dir.resolve("clock");
    SettableClock real = new SettableClock(REAL);
    FileClock.write(file, FileClock.line(SIM, REAL));
    FileClock clock = FileClock.open(file, real, Duration.ZERO);

    real.advance(Duration.ofSeconds(5));
    assertThat(clock.instant()).isEqualTo(SIM.plusSeconds(5));

    FileClock.write(file, FileClock.line(SIM.plus(Duration.ofHours(1)), real.instant()));
    assertThat(clock.instant()).isEqualTo(SIM.plus(Duration.ofHours(1)));
    assertThat(clock.millis()).isEqualTo(SIM.plus(Duration.ofHours(1)).toEpochMilli());
  }

  @Test
  void aSingleInstantStandsStillAndMayGoBack() throws Exception {
    Path file = dir.resolve("clock");
    SettableClock real = new SettableClock(REAL);
    FileClock.write(file, FileClock.line(SIM, null));
    FileClock clock = FileClock.open(file, real, Duration.ZERO);
    real.advance(Duration.ofMinutes(3));
    assertThat(clock.instant()).isEqualTo(SIM);

    FileClock.write(file, FileClock.line(SIM.minusSeconds(60), null));
    assertThat(clock.instant()).isEqualTo(SIM.minusSeconds(60));
  }

  @Test
  void aMissingOrMalformedFileIsRefusedAtOpenAndABrokenRewriteKeepsTheLastValue() throws Exception {
    Path file = dir.resolve("clock");
    assertThatThrownBy(() -> FileClock.open(file, Clock.systemUTC(), Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot read the clock file");
    Files.writeString(file, "yesterday");
    assertThatThrownBy(() -> FileClock.open(file, Clock.systemUTC(), Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("malformed");

    FileClock.write(file, FileClock.line(SIM, null));
    FileClock clock = FileClock.open(file, Clock.systemUTC(), Duration.ZERO);
    Files.writeString(file, "garbage garbage garbage");
    assertThat(clock.instant()).isEqualTo(SIM);
  }

  @Test
  void loopsWaitingOnAControlledClockNoticeAJumpWithoutSleepingItsLength() throws Exception {
    Path file = dir.resolve("clock");
    FileClock.write(file, FileClock.line(SIM, null));
    FileClock clock = FileClock.open(file, Clock.systemUTC(), Duration.ZERO);
    CountDownLatch stop = new CountDownLatch(1);
    Thread waiter = Thread.currentThread();
    Thread jumper =
        Thread.ofPlatform()
            .start(
                () -> {
                  // Jump only once the waiter is asleep in its wait.
                  while (waiter.getState() != Thread.State.TIMED_WAITING) {
                    Thread.onSpinWait();
                  }
                  FileClock.write(file, FileClock.line(SIM.plus(Duration.ofHours(6)), null));
                });
    long started = System.nanoTime();
    // Six hours of clock time, at most a minute of real time: the jump ends the wait.
    boolean stopped =
        Clocks.awaitUntil(clock, SIM.plus(Duration.ofHours(6)), Duration.ofMinutes(1), stop);
    jumper.join();
    assertThat(stopped).isFalse();
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    assertThat(Clocks.realWait(clock, Duration.ofHours(1))).isEqualTo(Clocks.CONTROLLED_POLL);
    assertThat(Clocks.realWait(Clock.systemUTC(), Duration.ofHours(1)))
        .isEqualTo(Duration.ofHours(1));
    assertThat(Clocks.isSystemClock(Clock.systemDefaultZone())).isTrue();
    assertThat(Clocks.isSystemClock(clock)).isFalse();
  }

  @Test
  void aWaitOnAClockSetBackEndsAfterTheRealLimitAndAStopEndsItAtOnce() {
    SettableClock clock = new SettableClock(SIM);
    CountDownLatch stop = new CountDownLatch(1);
    assertThat(Clocks.awaitUntil(clock, SIM.plusSeconds(3600), Duration.ofMillis(50), stop))
        .isFalse();
    stop.countDown();
    assertThat(Clocks.awaitUntil(clock, SIM.plusSeconds(3600), Duration.ofHours(1), stop)).isTrue();
  }
}
