package io.notifier.app;

import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;

@Command(
    name = "config",
    mixinStandardHelpOptions = true,
    description = {
      "Prints the effective configuration of a command (flags, then NOTIFIER_* variables,",
      "then defaults), secrets redacted. Give the command's words and flags after --,",
      "e.g.  notifier config -- consumer run --smtp-host mail.internal"
    })
final class ConfigCommand extends BaseCommand {

  @Parameters(
      paramLabel = "COMMAND",
      arity = "0..*",
      description = "The command to describe (default: producer run).")
  String[] command = {};

  @Override
  public Integer call() {
    String[] args = command.length == 0 ? new String[] {"producer", "run"} : command;
    // Parse (never run) the command with the same environment, then read its options.
    CommandLine probe = NotifierCli.commandLine(context());
    CommandLine.ParseResult result;
    try {
      result = probe.parseArgs(args);
    } catch (CommandLine.ParameterException e) {
      throw new UserException(e.getMessage());
    }
    while (result.hasSubcommand()) {
      result = result.subcommand();
    }
    CommandSpec target = result.commandSpec();
    out().println("# effective configuration of: " + target.qualifiedName());
    for (Map.Entry<String, String> e : ConfigReport.of(target).entrySet()) {
      Env env = envOf(target, e.getKey());
      out()
          .printf(
              "%-28s %-40s %s%n",
              e.getKey(), e.getValue(), env == null ? "" : "(" + env.value() + ")");
    }
    return 0;
  }

  private static Env envOf(CommandSpec spec, String name) {
    var option = spec.findOption("--" + name);
    return option == null ? null : EnvDefaults.annotation(option);
  }
}
