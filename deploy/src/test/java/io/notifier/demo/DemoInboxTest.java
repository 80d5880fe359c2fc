package io.notifier.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.notifier.app.LogCapture;
import io.notifier.app.UserException;
import io.notifier.metrics.NotifierMetrics;
import io.notifier.testing.SettableClock;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's inbox over real SMTP: each message is saved byte for byte as an .eml file named by
 * time, number and kind, and reported with its kind, delivery and subject; closing saves what
 * already arrived; a folder it cannot create is a one-line error. Only the demo's own fake
 * addresses are ever printed.
 */
class DemoInboxTest {

  @TempDir Path folder;

  @Test
  void savesEachEmailAsEmlAndReportsItsKindDeliveryAndSubject() throws Exception {
    SettableClock clock = new SettableClock(Instant.parse("2027-03-14T07:30:00.250Z"));
    List<DemoInbox.Email> reported = new CopyOnWriteArrayList<>();
    Path mail = folder.resolve("not/there/yet");
    DemoInbox inbox = DemoInbox.start(mail, clock, NotifierMetrics.NOOP, reported::add);
    try {
      send(inbox.port(), "dana.levi@demo.pazpaz.example", "daily_digest", "d-1", "Your day");
      send(inbox.port(), "real.person@clinic.example", "session_notes_reminder", "d-2", "Notes");

      await().atMost(Duration.ofSeconds(10)).until(() -> reported.size() == 2);
    } finally {
      inbox.close();
      inbox.close(); // idempotent
    }

    assertThat(inbox.saved()).isEqualTo(2);
    DemoInbox.Email digest = reported.get(0);
    assertThat(digest.kind()).isEqualTo("daily_digest");
    assertThat(digest.delivery()).isEqualTo("d-1");
    assertThat(digest.subject()).isEqualTo("Your day");
    assertThat(digest.receivedAt()).isEqualTo(clock.instant());
    assertThat(digest.file().getFileName().toString())
        .isEqualTo("20270314T073000Z-001-daily_digest.eml");
    try (InputStream in = Files.newInputStream(digest.file())) {
      MimeMessage saved = new MimeMessage(Session.getInstance(new Properties()), in);
      assertThat(saved.getSubject()).isEqualTo("Your day");
      assertThat(saved.getContent().toString()).contains("body of d-1");
    }
    assertThat(Demo.shown(digest)).isEqualTo("dana.levi@demo.pazpaz.example");
    assertThat(Demo.shown(reported.get(1)))
        .as("a configured database's real address is never printed")
        .isEqualTo("delivery d-2");
  }

  @Test
  void anEmailThatCannotBeReportedIsLoggedWithoutWhatTheFailureQuotedOfIt() throws Exception {
    List<DemoInbox.Email> reported = new CopyOnWriteArrayList<>();
    try (LogCapture logs = new LogCapture()) {
      DemoInbox inbox =
          DemoInbox.start(
              folder,
              new SettableClock(),
              NotifierMetrics.NOOP,
              email -> {
                if (email.delivery().equals("d-1")) {
                  throw new IllegalStateException("cannot show " + email.recipient());
                }
                reported.add(email);
              });
      try {
        send(inbox.port(), "real.person@clinic.example", "daily_digest", "d-1", "Your day");
        send(inbox.port(), "dana.levi@demo.pazpaz.example", "daily_digest", "d-2", "Your day");

        await().atMost(Duration.ofSeconds(10)).until(() -> reported.size() == 1);
      } finally {
        inbox.close();
      }

      assertThat(logs.all())
          .as("the failure is logged, by its class")
          .contains("could not save or report a received email")
          .contains("IllegalStateException")
          .as("the recipient the failure quoted is not")
          .doesNotContain("real.person@clinic.example");
      assertThat(reported.get(0).delivery()).as("the next email is still saved").isEqualTo("d-2");
    }
  }

  @Test
  void aMailFolderThatCannotBeCreatedIsAOneLineError() throws Exception {
    Path file = Files.writeString(folder.resolve("a-file"), "in the way");

    assertThatThrownBy(
            () ->
                DemoInbox.start(
                    file.resolve("mail"), new SettableClock(), NotifierMetrics.NOOP, e -> {}))
        .isInstanceOf(UserException.class)
        .hasMessageStartingWith("cannot create the mail folder ");
  }

  private static void send(int port, String to, String kind, String delivery, String subject)
      throws Exception {
    Properties props = new Properties();
    props.put("mail.smtp.host", DemoInbox.HOST);
    props.put("mail.smtp.port", Integer.toString(port));
    MimeMessage message = new MimeMessage(Session.getInstance(props));
    message.setFrom(new InternetAddress("notifications@pazpaz.example"));
    message.setRecipient(Message.RecipientType.TO, new InternetAddress(to));
    message.setSubject(subject);
    message.setText("body of " + delivery);
    message.setHeader(DemoInbox.KIND_HEADER, kind);
    message.setHeader(DemoInbox.DELIVERY_HEADER, delivery);
    Transport.send(message);
  }
}
