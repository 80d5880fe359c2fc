package io.notifier.ops.cleanup;

import io.notifier.metrics.NotifierMetrics;
import io.notifier.time.Clocks;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link LedgerCleanup} about once per {@link CleanupConfig#interval()} in the producer
 * process, only while it leads. When the last run happened is read from Redis (the last-runs
 * record), so a restart or a change of leader neither skips nor repeats a week. Each check is
 * caught, logged and counted; the loop keeps going.
 */
public final class CleanupLoop implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(CleanupLoop.class);
  static final String LOOP = "cleanup";

  private final LedgerCleanup cleanup;
  private final Clock clock;
  private final NotifierMetrics metrics;
  private final BooleanSupplier leader;
  private final Supplier<Optional<Instant>> lastRun;
  private final Consumer<LedgerCleanup.Result> recordRun;
  private final CountDownLatch stopping = new CountDownLatch(1);
  private Thread thread;

  /**
   * @param leader whether this process leads now
   * @param lastRun when the deployment last ran the cleanup (empty: never, or unknown)
   * @param recordRun records a finished run where {@code lastRun} reads it
   */
  public CleanupLoop(
      LedgerCleanup cleanup,
      Clock clock,
      NotifierMetrics metrics,
      BooleanSupplier leader,
      Supplier<Optional<Instant>> lastRun,
      Consumer<LedgerCleanup.Result> recordRun) {
    this.cleanup = cleanup;
    this.clock = clock;
    this.metrics = metrics;
    this.leader = leader;
    this.lastRun = lastRun;
    this.recordRun = recordRun;
  }

  public synchronized void start() {
    if (thread != null) {
      return;
    }
    thread = Thread.ofPlatform().name("ledger-cleanup").daemon(true).start(this::loop);
  }

  private void loop() {
    Duration period = cleanup.config().checkEvery();
    do {
      runIfDue();
      // checkEvery of clock time: the same sleep with the system clock; a simulated clock is
      // followed, so a compressed week still cleans up.
    } while (!Clocks.awaitUntil(clock, clock.instant().plus(period), period, stopping));
  }

  /** One check: runs the cleanup when this process leads and a run is due. Never throws. */
  public Optional<LedgerCleanup.Result> runIfDue() {
    try {
      if (!leader.getAsBoolean()) {
        return Optional.empty();
      }
      Optional<Instant> last = lastRun.get();
      Instant now = clock.instant();
      if (last.isPresent() && last.get().plus(cleanup.config().interval()).isAfter(now)) {
        return Optional.empty();
      }
      LedgerCleanup.Result result = cleanup.run(() -> stopping.getCount() > 0);
      recordRun.accept(result);
      return Optional.of(result);
    } catch (RuntimeException e) {
      metrics.loopError(LOOP);
      LOG.error("ledger cleanup failed; it is tried again at the next check: {}", e.toString());
      return Optional.empty();
    }
  }

  /** Stops between batches and waits for the thread. Idempotent. */
  public void stop() {
    stopping.countDown();
    Thread t;
    synchronized (this) {
      t = thread;
    }
    if (t != null) {
      try {
        t.join(Duration.ofSeconds(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void close() {
    stop();
  }
}
