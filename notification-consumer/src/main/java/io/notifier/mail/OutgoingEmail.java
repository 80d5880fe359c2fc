package io.notifier.mail;

import java.util.Map;
import java.util.Objects;

/**
 * One email ready for SMTP: a single recipient, multipart/alternative plain text and HTML, a fixed
 * Message-ID and a few extra headers (ids only, never personal data).
 */
public record OutgoingEmail(
    String to,
    String subject,
    String text,
    String html,
    String messageId,
    Map<String, String> headers) {

  public OutgoingEmail {
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(html, "html");
    Objects.requireNonNull(messageId, "messageId");
    headers = Map.copyOf(headers);
  }

  /** Never prints the address or the body. */
  @Override
  public String toString() {
    return "OutgoingEmail[messageId=" + messageId + "]";
  }
}
