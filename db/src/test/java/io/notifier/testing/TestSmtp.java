package io.notifier.testing;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.store.FolderException;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;

/**
 * A real SMTP server of one test class: GreenMail on a free port of 127.0.0.1, stopped after the
 * class. It accepts mail with or without SMTP AUTH and, until {@link #withUser} is called, any
 * login and password.
 */
public final class TestSmtp {

  private static final String HOST = "127.0.0.1";

  private final GreenMail greenMail;

  private TestSmtp(GreenMail greenMail) {
    this.greenMail = greenMail;
  }

  static TestSmtp create(ClassScope scope) {
    GreenMail greenMail =
        new GreenMail(new ServerSetup(0, HOST, ServerSetup.PROTOCOL_SMTP))
            .withConfiguration(GreenMailConfiguration.aConfig().withDisabledAuthentication());
    greenMail.start();
    TestSmtp smtp = new TestSmtp(greenMail);
    try {
      scope.register(greenMail::stop);
    } catch (RuntimeException e) {
      greenMail.stop();
      throw e;
    }
    return smtp;
  }

  public String host() {
    return HOST;
  }

  public int port() {
    return greenMail.getSmtp().getPort();
  }

  /** The server itself, for whatever this class does not cover. */
  public GreenMail greenMail() {
    return greenMail;
  }

  /** Every message received so far, in order of arrival. */
  public List<MimeMessage> messages() {
    return List.of(greenMail.getReceivedMessages());
  }

  /**
   * Waits until at least {@code count} messages have arrived and returns all received; fails with
   * an Awaitility {@code ConditionTimeoutException} after {@code timeout}.
   */
  public List<MimeMessage> awaitMessages(int count, Duration timeout) {
    Awaitility.await("at least " + count + " message(s) on the test SMTP server")
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(20))
        .until(() -> greenMail.getReceivedMessages().length >= count);
    return messages();
  }

  /**
   * Requires SMTP AUTH credentials to be right from now on: {@code login} with {@code password}
   * authenticates, a wrong password is refused (535). Mail sent without AUTH is still accepted.
   */
  public TestSmtp withUser(String login, String password) {
    greenMail.setUser(login, login, password);
    greenMail.getUserManager().setAuthRequired(true);
    return this;
  }

  /** Deletes every received message. */
  public void reset() {
    try {
      greenMail.purgeEmailFromAllMailboxes();
    } catch (FolderException e) {
      throw new IllegalStateException("could not purge GreenMail's mailboxes", e);
    }
  }

  @Override
  public String toString() {
    return "TestSmtp[" + HOST + ":" + port() + "]";
  }
}
