package io.notifier.queue;

import io.notifier.model.NotificationJob;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.redisson.api.RFuture;
import org.redisson.api.RMap;
import org.redisson.api.RScoredSortedSet;
import org.redisson.api.RScript;
import org.redisson.api.RStream;
import org.redisson.api.RedissonClient;
import org.redisson.api.stream.AutoClaimResult;
import org.redisson.api.stream.PendingResult;
import org.redisson.api.stream.StreamCreateGroupArgs;
import org.redisson.api.stream.StreamMessageId;
import org.redisson.api.stream.StreamReadGroupArgs;
import org.redisson.client.RedisException;
import org.redisson.client.codec.StringCodec;

/**
 * The delayed queue, built on open-source Redisson primitives: a sorted set scored by ready time,
 * moved atomically by a Lua script into a Redis Stream that consumers read as one consumer group.
 * (Redisson's RDelayedQueue is deprecated since 3.46: it loses messages and only moves items while
 * a client holding it is alive.)
 *
 * <p>Delivery is at-least-once: a job leaves Redis only when a consumer acknowledges it after the
 * ledger recorded the outcome. Duplicates that can still arise (a reclaim racing a slow consumer, a
 * reconciler restoring a job) are harmless because the ledger's conditional claim lets only one
 * consumer send.
 *
 * <p>Thread-safe; one instance per process.
 */
public final class RedisJobQueue {

  /** Enqueue batches sent to Redis before waiting for the oldest one. */
  private static final int ENQUEUE_IN_FLIGHT = 4;

  /** Most acknowledgements one script call carries. */
  private static final int ACK_CHUNK = 1_000;

  private final RedissonClient redisson;
  private final QueueConfig config;
  private final QueueKeys keys;
  private final Clock clock;
  private final RScript script;
  private final RStream<String, String> ready;
  private final RStream<String, String> dead;

  public RedisJobQueue(RedissonClient redisson, QueueConfig config, Clock clock) {
    this.redisson = redisson;
    this.config = config;
    this.keys = config.keys();
    this.clock = clock;
    this.script = redisson.getScript(StringCodec.INSTANCE);
    this.ready = redisson.getStream(keys.ready(), StringCodec.INSTANCE);
    this.dead = redisson.getStream(keys.dead(), StringCodec.INSTANCE);
  }

  public QueueKeys keys() {
    return keys;
  }

  public QueueConfig config() {
    return config;
  }

  /**
   * Puts jobs on the delayed set for their {@code readyAt}. Jobs already held by Redis are left
   * alone. Returns how many were added.
   */
  public int enqueue(Collection<NotificationJob> jobs) {
    // Batches go out asynchronously, a few at a time: the next batch is encoded while Redis runs
    // the previous one, so a busy minute's 100,000 jobs are not one round trip after another.
    java.util.ArrayDeque<RFuture<Long>> inFlight = new java.util.ArrayDeque<>();
    int added = 0;
    RuntimeException failure = null;
    List<Object> args = new ArrayList<>();
    for (NotificationJob job : jobs) {
      args.add(job.id().toString());
      args.add(Long.toString(job.readyAt().toEpochMilli()));
      args.add(JobCodec.encode(job));
      if (args.size() >= config.enqueueBatchSize() * 3) {
        inFlight.add(runEnqueueAsync(args));
        args = new ArrayList<>();
        if (inFlight.size() >= ENQUEUE_IN_FLIGHT) {
          try {
            added += count(inFlight.poll());
          } catch (RuntimeException e) {
            failure = e;
            break;
          }
        }
      }
    }
    if (failure == null && !args.isEmpty()) {
      inFlight.add(runEnqueueAsync(args));
    }
    // Every batch sent is awaited, even after a failure, so none is still running on return.
    while (!inFlight.isEmpty()) {
      try {
        added += count(inFlight.poll());
      } catch (RuntimeException e) {
        failure = failure == null ? e : failure;
      }
    }
    if (failure != null) {
      throw failure;
    }
    return added;
  }

  private static int count(RFuture<Long> future) {
    Long added;
    try {
      added = future.toCompletableFuture().join();
    } catch (java.util.concurrent.CompletionException e) {
      // As the synchronous call would have thrown it (RedisException and the like).
      throw e.getCause() instanceof RuntimeException cause ? cause : e;
    }
    return added == null ? 0 : added.intValue();
  }

  private RFuture<Long> runEnqueueAsync(List<Object> args) {
    return script.evalAsync(
        keys.delayed(),
        RScript.Mode.READ_WRITE,
        LuaScripts.ENQUEUE,
        RScript.ReturnType.LONG,
        List.of(keys.delayed(), keys.payloads()),
        args.toArray());
  }

  /**
   * Queues a raw payload under {@code id}, bypassing encoding: for tests and tools that must put
   * malformed jobs on the queue. Returns whether it was added.
   */
  public boolean enqueueRaw(String id, Instant readyAt, String payload) {
    return runEnqueue(List.of(id, Long.toString(readyAt.toEpochMilli()), payload)) == 1;
  }

  private int runEnqueue(List<Object> args) {
    Long added =
        script.eval(
            keys.delayed(),
            RScript.Mode.READ_WRITE,
            LuaScripts.ENQUEUE,
            RScript.ReturnType.LONG,
            List.of(keys.delayed(), keys.payloads()),
            args.toArray());
    return added == null ? 0 : added.intValue();
  }

  /** What one move did, and when the next job becomes ready (empty when none is waiting). */
  public record MoveResult(int moved, Optional<Instant> nextReadyAt, Instant now) {}

  /**
   * Moves every job that is ready now (up to the batch size) from the delayed set to the stream.
   */
  public MoveResult moveDue() {
    String now =
        config.timeSource() == QueueConfig.TimeSource.CLOCK ? Long.toString(clock.millis()) : "";
    List<Object> result =
        script.eval(
            keys.delayed(),
            RScript.Mode.READ_WRITE,
            LuaScripts.MOVE_DUE,
            RScript.ReturnType.LIST,
            List.of(keys.delayed(), keys.payloads(), keys.ready()),
            now,
            Integer.toString(config.moveBatchSize()));
    int moved = ((Number) result.get(0)).intValue();
    long next = (long) Double.parseDouble(result.get(1).toString());
    Instant usedNow = Instant.ofEpochMilli((long) Double.parseDouble(result.get(2).toString()));
    return new MoveResult(
        moved, next < 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(next)), usedNow);
  }

  /** Creates the consumer group (and the stream) if missing; safe to call any time. */
  public void ensureGroup() {
    try {
      ready.createGroup(
          StreamCreateGroupArgs.name(QueueKeys.CONSUMER_GROUP)
              .id(StreamMessageId.ALL)
              .makeStream());
    } catch (RedisException e) {
      if (!String.valueOf(e.getMessage()).contains("BUSYGROUP")) {
        throw e;
      }
    }
  }

  /**
   * Reads up to {@code count} jobs never delivered before, waiting up to {@code block} for the
   * first. Recreates the group if Redis lost it (a restart without persistence).
   */
  public List<QueuedMessage> read(String consumer, int count, Duration block) {
    Map<StreamMessageId, Map<String, String>> entries;
    StreamReadGroupArgs args = StreamReadGroupArgs.neverDelivered().count(count);
    if (!block.isZero()) {
      args = args.timeout(block);
    }
    try {
      entries = ready.readGroup(QueueKeys.CONSUMER_GROUP, consumer, args);
    } catch (RedisException e) {
      if (!isNoGroup(e)) {
        throw e;
      }
      ensureGroup();
      entries = ready.readGroup(QueueKeys.CONSUMER_GROUP, consumer, args);
    }
    return toMessages(entries);
  }

  /**
   * Takes over up to {@code count} deliveries that other consumers have held longer than {@code
   * minIdle} without acknowledging: their consumer died, or is stuck.
   */
  public List<QueuedMessage> reclaim(String consumer, Duration minIdle, int count) {
    List<QueuedMessage> claimed = new ArrayList<>();
    StreamMessageId cursor = StreamMessageId.MIN;
    try {
      do {
        AutoClaimResult<String, String> result =
            ready.autoClaim(
                QueueKeys.CONSUMER_GROUP,
                consumer,
                minIdle.toMillis(),
                TimeUnit.MILLISECONDS,
                cursor,
                count - claimed.size());
        claimed.addAll(toMessages(result.getMessages()));
        cursor = result.getNextId();
      } while (claimed.size() < count && cursor != null && !isZero(cursor));
    } catch (RedisException e) {
      if (!isNoGroup(e)) {
        throw e;
      }
      ensureGroup();
    }
    return claimed;
  }

  /** Resets a held delivery's idle time so it is not reclaimed while a slow send continues. */
  public void touch(String consumer, QueuedMessage message) {
    ready.claim(
        QueueKeys.CONSUMER_GROUP, consumer, 0, TimeUnit.MILLISECONDS, parse(message.streamId()));
  }

  /** Acknowledges a delivery whose outcome the ledger has recorded; the job leaves Redis. */
  public void ack(QueuedMessage message) {
    script.eval(
        keys.ready(),
        RScript.Mode.READ_WRITE,
        LuaScripts.ACK,
        RScript.ReturnType.LONG,
        List.of(keys.ready(), keys.payloads()),
        QueueKeys.CONSUMER_GROUP,
        message.streamId(),
        message.jobId());
  }

  /**
   * Acknowledges many deliveries in one round trip (each as {@link #ack(QueuedMessage)} does).
   * Empty is a no-op.
   */
  public void ack(Collection<QueuedMessage> messages) {
    List<Object> args = new ArrayList<>();
    for (QueuedMessage message : messages) {
      if (args.isEmpty()) {
        args.add(QueueKeys.CONSUMER_GROUP);
      }
      args.add(message.streamId());
      args.add(message.jobId());
      // Lua's unpack() has a stack limit of a few thousand values.
      if (args.size() > 2 * ACK_CHUNK) {
        runAckMany(args);
        args.clear();
      }
    }
    if (!args.isEmpty()) {
      runAckMany(args);
    }
  }

  private void runAckMany(List<Object> args) {
    script.eval(
        keys.ready(),
        RScript.Mode.READ_WRITE,
        LuaScripts.ACK_MANY,
        RScript.ReturnType.LONG,
        List.of(keys.ready(), keys.payloads()),
        args.toArray());
  }

  /** Acknowledges the delivery and schedules {@code next} (a retry) in one atomic step. */
  public void retry(QueuedMessage message, NotificationJob next) {
    script.eval(
        keys.ready(),
        RScript.Mode.READ_WRITE,
        LuaScripts.RETRY,
        RScript.ReturnType.LONG,
        List.of(keys.ready(), keys.payloads(), keys.delayed()),
        QueueKeys.CONSUMER_GROUP,
        message.streamId(),
        message.jobId(),
        Long.toString(next.readyAt().toEpochMilli()),
        JobCodec.encode(next));
  }

  /** Moves the delivery to the dead-letter stream with its reason, in one atomic step. */
  public String deadLetter(QueuedMessage message, String reason) {
    String kind = message.job() == null ? "unknown" : message.job().kind().code();
    return script.eval(
        keys.ready(),
        RScript.Mode.READ_WRITE,
        LuaScripts.DEAD_LETTER,
        RScript.ReturnType.VALUE,
        List.of(keys.ready(), keys.payloads(), keys.dead()),
        QueueKeys.CONSUMER_GROUP,
        message.streamId(),
        message.jobId(),
        message.payload() == null ? "" : message.payload(),
        reason == null ? "" : reason,
        clock.instant().toString(),
        kind,
        Long.toString(config.deadLetterMaxLength()));
  }

  /** Of these job ids, the ones Redis does not hold at all (neither delayed nor ready). */
  public Set<UUID> missing(Collection<UUID> jobIds) {
    if (jobIds.isEmpty()) {
      return Set.of();
    }
    RMap<String, String> payloads = redisson.getMap(keys.payloads(), StringCodec.INSTANCE);
    Set<String> wanted = new LinkedHashSet<>();
    jobIds.forEach(id -> wanted.add(id.toString()));
    Map<String, String> present = payloads.getAll(wanted);
    Set<UUID> missing = new LinkedHashSet<>();
    for (UUID id : jobIds) {
      if (!present.containsKey(id.toString())) {
        missing.add(id);
      }
    }
    return missing;
  }

  /** Whether Redis holds this job (delayed or ready). */
  public boolean holds(UUID jobId) {
    return redisson.getMap(keys.payloads(), StringCodec.INSTANCE).containsKey(jobId.toString());
  }

  /** When the job becomes ready, if it is on the delayed set. */
  public Optional<Instant> readyAt(UUID jobId) {
    RScoredSortedSet<String> delayed =
        redisson.getScoredSortedSet(keys.delayed(), StringCodec.INSTANCE);
    Double score = delayed.getScore(jobId.toString());
    return score == null ? Optional.empty() : Optional.of(Instant.ofEpochMilli(score.longValue()));
  }

  public QueueStats stats() {
    long delayed = redisson.getScoredSortedSet(keys.delayed(), StringCodec.INSTANCE).size();
    long inStream = ready.isExists() ? ready.size() : 0;
    long pending = 0;
    if (inStream > 0) {
      try {
        PendingResult info = ready.getPendingInfo(QueueKeys.CONSUMER_GROUP);
        pending = info.getTotal();
      } catch (RedisException e) {
        if (!isNoGroup(e)) {
          throw e;
        }
      }
    }
    long deadCount = dead.isExists() ? dead.size() : 0;
    return new QueueStats(delayed, Math.max(0, inStream - pending), pending, deadCount);
  }

  /** Dead letters, oldest first, starting after {@code afterEntryId} (null: from the start). */
  public List<DeadLetter> deadLetters(String afterEntryId, int count) {
    if (!dead.isExists()) {
      return List.of();
    }
    StreamMessageId from = afterEntryId == null ? StreamMessageId.MIN : next(parse(afterEntryId));
    Map<StreamMessageId, Map<String, String>> entries =
        dead.range(count, from, StreamMessageId.MAX);
    List<DeadLetter> letters = new ArrayList<>(entries.size());
    entries.forEach((id, fields) -> letters.add(toDeadLetter(id, fields)));
    return letters;
  }

  public Optional<DeadLetter> deadLetter(String entryId) {
    StreamMessageId id = parse(entryId);
    Map<StreamMessageId, Map<String, String>> entries = dead.range(1, id, id);
    return entries.entrySet().stream().findFirst().map(e -> toDeadLetter(e.getKey(), e.getValue()));
  }

  /** Removes one dead letter (after a replay). Returns whether it existed. */
  public boolean removeDeadLetter(String entryId) {
    return dead.remove(parse(entryId)) > 0;
  }

  /** Deletes every dead letter. Returns how many there were. */
  public long purgeDeadLetters() {
    long size = dead.isExists() ? dead.size() : 0;
    dead.delete();
    return size;
  }

  private static DeadLetter toDeadLetter(StreamMessageId id, Map<String, String> fields) {
    String failedAt = fields.get("failedAt");
    Instant at;
    try {
      at = failedAt == null ? Instant.EPOCH : Instant.parse(failedAt);
    } catch (RuntimeException e) {
      at = Instant.EPOCH;
    }
    return new DeadLetter(
        id.toString(),
        fields.get("id"),
        fields.getOrDefault("kind", "unknown"),
        fields.get("job"),
        fields.get("reason"),
        at);
  }

  private static List<QueuedMessage> toMessages(Map<StreamMessageId, Map<String, String>> entries) {
    if (entries == null || entries.isEmpty()) {
      return List.of();
    }
    List<QueuedMessage> messages = new ArrayList<>(entries.size());
    entries.forEach(
        (id, fields) -> {
          if (fields == null) {
            return; // deleted from the stream while pending: nothing left to deliver
          }
          String payload = fields.get("job");
          JobCodec.Decoded decoded = JobCodec.decode(payload);
          String jobId = fields.getOrDefault("id", decoded.jobId());
          messages.add(
              new QueuedMessage(
                  id.toString(),
                  jobId == null ? "" : jobId,
                  payload,
                  decoded.job(),
                  decoded.error()));
        });
    return messages;
  }

  private static boolean isNoGroup(RedisException e) {
    return String.valueOf(e.getMessage()).contains("NOGROUP");
  }

  private static boolean isZero(StreamMessageId id) {
    return id.getId0() == 0 && id.getId1() == 0;
  }

  static StreamMessageId parse(String entryId) {
    int dash = entryId.indexOf('-');
    if (dash < 0) {
      return new StreamMessageId(Long.parseLong(entryId));
    }
    return new StreamMessageId(
        Long.parseLong(entryId.substring(0, dash)), Long.parseLong(entryId.substring(dash + 1)));
  }

  private static StreamMessageId next(StreamMessageId id) {
    return new StreamMessageId(id.getId0(), id.getId1() + 1);
  }
}
