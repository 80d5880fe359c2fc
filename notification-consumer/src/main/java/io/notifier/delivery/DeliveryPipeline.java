package io.notifier.delivery;

import io.notifier.content.EmailRenderer;
import io.notifier.content.RenderedEmail;
import io.notifier.db.crypto.UndecryptableException;
import io.notifier.health.Heartbeats;
import io.notifier.ledger.Delivery;
import io.notifier.ledger.DeliveryLedger;
import io.notifier.mail.MessageIds;
import io.notifier.mail.OutgoingEmail;
import io.notifier.mail.SendResult;
import io.notifier.mail.SmtpFailure;
import io.notifier.mail.SmtpMailer;
import io.notifier.metrics.NotifierMetrics;
import io.notifier.model.NotificationJob;
import io.notifier.model.NotificationKind;
import io.notifier.queue.QueuedMessage;
import io.notifier.queue.RedisJobQueue;
import io.notifier.retry.RetryPolicy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * What happens to one delivery read from the stream (docs/DELIVERY.md, "The pipeline"): decode,
 * claim the ledger row, re-validate, render, send, record the outcome in the ledger and only then
 * acknowledge, retry or dead-letter it in Redis. Thread-safe: many deliveries run through one
 * pipeline at once.
 */
final class DeliveryPipeline {

  private static final Logger LOG = LoggerFactory.getLogger(DeliveryPipeline.class);

  /** Ledger writes after a send are retried this often, this far apart, before giving up. */
  static final int RECORD_ATTEMPTS = 5;

  static final Duration RECORD_RETRY_PAUSE = Duration.ofSeconds(1);

  private final String owner;
  private final Duration lease;
  private final RetryPolicy retryPolicy;
  private final DeliveryLedger ledger;
  private final RedisJobQueue queue;
  private final Revalidation revalidation;
  private final EmailRenderer renderer;
  private final SmtpMailer mailer;
  private final String messageIdDomain;
  private final Clock clock;
  private final NotifierMetrics metrics;
  private final Heartbeats heartbeats;
  private final InFlight inFlight;
  private final RandomGenerator random;

  // Group commit: concurrent deliveries share one statement or script call (Combiner). Claims
  // need none: the messages read together are claimed together (claim()).
  private final Combiner<SentRow, SentRecord> sentRows;
  private final Combiner<QueuedMessage, Boolean> acks;
  private final Map<NotificationKind, Long> lastRunRecorded =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** Most deliveries one batched statement or script call carries. */
  static final int MAX_BATCH = 256;

  /** The last-run record of sends is written at most this often per kind. */
  static final Duration RUN_RECORD_INTERVAL = Duration.ofSeconds(1);

  /**
   * A claimed delivery with what the send-time check needs, read in the same batch; {@code
   * readError} when those reads failed after the claims committed (the delivery then takes the
   * retry path, as any failure between claim and send does).
   */
  record Claimed(
      DeliveryLedger.Claim claim, Revalidation.Facts facts, RuntimeException readError) {}

  /** A sent row to record, with the Message-ID it went out with, and its message to acknowledge. */
  private record SentRow(UUID id, String messageId, QueuedMessage message) {}

  /**
   * Whether the ledger took a sent row (false: the lease was lost), and why its acknowledgement
   * failed, if it did (null: acknowledged).
   */
  private record SentRecord(boolean recorded, RuntimeException ackError) {}

  /** The send is recorded but Redis did not take its acknowledgement (already logged). */
  private static final class AcknowledgementFailed extends RuntimeException {
    AcknowledgementFailed(RuntimeException cause) {
      super(cause.toString(), cause, false, false);
    }
  }

  DeliveryPipeline(
      ConsumerConfig config,
      DeliveryLedger ledger,
      RedisJobQueue queue,
      Revalidation revalidation,
      EmailRenderer renderer,
      SmtpMailer mailer,
      Clock clock,
      NotifierMetrics metrics,
      Heartbeats heartbeats,
      InFlight inFlight,
      RandomGenerator random) {
    this.owner = config.consumerId();
    this.lease = config.ledgerLease();
    this.retryPolicy = config.retryPolicy();
    this.ledger = ledger;
    this.queue = queue;
    this.revalidation = revalidation;
    this.renderer = renderer;
    this.mailer = mailer;
    this.messageIdDomain = mailer.config().messageIdDomain();
    this.clock = clock;
    this.metrics = metrics;
    this.heartbeats = heartbeats;
    this.inFlight = inFlight;
    this.random = random;
    // A send's record and its acknowledgement go together: one hand-off between threads per
    // email instead of two. The acknowledgement follows the record, as it must; if Redis fails,
    // the records stand and a reclaim acknowledges the messages later.
    this.sentRows =
        new Combiner<>(
            rows -> {
              Map<UUID, String> byId = new LinkedHashMap<>();
              rows.forEach(r -> byId.put(r.id(), r.messageId()));
              java.util.Set<UUID> recorded = ledger.markSentAll(byId, owner);
              RuntimeException ackError = null;
              try {
                queue.ack(rows.stream().map(SentRow::message).toList());
              } catch (RuntimeException e) {
                ackError = e;
              }
              Map<SentRow, SentRecord> out = new java.util.HashMap<>();
              for (SentRow r : rows) {
                out.put(r, new SentRecord(recorded.contains(r.id()), ackError));
              }
              return out;
            },
            MAX_BATCH);
    this.acks =
        new Combiner<>(
            messages -> {
              queue.ack(messages);
              Map<QueuedMessage, Boolean> out = new java.util.HashMap<>();
              messages.forEach(m -> out.put(m, Boolean.TRUE));
              return out;
            },
            MAX_BATCH);
  }

  /**
   * Claims the ledger rows of messages read together, with the send-time reads of those claimed:
   * one claim statement and one read per kind for the whole batch, on the caller's thread (the
   * reader's or the reclaimer's), before the messages go to the send threads. A send thread then
   * never waits for another thread for its claim, and a batch is exactly what one read took from
   * the stream. Never throws: a failure reaches each message's {@link #handle}.
   */
  Claims claim(List<QueuedMessage> messages) {
    java.util.Set<UUID> ids = new java.util.LinkedHashSet<>();
    for (QueuedMessage message : messages) {
      if (message.decodable()) {
        ids.add(message.job().id());
      }
    }
    List<UUID> all = List.copyOf(ids);
    Map<UUID, Claimed> claimed = new java.util.HashMap<>();
    Map<UUID, RuntimeException> failed = new java.util.HashMap<>();
    for (int from = 0; from < all.size(); from += MAX_BATCH) {
      List<UUID> chunk = all.subList(from, Math.min(all.size(), from + MAX_BATCH));
      try {
        claimed.putAll(claimAndRead(chunk));
      } catch (RuntimeException e) {
        chunk.forEach(id -> failed.put(id, e));
      }
    }
    return new Claims(claimed, failed);
  }

  /** What {@link #claim} found for the messages of one batch. Thread-safe. */
  static final class Claims {
    private final Map<UUID, Claimed> claimed;
    private final Map<UUID, RuntimeException> failed;
    private final java.util.Set<UUID> taken = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private Claims(Map<UUID, Claimed> claimed, Map<UUID, RuntimeException> failed) {
      this.claimed = claimed;
      this.failed = failed;
    }

    /**
     * The claim of job {@code id}, or null when the row is not this consumer's to send (finished,
     * held by a live consumer, unknown). A job read twice in one batch (a reclaim racing its own
     * read) is given to whichever of its messages takes it first, as a second conditional update of
     * the row would have found it taken. Throws the failure of the statement that was to claim it.
     */
    Claimed take(UUID id) {
      RuntimeException error = failed.get(id);
      if (error != null) {
        throw error;
      }
      return taken.add(id) ? claimed.get(id) : null;
    }
  }

  private Map<UUID, Claimed> claimAndRead(List<UUID> ids) {
    Map<UUID, DeliveryLedger.Claim> claimed = ledger.claimAll(ids, owner, lease);
    Map<UUID, Revalidation.Facts> facts = Map.of();
    RuntimeException readError = null;
    try {
      facts =
          revalidation.read(
              claimed.values().stream()
                  .map(DeliveryLedger.Claim::delivery)
                  .filter(d -> d.attempts() <= retryPolicy.maxAttempts())
                  .toList());
    } catch (RuntimeException e) {
      readError = e;
    }
    Map<UUID, Claimed> out = new java.util.HashMap<>();
    for (Map.Entry<UUID, DeliveryLedger.Claim> e : claimed.entrySet()) {
      out.put(e.getKey(), new Claimed(e.getValue(), facts.get(e.getKey()), readError));
    }
    return out;
  }

  /**
   * Handles one delivery to its end. Never throws; returns false when it failed before an outcome
   * could be recorded (typically PostgreSQL or Redis away), leaving it pending for reclaim.
   */
  boolean handle(QueuedMessage message) {
    return handle(message, claim(List.of(message)));
  }

  /** {@link #handle(QueuedMessage)} with the claim made for its batch by {@link #claim}. */
  boolean handle(QueuedMessage message, Claims claims) {
    try {
      if (!message.decodable()) {
        badPayload(message);
        return true;
      }
      NotificationJob job = message.job();
      MDC.put("jobId", job.id().toString());
      MDC.put("kind", job.kind().code());
      MDC.put("userId", job.userId().toString());
      MDC.put("attempt", Integer.toString(job.attempt()));
      Claimed claimed = claims.take(job.id());
      if (claimed == null) {
        notOurs(message, job);
        return true;
      }
      Delivery delivery = claimed.claim().delivery();
      MDC.put("attempt", Integer.toString(delivery.attempts()));
      inFlight.add(message, job.id());
      try {
        deliver(message, delivery, claimed);
      } finally {
        inFlight.remove(message);
      }
      return true;
    } catch (AcknowledgementFailed e) {
      metrics.loopError("consumer.delivery");
      return false;
    } catch (RuntimeException e) {
      // Typically the database or Redis is unreachable: nothing was recorded or acknowledged, so
      // the delivery stays pending and is reclaimed after the visibility timeout.
      LOG.error(
          "delivery {} failed before an outcome was recorded: {}", message.jobId(), e.toString());
      metrics.loopError("consumer.delivery");
      return false;
    } finally {
      MDC.remove("jobId");
      MDC.remove("kind");
      MDC.remove("userId");
      MDC.remove("attempt");
    }
  }

  private void deliver(QueuedMessage message, Delivery d, Claimed claimed) {
    if (d.attempts() > retryPolicy.maxAttempts()) {
      // Only reachable when consumers died while holding it: a poison job, or bad luck.
      dead(
          message,
          d,
          "exhausted",
          "attempts exhausted ("
              + d.attempts()
              + " claims for "
              + retryPolicy.maxAttempts()
              + " attempts)"
              + (d.lastError() == null ? "" : "; last error: " + d.lastError()));
      return;
    }
    Instant now = clock.instant();
    Revalidation.Verdict verdict;
    RenderedEmail email = null;
    try {
      if (claimed.readError() != null) {
        throw claimed.readError();
      }
      verdict = revalidation.check(d, claimed.facts(), now);
      if (verdict instanceof Revalidation.Verdict.Ready ready) {
        email = renderer.render(ready.recipient(), ready.data(), now);
      }
    } catch (UndecryptableException e) {
      dead(
          message,
          d,
          "undecryptable",
          "undecryptable client name ("
              + e.reason().name().toLowerCase(java.util.Locale.ROOT)
              + "): "
              + e.getMessage());
      return;
    } catch (RuntimeException e) {
      unexpected(message, d, e);
      return;
    }
    switch (verdict) {
      case Revalidation.Verdict.Invalid invalid -> dead(message, d, "invalid_job", invalid.error());
      case Revalidation.Verdict.Skip skip -> skipped(message, d, skip);
      case Revalidation.Verdict.Ready ready ->
          send(message, d, ready.recipient().email(), email, claimed.claim().possibleDuplicate());
    }
  }

  private void send(
      QueuedMessage message,
      Delivery d,
      String to,
      RenderedEmail email,
      boolean possibleDuplicate) {
    String messageId = MessageIds.forDedupKey(d.dedupKey(), messageIdDomain);
    Map<String, String> headers = new LinkedHashMap<>();
    // RFC 3834: no vacation auto-replies to a notification.
    headers.put("Auto-Submitted", "auto-generated");
    headers.put("X-Notifier-Kind", d.kind().code());
    headers.put("X-Notifier-Delivery", d.id().toString());
    SendResult result =
        mailer.send(
            new OutgoingEmail(to, email.subject(), email.text(), email.html(), messageId, headers));
    switch (result) {
      case SendResult.Accepted accepted -> sent(message, d, accepted, possibleDuplicate);
      case SendResult.Failed failed -> failed(message, d, failed.failure());
    }
  }

  private void sent(
      QueuedMessage message, Delivery d, SendResult.Accepted accepted, boolean possibleDuplicate) {
    Instant acceptedAt = clock.instant();
    Duration lateness = Duration.between(d.dueAt(), acceptedAt);
    SentRecord record =
        durably(() -> sentRows.get(new SentRow(d.id(), accepted.messageId(), message)));
    if (!record.recorded()) {
      // Our lease ran out during the send and another consumer took the row over: it may send
      // too. That consumer marked the row possible_duplicate when it claimed it.
      LOG.error(
          "sent {} delivery {} but the ledger lease was lost meanwhile: possible duplicate",
          d.kind().code(),
          d.id());
    }
    metrics.sent(d.kind(), accepted.duration(), lateness);
    runRecorded(d.kind(), accepted.duration());
    LOG.info(
        "sent {} delivery {} to user {} attempt {} lateness {} ms{}",
        d.kind().code(),
        d.id(),
        d.userId(),
        d.attempts(),
        lateness.toMillis(),
        possibleDuplicate ? " (taken over from a consumer that died: possible duplicate)" : "");
    if (record.ackError() != null) {
      LOG.error(
          "sent {} delivery {} is recorded, but acknowledging it in Redis failed; a reclaim"
              + " acknowledges it: {}",
          d.kind().code(),
          d.id(),
          record.ackError().toString());
      throw new AcknowledgementFailed(record.ackError());
    }
  }

  private void failed(QueuedMessage message, Delivery d, SmtpFailure failure) {
    switch (failure.category()) {
      case TRANSIENT -> {
        Optional<Instant> next = retryPolicy.nextAttempt(d.attempts(), clock, random);
        if (next.isEmpty()) {
          dead(
              message,
              d,
              "exhausted",
              "attempts exhausted after " + d.attempts() + "; last error: " + failure.summary());
          return;
        }
        Optional<Delivery> waiting =
            durably(() -> ledger.markRetry(d.id(), owner, next.get(), failure.summary()));
        if (waiting.isEmpty()) {
          leaseLost(message, d);
          return;
        }
        queue.retry(message, waiting.get().toJob());
        metrics.retried(d.kind(), failure.reason());
        LOG.warn(
            "{} delivery {} failed on attempt {} ({}); retry at {}",
            d.kind().code(),
            d.id(),
            d.attempts(),
            failure.summary(),
            next.get());
      }
      case PERMANENT -> dead(message, d, failure.reason(), failure.summary());
      case UNCERTAIN -> {
        Optional<Delivery> recorded =
            durably(() -> ledger.markUncertain(d.id(), owner, failure.summary()));
        if (recorded.isEmpty()) {
          leaseLost(message, d);
          return;
        }
        queue.deadLetter(message, "uncertain: " + failure.summary());
        metrics.uncertain(d.kind());
        LOG.error(
            "{} delivery {} outcome uncertain, not retried automatically ({}); on the dead-letter"
                + " stream for an operator",
            d.kind().code(),
            d.id(),
            failure.summary());
      }
    }
  }

  private void skipped(QueuedMessage message, Delivery d, Revalidation.Verdict.Skip skip) {
    Optional<Delivery> recorded = ledger.markSkipped(d.id(), owner, skip.reason());
    if (recorded.isEmpty()) {
      leaseLost(message, d);
      return;
    }
    acks.get(message);
    metrics.skipped(d.kind(), skip.reason().code());
    LOG.warn(
        "skipped {} delivery {} for user {}: {} ({})",
        d.kind().code(),
        d.id(),
        d.userId(),
        skip.reason().code(),
        skip.detail());
  }

  private void dead(QueuedMessage message, Delivery d, String reasonCode, String error) {
    Optional<Delivery> recorded = durably(() -> ledger.markDead(d.id(), owner, error));
    if (recorded.isEmpty()) {
      leaseLost(message, d);
      return;
    }
    queue.deadLetter(message, error);
    metrics.dead(d.kind(), reasonCode);
    LOG.error(
        "{} delivery {} is dead after attempt {} ({}): {}",
        d.kind().code(),
        d.id(),
        d.attempts(),
        reasonCode,
        error);
  }

  /** The ledger refused our update: another consumer owns the row now. It decides the outcome. */
  private void leaseLost(QueuedMessage message, Delivery d) {
    acks.get(message);
    metrics.duplicateSuppressed(d.kind());
    LOG.warn(
        "{} delivery {}: the ledger lease was lost to another consumer; its outcome stands",
        d.kind().code(),
        d.id());
  }

  /** A claim that failed: the row is finished, held by a live consumer, or unknown. */
  private void notOurs(QueuedMessage message, NotificationJob job) {
    Optional<Delivery> row = ledger.find(job.id());
    if (row.isEmpty()) {
      queue.deadLetter(message, "no ledger row for this job");
      metrics.badPayload("no_ledger_row");
      LOG.error("{} job {} names no ledger row; dead-lettered", job.kind().code(), job.id());
      return;
    }
    acks.get(message);
    metrics.duplicateSuppressed(job.kind());
    Delivery d = row.get();
    LOG.warn(
        "{} delivery {} already {}{}; not sent again",
        job.kind().code(),
        job.id(),
        d.status().code(),
        d.status() == io.notifier.model.NotificationStatus.SENDING
            ? " (held by another consumer until " + d.leaseExpiresAt() + ")"
            : "");
  }

  /** An undecodable payload: dead-lettered with the reason, and its ledger row (if any) dead. */
  private void badPayload(QueuedMessage message) {
    String reason = "undecodable payload: " + message.decodeError();
    String code =
        message.decodeError() == null
            ? "invalid_payload"
            : message.decodeError().contains("not valid JSON")
                ? "invalid_json"
                : message.decodeError().contains("unknown kind")
                    ? "unknown_kind"
                    : "invalid_payload";
    MDC.put("jobId", message.jobId());
    UUID id = parseUuid(message.jobId());
    if (id != null) {
      ledger.markDead(id, null, reason);
    }
    queue.deadLetter(message, reason);
    metrics.badPayload(code);
    LOG.error("job {} has an undecodable payload ({}); dead-lettered", message.jobId(), code);
  }

  /**
   * Something unexpected after the claim (a bug, or the database or Redis failing mid-way). Tries
   * to schedule a retry through the policy; if even that fails, the delivery stays pending and the
   * row keeps its lease: a reclaim after the lease finishes it.
   */
  private void unexpected(QueuedMessage message, Delivery d, RuntimeException e) {
    LOG.error("{} delivery {} failed unexpectedly: {}", d.kind().code(), d.id(), e.toString());
    metrics.loopError("consumer.delivery");
    try {
      failed(
          message,
          d,
          new SmtpFailure(
              SmtpFailure.Category.TRANSIENT,
              0,
              "internal",
              "internal error before sending: " + e.getClass().getSimpleName()));
    } catch (RuntimeException again) {
      LOG.error(
          "{} delivery {} left pending for reclaim: {}", d.kind().code(), d.id(), again.toString());
    }
  }

  /**
   * Runs a ledger write, retrying briefly when the database fails: after an SMTP send, giving up
   * leaves the row leased and the delivery pending, and a later takeover may send again (the one
   * duplicate window, docs/DELIVERY.md). Rethrows when the database stays away.
   */
  private <T> T durably(java.util.function.Supplier<T> write) {
    RuntimeException last = null;
    for (int attempt = 0; attempt < RECORD_ATTEMPTS; attempt++) {
      try {
        return write.get();
      } catch (RuntimeException e) {
        last = e;
        LOG.warn(
            "recording an outcome in the ledger failed (try {}): {}", attempt + 1, e.toString());
        try {
          Thread.sleep(RECORD_RETRY_PAUSE.toMillis());
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    throw last;
  }

  private void runRecorded(NotificationKind kind, Duration duration) {
    if (heartbeats == null) {
      return;
    }
    // One Redis write per kind and second, not per email: the health check reads it as "sends of
    // this kind are happening", which a second's delay does not change.
    long now = System.nanoTime();
    Long last = lastRunRecorded.get(kind);
    if (last != null && now - last < RUN_RECORD_INTERVAL.toNanos()) {
      return;
    }
    lastRunRecorded.put(kind, now);
    try {
      heartbeats.ran("consumer.sent." + kind.code(), duration, "sent");
    } catch (RuntimeException e) {
      LOG.debug("recording the last run failed: {}", e.toString());
    }
  }

  private static UUID parseUuid(String text) {
    try {
      return text == null || text.isBlank() ? null : UUID.fromString(text);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
