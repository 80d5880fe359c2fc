package io.notifier.delivery;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * Group commit for the send threads: many threads each ask for one key, and one statement serves
 * all that are waiting. The first caller runs its request at once (no added latency when idle);
 * callers that arrive while a batch is in progress wait for it to finish and then go together as
 * the next batch, so under load one round trip serves up to {@code maxBatch} deliveries.
 *
 * <p>The caller that runs a batch runs it on its own thread; an exception from the loader reaches
 * every caller of that batch, as if each had run its own statement. A key asked for twice in one
 * batch is loaded once and given to each of its callers.
 *
 * @param <K> the key (a ledger row id, a user id, ...)
 * @param <V> what the loader returns for a key; a key missing from the loader's map gets null
 */
final class Combiner<K, V> {

  private final Function<List<K>, Map<K, V>> loader;
  private final int maxBatch;
  private final Object lock = new Object();
  private final ArrayDeque<Request<K, V>> waiting = new ArrayDeque<>(); // guarded by lock
  private boolean leading; // guarded by lock: some caller is running batches

  Combiner(Function<List<K>, Map<K, V>> loader, int maxBatch) {
    if (maxBatch < 1) {
      throw new IllegalArgumentException("maxBatch must be at least 1");
    }
    this.loader = loader;
    this.maxBatch = maxBatch;
  }

  private static final int WAITING = 0;
  private static final int DONE = 1;

  /** Handed the lead: the previous leader finished and this request heads the queue. */
  private static final int LEAD = 2;

  private static final class Request<K, V> {
    final K key;
    final Thread caller = Thread.currentThread();
    volatile int state = WAITING;
    V value;
    RuntimeException error;

    Request(K key) {
      this.key = key;
    }

    /** Parks until done or handed the lead; each waiter parks alone (no thundering herd). */
    int await() {
      int s;
      while ((s = state) == WAITING) {
        LockSupport.park(this);
      }
      return s;
    }

    void signal(int to) {
      state = to;
      LockSupport.unpark(caller);
    }
  }

  /** The loader's value for {@code key}, loaded together with whatever else is waiting. */
  V get(K key) {
    Request<K, V> mine = new Request<>(key);
    boolean lead;
    synchronized (lock) {
      waiting.add(mine);
      lead = !leading;
      leading = true;
    }
    if (!lead && mine.await() == DONE) {
      return result(mine);
    }
    // Leading: run batches (oldest first) until ours is done, then hand the lead on.
    try {
      while (mine.state != DONE) {
        List<Request<K, V>> batch = new ArrayList<>();
        synchronized (lock) {
          while (!waiting.isEmpty() && batch.size() < maxBatch) {
            batch.add(waiting.poll());
          }
        }
        run(batch);
      }
    } finally {
      synchronized (lock) {
        Request<K, V> next = waiting.peek();
        if (next == null) {
          leading = false;
        } else {
          next.signal(LEAD);
        }
      }
    }
    return result(mine);
  }

  private void run(List<Request<K, V>> batch) {
    Map<K, V> values = null;
    RuntimeException error = null;
    try {
      List<K> keys = new ArrayList<>(batch.size());
      Set<K> seen = new HashSet<>();
      for (Request<K, V> r : batch) {
        if (seen.add(r.key)) {
          keys.add(r.key);
        }
      }
      values = loader.apply(keys);
    } catch (RuntimeException e) {
      error = e;
    } catch (Error e) {
      error = new IllegalStateException("batch failed: " + e, e);
      throw e;
    } finally {
      for (Request<K, V> r : batch) {
        if (error != null) {
          r.error = error;
        } else {
          r.value = values.get(r.key);
        }
        // The volatile write in signal() publishes value and error to the caller.
        if (r.caller == Thread.currentThread()) {
          r.state = DONE;
        } else {
          r.signal(DONE);
        }
      }
    }
  }

  /** Requests queued and not yet taken into a batch (for tests). */
  int waitingCount() {
    synchronized (lock) {
      return waiting.size();
    }
  }

  private V result(Request<K, V> r) {
    if (r.error != null) {
      throw r.error;
    }
    return r.value;
  }
}
