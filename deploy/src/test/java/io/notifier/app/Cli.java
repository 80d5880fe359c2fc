package io.notifier.app;

import io.notifier.db.fixtures.Fixtures;
import io.notifier.testing.TestDatabase;
import io.notifier.testing.TestRedis;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine;

/**
 * Runs {@code notifier} commands in-process, configured through the environment map exactly as a
 * deployment would be, against the harness's real services.
 */
final class Cli {

  /** What a command did: exit code, stdout, stderr. */
  record Result(int code, String out, String err) {
    @Override
    public String toString() {
      return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  private final Map<String, String> env = new HashMap<>();
  private Clock clock = Clock.systemUTC();
  private StopSignal stop = new StopSignal();

  static Cli against(TestDatabase db, TestRedis redis) {
    Cli cli = new Cli();
    if (db != null) {
      cli.env("NOTIFIER_DATABASE_URL", db.jdbcUrl());
      cli.env("NOTIFIER_DATABASE_USER", db.user());
      cli.env("NOTIFIER_DATABASE_PASSWORD", db.password());
    }
    if (redis != null) {
      cli.env("NOTIFIER_REDIS_URL", redis.uri());
      cli.env("NOTIFIER_REDIS_NAMESPACE", redis.namespace());
    }
    return cli;
  }

  /** NOTIFIER_ENCRYPTION_KEYS in its configured form, for the fixtures' test keys. */
  Cli withTestEncryptionKeys() {
    return env("NOTIFIER_ENCRYPTION_KEYS", Fixtures.testKeysSetting());
  }

  Cli env(String name, String value) {
    env.put(name, value);
    return this;
  }

  Cli clock(Clock clock) {
    this.clock = clock;
    return this;
  }

  Cli stopSignal(StopSignal stop) {
    this.stop = stop;
    return this;
  }

  CliContext context() {
    return new CliContext(env, clock, stop);
  }

  /** The stop signal every context of this Cli shares. */
  StopSignal stopSignalInUse() {
    return stop;
  }

  Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cmd = NotifierCli.commandLine(context());
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    int code = cmd.execute(args);
    return new Result(code, out.toString(), err.toString());
  }
}
