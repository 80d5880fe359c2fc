package io.notifier.reliability;

import static io.notifier.db.jooq.Tables.NOTIFIER_DELIVERIES;

import io.notifier.mail.MessageIds;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.jooq.DSLContext;

/**
 * Compares what an SMTP server received with what the oracle expects, by deterministic Message-ID
 * (derived from the dedup key): every expected email arrived, to its user, nothing else arrived,
 * and nothing arrived twice unless the ledger flagged it as a possible duplicate (the one window
 * at-least-once delivery leaves; docs/RELIABILITY.md).
 */
final class Expectations {

  /** What arrived, by dedup key: those that came more than once, and the ledger's flag. */
  record Outcome(int received, Map<String, Integer> duplicates, Set<String> flaggedDuplicates) {}

  private Expectations() {}

  static Outcome assertExactlyOnce(
      Map<String, Population.Expected> expected, Mailbox mailbox, DSLContext dsl) {
    Map<String, Population.Expected> byMessageId = new LinkedHashMap<>();
    for (Population.Expected e : expected.values()) {
      byMessageId.put(MessageIds.forDedupKey(e.dedupKey(), Deployment.MAIL_DOMAIN), e);
    }
    List<Mailbox.Received> received = mailbox.received();
    Map<String, Integer> counts = new TreeMap<>();
    List<String> wrongRecipient = new ArrayList<>();
    List<String> unexpected = new ArrayList<>();
    for (Mailbox.Received r : received) {
      Population.Expected e = byMessageId.get(r.messageId());
      if (e == null) {
        unexpected.add(describeUnknown(dsl, r.messageId()));
        continue;
      }
      counts.merge(e.dedupKey(), 1, Integer::sum);
      if (!e.email().toLowerCase(Locale.ROOT).equals(r.recipient().toLowerCase(Locale.ROOT))) {
        wrongRecipient.add(e.dedupKey());
      }
    }
    List<String> missing =
        expected.values().stream()
            .filter(e -> !counts.containsKey(e.dedupKey()))
            .map(e -> e.dedupKey() + " due " + e.due() + " " + ledgerLine(dsl, e.dedupKey()))
            .toList();
    Map<String, Integer> duplicates =
        counts.entrySet().stream()
            .filter(c -> c.getValue() > 1)
            .collect(
                Collectors.toMap(
                    Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, TreeMap::new));
    Set<String> flagged = flagged(dsl, duplicates.keySet());
    List<String> unflaggedDuplicates =
        duplicates.keySet().stream().filter(k -> !flagged.contains(k)).toList();
    StringBuilder problems = new StringBuilder();
    section(problems, "missing (expected, never received)", missing);
    section(problems, "received but not expected", unexpected);
    section(
        problems, "received more than once without a possible_duplicate flag", unflaggedDuplicates);
    section(problems, "sent to the wrong address", wrongRecipient);
    if (!problems.isEmpty()) {
      throw new AssertionError(
          "of "
              + expected.size()
              + " expected emails, "
              + received.size()
              + " received:"
              + problems);
    }
    return new Outcome(received.size(), duplicates, flagged);
  }

  private static void section(StringBuilder out, String title, Collection<String> items) {
    if (items.isEmpty()) {
      return;
    }
    out.append("\n  ").append(items.size()).append(' ').append(title).append(':');
    items.stream().limit(25).forEach(i -> out.append("\n    ").append(i));
    if (items.size() > 25) {
      out.append("\n    ...");
    }
  }

  private static Set<String> flagged(DSLContext dsl, Collection<String> keys) {
    var d = NOTIFIER_DELIVERIES;
    return dsl.select(d.DEDUP_KEY)
        .from(d)
        .where(d.DEDUP_KEY.in(keys))
        .and(d.POSSIBLE_DUPLICATE.isTrue())
        .fetchSet(d.DEDUP_KEY);
  }

  private static String ledgerLine(DSLContext dsl, String dedupKey) {
    var d = NOTIFIER_DELIVERIES;
    var row = dsl.selectFrom(d).where(d.DEDUP_KEY.eq(dedupKey)).fetchOne();
    return row == null
        ? "(no ledger row)"
        : "(ledger: "
            + row.getStatus()
            + ", attempts "
            + row.getAttempts()
            + (row.getSkipReason() == null ? "" : ", skip " + row.getSkipReason())
            + (row.getLastError() == null ? "" : ", error " + row.getLastError())
            + ")";
  }

  private static String describeUnknown(DSLContext dsl, String messageId) {
    var d = NOTIFIER_DELIVERIES;
    var row = dsl.selectFrom(d).where(d.MESSAGE_ID.eq(messageId)).fetchOne();
    return messageId
        + (row == null ? " (no ledger row)" : " = " + row.getDedupKey() + " due " + row.getDueAt());
  }
}
