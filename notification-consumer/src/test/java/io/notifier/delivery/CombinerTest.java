package io.notifier.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CombinerTest {

  private final ExecutorService pool = Executors.newFixedThreadPool(16);

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  @Test
  void aLoneCallerRunsItsOwnRequestAtOnce() {
    List<List<Integer>> batches = new CopyOnWriteArrayList<>();
    Combiner<Integer, String> combiner =
        new Combiner<>(
            keys -> {
              batches.add(keys);
              return square(keys);
            },
            10);

    assertThat(combiner.get(3)).isEqualTo("9");
    assertThat(combiner.get(4)).isEqualTo("16");
    assertThat(batches).containsExactly(List.of(3), List.of(4));
  }

  @Test
  void callersArrivingWhileABatchRunsShareTheNextOneAndEachGetsItsOwnValue() throws Exception {
    CountDownLatch firstRunning = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<List<Integer>> batches = new CopyOnWriteArrayList<>();
    Combiner<Integer, String> combiner =
        new Combiner<>(
            keys -> {
              batches.add(keys);
              if (batches.size() == 1) {
                firstRunning.countDown();
                hold(release);
              }
              return square(keys);
            },
            100);
    Future<String> first = pool.submit(() -> combiner.get(1));
    assertThat(firstRunning.await(5, TimeUnit.SECONDS)).isTrue();
    List<Future<String>> others = new ArrayList<>();
    for (int i = 2; i <= 11; i++) {
      int key = i;
      others.add(pool.submit(() -> combiner.get(key)));
    }
    // All ten are queued behind the running batch before it finishes.
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> queued(combiner) == 10);
    release.countDown();

    assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo("1");
    for (int i = 0; i < others.size(); i++) {
      int key = i + 2;
      assertThat(others.get(i).get(5, TimeUnit.SECONDS)).isEqualTo(Integer.toString(key * key));
    }
    assertThat(batches).hasSize(2);
    assertThat(batches.get(1)).containsExactlyInAnyOrder(2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
  }

  @Test
  void batchesNeverExceedTheirLimitAndEveryCallerIsServedUnderContention() throws Exception {
    AtomicInteger largest = new AtomicInteger();
    Combiner<Integer, String> combiner =
        new Combiner<>(
            keys -> {
              largest.accumulateAndGet(keys.size(), Math::max);
              return square(keys);
            },
            4);
    List<Future<String>> results = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      int key = i;
      results.add(pool.submit(() -> combiner.get(key)));
    }
    for (int i = 0; i < results.size(); i++) {
      assertThat(results.get(i).get(10, TimeUnit.SECONDS)).isEqualTo(Integer.toString(i * i));
    }
    assertThat(largest.get()).isBetween(1, 4);
  }

  @Test
  void aFailingBatchFailsEveryCallerInItAndTheNextBatchStillRuns() throws Exception {
    CountDownLatch firstRunning = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger calls = new AtomicInteger();
    Combiner<Integer, String> combiner =
        new Combiner<>(
            keys -> {
              int call = calls.incrementAndGet();
              if (call == 1) {
                firstRunning.countDown();
                hold(release);
                return square(keys);
              }
              if (call == 2) {
                throw new IllegalStateException("database away");
              }
              return square(keys);
            },
            100);
    Future<String> blocker = pool.submit(() -> combiner.get(1));
    assertThat(firstRunning.await(5, TimeUnit.SECONDS)).isTrue();
    Future<String> a = pool.submit(() -> combiner.get(2));
    Future<String> b = pool.submit(() -> combiner.get(3));
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> queued(combiner) == 2);
    release.countDown();

    assertThat(blocker.get(5, TimeUnit.SECONDS)).isEqualTo("1");
    for (Future<String> f : List.of(a, b)) {
      assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS))
          .hasCauseInstanceOf(IllegalStateException.class)
          .hasMessageContaining("database away");
    }
    assertThat(combiner.get(5)).isEqualTo("25");
  }

  private static Map<Integer, String> square(List<Integer> keys) {
    Map<Integer, String> out = new HashMap<>();
    keys.forEach(k -> out.put(k, Integer.toString(k * k)));
    return out;
  }

  private static void hold(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Requests waiting behind the running batch (read through the combiner's own lock). */
  private static int queued(Combiner<?, ?> combiner) {
    return combiner.waitingCount();
  }
}
