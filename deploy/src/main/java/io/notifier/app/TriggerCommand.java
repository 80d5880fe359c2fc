package io.notifier.app;

import io.notifier.metrics.NotifierMetrics;
import io.notifier.model.NotificationKind;
import io.notifier.schedule.ManualTrigger;
import java.util.UUID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "trigger",
    mixinStandardHelpOptions = true,
    description = {
      "Queues one notification now, for testing and support. It gets its own ledger row (never",
      "colliding with the scheduled one) and goes through the consumer's usual send-time checks:",
      "if the user should get nothing, the row ends skipped with the reason (notifier deliveries)."
    })
final class TriggerCommand extends BaseCommand {

  @Mixin DatabaseOptions database;
  @Mixin RedisOptions redis;

  @Parameters(
      paramLabel = "KIND",
      converter = Converters.KindConverter.class,
      description =
          "session_notes_reminder, daily_digest, tomorrow_digest or appointment_reminder.")
  NotificationKind kind;

  @Option(
      names = "--user",
      required = true,
      paramLabel = "USER_ID",
      converter = Converters.UuidConverter.class,
      description = "Who receives it.")
  UUID user;

  @Option(
      names = "--appointment",
      paramLabel = "APPOINTMENT_ID",
      converter = Converters.UuidConverter.class,
      description = "The appointment (appointment_reminder only).")
  UUID appointment;

  @Override
  public Integer call() {
    try (Services services = new Services(context().clock(), database, redis, "trigger")) {
      ManualTrigger trigger =
          new ManualTrigger(
              services.database().dsl(), services.queue(), context().clock(), NotifierMetrics.NOOP);
      ManualTrigger.Triggered triggered;
      try {
        triggered = trigger.trigger(kind, user, appointment);
      } catch (ManualTrigger.TriggerException e) {
        throw new UserException(e.getMessage());
      }
      out()
          .printf(
              "%s for user %s: delivery %s, due %s, %s%n",
              kind.code(),
              user,
              triggered.delivery().id(),
              triggered.delivery().dueAt(),
              triggered.enqueued()
                  ? "queued"
                  : "written but not queued (Redis did not take it; the reconciler will)");
      out().println("follow it with: notifier deliveries --user " + user);
    }
    return 0;
  }
}
