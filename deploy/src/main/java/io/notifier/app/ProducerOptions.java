package io.notifier.app;

import io.notifier.schedule.ProducerConfig;
import io.notifier.schedule.StalenessRules;
import java.time.Duration;
import picocli.CommandLine.Option;

/** How the producer ticks, catches up and leads. */
public final class ProducerOptions {

  @Option(
      names = "--producer-id",
      paramLabel = "ID",
      description =
          "This producer's name in logs and heartbeats; default host-pid (env NOTIFIER_PRODUCER_ID).")
  @Env("NOTIFIER_PRODUCER_ID")
  String instanceId;

  @Option(
      names = "--tick-interval",
      paramLabel = "DURATION",
      defaultValue = "1m",
      converter = Converters.DurationConverter.class,
      description =
          "Ticks fall on multiples of this (env NOTIFIER_TICK_INTERVAL; default ${DEFAULT-VALUE}).")
  @Env("NOTIFIER_TICK_INTERVAL")
  Duration tickInterval;

  @Option(
      names = "--look-ahead",
      paramLabel = "DURATION",
      defaultValue = "2m",
      converter = Converters.DurationConverter.class,
      description =
          "Jobs are queued this far ahead of their due instant (env NOTIFIER_LOOK_AHEAD; default ${DEFAULT-VALUE}).")
  @Env("NOTIFIER_LOOK_AHEAD")
  Duration lookAhead;

  @Option(
      names = "--max-catch-up",
      paramLabel = "DURATION",
      defaultValue = "26h",
      converter = Converters.DurationConverter.class,
      description =
          "After an outage longer than this the oldest part is given up, counted (env NOTIFIER_MAX_CATCH_UP; default ${DEFAULT-VALUE}).")
  @Env("NOTIFIER_MAX_CATCH_UP")
  Duration maxCatchUp;

  @Option(
      names = "--digest-grace",
      paramLabel = "DURATION",
      defaultValue = "2h",
      converter = Converters.DurationConverter.class,
      description =
          "A daily or tomorrow digest, or a notes reminder, later than this is skipped as stale (env NOTIFIER_DIGEST_GRACE; default ${DEFAULT-VALUE}).")
  @Env("NOTIFIER_DIGEST_GRACE")
  Duration digestGrace;

  @Option(
      names = "--leader-lease",
      paramLabel = "DURATION",
      defaultValue = "30s",
      converter = Converters.DurationConverter.class,
      description =
          "Leader lease time; a dead leader is replaced after at most this (env NOTIFIER_LEADER_LEASE; default ${DEFAULT-VALUE}).")
  @Env("NOTIFIER_LEADER_LEASE")
  Duration leaderLease;

  @Option(
      names = "--late-appointment-reminders",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "Send a reminder at once for an appointment booked or moved after its reminder was due (env NOTIFIER_LATE_APPOINTMENT_REMINDERS; default ${DEFAULT-VALUE}).")
  @Env("NOTIFIER_LATE_APPOINTMENT_REMINDERS")
  boolean lateAppointmentReminders;

  public ProducerConfig config(String host) {
    try {
      String id =
          instanceId == null || instanceId.isBlank()
              ? host + "-" + ProcessHandle.current().pid()
              : instanceId;
      return ProducerConfig.builder(id)
          .tickInterval(tickInterval)
          .lookAhead(lookAhead)
          .maxCatchUp(maxCatchUp)
          .staleness(new StalenessRules(digestGrace, digestGrace, digestGrace))
          .leaderLeaseTime(leaderLease)
          .lateAppointmentReminders(lateAppointmentReminders)
          .build();
    } catch (IllegalArgumentException e) {
      throw new UserException("producer settings: " + e.getMessage());
    }
  }
}
