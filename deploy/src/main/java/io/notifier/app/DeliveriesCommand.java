package io.notifier.app;

import io.notifier.ledger.Delivery;
import io.notifier.model.NotificationKind;
import io.notifier.model.NotificationStatus;
import java.util.List;
import java.util.UUID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "deliveries",
    mixinStandardHelpOptions = true,
    description = {
      "What was sent, skipped or failed for one user, and why, newest due first: the delivery",
      "ledger's rows (due instant, kind, status, attempts, skip reason or last error, when it",
      "was sent, and DUP? when an earlier attempt may also have reached the mail server)."
    })
final class DeliveriesCommand extends BaseCommand {

  @Mixin DatabaseOptions database;

  @Option(
      names = "--user",
      required = true,
      paramLabel = "USER_ID",
      converter = Converters.UuidConverter.class,
      description = "The user's id.")
  UUID user;

  @Option(
      names = "--kind",
      paramLabel = "KIND",
      converter = Converters.KindConverter.class,
      description =
          "Only this kind: session_notes_reminder, daily_digest, tomorrow_digest, appointment_reminder.")
  NotificationKind kind;

  @Option(
      names = "--status",
      paramLabel = "STATUS",
      converter = Converters.StatusConverter.class,
      description =
          "Only this status: pending, sending, sent, retry_wait, dead, skipped, uncertain.")
  NotificationStatus status;

  @Option(
      names = "--limit",
      paramLabel = "N",
      defaultValue = "50",
      description = "At most this many rows (default ${DEFAULT-VALUE}).")
  int limit;

  @Override
  public Integer call() {
    if (limit < 1) {
      throw new UserException("--limit must be at least 1");
    }
    try (Services services = new Services(context().clock(), database, null, "deliveries")) {
      List<Delivery> rows = services.ledger().history(user, kind, status, limit);
      if (rows.isEmpty()) {
        out().println("no deliveries for user " + user + filters());
        return 0;
      }
      Table table =
          new Table(
              "DUE", "KIND", "STATUS", "ATTEMPTS", "WHY", "SENT", "DUP?", "APPOINTMENT", "ID");
      for (Delivery d : rows) {
        table.row(
            d.dueAt(),
            d.kind().code(),
            d.status().code(),
            d.attempts(),
            why(d),
            d.sentAt(),
            d.possibleDuplicate() ? "yes" : "",
            d.appointmentId(),
            d.id());
      }
      table.print(out());
      if (rows.size() == limit) {
        out().println("(showing the newest " + limit + "; --limit shows more)");
      }
    }
    return 0;
  }

  private String filters() {
    return (kind == null ? "" : ", kind " + kind.code())
        + (status == null ? "" : ", status " + status.code());
  }

  /** The skip reason, the last error, or for a row still on its way what it waits for. */
  static String why(Delivery d) {
    if (d.skipReason() != null) {
      return d.skipReason();
    }
    if (d.lastError() != null) {
      String error = d.lastError().replaceAll("\\s+", " ");
      return error.length() > 80 ? error.substring(0, 77) + "..." : error;
    }
    return switch (d.status()) {
      case PENDING -> "due " + d.nextAttemptAt();
      case RETRY_WAIT -> "retry at " + d.nextAttemptAt();
      case SENDING -> "held by " + d.leaseOwner();
      case SENT -> "message " + d.messageId();
      default -> null;
    };
  }
}
