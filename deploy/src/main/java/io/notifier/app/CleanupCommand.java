package io.notifier.app;

import io.notifier.metrics.NotifierMetrics;
import io.notifier.ops.cleanup.LedgerCleanup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "cleanup",
    mixinStandardHelpOptions = true,
    description = {
      "Deletes finished ledger rows (sent, skipped, dead, uncertain) due longer ago than the",
      "retention, now, in small batches. The producer's leader runs this weekly by itself."
    })
final class CleanupCommand extends BaseCommand {

  @Mixin DatabaseOptions database;
  @Mixin CleanupOptions cleanup;

  @Option(names = "--dry-run", description = "Only count what would be deleted.")
  boolean dryRun;

  @Override
  public Integer call() {
    try (Services services = new Services(context().clock(), database, null, "cleanup")) {
      LedgerCleanup job =
          new LedgerCleanup(
              services.ledger(), cleanup.config(), context().clock(), NotifierMetrics.NOOP);
      if (dryRun) {
        LedgerCleanup.Result result = job.dryRun();
        out()
            .printf(
                "dry run: %d finished row(s) due before %s would be deleted%n",
                result.rows(), result.cutoff());
      } else {
        LedgerCleanup.Result result = job.run(() -> true);
        out()
            .printf(
                "deleted %d finished row(s) due before %s in %d batch(es)%n",
                result.rows(), result.cutoff(), result.batches());
      }
    }
    return 0;
  }
}
