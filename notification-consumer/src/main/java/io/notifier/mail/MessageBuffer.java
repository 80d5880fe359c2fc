package io.notifier.mail;

import java.io.IOException;
import java.io.OutputStream;
import org.apache.commons.io.output.UnsynchronizedByteArrayOutputStream;

/**
 * Holds one message's DATA in memory while Jakarta Mail writes it, then hands it to the transport's
 * stream in arrays. Jakarta Mail's quoted-printable encoder writes one byte at a time, and Angus's
 * DATA stream passes each byte down to a {@code BufferedOutputStream} that takes a lock per call:
 * in the benchmark that was a fifth of the consumer's CPU. The messages are a few kilobytes (text
 * and HTML, no attachments), so holding one per connection costs nothing worth counting.
 *
 * <p>One per transport; a transport sends one message at a time.
 */
final class MessageBuffer {

  /** Large enough for a typical notification without growing. */
  static final int INITIAL_BYTES = 16 * 1024;

  private UnsynchronizedByteArrayOutputStream buffer;
  private OutputStream target;

  /** Returns the stream to write the message to; {@link #drain} sends it on to {@code target}. */
  OutputStream open(OutputStream target) {
    this.target = target;
    this.buffer = UnsynchronizedByteArrayOutputStream.builder().setBufferSize(INITIAL_BYTES).get();
    return buffer;
  }

  /** Writes what was buffered to the transport's stream, and lets go of it. */
  void drain() throws IOException {
    UnsynchronizedByteArrayOutputStream held = buffer;
    OutputStream to = target;
    buffer = null;
    target = null;
    if (held != null) {
      held.writeTo(to);
    }
  }
}
