package io.notifier.demo;

import static org.awaitility.Awaitility.await;

import io.notifier.app.CliContext;
import io.notifier.app.NotifierCli;
import io.notifier.app.StopSignal;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;

/**
 * {@code notifier demo} run in-process as {@code NotifierCli.main} would run it, with a given
 * environment and clock: started in the background, stopped as Ctrl-C stops it (the stop signal),
 * its standard output and error kept.
 */
final class DemoRun {

  private final StopSignal stop = new StopSignal();
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private final CommandLine command;
  private final CompletableFuture<Integer> exit;

  private DemoRun(Map<String, String> env, Clock clock, String... args) {
    command = NotifierCli.commandLine(new CliContext(env, clock, stop));
    command.setOut(new PrintWriter(out, true));
    command.setErr(new PrintWriter(err, true));
    String[] words = new String[args.length + 1];
    words[0] = "demo";
    System.arraycopy(args, 0, words, 1, args.length);
    exit = new CompletableFuture<>();
    // Its own thread, as main's: a long-running command must not hold a shared pool's worker.
    Thread.ofPlatform()
        .name("notifier-demo-under-test")
        .daemon()
        .start(
            () -> {
              try {
                exit.complete(command.execute(words));
              } catch (Throwable e) {
                exit.completeExceptionally(e);
              }
            });
  }

  static DemoRun start(Map<String, String> env, Clock clock, String... args) {
    return new DemoRun(env, clock, args);
  }

  /** Runs a command that ends by itself (--seed-only, a refusal) and returns its exit code. */
  static DemoRun finished(Map<String, String> env, Clock clock, String... args) throws Exception {
    DemoRun run = new DemoRun(env, clock, args);
    run.exit.get(120, TimeUnit.SECONDS);
    return run;
  }

  /** Waits until everything runs (or the command ended early, which the caller then sees). */
  Demo awaitRunning() {
    DemoCommand demo = command.getSubcommands().get("demo").getCommand();
    await("the demo running")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> demo.running != null || exit.isDone());
    if (demo.running == null) {
      throw new AssertionError("the demo ended before it ran:\n" + this);
    }
    return demo.running;
  }

  /** Ctrl-C, then the exit code. */
  int interrupt() throws Exception {
    stop.request("SIGINT");
    return exit.get(90, TimeUnit.SECONDS);
  }

  int exitCode() throws Exception {
    return exit.get(120, TimeUnit.SECONDS);
  }

  String out() {
    return out.toString();
  }

  String err() {
    return err.toString();
  }

  @Override
  public String toString() {
    return "--- stdout\n" + out + "--- stderr\n" + err;
  }
}
