package io.notifier.mail;

import java.time.Duration;

/** The outcome of one SMTP send. */
public sealed interface SendResult {

  /** How long the send took, pool wait included. */
  Duration duration();

  /** The server replied 250 to the end of the message data. */
  record Accepted(String messageId, Duration duration) implements SendResult {}

  /** Anything else, classified. */
  record Failed(SmtpFailure failure, Duration duration) implements SendResult {}
}
