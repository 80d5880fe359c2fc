package io.notifier.queue;

import java.util.Objects;

/**
 * How the delayed queue behaves.
 *
 * @param namespace key namespace (the Redis hash tag); one per deployment
 * @param timeSource whose clock decides that a job is due: Redis's own {@code TIME} in production
 *     (one clock for every consumer, whatever their hosts' drift), the injected {@link
 *     java.time.Clock} in tests that simulate time
 * @param moveBatchSize most jobs one move script call transfers, bounding how long it blocks Redis
 * @param enqueueBatchSize jobs per enqueue script call
 * @param deadLetterMaxLength approximate cap on the dead-letter stream (oldest trimmed first)
 */
public record QueueConfig(
    String namespace,
    TimeSource timeSource,
    int moveBatchSize,
    int enqueueBatchSize,
    long deadLetterMaxLength) {

  public static final int DEFAULT_MOVE_BATCH_SIZE = 1_000;
  public static final int DEFAULT_ENQUEUE_BATCH_SIZE = 500;
  public static final long DEFAULT_DEAD_LETTER_MAX_LENGTH = 1_000_000;

  /** Which clock the move script trusts. */
  public enum TimeSource {
    REDIS_SERVER,
    CLOCK
  }

  public QueueConfig {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(timeSource, "timeSource");
    if (moveBatchSize < 1 || enqueueBatchSize < 1) {
      throw new IllegalArgumentException("queue batch sizes must be at least 1");
    }
    if (deadLetterMaxLength < 1) {
      throw new IllegalArgumentException("deadLetterMaxLength must be at least 1");
    }
  }

  public static QueueConfig defaults(String namespace) {
    return new QueueConfig(
        namespace,
        TimeSource.REDIS_SERVER,
        DEFAULT_MOVE_BATCH_SIZE,
        DEFAULT_ENQUEUE_BATCH_SIZE,
        DEFAULT_DEAD_LETTER_MAX_LENGTH);
  }

  public QueueConfig withTimeSource(TimeSource source) {
    return new QueueConfig(namespace, source, moveBatchSize, enqueueBatchSize, deadLetterMaxLength);
  }

  public QueueKeys keys() {
    return QueueKeys.forNamespace(namespace);
  }
}
