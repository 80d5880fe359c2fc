package io.notifier.app;

import io.notifier.ops.observe.Snapshot;
import io.notifier.queue.QueueStats;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "queue",
    description = "The Redis queue.",
    mixinStandardHelpOptions = true,
    subcommands = QueueCommand.Stats.class)
final class QueueCommand extends BaseCommand {

  @Override
  public Integer call() {
    spec.commandLine().usage(out());
    return ErrorHandler.USAGE;
  }

  @Command(
      name = "stats",
      mixinStandardHelpOptions = true,
      description = {
        "Queue depths: delayed (waiting for their due instant), ready (due, not yet read),",
        "pending (read by a consumer, not yet acknowledged) and dead letters.",
        "Read over the observability connection (Lettuce), like /metrics."
      })
  static final class Stats extends BaseCommand {

    @Mixin RedisOptions redis;

    @Override
    public Integer call() {
      try (Services services = new Services(context().clock(), null, redis, "queue-stats")) {
        Snapshot snapshot = services.observer().snapshot();
        if (!snapshot.reachable()) {
          throw new UserException("cannot reach Redis: " + snapshot.error());
        }
        QueueStats q = snapshot.queues();
        out().printf("namespace  %s%n", redis.config().namespace());
        out().printf("delayed    %d%n", q.delayed());
        out().printf("ready      %d%n", q.ready());
        out().printf("pending    %d%n", q.pending());
        out().printf("dead       %d%n", q.dead());
      }
      return 0;
    }
  }
}
