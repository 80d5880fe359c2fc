package io.notifier.delivery;

import io.notifier.content.ContentConfig;
import io.notifier.content.EmailRenderer;
import io.notifier.db.crypto.ClientNameCipher;
import io.notifier.health.Heartbeats;
import io.notifier.ledger.DeliveryLedger;
import io.notifier.mail.SmtpConfig;
import io.notifier.mail.SmtpMailer;
import io.notifier.metrics.NotifierMetrics;
import io.notifier.queue.QueuedMessage;
import io.notifier.queue.RedisJobQueue;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One consumer process's worth of work (what {@code notifier consumer run} starts): a pump that
 * moves due jobs into the ready stream, a reader that takes deliveries for up to {@code
 * maxInFlight} concurrent sends, a reclaimer that takes over deliveries dead consumers left behind,
 * a lease keeper for long sends, and a heartbeat. Every loop catches per iteration, logs, counts
 * and goes on. {@link #stop()} stops reading, lets in-flight sends finish within the grace period,
 * leaves anything unfinished for another consumer to reclaim, and closes the SMTP pool.
 *
 * <p>Sends run on a bounded pool of platform threads rather than virtual threads: Jakarta Mail's
 * SMTP transport does its socket I/O inside {@code synchronized} methods, which pins a virtual
 * thread's carrier on Java 21 and would cap concurrency at the core count.
 */
public final class Consumer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Consumer.class);

  /** Pause after a failed loop iteration (Redis or PostgreSQL away), so errors do not spin. */
  static final Duration ERROR_PAUSE = Duration.ofSeconds(1);

  /** Most back-to-back reclaim rounds before yielding to the next interval. */
  static final int MAX_RECLAIM_ROUNDS = 20;

  private final ConsumerConfig config;
  private final RedisJobQueue queue;
  private final DeliveryLedger ledger;
  private final SmtpMailer mailer;
  private final NotifierMetrics metrics;
  private final Heartbeats heartbeats;
  private final DeliveryPipeline pipeline;
  private final InFlight inFlight = new InFlight();
  private final Semaphore permits;
  private final AtomicInteger active = new AtomicInteger();
  private final java.util.concurrent.atomic.AtomicLong readPausedUntil =
      new java.util.concurrent.atomic.AtomicLong(System.nanoTime());
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final CountDownLatch stopSignal = new CountDownLatch(1);
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final ExecutorService sends;
  private final ScheduledExecutorService housekeeping;
  private final ScheduledExecutorService reclaimer;
  private Thread reader;
  private Thread pump;

  public Consumer(
      ConsumerConfig config,
      SmtpConfig smtp,
      ContentConfig content,
      DSLContext dsl,
      RedisJobQueue queue,
      ClientNameCipher cipher,
      Clock clock,
      NotifierMetrics metrics,
      Heartbeats heartbeats) {
    if (config.ledgerLease().compareTo(smtp.worstCaseExchange()) <= 0) {
      throw new IllegalArgumentException(
          "the ledger lease ("
              + config.ledgerLease()
              + ") must be longer than the worst-case SMTP exchange (connect + write + read = "
              + smtp.worstCaseExchange()
              + ")");
    }
    this.config = config;
    this.queue = queue;
    this.metrics = metrics == null ? NotifierMetrics.NOOP : metrics;
    this.heartbeats = heartbeats;
    this.ledger = new DeliveryLedger(dsl, clock);
    this.mailer = new SmtpMailer(smtp);
    // Fair: the reader holds the free permits while it blocks on the stream; a waiting reclaim
    // gets the next released one instead of starving.
    this.permits = new Semaphore(config.maxInFlight(), true);
    this.pipeline =
        new DeliveryPipeline(
            config,
            ledger,
            queue,
            new Revalidation(dsl, this.metrics, config.staleAfter(), content.sendEmptyDigests()),
            new EmailRenderer(content, cipher),
            mailer,
            clock,
            this.metrics,
            heartbeats,
            inFlight,
            RandomGenerator.getDefault());
    this.sends = Executors.newFixedThreadPool(config.maxInFlight(), daemon("consumer-send-"));
    this.housekeeping = Executors.newSingleThreadScheduledExecutor(daemon("consumer-keeper-"));
    this.reclaimer = Executors.newSingleThreadScheduledExecutor(daemon("consumer-reclaim-"));
  }

  public String consumerId() {
    return config.consumerId();
  }

  public ConsumerConfig config() {
    return config;
  }

  /** Sends in progress now. */
  public int inFlight() {
    return active.get();
  }

  public boolean isRunning() {
    return started.get() && !stopping.get();
  }

  /** Starts the loops. Once only. */
  public void start() {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("consumer " + config.consumerId() + " was already started");
    }
    LOG.info(
        "consumer {} starting: {} sends in flight at most, visibility timeout {}, lease {}",
        config.consumerId(),
        config.maxInFlight(),
        config.visibilityTimeout(),
        config.ledgerLease());
    try {
      queue.ensureGroup();
    } catch (RuntimeException e) {
      LOG.warn("could not create the consumer group yet ({}); the reader retries", e.toString());
    }
    beat();
    pump = daemon("consumer-pump-").newThread(this::pumpLoop);
    reader = daemon("consumer-reader-").newThread(this::readLoop);
    pump.start();
    reader.start();
    long renewMs = Math.max(1, config.leaseRenewInterval().toMillis());
    housekeeping.scheduleWithFixedDelay(
        () -> guarded("consumer.heartbeat", this::beat),
        config.heartbeatInterval().toMillis(),
        config.heartbeatInterval().toMillis(),
        TimeUnit.MILLISECONDS);
    reclaimer.scheduleWithFixedDelay(
        () -> guarded("consumer.reclaim", this::reclaimOnce),
        config.reclaimInterval().toMillis(),
        config.reclaimInterval().toMillis(),
        TimeUnit.MILLISECONDS);
    housekeeping.scheduleWithFixedDelay(
        () -> guarded("consumer.lease", this::renewLeases),
        renewMs,
        renewMs,
        TimeUnit.MILLISECONDS);
  }

  // ---- loops ----------------------------------------------------------------------------------

  private void pumpLoop() {
    while (!stopping.get()) {
      long waitMs = config.pumpInterval().toMillis();
      try {
        RedisJobQueue.MoveResult result = queue.moveDue();
        if (result.moved() >= queue.config().moveBatchSize()) {
          waitMs = 0; // more are due right now
        } else if (result.nextReadyAt().isPresent()) {
          // Wake at the next job's ready instant (Redis's own clock), not up to an interval late.
          long untilNext = Duration.between(result.now(), result.nextReadyAt().get()).toMillis();
          waitMs = Math.max(0, Math.min(waitMs, untilNext));
        }
      } catch (RuntimeException e) {
        LOG.warn("moving due jobs failed: {}", e.toString());
        metrics.loopError("consumer.pump");
        waitMs = ERROR_PAUSE.toMillis();
      }
      pause(waitMs);
    }
  }

  private void readLoop() {
    boolean groupReady = false;
    while (!stopping.get()) {
      int held = 0;
      try {
        if (!groupReady) {
          queue.ensureGroup();
          groupReady = true;
        }
        long pausedFor = readPausedUntil.get() - System.nanoTime();
        if (pausedFor > 0) {
          pause(TimeUnit.NANOSECONDS.toMillis(pausedFor) + 1);
          continue;
        }
        if (!permits.tryAcquire(config.blockTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
          continue; // every slot busy; look again (and notice stop) shortly
        }
        held = 1;
        int extra = Math.min(config.readBatchSize() - 1, permits.availablePermits());
        if (extra > 0 && permits.tryAcquire(extra)) {
          held += extra;
        }
        if (stopping.get()) {
          break;
        }
        List<QueuedMessage> messages = queue.read(config.consumerId(), held, config.blockTimeout());
        // Claimed here, all together, before they go to the send threads (DeliveryPipeline.claim).
        DeliveryPipeline.Claims claims = messages.isEmpty() ? null : pipeline.claim(messages);
        for (QueuedMessage message : messages) {
          held--;
          dispatch(message, claims);
        }
        metrics.loopRan("consumer.read");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (RuntimeException e) {
        LOG.warn("reading the ready stream failed: {}", e.toString());
        metrics.loopError("consumer.read");
        groupReady = false;
        pause(ERROR_PAUSE.toMillis());
      } finally {
        if (held > 0) {
          permits.release(held);
        }
      }
    }
  }

  /**
   * Runs one delivery on the send pool; the caller holds a permit for it and has claimed it with
   * the rest of its batch.
   */
  private void dispatch(QueuedMessage message, DeliveryPipeline.Claims claims) {
    metrics.inFlight(active.incrementAndGet());
    try {
      sends.execute(
          () -> {
            try {
              if (!pipeline.handle(message, claims)) {
                // The database or Redis is failing: stop pulling new work for a moment rather
                // than parking more deliveries in the pending list.
                readPausedUntil.set(System.nanoTime() + 2 * ERROR_PAUSE.toNanos());
              }
            } catch (Throwable t) {
              LOG.error("delivery {} crashed: {}", message.jobId(), t.toString());
              metrics.loopError("consumer.delivery");
            } finally {
              metrics.inFlight(active.decrementAndGet());
              permits.release();
            }
          });
    } catch (RejectedExecutionException e) {
      // Shutting down: the delivery stays pending and another consumer reclaims it.
      metrics.inFlight(active.decrementAndGet());
      permits.release();
    }
  }

  /**
   * Takes over deliveries idle longer than the visibility timeout (their consumer died), round
   * after round while rounds come back full, so a large orphaned backlog drains at full speed.
   */
  void reclaimOnce() {
    for (int round = 0; round < MAX_RECLAIM_ROUNDS && !stopping.get(); round++) {
      if (!reclaimRound()) {
        return;
      }
    }
  }

  /** One round; true when it was full (there may be more). */
  private boolean reclaimRound() {
    int held = 0;
    try {
      if (!permits.tryAcquire(
          config.blockTimeout().toMillis() + ERROR_PAUSE.toMillis(), TimeUnit.MILLISECONDS)) {
        return false; // every slot busy sending: nothing could be taken over now anyway
      }
      held = 1;
      int extra = Math.min(config.reclaimBatchSize() - 1, permits.availablePermits());
      if (extra > 0 && permits.tryAcquire(extra)) {
        held += extra;
      }
      int want = held;
      List<QueuedMessage> reclaimed =
          queue.reclaim(config.consumerId(), config.visibilityTimeout(), want);
      // Ours and still in progress: its permit was counted elsewhere.
      List<QueuedMessage> orphans =
          reclaimed.stream().filter(m -> !inFlight.holds(m.streamId())).toList();
      int taken = orphans.size();
      DeliveryPipeline.Claims claims = orphans.isEmpty() ? null : pipeline.claim(orphans);
      for (QueuedMessage message : orphans) {
        held--;
        dispatch(message, claims);
      }
      if (taken > 0) {
        metrics.reclaimed(taken);
        LOG.info(
            "took over {} deliveries idle for more than {}", taken, config.visibilityTimeout());
      }
      metrics.loopRan("consumer.reclaim");
      return reclaimed.size() >= want;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      if (held > 0) {
        permits.release(held);
      }
    }
  }

  /** Keeps long sends' ledger leases and stream entries fresh, so nobody takes them over. */
  void renewLeases() {
    long threshold = config.leaseRenewInterval().toNanos();
    long now = System.nanoTime();
    for (InFlight.Held held : inFlight.snapshot()) {
      if (now - held.sinceNanos() < threshold) {
        continue;
      }
      boolean extended =
          ledger.extendLease(held.jobId(), config.consumerId(), config.ledgerLease());
      queue.touch(config.consumerId(), held.message());
      if (!extended) {
        LOG.warn("delivery {}: lease could not be extended (no longer ours)", held.jobId());
      }
    }
  }

  private void beat() {
    if (heartbeats != null) {
      heartbeats.beat(false);
    }
    metrics.loopRan("consumer.heartbeat");
  }

  private void guarded(String loop, Runnable action) {
    try {
      action.run();
    } catch (RuntimeException e) {
      LOG.warn("{} failed: {}", loop, e.toString());
      metrics.loopError(loop);
    }
  }

  private void pause(long millis) {
    if (millis <= 0) {
      return;
    }
    try {
      stopSignal.await(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---- shutdown -------------------------------------------------------------------------------

  /**
   * Stops reading, waits up to the grace period for in-flight sends, leaves the rest for reclaim,
   * closes the SMTP pool and removes this worker's heartbeat. Idempotent; a second caller waits for
   * the first to finish.
   */
  public void stop() {
    if (!stopping.compareAndSet(false, true)) {
      awaitStopped();
      return;
    }
    long startedNanos = System.nanoTime();
    LOG.info("consumer {} stopping: {} sends in flight", config.consumerId(), active.get());
    stopSignal.countDown();
    reclaimer.shutdown(); // take nothing new over; a running round finishes
    try {
      join(reader, config.blockTimeout().plusSeconds(5));
      join(pump, config.blockTimeout().plusSeconds(5));
      // A running reclaim round hands what it claimed to the send pool: let it before the pool
      // refuses work (a claimed row refused would stay leased to this consumer until it expires).
      reclaimer.awaitTermination(
          config.blockTimeout().plus(ERROR_PAUSE).plusSeconds(5).toMillis(), TimeUnit.MILLISECONDS);
      sends.shutdown();
      long remaining =
          Math.max(0, config.shutdownGrace().toNanos() - (System.nanoTime() - startedNanos));
      boolean drained = sends.awaitTermination(remaining, TimeUnit.NANOSECONDS);
      if (!drained) {
        LOG.warn(
            "consumer {}: {} sends still in flight after the {} grace period; left for reclaim",
            config.consumerId(),
            active.get(),
            config.shutdownGrace());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      reclaimer.shutdownNow();
      housekeeping.shutdownNow();
      mailer.close();
      if (heartbeats != null) {
        try {
          heartbeats.leave();
        } catch (RuntimeException e) {
          LOG.warn("removing the heartbeat failed: {}", e.toString());
        }
      }
      LOG.info(
          "consumer {} stopped after {} ms",
          config.consumerId(),
          Duration.ofNanos(System.nanoTime() - startedNanos).toMillis());
      stopped.countDown();
    }
  }

  private void awaitStopped() {
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void join(Thread thread, Duration timeout) throws InterruptedException {
    if (thread != null) {
      thread.join(timeout.toMillis());
    }
  }

  @Override
  public void close() {
    if (started.get()) {
      stop();
    } else if (stopping.compareAndSet(false, true)) {
      sends.shutdownNow();
      reclaimer.shutdownNow();
      housekeeping.shutdownNow();
      mailer.close();
      stopped.countDown();
    }
  }

  private static ThreadFactory daemon(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return runnable -> {
      Thread t = new Thread(runnable, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
