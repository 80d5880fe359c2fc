package io.notifier.app;

import io.notifier.queue.QueueConfig;
import io.notifier.redis.RedisConfig;
import io.notifier.time.Clocks;
import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** How to reach Redis, and the deployment's key namespace. */
public final class RedisOptions {

  @Spec(Spec.Target.MIXEE)
  CommandSpec mixee;

  @Option(
      names = "--redis-url",
      paramLabel = "URL",
      defaultValue = "redis://localhost:6379",
      description = {
        "Redis: redis://host:port[/db], rediss:// (TLS),",
        "redis-sentinel://h1:p1,h2:p2/master or redis-cluster://h1:p1,h2:p2",
        "(env NOTIFIER_REDIS_URL; default redis://localhost:6379)."
      })
  @Env("NOTIFIER_REDIS_URL")
  String url;

  @Option(
      names = "--redis-password",
      paramLabel = "PASSWORD",
      description = "Redis password, overriding one in the URL (env NOTIFIER_REDIS_PASSWORD).")
  @Env(value = "NOTIFIER_REDIS_PASSWORD", secret = true)
  String password;

  @Option(
      names = "--redis-namespace",
      paramLabel = "NAME",
      defaultValue = RedisConfig.DEFAULT_NAMESPACE,
      description =
          "Key namespace of this deployment (env NOTIFIER_REDIS_NAMESPACE; default ${DEFAULT-VALUE}).")
  @Env("NOTIFIER_REDIS_NAMESPACE")
  String namespace;

  @Option(
      names = "--redis-timeout",
      paramLabel = "DURATION",
      defaultValue = "3s",
      converter = Converters.DurationConverter.class,
      description =
          "Connect and command timeout (env NOTIFIER_REDIS_TIMEOUT; default ${DEFAULT-VALUE}).")
  @Env("NOTIFIER_REDIS_TIMEOUT")
  Duration timeout;

  public RedisConfig config() {
    try {
      return RedisConfig.parse(url, DatabaseOptions.blankToNull(password), namespace)
          .withTimeout(timeout);
    } catch (IllegalArgumentException e) {
      throw new UserException("Redis settings: " + e.getMessage());
    }
  }

  public QueueConfig queueConfig() {
    QueueConfig queue;
    try {
      queue = QueueConfig.defaults(config().namespace());
    } catch (IllegalArgumentException e) {
      throw new UserException("queue settings: " + e.getMessage());
    }
    // A process whose clock is not the real one (NOTIFIER_CLOCK, tests) must release due jobs by
    // that clock: Redis's own TIME would disagree with it.
    if (mixee != null
        && mixee.root().userObject() instanceof NotifierCli cli
        && !Clocks.isSystemClock(cli.context().clock())) {
      queue = queue.withTimeSource(QueueConfig.TimeSource.CLOCK);
    }
    return queue;
  }
}
