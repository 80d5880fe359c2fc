package io.notifier.ops.observe;

import java.time.Instant;

/**
 * One worker's heartbeat as {@code io.notifier.health.Heartbeats} wrote it. {@code lastBeat} is
 * null when the entry could not be read (such a worker counts as stale).
 */
public record WorkerBeat(
    String id,
    String role,
    String host,
    long pid,
    Instant startedAt,
    Instant lastBeat,
    boolean leader) {}
