package io.notifier.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.mail.AuthenticationFailedException;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@RealServicesTest
class SmtpAuthenticationTest {

  @BeforeAll
  static void requireCredentials(TestSmtp smtp) {
    smtp.withUser("notifier", "s3cret");
  }

  @BeforeEach
  void emptyMailbox(TestSmtp smtp) {
    smtp.reset();
  }

  @Test
  void theRightPasswordIsAccepted(TestSmtp smtp) throws Exception {
    GreenMailSmtpTest.send(smtp, "notifier", "s3cret", "a@example.org", "hello", "x");

    assertThat(smtp.awaitMessages(1, Duration.ofSeconds(10))).hasSize(1);
  }

  @Test
  void aWrongPasswordIsRefused(TestSmtp smtp) {
    assertThatThrownBy(
            () -> GreenMailSmtpTest.send(smtp, "notifier", "wrong", "a@example.org", "hello", "x"))
        .isInstanceOf(AuthenticationFailedException.class);
    assertThat(smtp.messages()).isEmpty();
  }

  @Test
  void anUnknownLoginIsRefused(TestSmtp smtp) {
    assertThatThrownBy(
            () -> GreenMailSmtpTest.send(smtp, "intruder", "s3cret", "a@example.org", "hi", "x"))
        .isInstanceOf(AuthenticationFailedException.class);
  }

  @Test
  void mailWithoutAuthIsStillAccepted(TestSmtp smtp) throws Exception {
    // GreenMail checks credentials when a client authenticates, but cannot insist that it does.
    GreenMailSmtpTest.send(smtp, null, null, "a@example.org", "no auth", "x");

    assertThat(smtp.awaitMessages(1, Duration.ofSeconds(10))).hasSize(1);
  }
}
