package io.notifier.app;

import io.notifier.demo.DemoCommand;
import io.notifier.ops.logging.LogSetup;
import io.notifier.time.Clocks;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code notifier}: the one entry point of the notifier, for the long-running processes and for the
 * operators who run them. Configuration comes from flags and {@code NOTIFIER_*} environment
 * variables only (see docs/OPERATIONS_CLI.md).
 */
@Command(
    name = "notifier",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = {
      "Sends the emails people asked for, at the moment they asked for them.",
      "Every option can also be set with the NOTIFIER_* variable its help names."
    },
    subcommands = {
      ProducerCommand.class,
      ConsumerCommand.class,
      TriggerCommand.class,
      DlqCommand.class,
      DeliveriesCommand.class,
      QueueCommand.class,
      DbCommand.class,
      HealthCommand.class,
      CleanupCommand.class,
      ConfigCommand.class,
      DemoCommand.class
    },
    commandListHeading = "%nCommands:%n",
    footer = {
      "",
      "Exit status: 0 success (health: healthy); 1 failure or unhealthy; 2 bad command line."
    })
public final class NotifierCli implements Callable<Integer> {

  /** How long the shutdown hook waits for a drain when the JVM exits other than by SIGTERM. */
  static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(60);

  @Option(
      names = {"-v", "--verbose"},
      scope = ScopeType.INHERIT,
      description = "Log more, and print stack traces with errors.")
  boolean verbose;

  private final CliContext context;

  public NotifierCli(CliContext context) {
    this.context = context;
  }

  public CliContext context() {
    return context;
  }

  @Spec CommandSpec spec;

  /** Without a command: the usage, and the exit status of a bad command line. */
  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return ErrorHandler.USAGE;
  }

  /** The configured command line: environment defaults and one-line error handling. */
  public static CommandLine commandLine(CliContext context) {
    CommandLine cmd = new CommandLine(new NotifierCli(context));
    ErrorHandler errors = new ErrorHandler();
    cmd.setDefaultValueProvider(new EnvDefaults(context.env()));
    cmd.setExecutionExceptionHandler(errors);
    cmd.setParameterExceptionHandler(errors);
    cmd.setCaseInsensitiveEnumValuesAllowed(true);
    cmd.setUsageHelpAutoWidth(true);
    shareVersion(cmd, new Version());
    return cmd;
  }

  /** {@code --version} answers the same on every subcommand. */
  private static void shareVersion(CommandLine cmd, Version version) {
    cmd.getCommandSpec().versionProvider(version);
    cmd.getSubcommands().values().forEach(sub -> shareVersion(sub, version));
  }

  /** Runs one command with this context and returns its exit code. */
  public static int execute(CliContext context, String... args) {
    CommandLine commandLine = commandLine(context);
    try {
      return commandLine.execute(args);
    } finally {
      // Output printed without a final newline would otherwise be lost at System.exit.
      commandLine.getOut().flush();
      commandLine.getErr().flush();
    }
  }

  public static void main(String[] args) {
    LogSetup.prepare(args, System.getenv());
    StopSignal stop = new StopSignal();
    if (LogSetup.isLongRunning(args)) {
      stop.installOnJvm(SHUTDOWN_GRACE);
    }
    Clock clock;
    try {
      clock = ClockSource.fromEnvironment(System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("notifier: " + e.getMessage());
      System.exit(ErrorHandler.USAGE);
      return;
    }
    if (!Clocks.isSystemClock(clock)) {
      LoggerFactory.getLogger(NotifierCli.class)
          .warn("time is read from {} ({}): for tests only", clock, ClockSource.ENV);
    }
    int code = execute(new CliContext(System.getenv(), clock, stop), args);
    System.exit(code);
  }
}
