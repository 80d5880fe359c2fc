package io.notifier.schedule;

import java.time.Duration;
import java.util.Objects;

/**
 * Everything the producer can be told. Validated here; the deploy module's picocli layer is the
 * only place that reads flags and environment variables into it.
 *
 * @param instanceId this producer's name in logs, heartbeats and {@code updated_by}
 * @param pipeline the watermark row ({@code notifier_scheduler_state.name}); one per deployment
 * @param tickInterval ticks fall on multiples of this since the epoch, by the injected clock
 * @param lookAhead a tick at T resolves due instants up to T + lookAhead, so consumers already hold
 *     each job when its second comes; at least one tick interval
 * @param maxCatchUp a watermark older than this is not caught up in full: the oldest part is
 *     abandoned with a warning and a counter
 * @param catchUpSlice a long window is resolved in transactions of at most this much, each moving
 *     the watermark, so a big catch-up makes steady progress and bounded transactions
 * @param staleness what is still sent late, per kind
 * @param zoneCacheTtl how long the list of zones in use is reused
 * @param fullResyncInterval how often the schedule index is rebuilt in full and the settings are
 *     audited for malformed values (both read every settings row)
 * @param changeSlack changes are re-read from this far before the last sync, to cover PazPaz
 *     transactions that committed after stamping updated_at, and clock skew
 * @param reconcileInterval how often the leader compares the ledger with Redis
 * @param reconcilePageSize ledger rows per reconciler page
 * @param leaderLeaseTime how long the leader lease lasts without renewal; renewed every third of it
 * @param lateAppointmentReminders whether an appointment booked or moved after its reminder's due
 *     instant, and not yet started, gets the reminder at once
 * @param reportRowLimit most planned rows a {@link TickReport} lists (counts are always complete)
 */
public record ProducerConfig(
    String instanceId,
    String pipeline,
    Duration tickInterval,
    Duration lookAhead,
    Duration maxCatchUp,
    Duration catchUpSlice,
    StalenessRules staleness,
    Duration zoneCacheTtl,
    Duration fullResyncInterval,
    Duration changeSlack,
    Duration reconcileInterval,
    int reconcilePageSize,
    Duration leaderLeaseTime,
    boolean lateAppointmentReminders,
    int reportRowLimit) {

  public static final String DEFAULT_PIPELINE = "default";
  public static final Duration DEFAULT_TICK_INTERVAL = Duration.ofMinutes(1);
  public static final Duration DEFAULT_LOOK_AHEAD = Duration.ofMinutes(2);
  public static final Duration DEFAULT_MAX_CATCH_UP = Duration.ofHours(26);
  public static final Duration DEFAULT_CATCH_UP_SLICE = Duration.ofHours(1);
  public static final Duration DEFAULT_ZONE_CACHE_TTL = Duration.ofMinutes(5);
  public static final Duration DEFAULT_FULL_RESYNC_INTERVAL = Duration.ofHours(1);
  public static final Duration DEFAULT_CHANGE_SLACK = Duration.ofMinutes(5);
  public static final Duration DEFAULT_RECONCILE_INTERVAL = Duration.ofMinutes(1);
  public static final int DEFAULT_RECONCILE_PAGE_SIZE = 1_000;
  public static final Duration DEFAULT_LEADER_LEASE_TIME = Duration.ofSeconds(30);
  public static final int DEFAULT_REPORT_ROW_LIMIT = 10_000;

  private static final Duration DAY = Duration.ofDays(1);

  public ProducerConfig {
    Objects.requireNonNull(instanceId, "instanceId");
    if (instanceId.isBlank() || instanceId.length() > 200) {
      throw new IllegalArgumentException("instanceId must be 1 to 200 characters");
    }
    Objects.requireNonNull(pipeline, "pipeline");
    if (pipeline.isBlank() || pipeline.length() > 64) {
      throw new IllegalArgumentException("pipeline must be 1 to 64 characters");
    }
    Objects.requireNonNull(tickInterval, "tickInterval");
    if (tickInterval.compareTo(Duration.ofSeconds(1)) < 0
        || tickInterval.compareTo(Duration.ofHours(1)) > 0
        || tickInterval.getNano() != 0
        || DAY.getSeconds() % tickInterval.getSeconds() != 0) {
      throw new IllegalArgumentException(
          "tickInterval must be whole seconds from 1s to 1h dividing a day, was " + tickInterval);
    }
    Objects.requireNonNull(lookAhead, "lookAhead");
    if (lookAhead.compareTo(tickInterval) < 0 || lookAhead.compareTo(Duration.ofHours(1)) > 0) {
      // Shorter than a tick, a job due just before the next tick would be queued late.
      throw new IllegalArgumentException(
          "lookAhead must be between tickInterval and 1h, was " + lookAhead);
    }
    Objects.requireNonNull(maxCatchUp, "maxCatchUp");
    if (maxCatchUp.compareTo(tickInterval.plus(lookAhead)) < 0
        || maxCatchUp.compareTo(Duration.ofDays(7)) > 0) {
      throw new IllegalArgumentException(
          "maxCatchUp must be between tickInterval + lookAhead and 7 days, was " + maxCatchUp);
    }
    Objects.requireNonNull(catchUpSlice, "catchUpSlice");
    if (catchUpSlice.compareTo(tickInterval) < 0) {
      throw new IllegalArgumentException("catchUpSlice must be at least tickInterval");
    }
    Objects.requireNonNull(staleness, "staleness");
    requirePositive(zoneCacheTtl, "zoneCacheTtl");
    requirePositive(fullResyncInterval, "fullResyncInterval");
    Objects.requireNonNull(changeSlack, "changeSlack");
    if (changeSlack.isNegative() || changeSlack.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException(
          "changeSlack must be between 0 and 1h, was " + changeSlack);
    }
    requirePositive(reconcileInterval, "reconcileInterval");
    if (reconcilePageSize < 1 || reconcilePageSize > 100_000) {
      throw new IllegalArgumentException("reconcilePageSize must be 1 to 100000");
    }
    Objects.requireNonNull(leaderLeaseTime, "leaderLeaseTime");
    if (leaderLeaseTime.compareTo(Duration.ofSeconds(3)) < 0) {
      throw new IllegalArgumentException("leaderLeaseTime must be at least 3s");
    }
    if (reportRowLimit < 0) {
      throw new IllegalArgumentException("reportRowLimit must not be negative");
    }
  }

  private static void requirePositive(Duration value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, was " + value);
    }
  }

  /** The defaults, for producer {@code instanceId}. */
  public static ProducerConfig defaults(String instanceId) {
    return builder(instanceId).build();
  }

  public static Builder builder(String instanceId) {
    return new Builder(instanceId);
  }

  public Builder toBuilder() {
    return new Builder(instanceId)
        .pipeline(pipeline)
        .tickInterval(tickInterval)
        .lookAhead(lookAhead)
        .maxCatchUp(maxCatchUp)
        .catchUpSlice(catchUpSlice)
        .staleness(staleness)
        .zoneCacheTtl(zoneCacheTtl)
        .fullResyncInterval(fullResyncInterval)
        .changeSlack(changeSlack)
        .reconcileInterval(reconcileInterval)
        .reconcilePageSize(reconcilePageSize)
        .leaderLeaseTime(leaderLeaseTime)
        .lateAppointmentReminders(lateAppointmentReminders)
        .reportRowLimit(reportRowLimit);
  }

  /** Starts from the defaults; {@link #build()} validates. */
  public static final class Builder {
    private final String instanceId;
    private String pipeline = DEFAULT_PIPELINE;
    private Duration tickInterval = DEFAULT_TICK_INTERVAL;
    private Duration lookAhead = DEFAULT_LOOK_AHEAD;
    private Duration maxCatchUp = DEFAULT_MAX_CATCH_UP;
    private Duration catchUpSlice = DEFAULT_CATCH_UP_SLICE;
    private StalenessRules staleness = StalenessRules.DEFAULTS;
    private Duration zoneCacheTtl = DEFAULT_ZONE_CACHE_TTL;
    private Duration fullResyncInterval = DEFAULT_FULL_RESYNC_INTERVAL;
    private Duration changeSlack = DEFAULT_CHANGE_SLACK;
    private Duration reconcileInterval = DEFAULT_RECONCILE_INTERVAL;
    private int reconcilePageSize = DEFAULT_RECONCILE_PAGE_SIZE;
    private Duration leaderLeaseTime = DEFAULT_LEADER_LEASE_TIME;
    private boolean lateAppointmentReminders = true;
    private int reportRowLimit = DEFAULT_REPORT_ROW_LIMIT;

    private Builder(String instanceId) {
      this.instanceId = instanceId;
    }

    public Builder pipeline(String value) {
      this.pipeline = value;
      return this;
    }

    public Builder tickInterval(Duration value) {
      this.tickInterval = value;
      return this;
    }

    public Builder lookAhead(Duration value) {
      this.lookAhead = value;
      return this;
    }

    public Builder maxCatchUp(Duration value) {
      this.maxCatchUp = value;
      return this;
    }

    public Builder catchUpSlice(Duration value) {
      this.catchUpSlice = value;
      return this;
    }

    public Builder staleness(StalenessRules value) {
      this.staleness = value;
      return this;
    }

    public Builder zoneCacheTtl(Duration value) {
      this.zoneCacheTtl = value;
      return this;
    }

    public Builder fullResyncInterval(Duration value) {
      this.fullResyncInterval = value;
      return this;
    }

    public Builder changeSlack(Duration value) {
      this.changeSlack = value;
      return this;
    }

    public Builder reconcileInterval(Duration value) {
      this.reconcileInterval = value;
      return this;
    }

    public Builder reconcilePageSize(int value) {
      this.reconcilePageSize = value;
      return this;
    }

    public Builder leaderLeaseTime(Duration value) {
      this.leaderLeaseTime = value;
      return this;
    }

    public Builder lateAppointmentReminders(boolean value) {
      this.lateAppointmentReminders = value;
      return this;
    }

    public Builder reportRowLimit(int value) {
      this.reportRowLimit = value;
      return this;
    }

    public ProducerConfig build() {
      return new ProducerConfig(
          instanceId,
          pipeline,
          tickInterval,
          lookAhead,
          maxCatchUp,
          catchUpSlice,
          staleness,
          zoneCacheTtl,
          fullResyncInterval,
          changeSlack,
          reconcileInterval,
          reconcilePageSize,
          leaderLeaseTime,
          lateAppointmentReminders,
          reportRowLimit);
    }
  }
}
