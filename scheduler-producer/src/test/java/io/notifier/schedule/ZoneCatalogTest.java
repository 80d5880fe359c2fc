package io.notifier.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Reading stored zone names, and grouping zones by what fires in a window. */
class ZoneCatalogTest {

  @Test
  void storedValuesAreReadAsNullUtcAValidZoneOrInvalid() {
    assertThat(ZoneCatalog.parse(null)).contains(ZoneOffset.UTC);
    assertThat(ZoneCatalog.parse("Asia/Kathmandu")).contains(ZoneId.of("Asia/Kathmandu"));
    assertThat(ZoneCatalog.parse("")).isEmpty();
    assertThat(ZoneCatalog.parse("Asia/Jerusalen")).isEmpty();
    assertThat(ZoneCatalog.parse("asia/jerusalem")).isEmpty(); // names are case-sensitive
    assertThat(ZoneCatalog.keyOf(null)).isEqualTo(ZoneCatalog.NULL_KEY);
  }

  @Test
  void zonesWithTheSameMappingInAWindowShareAGroupAndOthersDoNot() {
    ZoneCatalog catalog =
        new ZoneCatalog(
            Map.of(
                "America/New_York", ZoneId.of("America/New_York"),
                "America/Toronto", ZoneId.of("America/Toronto"),
                "Asia/Kolkata", ZoneId.of("Asia/Kolkata"),
                "Asia/Kathmandu", ZoneId.of("Asia/Kathmandu"),
                "", ZoneOffset.UTC,
                "Not/AZone", ZoneOffset.UTC,
                "UTC", ZoneId.of("UTC")),
            Set.of("Not/AZone"));
    Instant from = Instant.parse("2027-01-11T07:59:00Z");

    List<ZoneGroup> groups = catalog.groups(from, from.plusSeconds(60));

    assertThat(groups).hasSize(4);
    assertThat(groups)
        .anySatisfy(
            g ->
                assertThat(g.zoneKeys())
                    .containsExactlyInAnyOrder("America/New_York", "America/Toronto"))
        .anySatisfy(g -> assertThat(g.zoneKeys()).containsExactly("Asia/Kolkata"))
        .anySatisfy(g -> assertThat(g.zoneKeys()).containsExactly("Asia/Kathmandu"))
        // UTC read through three spellings, an invalid name among them: one group.
        .anySatisfy(
            g -> assertThat(g.zoneKeys()).containsExactlyInAnyOrder("", "Not/AZone", "UTC"));
    assertThat(groups)
        .allSatisfy(g -> assertThat(g.slots()).singleElement())
        .allSatisfy(g -> assertThat(g.slots().get(0).due()).isEqualTo(from.plusSeconds(60)));
  }

  @Test
  void onTheDayNewYorkSpringsForwardItsGroupSplitsFromToronto() {
    // Toronto changes at the same instant as New York, so they still agree; Panama, at the same
    // offset all winter, never changes and parts company.
    ZoneCatalog catalog =
        new ZoneCatalog(
            Map.of(
                "America/New_York", ZoneId.of("America/New_York"),
                "America/Toronto", ZoneId.of("America/Toronto"),
                "America/Panama", ZoneId.of("America/Panama")),
            Set.of());
    Instant from = Instant.parse("2027-03-14T06:59:00Z");

    List<ZoneGroup> groups = catalog.groups(from, from.plusSeconds(60));

    // New York and Toronto fire the whole gap (61 slots); Panama, always -05:00, fires 02:00.
    assertThat(groups).hasSize(2);
    assertThat(groups)
        .anySatisfy(
            g -> {
              assertThat(g.zoneKeys())
                  .containsExactlyInAnyOrder("America/New_York", "America/Toronto");
              assertThat(g.slots()).hasSize(61);
            })
        .anySatisfy(
            g -> {
              assertThat(g.zoneKeys()).containsExactly("America/Panama");
              assertThat(g.slots())
                  .singleElement()
                  .satisfies(s -> assertThat(s.hhmm()).isEqualTo("02:00"));
            });
  }
}
