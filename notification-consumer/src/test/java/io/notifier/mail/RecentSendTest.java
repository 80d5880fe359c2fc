package io.notifier.mail;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RecentSendTest {

  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private final RecentSend recent = new RecentSend(nanos::get, Duration.ofSeconds(1));

  @Test
  void aConnectionThatNeverSentIsNotRecent() {
    assertThat(recent.recent()).isFalse();
  }

  @Test
  void aSendIsRecentUntilTheWindowHasPassed() {
    recent.sent();
    nanos.addAndGet(Duration.ofMillis(999).toNanos());
    assertThat(recent.recent()).isTrue();
    nanos.addAndGet(Duration.ofMillis(1).toNanos());
    assertThat(recent.recent()).isFalse();
  }

  @Test
  void aFailureOrCloseForgetsTheLastSend() {
    recent.sent();
    recent.forget();
    assertThat(recent.recent()).isFalse();
  }

  @Test
  void theWindowHoldsAcrossANanoTimeOriginBelowZero() {
    nanos.set(Long.MAX_VALUE - 10);
    recent.sent();
    nanos.addAndGet(20); // nanoTime may wrap; differences stay right
    assertThat(recent.recent()).isTrue();
  }
}
