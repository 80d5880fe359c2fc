package io.notifier.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.notifier.app.CliContext;
import io.notifier.app.NotifierCli;
import io.notifier.app.UserException;
import io.notifier.db.fixtures.Fixtures;
import io.notifier.delivery.ConsumerConfig;
import io.notifier.ops.logging.LogSetup;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * How {@code notifier demo} reads its flags and variables, before anything starts: which services
 * are embedded, the Redis namespace that keeps it off a deployment's queues, seeding modes,
 * consumer ids, the demo keys, and human-readable logs by default.
 */
class DemoConfigTest {

  @Test
  void withNothingConfiguredEveryServiceIsEmbeddedAndTheDatabaseIsSeeded() {
    DemoConfig config = config(Map.of());

    assertThat(config.embeddedDatabase()).isTrue();
    assertThat(config.embeddedRedis()).isTrue();
    assertThat(config.inProcessInbox()).isTrue();
    assertThat(config.seeding()).isEqualTo(DemoConfig.Seeding.IF_EMPTY);
    assertThat(config.mailDir()).isEqualTo(Path.of("demo-mail"));
    assertThat(config.redis().namespace()).isEqualTo("notifier-demo");
    assertThat(config.keys().toString()).isEqualTo(Fixtures.testKeys().toString());
    assertThat(config.consumers())
        .hasSize(2)
        .extracting(ConsumerConfig::consumerId)
        .doesNotHaveDuplicates();
    assertThat(config.httpPortChosen()).isFalse();
  }

  @Test
  void eachConfiguredUrlSwitchesItsServiceAndAConfiguredDatabaseIsNotSeededUnlessAsked() {
    DemoConfig config =
        config(
            Map.of(
                "NOTIFIER_DATABASE_URL", "jdbc:postgresql://db.internal:5432/pazpaz",
                "NOTIFIER_REDIS_URL", "redis://redis.internal:6379",
                "NOTIFIER_SMTP_PORT", "1025"));

    assertThat(config.embeddedDatabase()).isFalse();
    assertThat(config.embeddedRedis()).isFalse();
    assertThat(config.inProcessInbox()).as("a port alone means a local SMTP server").isFalse();
    assertThat(config.smtp().port()).isEqualTo(1025);
    assertThat(config.seeding()).isEqualTo(DemoConfig.Seeding.NONE);
    assertThat(config.redis().namespace())
        .as("a configured Redis still gets the demo's own namespace")
        .isEqualTo("notifier-demo");

    Map<String, String> db = Map.of("NOTIFIER_DATABASE_URL", "jdbc:postgresql://db/pazpaz");
    assertThat(config(db, "--seed").seeding()).isEqualTo(DemoConfig.Seeding.IF_EMPTY);
    assertThat(config(db, "--force-seed").seeding()).isEqualTo(DemoConfig.Seeding.FORCE);
    assertThat(config(db, "--seed-only").seedOnly()).isTrue();
    assertThat(config(Map.of(), "--database-url", "jdbc:postgresql://db/x").embeddedDatabase())
        .as("the flag counts as much as the variable")
        .isFalse();
  }

  @Test
  void anExplicitNamespaceConsumerIdAndMailFolderAreKept() {
    DemoConfig config =
        config(
            Map.of("NOTIFIER_REDIS_NAMESPACE", "mine", "NOTIFIER_DEMO_MAIL_DIR", "/tmp/x"),
            "--consumer-id",
            "laptop",
            "--consumers",
            "3",
            "--http-port",
            "9999");

    assertThat(config.redis().namespace()).isEqualTo("mine");
    assertThat(config.mailDir()).isEqualTo(Path.of("/tmp/x"));
    assertThat(config.consumers())
        .extracting(ConsumerConfig::consumerId)
        .containsExactly("laptop-1", "laptop-2", "laptop-3");
    assertThat(config.httpPortChosen()).isTrue();
  }

  @Test
  void impossibleSettingsAreOneLineErrorsBeforeAnythingStarts() {
    assertThatThrownBy(() -> config(Map.of(), "--consumers", "0"))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("--consumers must be 1 to 8");
    assertThatThrownBy(() -> config(Map.of(), "--seed-only"))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("--seed-only seeds a configured database");
    // A legacy key alone decrypts old names but cannot encrypt the demo's.
    String legacyOnly = Base64.getEncoder().encodeToString(new byte[32]);
    Map<String, String> env =
        Map.of(
            "NOTIFIER_DATABASE_URL",
            "jdbc:postgresql://db/x",
            "NOTIFIER_LEGACY_ENCRYPTION_KEY",
            legacyOnly);
    assertThatThrownBy(() -> config(env, "--seed"))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("versioned key");
  }

  @Test
  void theDemoLogsReadableTextUnlessJsonIsAskedForAndOtherCommandsStayJson() {
    Properties saved = (Properties) System.getProperties().clone();
    try {
      LogSetup.prepare(new String[] {"demo"}, Map.of());
      assertThat(System.getProperty("NOTIFIER_LOG_FORMAT")).isEqualTo("text");
      assertThat(System.getProperty("notifier.log.libraries")).isEqualTo("ERROR");

      LogSetup.prepare(new String[] {"demo"}, Map.of("NOTIFIER_LOG_FORMAT", "json"));
      assertThat(System.getProperty("NOTIFIER_LOG_FORMAT")).isEqualTo("json");

      System.clearProperty("notifier.log.libraries");
      LogSetup.prepare(new String[] {"consumer", "run"}, Map.of());
      assertThat(System.getProperty("NOTIFIER_LOG_FORMAT")).isEqualTo("json");
      assertThat(System.getProperty("notifier.log.libraries")).isNull();
    } finally {
      System.setProperties(saved);
    }
  }

  private static DemoConfig config(Map<String, String> env, String... flags) {
    CliContext context = CliContext.of(env, Clock.systemUTC());
    CommandLine root = NotifierCli.commandLine(context);
    String[] args = new String[flags.length + 1];
    args[0] = "demo";
    System.arraycopy(flags, 0, args, 1, flags.length);
    root.parseArgs(args);
    DemoCommand demo = root.getSubcommands().get("demo").getCommand();
    return demo.config(context);
  }
}
