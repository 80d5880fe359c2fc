package io.notifier.mail;

import java.io.IOException;
import java.io.OutputStream;
import org.apache.commons.io.output.UnsynchronizedByteArrayOutputStream;

/**
 * Holds one message's DATA in memory while Jakarta Mail writes it, then hands it to the transport's
 * stream in arrays. Jakarta Mail's quoted-printable encoder writes one byte at a time, and Angus's
 * DATA stream passes each byte down to a {@code BufferedOutputStream} that takes a lock per call
 * (JFR put a fifth of the consumer's samples there; buffering saved about 5% of its CPU per email
 * in the benchmark). The messages are a few kilobytes (text and HTML, no attachments), so keeping
 * one buffer per pooled connection costs nothing worth counting.
 *
 * <p>One per transport; a transport sends one message at a time.
 */
final class MessageBuffer {

  /** Large enough for a typical notification without growing. */
  static final int INITIAL_BYTES = 16 * 1024;

  // Reused message after message (reset() keeps its blocks): a connection sends one at a time.
  private final UnsynchronizedByteArrayOutputStream buffer =
      UnsynchronizedByteArrayOutputStream.builder().setBufferSize(INITIAL_BYTES).get();
  private OutputStream target;

  /** Returns the stream to write the message to; {@link #drain} sends it on to {@code target}. */
  OutputStream open(OutputStream target) {
    buffer.reset();
    this.target = target;
    return buffer;
  }

  /** Writes what was buffered to the transport's stream. */
  void drain() throws IOException {
    OutputStream to = target;
    target = null;
    if (to != null) {
      try {
        buffer.writeTo(to);
      } finally {
        buffer.reset();
      }
    }
  }
}
