package io.notifier.mail;

import static io.notifier.mail.ScriptedSmtpServer.accept;
import static io.notifier.mail.ScriptedSmtpServer.rejectData;
import static io.notifier.mail.ScriptedSmtpServer.rejectRecipient;
import static io.notifier.mail.ScriptedSmtpServer.stallAfterData;
import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.notifier.testing.MailParts;
import io.notifier.testing.RealServicesTest;
import io.notifier.testing.TestSmtp;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ScheduledExecutorService;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The SMTP layer against real servers: security modes, timeouts, and each failure class. */
@RealServicesTest
class SmtpMailerTest {

  private static final String FROM = "notifier@pazpaz.test";
  private static final Duration SHORT = Duration.ofMillis(1500);

  @BeforeEach
  void emptyMailbox(TestSmtp smtp) {
    smtp.reset();
  }

  private static OutgoingEmail email(String messageId) {
    return new OutgoingEmail(
        "therapist@example.org",
        "You have 2 draft session notes",
        "plain body",
        "<p>html body</p>",
        messageId,
        Map.of("Auto-Submitted", "auto-generated"));
  }

  private static SmtpConfig plain(int port) {
    return SmtpConfig.of("127.0.0.1", port, SmtpConfig.Security.PLAIN, FROM)
        .withTimeouts(SHORT, SHORT, SHORT);
  }

  @Test
  void plainSendArrivesAsMultipartAlternativeWithTheFixedMessageId(TestSmtp smtp) throws Exception {
    try (SmtpMailer mailer = new SmtpMailer(plain(smtp.port()))) {
      SendResult result = mailer.send(email("<abc123@pazpaz.test>"));

      assertThat(result).isInstanceOf(SendResult.Accepted.class);
      MimeMessage received = smtp.awaitMessages(1, Duration.ofSeconds(10)).get(0);
      assertThat(received.getMessageID()).isEqualTo("<abc123@pazpaz.test>");
      assertThat(received.getHeader("Auto-Submitted")).containsExactly("auto-generated");
      assertThat(received.getContentType()).startsWith("multipart/");
      assertThat(received.getContent()).isInstanceOf(MimeMultipart.class);
      assertThat(received.getFrom()[0].toString()).contains(FROM);
    }
  }

  /**
   * The mailer no longer validates addresses (the consumer's re-check and SmtpConfig do, with the
   * same JMail), but simple-java-mail's header-injection scan still refuses a header value that
   * would start a header of its own: nothing reaches the server.
   */
  @Test
  void aHeaderThatWouldInjectAnotherIsRefusedAndNothingIsSent(TestSmtp smtp) throws Exception {
    try (SmtpMailer mailer = new SmtpMailer(plain(smtp.port()))) {
      assertThat(mailer.mailer().getEmailGovernance().getEmailValidator()).isNull();
      OutgoingEmail injected =
          new OutgoingEmail(
              "therapist@example.org",
              "Your notes\r\nBcc: someone@example.net",
              "plain body",
              "<p>html body</p>",
              "<inj1@pazpaz.test>",
              Map.of());

      SendResult result = mailer.send(injected);

      assertThat(result).isInstanceOf(SendResult.Failed.class);
      assertThat(((SendResult.Failed) result).failure().category())
          .isEqualTo(SmtpFailure.Category.PERMANENT);
      assertThat(mailer.send(email("<after@pazpaz.test>"))).isInstanceOf(SendResult.Accepted.class);
      assertThat(smtp.awaitMessages(1, Duration.ofSeconds(10)))
          .singleElement()
          .satisfies(m -> assertThat(m.getMessageID()).isEqualTo("<after@pazpaz.test>"));
    }
  }

  /**
   * The transport buffers each message before Angus's DATA stream: whatever that stream does to the
   * bytes (dot-stuffing, line endings, quoted-printable soft breaks) must still arrive intact.
   */
  @Test
  void theBufferedTransportDeliversEveryLineAsWritten(TestSmtp smtp) throws Exception {
    String text =
        String.join(
            "\n",
            "Dana,",
            ".",
            ".a line that starts with a dot",
            "..two dots",
            "trailing spaces   ",
            "x".repeat(300),
            "שלום, יש לך 3 סיכומי טיפול בטיוטה 📝 = מחר",
            "",
            ".");
    String html =
        "<p>" + text.replace("\n", "</p>\n<p>") + "</p>\n" + "<!-- " + "y".repeat(5000) + " -->";
    try (SmtpMailer mailer = new SmtpMailer(plain(smtp.port()))) {
      assertThat(mailer.mailer().getSession().getTransport())
          .isInstanceOf(BufferedSmtpTransport.class);
      OutgoingEmail email =
          new OutgoingEmail(
              "therapist@example.org",
              "Dots and lines",
              text,
              html,
              "<dots@pazpaz.test>",
              Map.of("Auto-Submitted", "auto-generated"));
      assertThat(mailer.send(email)).isInstanceOf(SendResult.Accepted.class);
      assertThat(mailer.send(email)).isInstanceOf(SendResult.Accepted.class);

      for (MimeMessage received : smtp.awaitMessages(2, Duration.ofSeconds(10))) {
        assertThat(lines(MailParts.text(received))).isEqualTo(text);
        assertThat(lines(MailParts.html(received))).isEqualTo(html);
      }
    }
  }

  private static String lines(String content) {
    return content.replace("\r\n", "\n");
  }

  /**
   * The pool asks a connection whether it is alive before every reuse; one that delivered within
   * the last second answers without a NOOP round trip (RecentSend), an idle one still asks.
   */
  @Test
  void aConnectionThatJustDeliveredIsReusedWithoutANoopRoundTrip(TestSmtp smtp) {
    ByteArrayOutputStream trace = new ByteArrayOutputStream();
    try (SmtpMailer mailer =
        new SmtpMailer(plain(smtp.port()).withPool(1, Duration.ofSeconds(5)))) {
      Session session = mailer.mailer().getSession();
      session.setDebugOut(new PrintStream(trace, true, StandardCharsets.UTF_8));
      session.setDebug(true);
      for (int i = 0; i < 3; i++) {
        assertThat(mailer.send(email("<reuse" + i + "@pazpaz.test>")))
            .isInstanceOf(SendResult.Accepted.class);
      }
    }
    String protocol = trace.toString(StandardCharsets.UTF_8);
    assertThat(protocol.split("MAIL FROM", -1)).hasSize(4);
    assertThat(protocol.split("\nEHLO ", -1)).as("one connection for all three").hasSize(2);
    assertThat(protocol).doesNotContain("NOOP");
    assertThat(smtp.awaitMessages(3, Duration.ofSeconds(10))).hasSize(3);
  }

  /**
   * Every SMTP command arms a write timeout on the shared timeout thread. Those timeouts must queue
   * behind the thread's periodic task instead of waking the thread once per command: 40 sends (at
   * least 160 commands) may wake it only about once a second. The kernel counts the thread's
   * context switches in /proc.
   */
  @Test
  void armingEachWriteTimeoutDoesNotWakeTheTimeoutThread(TestSmtp smtp) throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        java.nio.file.Files.isDirectory(java.nio.file.Path.of("/proc/self/task")),
        "needs Linux's /proc");
    try (SmtpMailer mailer =
        new SmtpMailer(plain(smtp.port()).withPool(1, Duration.ofSeconds(5)))) {
      assertThat(mailer.send(email("<warm@pazpaz.test>"))).isInstanceOf(SendResult.Accepted.class);
      long before = timeoutThreadSwitches();
      long started = System.nanoTime();
      for (int i = 0; i < 40; i++) {
        assertThat(mailer.send(email("<quiet" + i + "@pazpaz.test>")))
            .isInstanceOf(SendResult.Accepted.class);
      }
      long seconds = Duration.ofNanos(System.nanoTime() - started).toSeconds();
      long woken = timeoutThreadSwitches() - before;

      assertThat(woken)
          .as("wake-ups of the timeout thread over %d s of sends", seconds)
          .isLessThanOrEqualTo(2 * (seconds + 2));
      assertThat(smtp.awaitMessages(41, Duration.ofSeconds(10))).hasSize(41);
    }
  }

  /** Context switches of the live write-timeout threads (Linux truncates names to 15 chars). */
  private static long timeoutThreadSwitches() throws java.io.IOException {
    long total = 0;
    try (var tasks = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/task"))) {
      for (java.nio.file.Path task : tasks.toList()) {
        try {
          String name = java.nio.file.Files.readString(task.resolve("comm")).strip();
          if (!"smtp-write-timeouts".startsWith(name)) {
            continue;
          }
          for (String line : java.nio.file.Files.readAllLines(task.resolve("status"))) {
            if (line.startsWith("voluntary_ctxt_switches:")
                || line.startsWith("nonvoluntary_ctxt_switches:")) {
              total += Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
            }
          }
        } catch (java.nio.file.NoSuchFileException gone) {
          // a thread that ended meanwhile
        }
      }
    }
    return total;
  }

  @Test
  void everySocketTimeoutIsSetOnTheSessionWithItsOwnValue() {
    SmtpConfig config =
        SmtpConfig.of("127.0.0.1", 2525, SmtpConfig.Security.PLAIN, FROM)
            .withTimeouts(Duration.ofSeconds(3), Duration.ofSeconds(7), Duration.ofSeconds(11));
    try (SmtpMailer mailer = new SmtpMailer(config)) {
      Properties props = mailer.mailer().getSession().getProperties();
      assertThat(props.getProperty("mail.smtp.connectiontimeout")).isEqualTo("3000");
      assertThat(props.getProperty("mail.smtp.timeout")).isEqualTo("7000");
      assertThat(props.getProperty("mail.smtp.writetimeout")).isEqualTo("11000");
      assertThat(props.getProperty("mail.smtp.starttls.enable")).isEqualTo("false");
      assertThat(props.get("mail.smtp.executor.writetimeout"))
          .as("one thread for every connection's write timeout")
          .isInstanceOf(ScheduledExecutorService.class);
    }
    try (SmtpMailer smtps =
        new SmtpMailer(
            SmtpConfig.of("127.0.0.1", 465, SmtpConfig.Security.SMTPS, FROM)
                .withTimeouts(
                    Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(6)))) {
      Properties props = smtps.mailer().getSession().getProperties();
      assertThat(props.getProperty("mail.smtps.connectiontimeout")).isEqualTo("2000");
      assertThat(props.getProperty("mail.smtps.timeout")).isEqualTo("4000");
      assertThat(props.getProperty("mail.smtps.writetimeout")).isEqualTo("6000");
    }
  }

  @Test
  void aSlowButAnsweringServerWithinTheReadTimeoutDelivers() {
    try (ScriptedSmtpServer server = ScriptedSmtpServer.start(n -> ScriptedSmtpServer.slow(300));
        SmtpMailer mailer = new SmtpMailer(plain(server.port()))) {
      assertThat(mailer.send(email("<slow@pazpaz.test>"))).isInstanceOf(SendResult.Accepted.class);
    }
  }

  @Test
  void smtpsWithAuthenticationDeliversAndAWrongPasswordIsRetriable() throws Exception {
    GreenMail tls =
        new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTPS))
            .withConfiguration(GreenMailConfiguration.aConfig().withUser("notifier", "s3cret"));
    tls.start();
    try {
      tls.getUserManager().setAuthRequired(true);
      SmtpConfig config =
          SmtpConfig.of("127.0.0.1", tls.getSmtps().getPort(), SmtpConfig.Security.SMTPS, FROM)
              .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(5))
              .trustingAnyCertificate(true);
      try (SmtpMailer good = new SmtpMailer(config.withCredentials("notifier", "s3cret"));
          SmtpMailer bad = new SmtpMailer(config.withCredentials("notifier", "wrong"))) {
        assertThat(good.mailer().getSession().getTransport("smtps"))
            .isInstanceOf(BufferedSmtpsTransport.class);
        assertThat(good.send(email("<smtps@pazpaz.test>"))).isInstanceOf(SendResult.Accepted.class);
        SendResult refused = bad.send(email("<smtps2@pazpaz.test>"));
        assertThat(refused).isInstanceOf(SendResult.Failed.class);
        SmtpFailure failure = ((SendResult.Failed) refused).failure();
        assertThat(failure.category()).isEqualTo(SmtpFailure.Category.TRANSIENT);
        assertThat(failure.reason()).isEqualTo("auth");
      }
      assertThat(tls.getReceivedMessages()).hasSize(1);
      assertThat(tls.getReceivedMessages()[0].getMessageID()).isEqualTo("<smtps@pazpaz.test>");
      assertThat(MailParts.text(tls.getReceivedMessages()[0])).isEqualTo("plain body");
    } finally {
      tls.stop();
    }
  }

  @Test
  void startTlsWithAuthenticationDelivers() throws Exception {
    try (ScriptedSmtpServer server =
        ScriptedSmtpServer.startTlsWithAuth(testTls(), "notifier", "s3cret")) {
      SmtpConfig config =
          SmtpConfig.of("127.0.0.1", server.port(), SmtpConfig.Security.STARTTLS, FROM)
              .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(5))
              .withCredentials("notifier", "s3cret")
              .trustingAnyCertificate(true);
      try (SmtpMailer mailer = new SmtpMailer(config)) {
        assertThat(mailer.send(email("<tls@pazpaz.test>"))).isInstanceOf(SendResult.Accepted.class);
      }
      assertThat(server.accepted()).hasSize(1);
    }
  }

  @Test
  void aServerWithoutStartTlsIsRefusedWhenStartTlsIsRequired(TestSmtp smtp) {
    SmtpConfig config =
        SmtpConfig.of("127.0.0.1", smtp.port(), SmtpConfig.Security.STARTTLS, FROM)
            .withTimeouts(SHORT, SHORT, SHORT);
    try (SmtpMailer mailer = new SmtpMailer(config)) {
      SendResult result = mailer.send(email("<notls@pazpaz.test>"));
      assertThat(result).isInstanceOf(SendResult.Failed.class);
      assertThat(smtp.messages()).isEmpty();
    }
  }

  @Test
  void a421ReplyIsTransientAndTheNextTryIsAccepted() {
    try (ScriptedSmtpServer server =
            ScriptedSmtpServer.start(n -> n == 1 ? rejectData(421, "try later") : accept());
        SmtpMailer mailer = new SmtpMailer(plain(server.port()))) {
      SendResult first = mailer.send(email("<r1@pazpaz.test>"));
      SendResult second = mailer.send(email("<r1@pazpaz.test>"));

      assertThat(first)
          .isInstanceOfSatisfying(
              SendResult.Failed.class,
              f -> {
                assertThat(f.failure().category()).isEqualTo(SmtpFailure.Category.TRANSIENT);
                assertThat(f.failure().replyCode()).isEqualTo(421);
                assertThat(f.failure().reason()).isEqualTo("smtp_4xx");
              });
      assertThat(second).isInstanceOf(SendResult.Accepted.class);
      assertThat(server.accepted()).hasSize(1);
    }
  }

  @Test
  void a550ForTheRecipientIsPermanentAndTheErrorHidesTheAddress() {
    try (ScriptedSmtpServer server =
            ScriptedSmtpServer.start(
                n -> rejectRecipient(550, "5.1.1 <therapist@example.org>: mailbox unavailable"));
        SmtpMailer mailer = new SmtpMailer(plain(server.port()))) {
      SendResult result = mailer.send(email("<p1@pazpaz.test>"));

      SmtpFailure failure = ((SendResult.Failed) result).failure();
      assertThat(failure.category()).isEqualTo(SmtpFailure.Category.PERMANENT);
      assertThat(failure.replyCode()).isEqualTo(550);
      assertThat(failure.summary()).contains("550").contains("mailbox unavailable");
      assertThat(failure.summary()).doesNotContain("therapist@example.org");
    }
  }

  @Test
  void aServerThatNeverAnswersIsATransientTimeout() {
    try (ScriptedSmtpServer.SilentServer silent = new ScriptedSmtpServer.SilentServer();
        SmtpMailer mailer = new SmtpMailer(plain(silent.port()))) {
      SmtpFailure failure = ((SendResult.Failed) mailer.send(email("<t@pazpaz.test>"))).failure();

      assertThat(failure.category()).isEqualTo(SmtpFailure.Category.TRANSIENT);
      assertThat(failure.reason()).isEqualTo("timeout");
    }
  }

  @Test
  void aRefusedConnectionIsTransient() {
    try (SmtpMailer mailer = new SmtpMailer(plain(ScriptedSmtpServer.refusedPort()))) {
      SmtpFailure failure = ((SendResult.Failed) mailer.send(email("<c@pazpaz.test>"))).failure();

      assertThat(failure.category()).isEqualTo(SmtpFailure.Category.TRANSIENT);
      assertThat(failure.reason()).isEqualTo("connection");
    }
  }

  @Test
  void aStallAfterTheFinalDotIsUncertainNotTransient() {
    try (ScriptedSmtpServer server = ScriptedSmtpServer.start(n -> stallAfterData());
        SmtpMailer mailer = new SmtpMailer(plain(server.port()))) {
      SmtpFailure failure = ((SendResult.Failed) mailer.send(email("<u@pazpaz.test>"))).failure();

      assertThat(failure.category()).isEqualTo(SmtpFailure.Category.UNCERTAIN);
      assertThat(failure.reason()).isEqualTo("uncertain");
      assertThat(failure.description()).contains("end of the message data");
    }
  }

  @Test
  void aRejectionOfTheDataWith554IsPermanent() {
    try (ScriptedSmtpServer server =
            ScriptedSmtpServer.start(n -> rejectData(554, "5.7.1 message refused"));
        SmtpMailer mailer = new SmtpMailer(plain(server.port()))) {
      SmtpFailure failure = ((SendResult.Failed) mailer.send(email("<d@pazpaz.test>"))).failure();

      assertThat(failure.category()).isEqualTo(SmtpFailure.Category.PERMANENT);
      assertThat(failure.replyCode()).isEqualTo(554);
    }
  }

  /** GreenMail ships a self-signed test key pair; SubEthaSMTP serves STARTTLS with it. */
  static SSLContext testTls() throws Exception {
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = GreenMail.class.getResourceAsStream("/greenmail.p12")) {
      keys.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, "changeit".toCharArray());
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(), null, null);
    return context;
  }
}
