package io.notifier.delivery;

import io.notifier.retry.RetryPolicy;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;

/**
 * How one consumer process reads, sends, retries and stops.
 *
 * @param consumerId this process's name in the consumer group and the ledger's lease owner; unique
 *     per process (a restarted process takes a new one)
 * @param maxInFlight most sends in progress at once; also bounds what is read from the stream
 * @param readBatchSize most entries one read takes
 * @param blockTimeout how long a read waits for new entries (also bounds how fast stop() is noticed
 *     by the reader)
 * @param pumpInterval longest sleep of the pump that moves due jobs into the stream; it wakes
 *     earlier for the next job's ready instant, so jobs are ready at their due second
 * @param visibilityTimeout how long another consumer's unacknowledged delivery may stay idle before
 *     this consumer takes it over (XAUTOCLAIM)
 * @param ledgerLease how long a ledger claim holds the row; renewed every third of it while a send
 *     is in flight. Must exceed the worst-case SMTP exchange (checked by {@link Consumer}) and not
 *     exceed the visibility timeout, so a reclaimed delivery finds the dead owner's lease expired
 * @param reclaimInterval how often idle deliveries are looked for
 * @param reclaimBatchSize most deliveries one reclaim takes over
 * @param shutdownGrace how long stop() waits for in-flight sends (fits Kubernetes' 30 s default)
 * @param heartbeatInterval how often the worker says it is alive
 * @param staleAfter a digest or notes reminder later than this at send time (a long outage's
 *     backlog) is skipped as stale rather than sent pointlessly late; appointment reminders have
 *     their own rule (never after the appointment started)
 * @param retryPolicy backoff and attempt budget for transient failures
 */
public record ConsumerConfig(
    String consumerId,
    int maxInFlight,
    int readBatchSize,
    Duration blockTimeout,
    Duration pumpInterval,
    Duration visibilityTimeout,
    Duration ledgerLease,
    Duration reclaimInterval,
    int reclaimBatchSize,
    Duration shutdownGrace,
    Duration heartbeatInterval,
    Duration staleAfter,
    RetryPolicy retryPolicy) {

  public static final int DEFAULT_MAX_IN_FLIGHT = 32;
  public static final int DEFAULT_READ_BATCH_SIZE = 32;
  public static final Duration DEFAULT_BLOCK_TIMEOUT = Duration.ofSeconds(1);
  public static final Duration DEFAULT_PUMP_INTERVAL = Duration.ofMillis(100);
  public static final Duration DEFAULT_VISIBILITY_TIMEOUT = Duration.ofMinutes(2);
  public static final Duration DEFAULT_LEDGER_LEASE = Duration.ofSeconds(90);
  public static final Duration DEFAULT_RECLAIM_INTERVAL = Duration.ofSeconds(15);
  public static final int DEFAULT_RECLAIM_BATCH_SIZE = 100;
  public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(25);
  public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(10);
  public static final Duration DEFAULT_STALE_AFTER = Duration.ofHours(6);

  /** The ledger's lease_owner column is varchar(200). */
  private static final int MAX_ID_LENGTH = 200;

  public ConsumerConfig {
    Objects.requireNonNull(consumerId, "consumerId");
    if (consumerId.isBlank() || consumerId.length() > MAX_ID_LENGTH) {
      throw new IllegalArgumentException("consumerId must be 1-200 characters");
    }
    if (maxInFlight < 1 || readBatchSize < 1 || reclaimBatchSize < 1) {
      throw new IllegalArgumentException(
          "maxInFlight, readBatchSize and reclaimBatchSize must be at least 1");
    }
    positive(blockTimeout, "blockTimeout");
    positive(pumpInterval, "pumpInterval");
    positive(visibilityTimeout, "visibilityTimeout");
    positive(ledgerLease, "ledgerLease");
    positive(reclaimInterval, "reclaimInterval");
    positive(shutdownGrace, "shutdownGrace");
    positive(heartbeatInterval, "heartbeatInterval");
    positive(staleAfter, "staleAfter");
    Objects.requireNonNull(retryPolicy, "retryPolicy");
    if (ledgerLease.compareTo(visibilityTimeout) > 0) {
      throw new IllegalArgumentException(
          "ledgerLease must not exceed visibilityTimeout: a delivery reclaimed from a dead consumer"
              + " must find that consumer's lease already expired");
    }
  }

  /** The defaults, under this consumer id. */
  public static ConsumerConfig defaults(String consumerId) {
    return builder(consumerId).build();
  }

  /** A fresh id: host, pid and a random suffix, so a restarted process never inherits a lease. */
  public static String newConsumerId(String host) {
    String h =
        host == null || host.isBlank() ? "consumer" : host.replaceAll("[^A-Za-z0-9_.-]", "_");
    if (h.length() > 100) {
      h = h.substring(0, 100);
    }
    return h
        + "-"
        + ProcessHandle.current().pid()
        + "-"
        + UUID.randomUUID().toString().substring(0, 8);
  }

  /** Renewal period of leases and stream idle times during a long send. */
  public Duration leaseRenewInterval() {
    return ledgerLease.dividedBy(3);
  }

  public static Builder builder(String consumerId) {
    return new Builder(consumerId);
  }

  public Builder toBuilder() {
    Builder b = new Builder(consumerId);
    b.maxInFlight = maxInFlight;
    b.readBatchSize = readBatchSize;
    b.blockTimeout = blockTimeout;
    b.pumpInterval = pumpInterval;
    b.visibilityTimeout = visibilityTimeout;
    b.ledgerLease = ledgerLease;
    b.reclaimInterval = reclaimInterval;
    b.reclaimBatchSize = reclaimBatchSize;
    b.shutdownGrace = shutdownGrace;
    b.heartbeatInterval = heartbeatInterval;
    b.staleAfter = staleAfter;
    b.retryPolicy = retryPolicy;
    return b;
  }

  private static void positive(Duration value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive");
    }
  }

  /** Starts from the defaults; {@link #build()} validates. */
  public static final class Builder {
    private String consumerId;
    private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;
    private int readBatchSize = DEFAULT_READ_BATCH_SIZE;
    private Duration blockTimeout = DEFAULT_BLOCK_TIMEOUT;
    private Duration pumpInterval = DEFAULT_PUMP_INTERVAL;
    private Duration visibilityTimeout = DEFAULT_VISIBILITY_TIMEOUT;
    private Duration ledgerLease = DEFAULT_LEDGER_LEASE;
    private Duration reclaimInterval = DEFAULT_RECLAIM_INTERVAL;
    private int reclaimBatchSize = DEFAULT_RECLAIM_BATCH_SIZE;
    private Duration shutdownGrace = DEFAULT_SHUTDOWN_GRACE;
    private Duration heartbeatInterval = DEFAULT_HEARTBEAT_INTERVAL;
    private Duration staleAfter = DEFAULT_STALE_AFTER;
    private RetryPolicy retryPolicy = RetryPolicy.DEFAULT;

    private Builder(String consumerId) {
      this.consumerId = consumerId;
    }

    public Builder consumerId(String id) {
      this.consumerId = id;
      return this;
    }

    public Builder maxInFlight(int n) {
      this.maxInFlight = n;
      return this;
    }

    public Builder readBatchSize(int n) {
      this.readBatchSize = n;
      return this;
    }

    public Builder blockTimeout(Duration d) {
      this.blockTimeout = d;
      return this;
    }

    public Builder pumpInterval(Duration d) {
      this.pumpInterval = d;
      return this;
    }

    public Builder visibilityTimeout(Duration d) {
      this.visibilityTimeout = d;
      return this;
    }

    public Builder ledgerLease(Duration d) {
      this.ledgerLease = d;
      return this;
    }

    public Builder reclaimInterval(Duration d) {
      this.reclaimInterval = d;
      return this;
    }

    public Builder reclaimBatchSize(int n) {
      this.reclaimBatchSize = n;
      return this;
    }

    public Builder shutdownGrace(Duration d) {
      this.shutdownGrace = d;
      return this;
    }

    public Builder heartbeatInterval(Duration d) {
      this.heartbeatInterval = d;
      return this;
    }

    public Builder staleAfter(Duration d) {
      this.staleAfter = d;
      return this;
    }

    public Builder retryPolicy(RetryPolicy policy) {
      this.retryPolicy = policy;
      return this;
    }

    public ConsumerConfig build() {
      return new ConsumerConfig(
          consumerId,
          maxInFlight,
          readBatchSize,
          blockTimeout,
          pumpInterval,
          visibilityTimeout,
          ledgerLease,
          reclaimInterval,
          reclaimBatchSize,
          shutdownGrace,
          heartbeatInterval,
          staleAfter,
          retryPolicy);
    }
  }
}
