package io.notifier.queue;

/**
 * Queue depths at one moment.
 *
 * @param delayed jobs waiting for their due instant
 * @param ready jobs due and waiting for a consumer (in the stream, not yet delivered)
 * @param pending jobs delivered to a consumer and not yet acknowledged (in flight, or held by a
 *     consumer that died and will be reclaimed)
 * @param dead dead letters
 */
public record QueueStats(long delayed, long ready, long pending, long dead) {}
