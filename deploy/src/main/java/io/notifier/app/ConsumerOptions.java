package io.notifier.app;

import io.notifier.delivery.ConsumerConfig;
import io.notifier.retry.RetryPolicy;
import java.time.Duration;
import picocli.CommandLine.Option;

/** How one consumer process reads, sends, retries and stops. */
public final class ConsumerOptions {

  @Option(
      names = "--concurrency",
      paramLabel = "N",
      defaultValue = "" + ConsumerConfig.DEFAULT_MAX_IN_FLIGHT,
      description =
          "Most sends in flight in this process (env NOTIFIER_CONSUMER_CONCURRENCY; default ${DEFAULT-VALUE}).")
  @Env("NOTIFIER_CONSUMER_CONCURRENCY")
  int concurrency;

  @Option(
      names = "--consumer-id",
      paramLabel = "ID",
      description =
          "This process's name in the consumer group; default host-pid-random, new at each start (env NOTIFIER_CONSUMER_ID).")
  @Env("NOTIFIER_CONSUMER_ID")
  String consumerId;

  @Option(
      names = "--max-attempts",
      paramLabel = "N",
      defaultValue = "" + RetryPolicy.DEFAULT_MAX_ATTEMPTS,
      description =
          "Attempts in all before a transient failure goes to the dead letters (env NOTIFIER_MAX_ATTEMPTS; default ${DEFAULT-VALUE}).")
  @Env("NOTIFIER_MAX_ATTEMPTS")
  int maxAttempts;

  @Option(
      names = "--retry-initial-backoff",
      paramLabel = "DURATION",
      defaultValue = "30s",
      converter = Converters.DurationConverter.class,
      description =
          "Wait after the first failure, doubling each time (env NOTIFIER_RETRY_INITIAL_BACKOFF; default ${DEFAULT-VALUE}).")
  @Env("NOTIFIER_RETRY_INITIAL_BACKOFF")
  Duration initialBackoff;

  @Option(
      names = "--retry-max-backoff",
      paramLabel = "DURATION",
      defaultValue = "30m",
      converter = Converters.DurationConverter.class,
      description =
          "Longest wait between attempts (env NOTIFIER_RETRY_MAX_BACKOFF; default ${DEFAULT-VALUE}).")
  @Env("NOTIFIER_RETRY_MAX_BACKOFF")
  Duration maxBackoff;

  @Option(
      names = "--visibility-timeout",
      paramLabel = "DURATION",
      defaultValue = "2m",
      converter = Converters.DurationConverter.class,
      description =
          "A delivery unacknowledged this long is taken over from its consumer (env NOTIFIER_VISIBILITY_TIMEOUT; default ${DEFAULT-VALUE}).")
  @Env("NOTIFIER_VISIBILITY_TIMEOUT")
  Duration visibilityTimeout;

  @Option(
      names = "--reclaim-interval",
      paramLabel = "DURATION",
      defaultValue = "15s",
      converter = Converters.DurationConverter.class,
      description =
          "How often deliveries idle past the visibility timeout are looked for (env NOTIFIER_RECLAIM_INTERVAL; default ${DEFAULT-VALUE}).")
  @Env("NOTIFIER_RECLAIM_INTERVAL")
  Duration reclaimInterval;

  @Option(
      names = "--ledger-lease",
      paramLabel = "DURATION",
      defaultValue = "90s",
      converter = Converters.DurationConverter.class,
      description =
          "How long a claim holds a ledger row; longer than the worst SMTP exchange, at most the visibility timeout (env NOTIFIER_LEDGER_LEASE; default ${DEFAULT-VALUE}).")
  @Env("NOTIFIER_LEDGER_LEASE")
  Duration ledgerLease;

  @Option(
      names = "--shutdown-grace",
      paramLabel = "DURATION",
      defaultValue = "25s",
      converter = Converters.DurationConverter.class,
      description =
          "On SIGTERM, how long in-flight sends may finish (env NOTIFIER_SHUTDOWN_GRACE; default ${DEFAULT-VALUE}).")
  @Env("NOTIFIER_SHUTDOWN_GRACE")
  Duration shutdownGrace;

  @Option(
      names = "--heartbeat-interval",
      paramLabel = "DURATION",
      defaultValue = "10s",
      converter = Converters.DurationConverter.class,
      description =
          "How often the worker says it is alive (env NOTIFIER_HEARTBEAT_INTERVAL; default ${DEFAULT-VALUE}).")
  @Env("NOTIFIER_HEARTBEAT_INTERVAL")
  Duration heartbeatInterval;

  @Option(
      names = "--stale-after",
      paramLabel = "DURATION",
      defaultValue = "6h",
      converter = Converters.DurationConverter.class,
      description =
          "A digest or notes reminder later than this at send time is skipped as stale (env NOTIFIER_STALE_AFTER; default ${DEFAULT-VALUE}).")
  @Env("NOTIFIER_STALE_AFTER")
  Duration staleAfter;

  public ConsumerConfig config(String host) {
    try {
      String id =
          consumerId == null || consumerId.isBlank()
              ? ConsumerConfig.newConsumerId(host)
              : consumerId;
      RetryPolicy retry =
          RetryPolicy.DEFAULT.withMaxAttempts(maxAttempts).withBackoff(initialBackoff, maxBackoff);
      return ConsumerConfig.builder(id)
          .maxInFlight(concurrency)
          .readBatchSize(Math.min(concurrency, ConsumerConfig.DEFAULT_READ_BATCH_SIZE))
          .visibilityTimeout(visibilityTimeout)
          .ledgerLease(ledgerLease)
          .reclaimInterval(reclaimInterval)
          .shutdownGrace(shutdownGrace)
          .heartbeatInterval(heartbeatInterval)
          .staleAfter(staleAfter)
          .retryPolicy(retry)
          .build();
    } catch (IllegalArgumentException e) {
      throw new UserException("consumer settings: " + e.getMessage());
    }
  }
}
