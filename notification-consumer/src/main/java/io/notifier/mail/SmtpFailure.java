package io.notifier.mail;

import java.util.Objects;

/**
 * Why a send failed, and what that means for the notification.
 *
 * @param category what to do next: retry, give up, or stop and let an operator decide
 * @param replyCode the SMTP reply code when the server gave one, else 0
 * @param reason a short stable code for metrics and the ledger ({@code smtp_4xx}, {@code smtp_5xx},
 *     {@code connection}, {@code timeout}, {@code auth}, {@code uncertain}, ...)
 * @param description a human-readable summary, scrubbed of email addresses
 */
public record SmtpFailure(Category category, int replyCode, String reason, String description) {

  /** The three failure classes of the delivery policy (docs/DELIVERY.md). */
  public enum Category {
    /** Nothing was accepted and trying again later may work (4xx, connection errors). */
    TRANSIENT,
    /** The server refused the message for good (5xx): retrying cannot help. */
    PERMANENT,
    /**
     * The whole message, final '.' included, was written but no reply arrived: the server may have
     * accepted it. Retrying blindly could send it twice.
     */
    UNCERTAIN
  }

  public SmtpFailure {
    Objects.requireNonNull(category, "category");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(description, "description");
  }

  /** E.g. {@code smtp_5xx: 550 on RCPT TO: 5.1.1 mailbox unavailable}. */
  public String summary() {
    return reason + ": " + description;
  }
}
