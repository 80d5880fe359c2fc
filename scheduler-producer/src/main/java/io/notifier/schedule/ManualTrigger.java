package io.notifier.schedule;

import static io.notifier.db.jooq.Tables.APPOINTMENTS;
import static io.notifier.db.jooq.Tables.USERS;
import static io.notifier.db.jooq.Tables.USER_NOTIFICATION_SETTINGS;
import static io.notifier.db.jooq.Tables.WORKSPACES;

import io.notifier.ledger.Delivery;
import io.notifier.ledger.DeliveryLedger;
import io.notifier.ledger.NewDelivery;
import io.notifier.metrics.NotifierMetrics;
import io.notifier.model.DedupKeys;
import io.notifier.model.NotificationKind;
import io.notifier.queue.RedisJobQueue;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.Record3;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * {@code notifier trigger KIND --user ID [--appointment ID]}: one notification now, for testing and
 * support. It gets its own ledger row with a {@link DedupKeys#manual} key (never colliding with the
 * scheduled one, nor with another trigger), due now, and is queued at once. The consumer treats it
 * like any other job, including its send-time checks: a trigger for a user whose kind is off is
 * recorded as skipped with the reason, which is how support finds out why someone gets nothing.
 */
public final class ManualTrigger {

  private static final Logger LOG = LoggerFactory.getLogger(ManualTrigger.class);
  private static final int DEFAULT_REMINDER_MINUTES = 60;

  /** The row written, and whether Redis took the job (if not, the reconciler queues it). */
  public record Triggered(Delivery delivery, boolean enqueued) {}

  /** A user mistake: unknown id, missing or misplaced appointment. The message says which. */
  public static final class TriggerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TriggerException(String message) {
      super(message);
    }
  }

  private final DSLContext dsl;
  private final DeliveryLedger ledger;
  private final RedisJobQueue queue;
  private final Clock clock;
  private final NotifierMetrics metrics;

  public ManualTrigger(DSLContext dsl, RedisJobQueue queue, Clock clock, NotifierMetrics metrics) {
    this.dsl = Objects.requireNonNull(dsl, "dsl");
    this.ledger = new DeliveryLedger(dsl, clock);
    this.queue = Objects.requireNonNull(queue, "queue");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
  }

  /**
   * Writes and queues one {@code kind} notification for {@code userId}, due now. {@code
   * appointmentId} is required for, and only allowed with, appointment reminders.
   *
   * @throws TriggerException for an unknown user or appointment, or one in another workspace
   */
  public Triggered trigger(NotificationKind kind, UUID userId, UUID appointmentId) {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(userId, "userId");
    Instant now = clock.instant();
    Record3<UUID, String, Integer> user =
        dsl.select(
                USERS.WORKSPACE_ID,
                WORKSPACES.TIMEZONE,
                USER_NOTIFICATION_SETTINGS.REMINDER_MINUTES)
            .from(USERS)
            .join(WORKSPACES)
            .on(WORKSPACES.ID.eq(USERS.WORKSPACE_ID))
            .leftJoin(USER_NOTIFICATION_SETTINGS)
            .on(USER_NOTIFICATION_SETTINGS.USER_ID.eq(USERS.ID))
            .where(USERS.ID.eq(userId))
            .fetchOne();
    if (user == null) {
      throw new TriggerException("no user with id " + userId);
    }
    UUID workspaceId = user.value1();

    LocalDate localDate = null;
    Integer reminderMinutes = null;
    Instant appointmentStart = null;
    if (kind == NotificationKind.APPOINTMENT_REMINDER) {
      if (appointmentId == null) {
        throw new TriggerException(
            "an appointment reminder needs an appointment id (--appointment)");
      }
      Record3<UUID, OffsetDateTime, String> appointment =
          dsl.select(APPOINTMENTS.WORKSPACE_ID, APPOINTMENTS.SCHEDULED_START, APPOINTMENTS.STATUS)
              .from(APPOINTMENTS)
              .where(APPOINTMENTS.ID.eq(appointmentId))
              .fetchOne();
      if (appointment == null) {
        throw new TriggerException("no appointment with id " + appointmentId);
      }
      if (!appointment.value1().equals(workspaceId)) {
        throw new TriggerException(
            "appointment " + appointmentId + " is not in the workspace of user " + userId);
      }
      appointmentStart = appointment.value2().toInstant();
      Integer configured = user.value3();
      // The user's own offset when it is a valid one, so the consumer's checks see no change.
      reminderMinutes =
          configured != null && isAllowedOffset(configured) ? configured : DEFAULT_REMINDER_MINUTES;
    } else {
      if (appointmentId != null) {
        throw new TriggerException(
            "only appointment reminders take an appointment id, not " + kind.code());
      }
      // The recipient's local date today, as a scheduled one would carry.
      localDate = LocalDate.ofInstant(now, ZoneCatalog.parse(user.value2()).orElse(ZoneOffset.UTC));
    }

    NewDelivery row =
        NewDelivery.pending(
            DedupKeys.manual(kind, userId, UUID.randomUUID()),
            kind,
            userId,
            workspaceId,
            appointmentId,
            localDate,
            reminderMinutes,
            appointmentStart,
            now);
    try (MDC.MDCCloseable job = MDC.putCloseable("jobId", row.id().toString());
        MDC.MDCCloseable k = MDC.putCloseable("kind", kind.code());
        MDC.MDCCloseable u = MDC.putCloseable("userId", userId.toString());
        MDC.MDCCloseable a = MDC.putCloseable("attempt", "1")) {
      Delivery delivery = ledger.insertNew(dsl, List.of(row)).get(0);
      boolean enqueued;
      try {
        queue.enqueue(List.of(delivery.toJob()));
        ledger.markEnqueued(List.of(delivery.id()));
        metrics.enqueued(kind, 1);
        enqueued = true;
      } catch (RuntimeException e) {
        LOG.warn(
            "manual trigger written to the ledger but not queued ({}); the reconciler will queue it",
            e.toString());
        enqueued = false;
      }
      LOG.info(
          "manual trigger: {} for user {}{} queued={}",
          kind.code(),
          userId,
          appointmentId == null ? "" : " appointment " + appointmentId,
          enqueued);
      return new Triggered(ledger.find(delivery.id()).orElse(delivery), enqueued);
    }
  }

  private static boolean isAllowedOffset(int minutes) {
    for (int allowed : DueResolver.REMINDER_MINUTES) {
      if (allowed == minutes) {
        return true;
      }
    }
    return false;
  }
}
