package io.notifier.queue;

import io.notifier.model.NotificationJob;

/**
 * One entry read from the ready stream. {@link #job()} is null when the payload could not be
 * decoded; {@link #decodeError()} then says why, and the message belongs on the dead-letter stream.
 *
 * @param streamId the stream entry id, needed to acknowledge
 * @param jobId the job (ledger row) id as it was queued, even when the payload is unreadable
 */
public record QueuedMessage(
    String streamId, String jobId, String payload, NotificationJob job, String decodeError) {

  public boolean decodable() {
    return job != null;
  }
}
