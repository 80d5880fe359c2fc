package io.notifier.app;

import io.notifier.ledger.Delivery;
import io.notifier.ledger.DeliveryLedger;
import io.notifier.model.NotificationKind;
import io.notifier.model.NotificationStatus;
import io.notifier.queue.DeadLetter;
import io.notifier.queue.RedisJobQueue;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "dlq",
    description =
        "Dead letters: jobs that failed for good (permanent SMTP errors, attempts used up, unreadable payloads).",
    mixinStandardHelpOptions = true,
    subcommands = {
      DlqCommand.ListLetters.class,
      DlqCommand.Show.class,
      DlqCommand.Replay.class,
      DlqCommand.Purge.class
    })
final class DlqCommand extends BaseCommand {

  private static final Pattern ENTRY_ID = Pattern.compile("\\d{1,20}(-\\d{1,20})?");
  private static final int PAGE = 500;

  @Override
  public Integer call() {
    spec.commandLine().usage(out());
    return ErrorHandler.USAGE;
  }

  static String checkEntryId(String id) {
    if (!ENTRY_ID.matcher(id).matches()) {
      throw new UserException(
          "'"
              + id
              + "' is not a dead-letter entry id; they look like 1773312000000-0 (see notifier dlq list)");
    }
    return id;
  }

  /** Every dead letter matching the filters, oldest first, at most {@code limit} (0: all). */
  static List<DeadLetter> select(
      RedisJobQueue queue, NotificationKind kind, Instant since, int limit) {
    List<DeadLetter> selected = new ArrayList<>();
    String after = null;
    while (true) {
      List<DeadLetter> page = queue.deadLetters(after, PAGE);
      for (DeadLetter letter : page) {
        if ((kind == null || kind.code().equals(letter.kind()))
            && (since == null || !letter.failedAt().isBefore(since))) {
          selected.add(letter);
          if (limit > 0 && selected.size() == limit) {
            return selected;
          }
        }
      }
      if (page.size() < PAGE) {
        return selected;
      }
      after = page.get(page.size() - 1).entryId();
    }
  }

  static Optional<UUID> jobId(DeadLetter letter) {
    try {
      return letter.jobId() == null
          ? Optional.empty()
          : Optional.of(UUID.fromString(letter.jobId()));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** Filters shared by list and replay. */
  static final class Filters {
    @Option(
        names = "--kind",
        paramLabel = "KIND",
        converter = Converters.KindConverter.class,
        description = "Only dead letters of this kind.")
    NotificationKind kind;

    @Option(
        names = "--since",
        paramLabel = "WHEN",
        converter = Converters.SinceConverter.class,
        description =
            "Only those that died at or after WHEN: an instant (2027-03-14T07:30:00Z) or a duration ago (24h, 7d).")
    Converters.Since since;
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "Lists dead letters, oldest first.")
  static final class ListLetters extends BaseCommand {
    @Mixin RedisOptions redis;
    @Mixin Filters filters;

    @Option(
        names = "--limit",
        paramLabel = "N",
        defaultValue = "50",
        description = "At most this many (default ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() {
      if (limit < 1) {
        throw new UserException("--limit must be at least 1");
      }
      try (Services services = new Services(context().clock(), null, redis, "dlq")) {
        Instant since = filters.since == null ? null : filters.since.resolve(context().clock());
        List<DeadLetter> letters = select(services.queue(), filters.kind, since, limit);
        if (letters.isEmpty()) {
          out()
              .println("no dead letters" + (filters.kind != null || since != null ? " match" : ""));
          return 0;
        }
        Table table = new Table("ENTRY", "FAILED AT", "KIND", "JOB", "REASON");
        for (DeadLetter l : letters) {
          table.row(l.entryId(), l.failedAt(), l.kind(), l.jobId(), shorten(l.reason(), 100));
        }
        table.print(out());
        long total = services.queue().stats().dead();
        out().printf("%d shown, %d dead letter(s) in all%n", letters.size(), total);
      }
      return 0;
    }
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "Shows one dead letter: its job, why it died, and its ledger row now.")
  static final class Show extends BaseCommand {
    @Mixin RedisOptions redis;
    @Mixin DatabaseOptions database;

    @Parameters(paramLabel = "ENTRY_ID", description = "The entry id, as dlq list prints it.")
    String entryId;

    @Override
    public Integer call() {
      checkEntryId(entryId);
      try (Services services = new Services(context().clock(), database, redis, "dlq")) {
        DeadLetter letter =
            services
                .queue()
                .deadLetter(entryId)
                .orElseThrow(() -> new UserException("no dead letter " + entryId));
        out().printf("entry      %s%n", letter.entryId());
        out().printf("failed at  %s%n", letter.failedAt());
        out().printf("kind       %s%n", letter.kind());
        out().printf("job        %s%n", letter.jobId());
        out().printf("reason     %s%n", letter.reason());
        out().printf("payload    %s%n", letter.payload());
        Optional<UUID> id = jobId(letter);
        if (id.isEmpty()) {
          out().println("ledger     (the payload names no usable job id)");
          return 0;
        }
        Optional<Delivery> row = services.ledger().find(id.get());
        if (row.isEmpty()) {
          out().println("ledger     no row (cleaned up, or never recorded)");
        } else {
          Delivery d = row.get();
          out()
              .printf(
                  "ledger     %s, %d attempt(s), due %s%s%s%n",
                  d.status().code(),
                  d.attempts(),
                  d.dueAt(),
                  d.lastError() == null ? "" : ", last error: " + shorten(d.lastError(), 200),
                  d.possibleDuplicate() ? ", possible duplicate" : "");
        }
      }
      return 0;
    }
  }

  @Command(
      name = "replay",
      mixinStandardHelpOptions = true,
      description = {
        "Sends dead letters again. Each one's ledger row is checked first: only a dead or",
        "uncertain row is made pending again (fresh attempts) and re-queued, due now. A row",
        "meanwhile sent, skipped or queued again sends nothing; its dead letter is removed",
        "with a note. Letters without a ledger row stay, for dlq show and purge."
      })
  static final class Replay extends BaseCommand {
    @Mixin RedisOptions redis;
    @Mixin DatabaseOptions database;
    @Mixin Filters filters;

    @Parameters(
        paramLabel = "ENTRY_ID",
        arity = "0..*",
        description = "Entry ids, as dlq list prints them.")
    List<String> entryIds = new ArrayList<>();

    @Option(names = "--all", description = "Every dead letter (narrowed by --kind and --since).")
    boolean all;

    @Option(
        names = "--delivery",
        paramLabel = "LEDGER_ID",
        description = {
          "Replay dead or uncertain ledger rows by their id (as notifier deliveries prints it),",
          "whether or not Redis still holds their dead letter (e.g. after a Redis wipe)."
        })
    List<UUID> deliveryIds = new ArrayList<>();

    @Option(names = "--dry-run", description = "Say what would happen; change nothing.")
    boolean dryRun;

    @Override
    public Integer call() {
      int ways = (all ? 1 : 0) + (entryIds.isEmpty() ? 0 : 1) + (deliveryIds.isEmpty() ? 0 : 1);
      if (ways != 1) {
        throw new UserException("give entry ids, --delivery ids or --all (exactly one of them)");
      }
      entryIds.forEach(DlqCommand::checkEntryId);
      if (!deliveryIds.isEmpty()) {
        return replayDeliveries();
      }
      try (Services services = new Services(context().clock(), database, redis, "dlq")) {
        RedisJobQueue queue = services.queue();
        List<DeadLetter> letters = new ArrayList<>();
        Instant since = filters.since == null ? null : filters.since.resolve(context().clock());
        if (all) {
          letters.addAll(select(queue, filters.kind, since, 0));
        } else {
          for (String id : entryIds) {
            DeadLetter letter =
                queue.deadLetter(id).orElseThrow(() -> new UserException("no dead letter " + id));
            if ((filters.kind == null || filters.kind.code().equals(letter.kind()))
                && (since == null || !letter.failedAt().isBefore(since))) {
              letters.add(letter);
            }
          }
        }
        if (letters.isEmpty()) {
          out().println("nothing to replay");
          return 0;
        }
        int replayed = 0;
        int removed = 0;
        int kept = 0;
        int n = letters.size();
        for (int i = 0; i < n; i++) {
          DeadLetter letter = letters.get(i);
          Outcome outcome = replay(services.ledger(), queue, letter);
          switch (outcome.kind) {
            case REPLAYED -> replayed++;
            case REMOVED -> removed++;
            case KEPT -> kept++;
          }
          out()
              .printf(
                  "[%d/%d] %s job %s: %s%n",
                  i + 1, n, letter.entryId(), letter.jobId(), outcome.note);
          out().flush();
        }
        out()
            .printf(
                "%s%d replayed, %d removed without sending, %d kept%n",
                dryRun ? "dry run: " : "", replayed, removed, kept);
      }
      return 0;
    }

    /** Replays ledger rows by id; dead letters naming them are removed. */
    private int replayDeliveries() {
      try (Services services = new Services(context().clock(), database, redis, "dlq")) {
        DeliveryLedger ledger = services.ledger();
        RedisJobQueue queue = services.queue();
        int n = deliveryIds.size();
        int replayed = 0;
        for (int i = 0; i < n; i++) {
          UUID id = deliveryIds.get(i);
          Delivery row = ledger.find(id).orElseThrow(() -> new UserException("no delivery " + id));
          String note;
          if (row.status() != NotificationStatus.DEAD
              && row.status() != NotificationStatus.UNCERTAIN) {
            note = "not replayed: it is " + row.status().code() + ", not dead or uncertain";
          } else if (dryRun) {
            note = "would replay (" + row.status().code() + " in the ledger)";
            replayed++;
          } else {
            Optional<Delivery> pending = ledger.replay(id);
            if (pending.isEmpty()) {
              note = "not replayed: it changed meanwhile (see notifier deliveries)";
            } else {
              // Ledger first: if we die before the enqueue, the reconciler finds the pending row.
              queue.enqueue(List.of(pending.get().toJob()));
              select(queue, null, null, 0).stream()
                  .filter(letter -> id.toString().equals(letter.jobId()))
                  .forEach(letter -> queue.removeDeadLetter(letter.entryId()));
              note = "replayed: pending again, due now";
              replayed++;
            }
          }
          out().printf("[%d/%d] delivery %s: %s%n", i + 1, n, id, note);
          out().flush();
        }
        out().printf("%s%d of %d replayed%n", dryRun ? "dry run: " : "", replayed, n);
      }
      return 0;
    }

    enum Result {
      REPLAYED,
      REMOVED,
      KEPT
    }

    record Outcome(Result kind, String note) {}

    private Outcome replay(DeliveryLedger ledger, RedisJobQueue queue, DeadLetter letter) {
      Optional<UUID> id = jobId(letter);
      if (id.isEmpty()) {
        return new Outcome(Result.KEPT, "kept: the payload names no usable job id (dlq show)");
      }
      Optional<Delivery> row = ledger.find(id.get());
      if (row.isEmpty()) {
        return new Outcome(Result.KEPT, "kept: no ledger row (cleaned up, or never recorded)");
      }
      Delivery d = row.get();
      switch (d.status()) {
        case DEAD, UNCERTAIN -> {
          if (dryRun) {
            return new Outcome(
                Result.REPLAYED, "would replay (" + d.status().code() + " in the ledger)");
          }
          Optional<Delivery> replayed = ledger.replay(d.id());
          if (replayed.isEmpty()) {
            // Someone moved the row between our read and the replay: decide again from it.
            return afterRace(ledger, queue, letter, d.id());
          }
          // Ledger first: if we die before the enqueue, the reconciler finds the pending row.
          queue.enqueue(List.of(replayed.get().toJob()));
          queue.removeDeadLetter(letter.entryId());
          return new Outcome(Result.REPLAYED, "replayed: pending again, due now");
        }
        default -> {
          return removeWithNote(queue, letter, d);
        }
      }
    }

    private Outcome afterRace(
        DeliveryLedger ledger, RedisJobQueue queue, DeadLetter letter, UUID id) {
      Optional<Delivery> now = ledger.find(id);
      if (now.isEmpty()) {
        return new Outcome(Result.KEPT, "kept: the ledger row disappeared");
      }
      return removeWithNote(queue, letter, now.get());
    }

    private Outcome removeWithNote(RedisJobQueue queue, DeadLetter letter, Delivery d) {
      String why =
          switch (d.status()) {
            case SENT -> "already sent at " + d.sentAt() + "; nothing sent";
            case SKIPPED -> "skipped (" + d.skipReason() + "); nothing sent";
            default -> "already " + d.status().code() + " again; nothing more to do";
          };
      if (!dryRun) {
        queue.removeDeadLetter(letter.entryId());
      }
      return new Outcome(
          Result.REMOVED,
          (dryRun ? "would remove the dead letter: " : "removed the dead letter: ") + why);
    }
  }

  @Command(
      name = "purge",
      mixinStandardHelpOptions = true,
      description = {
        "Deletes every dead letter. Their ledger rows stay as they are (dead or uncertain),",
        "so notifier deliveries still tells what happened."
      })
  static final class Purge extends BaseCommand {
    @Mixin RedisOptions redis;

    @Option(names = "--yes", description = "Really delete; without it nothing is deleted.")
    boolean yes;

    @Override
    public Integer call() {
      try (Services services = new Services(context().clock(), null, redis, "dlq")) {
        long count = services.queue().stats().dead();
        if (!yes) {
          throw new UserException(
              "this would delete " + count + " dead letter(s); run it again with --yes to do so");
        }
        long purged = services.queue().purgeDeadLetters();
        out().printf("deleted %d dead letter(s)%n", purged);
      }
      return 0;
    }
  }

  static String shorten(String text, int max) {
    if (text == null) {
      return null;
    }
    String one = text.replaceAll("\\s+", " ");
    return one.length() > max ? one.substring(0, max - 3) + "..." : one;
  }
}
