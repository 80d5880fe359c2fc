package io.notifier.schedule;

import io.notifier.ledger.Delivery;
import io.notifier.ledger.DeliveryLedger;
import io.notifier.metrics.NotifierMetrics;
import io.notifier.model.NotificationJob;
import io.notifier.queue.RedisJobQueue;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts back on the queue every unfinished ledger row that should be there by now + look-ahead but
 * that Redis does not hold: after a Redis restart or flush, a failed enqueue after a commit, a
 * producer that died between the two. Pages through the ledger's partial index of unfinished rows,
 * so its cost follows the rows in flight, never the history. Re-queueing a row a consumer is about
 * to finish is harmless: the ledger's conditional claim lets only one send happen.
 */
final class Reconciler {

  private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);

  private final DeliveryLedger ledger;
  private final RedisJobQueue queue;
  private final Clock clock;
  private final Duration lookAhead;
  private final int pageSize;
  private final NotifierMetrics metrics;

  Reconciler(
      DeliveryLedger ledger,
      RedisJobQueue queue,
      Clock clock,
      Duration lookAhead,
      int pageSize,
      NotifierMetrics metrics) {
    this.ledger = ledger;
    this.queue = queue;
    this.clock = clock;
    this.lookAhead = lookAhead;
    this.pageSize = pageSize;
    this.metrics = metrics;
  }

  /** One pass. Returns how many jobs it put back. */
  int run() {
    Instant readyBy = clock.instant().plus(lookAhead);
    Instant afterReadyAt = null;
    UUID afterId = null;
    int checked = 0;
    int restored = 0;
    while (true) {
      List<Delivery> page = ledger.unfinished(readyBy, afterReadyAt, afterId, pageSize);
      if (page.isEmpty()) {
        break;
      }
      checked += page.size();
      List<UUID> ids = new ArrayList<>(page.size());
      page.forEach(d -> ids.add(d.id()));
      Set<UUID> missing = queue.missing(ids);
      if (!missing.isEmpty()) {
        List<NotificationJob> jobs = new ArrayList<>(missing.size());
        for (Delivery delivery : page) {
          if (missing.contains(delivery.id())) {
            jobs.add(delivery.toJob());
          }
        }
        restored += queue.enqueue(jobs);
        ledger.markEnqueued(missing);
      }
      Delivery last = page.get(page.size() - 1);
      afterReadyAt = last.nextAttemptAt();
      afterId = last.id();
      if (page.size() < pageSize) {
        break;
      }
    }
    if (restored > 0) {
      metrics.reconciled(restored);
      LOG.warn(
          "reconciler put {} jobs back on the queue that Redis did not hold ({} unfinished checked)",
          restored,
          checked);
    } else {
      LOG.debug("reconciler: all {} unfinished ledger rows are queued", checked);
    }
    return restored;
  }
}
