package io.notifier.demo;

import io.notifier.app.CliContext;
import io.notifier.app.ConsumerOptions;
import io.notifier.app.ContentOptions;
import io.notifier.app.DatabaseOptions;
import io.notifier.app.Env;
import io.notifier.app.HealthOptions;
import io.notifier.app.HttpOptions;
import io.notifier.app.NotifierCli;
import io.notifier.app.ProducerOptions;
import io.notifier.app.RedisOptions;
import io.notifier.app.SmtpOptions;
import io.notifier.app.UserException;
import io.notifier.db.crypto.EncryptionKeys;
import io.notifier.db.fixtures.Fixtures;
import io.notifier.delivery.ConsumerConfig;
import io.notifier.health.HostName;
import io.notifier.redis.RedisConfig;
import java.io.PrintWriter;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code notifier demo}: the whole notifier on one machine, for a newcomer's first look. Takes
 * every option of {@code producer run} and {@code consumer run}; a database, Redis or SMTP server
 * that is configured is used, whatever is not is started in-process (see {@link Demo}).
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the whole notifier on this machine and shows the emails it sends.",
      "What is not configured is started in-process: PostgreSQL (no NOTIFIER_DATABASE_URL),",
      "Redis (no NOTIFIER_REDIS_URL) and an SMTP inbox (no NOTIFIER_SMTP_HOST or _PORT),",
      "which prints each email and saves it as an .eml file in --mail-dir. An embedded",
      "database is seeded with a demo practice whose emails fall due within two minutes;",
      "a configured one only with --seed, and only while it has no workspaces (--force-seed",
      "adds the practice anyway). Runs a producer, --consumers consumers, and /metrics and",
      "health on --http-port (a free port if the default is taken). Ctrl-C stops everything,",
      "embedded servers included. Logs are human-readable unless NOTIFIER_LOG_FORMAT=json."
    })
public final class DemoCommand implements Callable<Integer> {

  /**
   * Where the demo's defaults differ from the same variable's elsewhere: shown in the README's
   * configuration reference.
   */
  public static final Map<String, String> DEMO_DEFAULTS =
      Map.of(
          "NOTIFIER_REDIS_NAMESPACE", DemoConfig.DEFAULT_NAMESPACE, "NOTIFIER_LOG_FORMAT", "text");

  @Spec CommandSpec spec;

  @Mixin DatabaseOptions database;
  @Mixin RedisOptions redis;
  @Mixin SmtpOptions smtp;
  @Mixin ContentOptions content;
  @Mixin ProducerOptions producer;
  @Mixin ConsumerOptions consumer;
  @Mixin HttpOptions http;
  @Mixin HealthOptions health;

  @Option(
      names = "--mail-dir",
      paramLabel = "DIR",
      defaultValue = DemoConfig.DEFAULT_MAIL_DIR,
      description =
          "Folder, relative to the working directory, where the in-process inbox saves every email as an .eml file (env NOTIFIER_DEMO_MAIL_DIR; default ${DEFAULT-VALUE}).")
  @Env("NOTIFIER_DEMO_MAIL_DIR")
  Path mailDir;

  @Option(
      names = "--consumers",
      paramLabel = "N",
      defaultValue = "" + DemoConfig.DEFAULT_CONSUMERS,
      description =
          "Consumers to run in this process, 1 to "
              + DemoConfig.MAX_CONSUMERS
              + " (env NOTIFIER_DEMO_CONSUMERS; default ${DEFAULT-VALUE}).")
  @Env("NOTIFIER_DEMO_CONSUMERS")
  int consumers;

  @Option(
      names = "--seed",
      description =
          "Seed the configured database with the demo practice, if it has no workspaces yet (an embedded database is always seeded).")
  boolean seed;

  @Option(
      names = "--force-seed",
      description = "Seed the configured database even though it has workspaces already.")
  boolean forceSeed;

  @Option(
      names = "--seed-only",
      description =
          "Seed the configured database (as --seed or --force-seed would) and exit; e.g. to give the Compose stack something to send.")
  boolean seedOnly;

  /** The running demo, for tests; null before it has started and with --seed-only. */
  volatile Demo running;

  @Override
  public Integer call() throws InterruptedException {
    CliContext context = ((NotifierCli) spec.root().userObject()).context();
    DemoConfig config = config(context);
    PrintWriter out = spec.commandLine().getOut();
    Demo demo = new Demo(config, context.clock(), out, ZoneId.systemDefault());
    try {
      demo.start();
      if (config.seedOnly()) {
        return 0;
      }
      running = demo;
      context.stopSignal().await();
      out.printf("%nStopping (%s)...%n", context.stopSignal().reason());
      out.flush();
    } finally {
      demo.close();
      running = null;
      context.stopSignal().drained();
    }
    if (config.inProcessInbox()) {
      out.printf(
          "Stopped. %d email(s) saved in %s%n",
          demo.saved(), config.mailDir().toAbsolutePath().normalize());
    } else {
      out.println("Stopped.");
    }
    return 0;
  }

  /** The demo's configuration from the flags and variables, checked before anything starts. */
  DemoConfig config(CliContext context) {
    String host = host(context.env());
    boolean embeddedDatabase = !configured(context, "--database-url");
    DemoConfig.Seeding seeding;
    if (embeddedDatabase) {
      seeding = DemoConfig.Seeding.IF_EMPTY;
    } else if (forceSeed) {
      seeding = DemoConfig.Seeding.FORCE;
    } else if (seed || seedOnly) {
      seeding = DemoConfig.Seeding.IF_EMPTY;
    } else {
      seeding = DemoConfig.Seeding.NONE;
    }
    RedisConfig redisConfig = redis.config();
    if (!configured(context, "--redis-namespace")) {
      redisConfig = redisConfig.withNamespace(DemoConfig.DEFAULT_NAMESPACE);
    }
    boolean keysGiven =
        configured(context, "--encryption-keys") || configured(context, "--legacy-encryption-key");
    // The demo's names are encrypted with fixed, obviously fake keys unless real ones are given
    // (a configured database's names need them).
    EncryptionKeys keys = keysGiven ? content.keys() : Fixtures.testKeys();
    try {
      return new DemoConfig(
          database.config(),
          embeddedDatabase,
          redisConfig,
          !configured(context, "--redis-url"),
          smtp.config(),
          !configured(context, "--smtp-host") && !configured(context, "--smtp-port"),
          content.config(),
          keys,
          producer.config(host),
          consumerConfigs(host),
          http.config(),
          configured(context, "--http-port"),
          health.config(),
          mailDir,
          seeding,
          seedOnly);
    } catch (IllegalArgumentException e) {
      throw new UserException("demo settings: " + e.getMessage());
    }
  }

  /** One configuration per consumer: the configured one, each with its own id. */
  private List<ConsumerConfig> consumerConfigs(String host) {
    if (consumers < 1 || consumers > DemoConfig.MAX_CONSUMERS) {
      throw new UserException(
          "demo settings: --consumers must be 1 to " + DemoConfig.MAX_CONSUMERS);
    }
    ConsumerConfig base = consumer.config(host);
    List<ConsumerConfig> configs = new ArrayList<>();
    for (int i = 1; i <= consumers; i++) {
      configs.add(base.toBuilder().consumerId(base.consumerId() + "-" + i).build());
    }
    return configs;
  }

  /** Whether the option was given as a flag or through its environment variable. */
  private boolean configured(CliContext context, String name) {
    OptionSpec option = spec.findOption(name);
    if (option == null) {
      throw new IllegalStateException("the demo has no option " + name);
    }
    if (spec.commandLine().getParseResult().hasMatchedOption(option)) {
      return true;
    }
    Env env = option.userObject() instanceof Field field ? field.getAnnotation(Env.class) : null;
    String value = env == null ? null : context.env().get(env.value());
    return value != null && !value.isEmpty();
  }

  private static String host(Map<String, String> env) {
    return HostName.of(env);
  }
}
