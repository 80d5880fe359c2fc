package io.notifier.delivery;

import io.notifier.metrics.NotifierMetrics;
import io.notifier.model.NotificationKind;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Records what the consumer reported, as "event:tag" counts, for assertions. */
final class CountingMetrics implements NotifierMetrics {

  private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

  int count(String key) {
    AtomicInteger value = counts.get(key);
    return value == null ? 0 : value.get();
  }

  Map<String, Integer> snapshot() {
    Map<String, Integer> copy = new java.util.TreeMap<>();
    counts.forEach((k, v) -> copy.put(k, v.get()));
    return copy;
  }

  void clear() {
    counts.clear();
  }

  private void add(String key, int n) {
    counts.computeIfAbsent(key, k -> new AtomicInteger()).addAndGet(n);
  }

  @Override
  public void sent(NotificationKind kind, Duration sendDuration, Duration lateness) {
    add("sent", 1);
    add("sent:" + kind.code(), 1);
  }

  @Override
  public void retried(NotificationKind kind, String failure) {
    add("retried", 1);
    add("retried:" + failure, 1);
  }

  @Override
  public void dead(NotificationKind kind, String reason) {
    add("dead", 1);
    add("dead:" + reason, 1);
  }

  @Override
  public void uncertain(NotificationKind kind) {
    add("uncertain", 1);
  }

  @Override
  public void skipped(NotificationKind kind, String reason) {
    add("skipped", 1);
    add("skipped:" + reason, 1);
  }

  @Override
  public void duplicateSuppressed(NotificationKind kind) {
    add("duplicateSuppressed", 1);
  }

  @Override
  public void reclaimed(int count) {
    add("reclaimed", count);
  }

  @Override
  public void badPayload(String reason) {
    add("badPayload", 1);
    add("badPayload:" + reason, 1);
  }

  @Override
  public void loopError(String loop) {
    add("loopError:" + loop, 1);
  }

  @Override
  public void invalidTimezone() {
    add("invalidTimezone", 1);
  }
}
