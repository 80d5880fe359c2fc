package io.notifier.queue;

import java.time.Instant;

/**
 * An entry of the dead-letter stream.
 *
 * @param entryId the stream entry id, which {@code notifier dlq show|replay} take
 * @param jobId the ledger row id (or the raw id a malformed payload was queued under)
 * @param kind the job kind's code, or {@code unknown}
 * @param payload the job JSON as it was last queued
 * @param reason why it died (last error), never personal data
 */
public record DeadLetter(
    String entryId, String jobId, String kind, String payload, String reason, Instant failedAt) {}
