package io.notifier.app;

import io.notifier.content.ContentConfig;
import io.notifier.db.crypto.ClientNameCipher;
import io.notifier.delivery.Consumer;
import io.notifier.delivery.ConsumerConfig;
import io.notifier.mail.SmtpConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "consumer",
    description = "The delivery workers.",
    mixinStandardHelpOptions = true,
    subcommands = ConsumerCommand.Run.class)
final class ConsumerCommand extends BaseCommand {

  @Override
  public Integer call() {
    spec.commandLine().usage(out());
    return ErrorHandler.USAGE;
  }

  @Command(
      name = "run",
      mixinStandardHelpOptions = true,
      description = {
        "Runs a consumer until SIGTERM: moves due jobs to the ready stream, sends them over SMTP,",
        "retries, dead-letters, takes over deliveries of consumers that died. Scale by running",
        "more. On SIGTERM it stops reading, lets in-flight sends finish within --shutdown-grace,",
        "leaves the rest for another consumer, and exits 0. Serves /metrics and health on",
        "--http-port."
      })
  static final class Run extends BaseCommand {
    @Mixin DatabaseOptions database;
    @Mixin RedisOptions redis;
    @Mixin SmtpOptions smtp;
    @Mixin ContentOptions content;
    @Mixin ConsumerOptions consumer;
    @Mixin HttpOptions http;
    @Mixin HealthOptions health;

    /** The running process, for tests. */
    volatile WorkerProcess process;

    @Override
    public Integer call() throws InterruptedException {
      // Every setting is checked before anything connects.
      SmtpConfig smtpConfig = smtp.config();
      ContentConfig contentConfig = content.config();
      ClientNameCipher cipher = new ClientNameCipher(content.keys());
      ConsumerConfig config = consumer.config(WorkerProcess.host(context()));
      try (WorkerProcess worker =
          new WorkerProcess("consumer", context(), spec, database, redis, http, health)) {
        Consumer component;
        try {
          component =
              new Consumer(
                  config,
                  smtpConfig,
                  contentConfig,
                  worker.database().dsl(),
                  worker.queue(),
                  cipher,
                  worker.clock(),
                  worker.metrics(),
                  worker.heartbeats(config.consumerId()));
        } catch (IllegalArgumentException e) {
          throw new UserException("consumer settings: " + e.getMessage());
        }
        component.start();
        process = worker;
        return worker.runUntilStopped(component::stop);
      }
    }
  }
}
