package io.notifier.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;

/**
 * The resolver's statement is built and rendered once per shape; each tick binds only its own
 * values. (That the statements resolve the right rows is what the other producer tests check,
 * against PostgreSQL, tick after tick through one resolver.)
 */
class ResolverStatementTest {

  private static final DSLContext DSL_CONTEXT = DSL.using(SQLDialect.POSTGRES);
  private static final ZoneCatalog ZONES =
      new ZoneCatalog(
          Map.of(
              "Europe/Berlin", ZoneId.of("Europe/Berlin"),
              "Asia/Kolkata", ZoneId.of("Asia/Kolkata"),
              "", ZoneOffset.UTC),
          Set.of());

  private final DueResolver resolver = new DueResolver(StalenessRules.DEFAULTS);

  @Test
  void twoTicksOfOneShapeShareTheTextAndEachBindsItsOwnValues() {
    Instant first = Instant.parse("2030-03-31T00:59:00Z"); // Berlin's spring-forward hour
    Instant second = Instant.parse("2030-07-01T06:29:00Z");
    OffsetDateTime lateSince = OffsetDateTime.parse("2030-03-31T00:50:00Z");

    var a = wallClock(first);
    var b = wallClock(second);
    var c = reminders(first, lateSince);
    var d = reminders(second, lateSince.plusMonths(3));

    assertThat(b.getSQL()).isEqualTo(a.getSQL());
    assertThat(d.getSQL()).isEqualTo(c.getSQL());
    assertThat(c.getSQL()).isNotEqualTo(a.getSQL());
    assertThat(describe(b.getBindValues()))
        .contains(ts(second.plusSeconds(60)), "06:30", "12:00") // UTC, and Kolkata (+05:30)
        .doesNotContain(ts(first.plusSeconds(60)));
    assertThat(describe(d.getBindValues()))
        .contains(ts(second.plusSeconds(60).plus(Duration.ofMinutes(15))))
        .contains(ts(lateSince.plusMonths(3).toInstant()))
        .doesNotContain(ts(first.plusSeconds(60).plus(Duration.ofMinutes(15))))
        .doesNotContain(ts(lateSince.toInstant()));
  }

  @Test
  void withoutLateRemindersTheStatementHasNoChangeTrackingScan() {
    Instant now = Instant.parse("2030-07-01T06:29:00Z");
    var withLate = reminders(now, OffsetDateTime.parse("2030-07-01T06:20:00Z"));
    var withoutLate = reminders(now, null);

    assertThat(withLate.getSQL()).contains("\"updated_at\" >=");
    assertThat(withoutLate.getSQL()).doesNotContain("updated_at");
  }

  @Test
  void aWindowWithoutSlotsHasNoWallClockStatement() {
    var catalog = new ZoneCatalog(Map.of("", ZoneOffset.UTC), Set.of());
    Instant from = Instant.parse("2030-07-01T06:29:30Z");
    Instant to = Instant.parse("2030-07-01T06:29:45Z"); // no whole minute inside

    assertThat(
            resolver.query(
                DSL_CONTEXT,
                catalog.groups(from, to),
                from,
                to,
                from,
                null,
                DueResolver.Part.WALL_CLOCK))
        .isNull();
  }

  private org.jooq.ResultQuery<org.jooq.Record> wallClock(Instant now) {
    Instant from = now;
    Instant to = now.plusSeconds(60);
    return resolver.query(
        DSL_CONTEXT, ZONES.groups(from, to), from, to, now, null, DueResolver.Part.WALL_CLOCK);
  }

  private org.jooq.ResultQuery<org.jooq.Record> reminders(Instant now, OffsetDateTime lateSince) {
    return resolver.query(
        DSL_CONTEXT,
        List.of(),
        now,
        now.plusSeconds(60),
        now,
        lateSince,
        DueResolver.Part.APPOINTMENT_REMINDERS);
  }

  /** Every bind value as text, arrays element by element. */
  private static List<String> describe(List<Object> values) {
    return values.stream()
        .flatMap(
            v ->
                v instanceof Object[] array
                    ? Arrays.stream(array).map(ResolverStatementTest::text)
                    : java.util.stream.Stream.of(text(v)))
        .toList();
  }

  private static String text(Object value) {
    return value instanceof OffsetDateTime t ? ts(t.toInstant()) : String.valueOf(value);
  }

  private static String ts(Instant instant) {
    return instant.toString();
  }
}
