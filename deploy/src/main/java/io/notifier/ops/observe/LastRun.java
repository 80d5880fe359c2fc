package io.notifier.ops.observe;

import java.time.Instant;

/** The last run of one loop or job kind, as {@code Heartbeats.ran} recorded it. */
public record LastRun(String name, Instant at, String by, long durationMs, String outcome) {}
