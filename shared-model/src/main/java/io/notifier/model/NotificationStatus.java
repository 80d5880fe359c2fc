package io.notifier.model;

import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where one logical notification stands. {@link #TRANSITIONS} is the one table of allowed moves;
 * the ledger turns it into the {@code WHERE status IN (...)} of every update, so no code path can
 * move a row any other way.
 */
public enum NotificationStatus {
  /** In the ledger and (once the insert committed) on the queue, waiting for its due instant. */
  PENDING("pending"),
  /** Claimed by one consumer under a lease; it is rendering or talking to the SMTP server. */
  SENDING("sending"),
  /** Accepted by the SMTP server. Terminal. */
  SENT("sent"),
  /** A transient failure; back on the delayed queue for {@code next_attempt_at}. */
  RETRY_WAIT("retry_wait"),
  /**
   * Permanent failure or attempts exhausted; on the dead-letter stream. Replay makes it pending.
   */
  DEAD("dead"),
  /**
   * Deliberately not sent (stale, cancelled, disabled, nothing to say), with a reason. Terminal.
   */
  SKIPPED("skipped"),
  /**
   * The SMTP server may or may not have the message (a timeout after the data was sent). Not
   * retried blindly; an operator decides, and replay makes it pending.
   */
  UNCERTAIN("uncertain");

  private static final Map<NotificationStatus, Set<NotificationStatus>> TRANSITIONS;

  static {
    Map<NotificationStatus, Set<NotificationStatus>> t = new EnumMap<>(NotificationStatus.class);
    t.put(PENDING, EnumSet.of(SENDING, SKIPPED, DEAD));
    // SENDING -> SENDING: a lease that ran out is taken over by another consumer.
    t.put(SENDING, EnumSet.of(SENDING, SENT, RETRY_WAIT, DEAD, SKIPPED, UNCERTAIN));
    t.put(RETRY_WAIT, EnumSet.of(SENDING, SKIPPED, DEAD));
    t.put(DEAD, EnumSet.of(PENDING));
    t.put(UNCERTAIN, EnumSet.of(PENDING));
    t.put(SENT, EnumSet.noneOf(NotificationStatus.class));
    t.put(SKIPPED, EnumSet.noneOf(NotificationStatus.class));
    Map<NotificationStatus, Set<NotificationStatus>> frozen =
        new EnumMap<>(NotificationStatus.class);
    t.forEach((from, to) -> frozen.put(from, Collections.unmodifiableSet(to)));
    TRANSITIONS = Collections.unmodifiableMap(frozen);
  }

  private final String code;

  NotificationStatus(String code) {
    this.code = code;
  }

  public String code() {
    return code;
  }

  public boolean canMoveTo(NotificationStatus target) {
    return TRANSITIONS.get(this).contains(target);
  }

  public Set<NotificationStatus> successors() {
    return TRANSITIONS.get(this);
  }

  /** Every status from which {@code target} may be reached. */
  public static Set<NotificationStatus> sourcesOf(NotificationStatus target) {
    EnumSet<NotificationStatus> sources = EnumSet.noneOf(NotificationStatus.class);
    TRANSITIONS.forEach(
        (from, to) -> {
          if (to.contains(target)) {
            sources.add(from);
          }
        });
    return Collections.unmodifiableSet(sources);
  }

  public boolean isTerminal() {
    return TRANSITIONS.get(this).isEmpty();
  }

  public static Optional<NotificationStatus> fromCode(String code) {
    return Arrays.stream(values()).filter(s -> s.code.equals(code)).findFirst();
  }

  public static Optional<NotificationStatus> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    return fromCode(text.trim().toLowerCase(java.util.Locale.ROOT).replace('-', '_'));
  }

  /** Thrown when code asks for a move the table does not allow. */
  public static final class IllegalTransitionException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public IllegalTransitionException(NotificationStatus from, NotificationStatus to) {
      super("a notification cannot move from " + from.code + " to " + to.code);
    }
  }

  /** Checks one move against the table. */
  public static void requireTransition(NotificationStatus from, NotificationStatus to) {
    if (!from.canMoveTo(to)) {
      throw new IllegalTransitionException(from, to);
    }
  }
}
