package io.notifier.schedule;

import static io.notifier.db.jooq.Tables.WORKSPACES;

import io.notifier.metrics.NotifierMetrics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The distinct workspace time zones in use, re-read when older than the TTL (by the injected
 * clock). A zone that appears between two refreshes (a new workspace, a changed zone) is added at
 * once by {@link #addKeys} from what the tick's schedule-index sync saw, so nobody waits for the
 * TTL.
 *
 * <p>An invalid name is read as UTC, logged once per zone per refresh (WARN, with workspace ids)
 * and counted ({@link NotifierMetrics#invalidTimezone}).
 */
final class ZoneCache {

  private static final Logger LOG = LoggerFactory.getLogger(ZoneCache.class);
  private static final int LOGGED_WORKSPACE_IDS = 20;

  private final Clock clock;
  private final Duration ttl;
  private final NotifierMetrics metrics;

  private ZoneCatalog catalog = ZoneCatalog.EMPTY; // guarded by this
  private Instant loadedAt; // guarded by this

  ZoneCache(Clock clock, Duration ttl, NotifierMetrics metrics) {
    this.clock = clock;
    this.ttl = ttl;
    this.metrics = metrics;
  }

  /** Workspaces that can receive anything: active, status active, not deleted. */
  static Condition workspaceIsLive() {
    return WORKSPACES
        .IS_ACTIVE
        .isTrue()
        .and(WORKSPACES.STATUS.eq("active"))
        .and(WORKSPACES.DELETED_AT.isNull());
  }

  /** The catalog, refreshed first when it is older than the TTL (or was never loaded). */
  synchronized ZoneCatalog current(DSLContext dsl) {
    Instant now = clock.instant();
    if (loadedAt == null || !now.isBefore(loadedAt.plus(ttl)) || now.isBefore(loadedAt)) {
      refresh(dsl, now);
    }
    return catalog;
  }

  /** Adds keys not in the catalog yet (a new zone seen by the schedule-index sync). */
  synchronized ZoneCatalog addKeys(DSLContext dsl, Collection<String> keys) {
    for (String key : new HashSet<>(keys)) {
      if (catalog.contains(key)) {
        continue;
      }
      if (key.equals(ZoneCatalog.NULL_KEY)) {
        // NULL or empty; the next refresh tells which (and warns for an empty name).
        catalog = catalog.with(key, ZoneOffset.UTC, false);
        continue;
      }
      Optional<ZoneId> zone = ZoneCatalog.parse(key);
      if (zone.isEmpty()) {
        warnInvalid(dsl, key);
      }
      catalog = catalog.with(key, zone.orElse(ZoneOffset.UTC), zone.isEmpty());
      LOG.info("time zone '{}' came into use; added before the next refresh", printable(key));
    }
    return catalog;
  }

  private void refresh(DSLContext dsl, Instant now) {
    List<String> stored =
        dsl.selectDistinct(WORKSPACES.TIMEZONE)
            .from(WORKSPACES)
            .where(workspaceIsLive())
            .fetch(WORKSPACES.TIMEZONE);
    Map<String, ZoneId> zones = new HashMap<>();
    Set<String> invalid = new HashSet<>();
    for (String value : stored) {
      String key = ZoneCatalog.keyOf(value);
      Optional<ZoneId> zone = ZoneCatalog.parse(value);
      if (zone.isEmpty()) {
        invalid.add(key);
      }
      zones.merge(key, zone.orElse(ZoneOffset.UTC), (a, b) -> a);
    }
    for (String key : invalid) {
      warnInvalid(dsl, key);
    }
    catalog = new ZoneCatalog(zones, invalid);
    loadedAt = now;
    LOG.debug("time zones in use: {} ({} invalid)", zones.size(), invalid.size());
  }

  private void warnInvalid(DSLContext dsl, String key) {
    metrics.invalidTimezone();
    List<UUID> ids =
        dsl.select(WORKSPACES.ID)
            .from(WORKSPACES)
            .where(WORKSPACES.TIMEZONE.eq(key))
            .and(workspaceIsLive())
            .orderBy(WORKSPACES.ID)
            .limit(LOGGED_WORKSPACE_IDS)
            .fetch(WORKSPACES.ID);
    LOG.warn(
        "workspace time zone '{}' is not a valid IANA zone name: their notifications use UTC"
            + " until it is fixed; workspaces {}{}",
        printable(key),
        ids,
        ids.size() == LOGGED_WORKSPACE_IDS ? " and more" : "");
  }

  /** A stored zone value made safe for one log line. */
  static String printable(String value) {
    String oneLine = value.replaceAll("\\p{Cntrl}", "?");
    return oneLine.length() > 100 ? oneLine.substring(0, 100) + "..." : oneLine;
  }
}
