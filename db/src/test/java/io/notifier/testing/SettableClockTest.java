package io.notifier.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class SettableClockTest {

  private static final Instant START = Instant.parse("2027-03-14T07:30:00Z");

  @Test
  void standsStillUntilMoved() throws InterruptedException {
    SettableClock clock = new SettableClock(START);
    Thread.sleep(5);

    assertThat(clock.instant()).isEqualTo(START);
    assertThat(clock.millis()).isEqualTo(START.toEpochMilli());
    assertThat(clock.getZone()).isEqualTo(ZoneOffset.UTC);
  }

  @Test
  void advanceAndSetMoveTheTime() {
    SettableClock clock = new SettableClock(START);

    Instant after = clock.advance(Duration.ofMinutes(90));

    assertThat(after).isEqualTo(Instant.parse("2027-03-14T09:00:00Z"));
    assertThat(clock.instant()).isEqualTo(after);
    assertThat(LocalDateTime.now(clock)).isEqualTo(LocalDateTime.parse("2027-03-14T09:00:00"));

    clock.set(Instant.parse("2027-01-01T00:00:00Z"));
    assertThat(clock.instant()).isEqualTo(Instant.parse("2027-01-01T00:00:00Z"));
  }

  @Test
  void aZonedViewSharesTheTime() {
    SettableClock clock = new SettableClock(START);
    ZoneId jerusalem = ZoneId.of("Asia/Jerusalem");
    SettableClock local = clock.withZone(jerusalem);

    clock.advance(Duration.ofHours(1));

    assertThat(local.getZone()).isEqualTo(jerusalem);
    assertThat(local.instant()).isEqualTo(START.plus(Duration.ofHours(1)));
    // 08:30 UTC on 14 March 2027 is 10:30 in Jerusalem (IST, +02:00)
    assertThat(LocalDateTime.now(local)).isEqualTo(LocalDateTime.parse("2027-03-14T10:30:00"));
    local.advance(Duration.ofMinutes(1));
    assertThat(clock.instant()).isEqualTo(START.plus(Duration.ofMinutes(61)));
  }

  @Test
  void concurrentAdvancesAreNotLost() throws Exception {
    SettableClock clock = new SettableClock(START);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        futures.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 10_000; i++) {
                    clock.advance(Duration.ofMillis(1));
                  }
                }));
      }
      for (Future<?> future : futures) {
        future.get();
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(clock.instant()).isEqualTo(START.plusMillis(40_000));
  }
}
