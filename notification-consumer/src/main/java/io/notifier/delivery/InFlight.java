package io.notifier.delivery;

import io.notifier.queue.QueuedMessage;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/** The deliveries this process holds a ledger claim on right now, by stream entry id. */
final class InFlight {

  /** One held delivery and since when (System.nanoTime). */
  record Held(QueuedMessage message, UUID jobId, long sinceNanos) {}

  private final ConcurrentHashMap<String, Held> held = new ConcurrentHashMap<>();

  void add(QueuedMessage message, UUID jobId) {
    held.put(message.streamId(), new Held(message, jobId, System.nanoTime()));
  }

  void remove(QueuedMessage message) {
    held.remove(message.streamId());
  }

  boolean holds(String streamId) {
    return held.containsKey(streamId);
  }

  Collection<Held> snapshot() {
    return List.copyOf(held.values());
  }

  int size() {
    return held.size();
  }
}
