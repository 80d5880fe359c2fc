package io.notifier.health;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.notifier.queue.QueueKeys;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.redisson.api.RMap;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Where workers say they are alive, and when each loop or job kind last ran. Both are Redis hashes
 * of JSON values, written on the job path (Redisson) and read by the health endpoint and {@code
 * notifier health} on the observability path (Lettuce).
 *
 * <p>{@code workers} field: worker id; value: {@code {"id","role","host","pid","startedAt",
 * "lastBeat","leader"}}. {@code last-runs} field: a loop or kind name such as {@code producer.tick}
 * or {@code consumer.sent.daily_digest}; value: {@code {"name","at","by", "durationMs","outcome"}}.
 */
public final class Heartbeats {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final RMap<String, String> workers;
  private final RMap<String, String> lastRuns;
  private final Clock clock;
  private final String workerId;
  private final String role;
  private final Instant startedAt;

  public Heartbeats(
      RedissonClient redisson, QueueKeys keys, Clock clock, String workerId, String role) {
    this.workers = redisson.getMap(keys.workers(), StringCodec.INSTANCE);
    this.lastRuns = redisson.getMap(keys.lastRuns(), StringCodec.INSTANCE);
    this.clock = clock;
    this.workerId = workerId;
    this.role = role;
    this.startedAt = clock.instant();
  }

  public String workerId() {
    return workerId;
  }

  /** Records that this worker is alive now. */
  public void beat(boolean leader) {
    ObjectNode node = JSON.createObjectNode();
    node.put("id", workerId);
    node.put("role", role);
    node.put("host", HostName.local());
    node.put("pid", ProcessHandle.current().pid());
    node.put("startedAt", startedAt.toString());
    node.put("lastBeat", clock.instant().toString());
    node.put("leader", leader);
    workers.fastPut(workerId, write(node));
  }

  /** Records one run of {@code name} (a loop or a job kind). */
  public void ran(String name, Duration duration, String outcome) {
    ObjectNode node = JSON.createObjectNode();
    node.put("name", name);
    node.put("at", clock.instant().toString());
    node.put("by", workerId);
    node.put("durationMs", duration.toMillis());
    node.put("outcome", outcome);
    lastRuns.fastPut(name, write(node));
  }

  /** Removes this worker's entry (clean shutdown), so it is not reported as stale. */
  public void leave() {
    workers.fastRemove(workerId);
  }

  /**
   * Drops workers silent for longer than {@code silence}: a crashed worker is reported stale for a
   * while, then forgotten.
   */
  public int forgetWorkersSilentFor(Duration silence) {
    Instant cutoff = clock.instant().minus(silence);
    int removed = 0;
    for (Map.Entry<String, String> entry : workers.readAllEntrySet()) {
      try {
        Instant lastBeat = Instant.parse(JSON.readTree(entry.getValue()).path("lastBeat").asText());
        if (lastBeat.isBefore(cutoff)) {
          removed += (int) workers.fastRemove(entry.getKey());
        }
      } catch (JsonProcessingException | RuntimeException e) {
        removed += (int) workers.fastRemove(entry.getKey());
      }
    }
    return removed;
  }

  private static String write(ObjectNode node) {
    try {
      return JSON.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
