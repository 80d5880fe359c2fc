package io.notifier.schedule;

import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.redisson.api.RFuture;
import org.redisson.api.RLock;
import org.redisson.api.RedissonClient;

/**
 * The producer's leader lease: a Redisson {@link RLock} on {@code QueueKeys.leader()}, taken
 * without waiting and held for {@code lease} unless renewed. It only saves work: the watermark
 * row's {@code FOR UPDATE} and the ledger's unique dedup key keep producers correct without it.
 *
 * <p>The lock is owned by a random id of this lease rather than by a thread, so any thread may
 * renew or release it. Renewal re-enters the lock (which resets its time to live to the lease) and
 * gives the extra hold straight back, so the hold count stays at one.
 */
final class LeaderLease {

  private final RLock lock;
  private final Duration lease;
  private final long owner;

  LeaderLease(RedissonClient redisson, String key, Duration lease) {
    this.lock = redisson.getLock(key);
    this.lease = lease;
    this.owner = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
  }

  /**
   * Renews the lease if this producer holds it, else tries to take it. Returns whether this
   * producer is the leader now. Throws when Redis cannot answer.
   */
  boolean acquireOrRenew() {
    if (lock.isHeldByThread(owner)) {
      boolean renewed = await(lock.tryLockAsync(0, lease.toMillis(), TimeUnit.MILLISECONDS, owner));
      if (renewed) {
        await(lock.unlockAsync(owner)); // back to one hold; the time to live stays the lease
        return true;
      }
    }
    return await(lock.tryLockAsync(0, lease.toMillis(), TimeUnit.MILLISECONDS, owner));
  }

  /** Whether this producer holds the lease (asks Redis). */
  boolean isHeld() {
    return lock.isHeldByThread(owner);
  }

  /** Gives the lease up if held, so another producer takes over at once. */
  void release() {
    while (lock.isHeldByThread(owner)) {
      await(lock.unlockAsync(owner));
    }
  }

  /** Time to live of the lease in Redis, in milliseconds (negative when nobody holds it). */
  long remainingMillis() {
    return lock.remainTimeToLive();
  }

  private static <T> T await(RFuture<T> future) {
    try {
      return future.toCompletableFuture().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while talking to Redis", e);
    } catch (ExecutionException | CompletionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException(cause);
    }
  }
}
