package io.notifier.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@RealServicesTest
class GreenMailSmtpTest {

  @BeforeEach
  void emptyMailbox(TestSmtp smtp) {
    smtp.reset();
  }

  @Test
  void receivesAMessageSentWithJakartaMail(TestSmtp smtp) throws Exception {
    send(smtp, null, null, "therapist@example.org", "Your sessions tomorrow", "Two sessions.");

    List<MimeMessage> received = smtp.awaitMessages(1, Duration.ofSeconds(10));

    assertThat(received).hasSize(1);
    MimeMessage message = received.get(0);
    assertThat(message.getSubject()).isEqualTo("Your sessions tomorrow");
    assertThat(message.getAllRecipients()[0].toString()).isEqualTo("therapist@example.org");
    assertThat(message.getContent().toString()).contains("Two sessions.");
  }

  @Test
  void acceptsAnyLoginUntilAUserIsSet(TestSmtp smtp) throws Exception {
    send(smtp, "whoever", "whatever", "a@example.org", "with auth", "x");

    assertThat(smtp.awaitMessages(1, Duration.ofSeconds(10))).hasSize(1);
  }

  @Test
  void resetDeletesReceivedMessages(TestSmtp smtp) throws Exception {
    send(smtp, null, null, "a@example.org", "one", "x");
    smtp.awaitMessages(1, Duration.ofSeconds(10));

    smtp.reset();

    assertThat(smtp.messages()).isEmpty();
  }

  @Test
  void awaitMessagesFailsWhenTooFewArrive(TestSmtp smtp) {
    assertThatThrownBy(() -> smtp.awaitMessages(1, Duration.ofMillis(200)))
        .isInstanceOf(ConditionTimeoutException.class);
  }

  static void send(
      TestSmtp smtp, String login, String password, String to, String subject, String body)
      throws MessagingException {
    Properties properties = new Properties();
    properties.setProperty("mail.smtp.host", smtp.host());
    properties.setProperty("mail.smtp.port", Integer.toString(smtp.port()));
    properties.setProperty("mail.smtp.auth", Boolean.toString(login != null));
    properties.setProperty("mail.smtp.connectiontimeout", "5000");
    properties.setProperty("mail.smtp.timeout", "5000");
    Session session = Session.getInstance(properties);
    MimeMessage message = new MimeMessage(session);
    message.setFrom(new InternetAddress("notifier@example.org"));
    message.setRecipient(Message.RecipientType.TO, new InternetAddress(to));
    message.setSubject(subject);
    message.setText(body);
    if (login == null) {
      Transport.send(message);
    } else {
      Transport.send(message, login, password);
    }
  }
}
