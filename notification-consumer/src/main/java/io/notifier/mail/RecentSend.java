package io.notifier.mail;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * When a pooled SMTP connection last completed a message. simple-java-mail's pool asks each
 * connection {@code isConnected()} before reusing it, and Angus answers by sending {@code NOOP} and
 * waiting for the reply: one more round trip per email. A connection that completed a message
 * within {@link #ALIVE_BYPASS_WINDOW} is taken as alive without asking (HikariCP does the same for
 * database connections, with 500 ms): relays close idle connections after tens of seconds, not
 * within a second of a reply. If one does, that send fails as a transient error and is retried; an
 * older or never-used connection is still checked with {@code NOOP}.
 *
 * <p>Guarded by the transport's lock (Angus's transport methods are synchronized).
 */
final class RecentSend {

  static final Duration ALIVE_BYPASS_WINDOW = Duration.ofSeconds(1);

  private final LongSupplier nanoTime;
  private final long windowNanos;
  private long sentAtNanos;
  private boolean sent;

  RecentSend() {
    this(System::nanoTime, ALIVE_BYPASS_WINDOW);
  }

  /** With a monotonic time source (the transport is built by Jakarta Mail, so not from a Clock). */
  RecentSend(LongSupplier nanoTime, Duration window) {
    this.nanoTime = nanoTime;
    this.windowNanos = window.toNanos();
  }

  /** The connection just completed a message. */
  void sent() {
    sentAtNanos = nanoTime.getAsLong();
    sent = true;
  }

  /** The connection failed, was closed or reconnected: its next reuse is checked. */
  void forget() {
    sent = false;
  }

  /** Whether the connection completed a message recently enough to skip the check. */
  boolean recent() {
    return sent && nanoTime.getAsLong() - sentAtNanos < windowNanos;
  }
}
