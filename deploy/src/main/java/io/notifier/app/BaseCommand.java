package io.notifier.app;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What every subcommand shares: the context of the root command, stdout and stderr. */
abstract class BaseCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  NotifierCli cli() {
    return (NotifierCli) spec.root().userObject();
  }

  CliContext context() {
    return cli().context();
  }

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }
}
