package io.notifier.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.notifier.content.ClientNameMode;
import io.notifier.content.ContentConfig;
import io.notifier.mail.MessageIds;
import io.notifier.mail.SmtpConfig;
import io.notifier.mail.SmtpFailureClassifier;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The config records refuse what cannot work, and never print secrets. */
class ConfigValidationTest {

  @Test
  void defaultsAreTheDocumentedOnes() {
    ConsumerConfig config = ConsumerConfig.defaults("c1");
    assertThat(config.maxInFlight()).isEqualTo(32);
    assertThat(config.pumpInterval()).isEqualTo(Duration.ofMillis(100));
    assertThat(config.visibilityTimeout()).isEqualTo(Duration.ofMinutes(2));
    assertThat(config.shutdownGrace()).isEqualTo(Duration.ofSeconds(25));
    assertThat(config.ledgerLease())
        .isGreaterThan(
            SmtpConfig.of("h", 25, SmtpConfig.Security.PLAIN, "a@b.c").worstCaseExchange());
    assertThat(config.leaseRenewInterval()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void aLeaseLongerThanTheVisibilityTimeoutIsRefused() {
    assertThatThrownBy(
            () ->
                ConsumerConfig.builder("c1")
                    .visibilityTimeout(Duration.ofSeconds(30))
                    .ledgerLease(Duration.ofSeconds(60))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("visibilityTimeout");
    assertThatThrownBy(() -> ConsumerConfig.builder(" ").build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ConsumerConfig.builder("c1").maxInFlight(0).build())
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aConsumerRefusesALeaseShorterThanTheWorstCaseSmtpExchange() {
    SmtpConfig slowSmtp =
        SmtpConfig.of("127.0.0.1", 25, SmtpConfig.Security.PLAIN, "n@pazpaz.test")
            .withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(30));
    assertThatThrownBy(
            () ->
                new Consumer(
                    ConsumerConfig.defaults("c1"),
                    slowSmtp,
                    ContentConfig.defaults(Harness.APP),
                    null,
                    null,
                    Harness.CIPHER,
                    java.time.Clock.systemUTC(),
                    null,
                    null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("worst-case SMTP exchange");
  }

  @Test
  void smtpConfigNeverPrintsThePasswordAndDerivesTheMessageIdDomain() {
    SmtpConfig config =
        SmtpConfig.of(
                "smtp.example.org",
                587,
                SmtpConfig.Security.parse("starttls"),
                "no-reply@pazpaz.example")
            .withCredentials("mailer", "hunter2-secret");
    assertThat(config.toString()).doesNotContain("hunter2-secret").contains("<redacted>");
    assertThat(config.messageIdDomain()).isEqualTo("pazpaz.example");
    assertThat(config.security()).isEqualTo(SmtpConfig.Security.STARTTLS);
    assertThatThrownBy(() -> SmtpConfig.Security.parse("carrier-pigeon"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SmtpConfig.of("h", 0, SmtpConfig.Security.PLAIN, "a@b.c"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SmtpConfig.of("h", 25, SmtpConfig.Security.PLAIN, "not-an-address"))
        .isInstanceOf(IllegalArgumentException.class);
    // The mailer does not validate addresses again, so the sender is checked in full here.
    for (String malformed : List.of("a@b@c.example", "a..b@c.example", "a@-c.example", "a@c..x")) {
      assertThatThrownBy(() -> SmtpConfig.of("h", 25, SmtpConfig.Security.PLAIN, malformed))
          .as(malformed)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void messageIdsAreDeterministicPerDedupKeyAndRevealNoIds() {
    String key = "daily_digest:4b12b360-b601-44f5-875c-902bb28ce9ec:2027-03-15";
    String id = MessageIds.forDedupKey(key, "pazpaz.test");
    assertThat(id).isEqualTo(MessageIds.forDedupKey(key, "pazpaz.test"));
    assertThat(id).matches("<[0-9a-f]{32}@pazpaz\\.test>");
    assertThat(id).doesNotContain("4b12b360");
    assertThat(MessageIds.forDedupKey(key + "x", "pazpaz.test")).isNotEqualTo(id);
  }

  @Test
  void errorTextIsScrubbedOfAddresses() {
    assertThat(SmtpFailureClassifier.scrub("550 5.1.1 <dana.levi@example.org>: unknown user"))
        .isEqualTo("550 5.1.1 <<address>>: unknown user");
  }

  @Test
  void clientNameModesParseInAnyCase() {
    assertThat(ClientNameMode.parse("initials")).isEqualTo(ClientNameMode.INITIALS);
    assertThat(ClientNameMode.parse(" NONE ")).isEqualTo(ClientNameMode.NONE);
    assertThatThrownBy(() -> ClientNameMode.parse("nicknames"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
