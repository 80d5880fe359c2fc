package io.notifier.reliability;

import io.notifier.testing.TestSmtp;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.util.ArrayList;
import java.util.List;

/** What an SMTP server received: the Message-ID and recipient of each message, in order. */
interface Mailbox {

  record Received(String messageId, String recipient) {}

  List<Received> received();

  /** The harness's GreenMail server. */
  static Mailbox of(TestSmtp smtp) {
    return () -> {
      List<Received> received = new ArrayList<>();
      for (MimeMessage message : smtp.greenMail().getReceivedMessages()) {
        try {
          received.add(
              new Received(message.getMessageID(), message.getAllRecipients()[0].toString()));
        } catch (MessagingException e) {
          throw new IllegalStateException(e);
        }
      }
      return received;
    };
  }
}
