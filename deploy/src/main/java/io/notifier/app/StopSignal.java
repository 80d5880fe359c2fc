package io.notifier.app;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a long-running command to stop. {@link #installOnJvm()} connects it to SIGTERM and SIGINT
 * (handled, so the process drains and exits 0) and to a shutdown hook for any other way the JVM
 * ends (the hook waits for the drain, up to a grace period). Tests call {@link #request()}.
 */
public final class StopSignal {

  private static final Logger LOG = LoggerFactory.getLogger(StopSignal.class);

  private final CountDownLatch requested = new CountDownLatch(1);
  private final CountDownLatch drained = new CountDownLatch(1);
  private volatile String reason;

  public void request() {
    request("requested");
  }

  public void request(String why) {
    if (requested.getCount() > 0) {
      reason = why;
      requested.countDown();
    }
  }

  public boolean isRequested() {
    return requested.getCount() == 0;
  }

  public String reason() {
    return reason;
  }

  /** Blocks until a stop is requested. */
  public void await() throws InterruptedException {
    requested.await();
  }

  /** Called by the command once it has stopped everything. */
  public void drained() {
    drained.countDown();
  }

  /** Waits (up to {@code grace}) until the command has drained. */
  public boolean awaitDrained(Duration grace) throws InterruptedException {
    return drained.await(grace.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * SIGTERM and SIGINT request a stop (the command then drains and returns, and main exits 0); a
   * shutdown hook covers any other exit, waiting up to {@code grace} for the drain.
   */
  public StopSignal installOnJvm(Duration grace) {
    for (String name : new String[] {"TERM", "INT"}) {
      try {
        sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> request("SIG" + name));
      } catch (IllegalArgumentException | UnsupportedOperationException e) {
        LOG.debug("cannot handle SIG{} here; the shutdown hook covers it", name);
      }
    }
    Runtime.getRuntime()
        .addShutdownHook(
            Thread.ofPlatform()
                .name("notifier-shutdown")
                .unstarted(
                    () -> {
                      if (isRequested() && drained.getCount() == 0) {
                        return;
                      }
                      request("JVM shutdown");
                      try {
                        awaitDrained(grace);
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                    }));
    return this;
  }
}
