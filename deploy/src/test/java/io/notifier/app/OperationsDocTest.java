package io.notifier.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** docs/OPERATIONS_CLI.md keeps up with the command line: every command and every variable. */
class OperationsDocTest {

  private static final Path DOC = Path.of("..", "docs", "OPERATIONS_CLI.md");

  @Test
  void theGuideNamesEveryCommandAndEveryEnvironmentVariable() throws Exception {
    String doc = Files.readString(DOC);
    CommandLine root = NotifierCli.commandLine(new Cli().context());
    List<String> commands = new ArrayList<>();
    Set<String> variables = new TreeSet<>();
    walk(root, "", commands, variables);

    assertThat(commands).hasSizeGreaterThan(10);
    for (String command : commands) {
      assertThat(doc).as("docs/OPERATIONS_CLI.md documents `%s`", command).contains("`" + command);
    }
    for (String variable : variables) {
      assertThat(doc)
          .as("docs/OPERATIONS_CLI.md lists %s", variable)
          .contains("`" + variable + "`");
    }
  }

  private static void walk(CommandLine cmd, String path, List<String> commands, Set<String> vars) {
    for (OptionSpec option : cmd.getCommandSpec().options()) {
      Env env = EnvDefaults.annotation(option);
      if (env != null) {
        vars.add(env.value());
      }
    }
    if (cmd.getSubcommands().isEmpty() && !path.isEmpty()) {
      commands.add(path);
    }
    cmd.getSubcommands()
        .forEach(
            (name, sub) -> walk(sub, path.isEmpty() ? name : path + " " + name, commands, vars));
  }
}
