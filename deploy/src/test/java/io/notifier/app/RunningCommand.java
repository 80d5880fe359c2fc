package io.notifier.app;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine;

/**
 * A long-running command ({@code producer run}, {@code consumer run}) executing in-process on its
 * own thread, as a deployment would run it, until the Cli's stop signal is requested.
 *
 * <p>Its own thread, not the common fork-join pool: a command left running by a failed test must
 * not hold a pool thread that a later test's command waits for. {@link #close()} always stops it,
 * so one failure never leaks a running worker into the tests after it.
 */
final class RunningCommand implements AutoCloseable {

  private final Cli cli;
  private final String name;
  private final CommandLine commandLine;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private final CompletableFuture<Integer> exit = new CompletableFuture<>();
  private final Thread thread;

  private RunningCommand(Cli cli, String... args) {
    this.cli = cli;
    this.name = "notifier " + String.join(" ", args);
    this.commandLine = NotifierCli.commandLine(cli.context());
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    this.thread =
        Thread.ofPlatform()
            .name(name)
            .daemon()
            .start(
                () -> {
                  try {
                    exit.complete(commandLine.execute(args));
                  } catch (Throwable t) {
                    exit.completeExceptionally(t);
                  }
                });
  }

  static RunningCommand start(Cli cli, String... args) {
    return new RunningCommand(cli, args);
  }

  /** The picocli tree it runs in, to reach the running subcommand's state. */
  CommandLine commandLine() {
    return commandLine;
  }

  /** Requests the stop every command of the Cli shares and waits for this one's exit code. */
  int stop(Duration timeout) throws Exception {
    cli.stopSignalInUse().request("test");
    try {
      return exit.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError(name + " did not stop within " + timeout + "\n" + describe(), e);
    }
  }

  /** Whether it is running or how it ended, and what it printed: for failure messages. */
  String describe() {
    String state =
        !exit.isDone()
            ? "still running (thread " + thread.getState() + ", at " + topFrame() + ")"
            : exit.isCompletedExceptionally() ? "ended by an exception" : "exit " + exit.join();
    StringBuilder where = new StringBuilder();
    if (!exit.isDone()) {
      // Where the command's thread is now: a start-up stuck on the network shows here.
      StackTraceElement[] stack = thread.getStackTrace();
      for (int i = 0; i < Math.min(stack.length, 12); i++) {
        where.append("    at ").append(stack[i]).append('\n');
      }
    }
    return name + ": " + state + "\n" + where + "--- stdout\n" + out + "--- stderr\n" + err;
  }

  private String topFrame() {
    StackTraceElement[] stack = thread.getStackTrace();
    return stack.length == 0 ? "?" : stack[0].toString();
  }

  /** What a test does while commands run; may throw anything. */
  interface Steps {
    void run() throws Exception;
  }

  /**
   * Runs {@code steps}; if they fail, fails with the same message followed by {@code diagnostics}
   * (each command's state and output, the last log lines), so a CI log says why, not only what.
   */
  static void explainingFailures(Steps steps, java.util.function.Supplier<String> diagnostics)
      throws Exception {
    try {
      steps.run();
    } catch (Exception | AssertionError e) {
      String more;
      try {
        more = diagnostics.get();
      } catch (RuntimeException broken) {
        more = "(diagnostics failed: " + broken + ")";
      }
      // The first line is what a CI summary shows: lead with the commands' state.
      String first =
          more.lines()
              .filter(line -> line.startsWith("notifier "))
              .collect(java.util.stream.Collectors.joining("; "));
      throw new AssertionError(first + " | " + e.getMessage() + "\n=== diagnostics\n" + more, e);
    }
  }

  @Override
  public void close() throws Exception {
    if (exit.isDone()) {
      return;
    }
    cli.stopSignalInUse().request("test cleanup");
    try {
      exit.get(30, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      thread.interrupt();
    }
  }
}
