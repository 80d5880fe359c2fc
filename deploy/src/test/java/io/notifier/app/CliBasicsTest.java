package io.notifier.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Help, version and mistakes on the command line: no services needed. */
class CliBasicsTest {

  private final Cli cli = new Cli();

  @Test
  void everyCommandAnswersHelpAndVersion() {
    List<String> paths = new ArrayList<>();
    collect(NotifierCli.commandLine(cli.context()), new ArrayList<>(), paths);
    assertThat(paths).contains("dlq replay", "queue stats", "db migrate", "health", "cleanup");

    for (String path : paths) {
      List<String> args =
          new ArrayList<>(List.of(path.isEmpty() ? new String[0] : path.split(" ")));
      args.add("--help");
      Cli.Result help = cli.run(args.toArray(String[]::new));
      assertThat(help.code()).as(path + " --help").isZero();
      assertThat(help.out()).as(path).contains("Usage: notifier");

      args.set(args.size() - 1, "--version");
      Cli.Result version = cli.run(args.toArray(String[]::new));
      assertThat(version.code()).as(path + " --version").isZero();
      assertThat(version.out()).startsWith("notifier ");
    }
  }

  private static void collect(CommandLine cmd, List<String> prefix, List<String> out) {
    out.add(String.join(" ", prefix));
    cmd.getSubcommands()
        .forEach(
            (name, sub) -> {
              List<String> next = new ArrayList<>(prefix);
              next.add(name);
              collect(sub, next, out);
            });
  }

  @Test
  void helpNamesTheEnvironmentVariableOfEachOption() {
    Cli.Result help = cli.run("dlq", "replay", "--help");

    assertThat(help.out())
        .contains("NOTIFIER_REDIS_URL", "NOTIFIER_DATABASE_PASSWORD", "--dry-run");
  }

  @Test
  void aBadIdIsOneLineNamingTheProblemWithExitTwo() {
    Cli.Result result = cli.run("deliveries", "--user", "12345");

    assertThat(result.code()).isEqualTo(2);
    assertThat(result.err().lines()).hasSize(1);
    assertThat(result.err())
        .startsWith("notifier deliveries: ")
        .contains("'12345' is not an id")
        .doesNotContain("Exception", "\tat ");
  }

  @Test
  void anUnknownKindListsTheKnownOnes() {
    Cli.Result result = cli.run("dlq", "list", "--kind", "weekly_digest");

    assertThat(result.code()).isEqualTo(2);
    assertThat(result.err().lines()).hasSize(1);
    assertThat(result.err()).contains("unknown kind 'weekly_digest'", "daily_digest");
  }

  @Test
  void anUnknownStatusAndABadDurationAreOneLineEach() {
    Cli.Result status =
        cli.run("deliveries", "--user", java.util.UUID.randomUUID().toString(), "--status", "lost");
    Cli.Result duration = cli.run("cleanup", "--retention", "a while");

    assertThat(status.err().lines()).hasSize(1);
    assertThat(status.err()).contains("unknown status 'lost'");
    assertThat(duration.code()).isEqualTo(2);
    assertThat(duration.err().lines()).hasSize(1);
    assertThat(duration.err()).contains("'a while' is not a duration");
  }

  @Test
  void anUnknownCommandOrOptionIsOneLine() {
    Cli.Result command = cli.run("dlq", "resend");
    Cli.Result option = cli.run("queue", "stats", "--colour");

    assertThat(command.code()).isEqualTo(2);
    assertThat(command.err().lines()).hasSize(1);
    assertThat(option.code()).isEqualTo(2);
    assertThat(option.err().lines()).hasSize(1);
    assertThat(option.err()).contains("--colour");
  }

  @Test
  void anUnreachableDatabaseIsOneLineAndVerboseAddsTheTrace() {
    Cli down =
        new Cli()
            .env("NOTIFIER_DATABASE_URL", "jdbc:postgresql://127.0.0.1:1/pazpaz")
            .env("NOTIFIER_DATABASE_CONNECT_TIMEOUT", "500ms");
    String user = java.util.UUID.randomUUID().toString();

    Cli.Result result = down.run("deliveries", "--user", user);
    Cli.Result verbose = down.run("deliveries", "--user", user, "--verbose");

    assertThat(result.code()).isEqualTo(1);
    assertThat(result.err().lines()).hasSize(1);
    assertThat(result.err()).startsWith("notifier deliveries: cannot reach PostgreSQL: ");
    assertThat(verbose.code()).isEqualTo(1);
    assertThat(verbose.err()).contains("\tat ");
  }

  @Test
  void anUnreachableRedisIsOneLine() {
    Cli down =
        new Cli()
            .env("NOTIFIER_REDIS_URL", "redis://127.0.0.1:1")
            .env("NOTIFIER_REDIS_TIMEOUT", "500ms");

    Cli.Result stats = down.run("queue", "stats");
    Cli.Result list = down.run("dlq", "list");

    assertThat(stats.code()).isEqualTo(1);
    assertThat(stats.err().lines()).hasSize(1);
    assertThat(stats.err()).startsWith("notifier queue stats: cannot reach Redis");
    assertThat(list.code()).isEqualTo(1);
    assertThat(list.err().lines()).hasSize(1);
    assertThat(list.err()).startsWith("notifier dlq list: cannot reach Redis");
  }

  @Test
  void aBadRedisUrlIsOneLine() {
    Cli.Result result = new Cli().env("NOTIFIER_REDIS_URL", "http://x").run("queue", "stats");

    assertThat(result.code()).isEqualTo(1);
    assertThat(result.err().strip())
        .isEqualTo("notifier queue stats: Redis settings: unknown Redis URL scheme 'http'");
  }

  @Test
  void noCommandPrintsUsageAndExitsTwo() {
    Cli.Result result = cli.run();

    assertThat(result.code()).isEqualTo(2);
    assertThat(result.err()).contains("Usage: notifier", "dlq", "deliveries");
  }
}
