package io.notifier.bench;

import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The time zones of the generated workspaces: every IANA region zone the JDK knows (over 400),
 * weighted like a practice app's real customers. A head of large zones carries most users, in
 * proportion to where English-, Hebrew- and European-language therapists live; every other region
 * zone gets a long Zipf-like tail, so that the producer meets hundreds of zones, half-hour and
 * 45-minute offsets and both hemispheres' DST, as it would in production.
 */
final class ZoneWeights {

  /** Region zones only: no Etc/GMT+5, SystemV or three-letter legacy aliases. */
  private static final Pattern REGION =
      Pattern.compile(
          "^(Africa|America|Asia|Atlantic|Australia|Europe|Indian|Pacific)/[A-Za-z_/-]+$");

  /** Share of users (percent) in the head zones; the tail shares what is left. */
  private static final Map<String, Double> HEAD = new LinkedHashMap<>();

  static {
    HEAD.put("America/New_York", 17.0);
    HEAD.put("America/Chicago", 8.0);
    HEAD.put("America/Los_Angeles", 7.0);
    HEAD.put("America/Denver", 2.0);
    HEAD.put("America/Phoenix", 1.0);
    HEAD.put("America/Toronto", 2.5);
    HEAD.put("America/Vancouver", 1.0);
    HEAD.put("America/Sao_Paulo", 2.5);
    HEAD.put("America/Mexico_City", 1.5);
    HEAD.put("America/Argentina/Buenos_Aires", 1.0);
    HEAD.put("Europe/London", 7.0);
    HEAD.put("Europe/Berlin", 4.0);
    HEAD.put("Europe/Paris", 3.5);
    HEAD.put("Europe/Madrid", 2.0);
    HEAD.put("Europe/Rome", 2.0);
    HEAD.put("Europe/Amsterdam", 1.5);
    HEAD.put("Europe/Warsaw", 1.0);
    HEAD.put("Europe/Stockholm", 0.8);
    HEAD.put("Europe/Dublin", 0.8);
    HEAD.put("Europe/Athens", 0.6);
    HEAD.put("Europe/Kyiv", 0.5);
    HEAD.put("Asia/Jerusalem", 8.0);
    HEAD.put("Asia/Kolkata", 2.0);
    HEAD.put("Asia/Dubai", 0.8);
    HEAD.put("Asia/Singapore", 0.8);
    HEAD.put("Asia/Tokyo", 0.8);
    HEAD.put("Asia/Kathmandu", 0.2);
    HEAD.put("Australia/Sydney", 2.5);
    HEAD.put("Australia/Melbourne", 1.5);
    HEAD.put("Australia/Brisbane", 0.6);
    HEAD.put("Australia/Perth", 0.5);
    HEAD.put("Australia/Adelaide", 0.3);
    HEAD.put("Australia/Lord_Howe", 0.05);
    HEAD.put("Pacific/Auckland", 1.0);
    HEAD.put("Africa/Johannesburg", 0.8);
    HEAD.put("Pacific/Kiritimati", 0.05);
    HEAD.put("Pacific/Pago_Pago", 0.05);
  }

  private final String[] zones;
  private final double[] cumulative;

  private ZoneWeights(String[] zones, double[] cumulative) {
    this.zones = zones;
    this.cumulative = cumulative;
  }

  static ZoneWeights standard() {
    TreeSet<String> tail = new TreeSet<>();
    for (String id : ZoneId.getAvailableZoneIds()) {
      if (REGION.matcher(id).matches() && !HEAD.containsKey(id)) {
        tail.add(id);
      }
    }
    double headTotal = HEAD.values().stream().mapToDouble(Double::doubleValue).sum();
    double tailShare = Math.max(0, 100.0 - headTotal);
    List<String> names = new ArrayList<>(HEAD.keySet());
    List<Double> weights = new ArrayList<>(HEAD.values());
    // Zipf-like over a fixed (alphabetical, so reproducible) order of the tail.
    double[] raw = new double[tail.size()];
    double rawTotal = 0;
    int rank = 0;
    for (String id : tail) {
      raw[rank] = 1.0 / (rank + 20);
      rawTotal += raw[rank];
      rank++;
    }
    rank = 0;
    for (String id : tail) {
      names.add(id);
      weights.add(tailShare * raw[rank++] / rawTotal);
    }
    double[] cumulative = new double[names.size()];
    double sum = 0;
    for (int i = 0; i < names.size(); i++) {
      sum += weights.get(i);
      cumulative[i] = sum;
    }
    for (int i = 0; i < cumulative.length; i++) {
      cumulative[i] /= sum;
    }
    return new ZoneWeights(names.toArray(String[]::new), cumulative);
  }

  int size() {
    return zones.length;
  }

  String pick(SplittableRandom random) {
    double u = random.nextDouble();
    int lo = 0;
    int hi = cumulative.length - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (cumulative[mid] < u) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return zones[lo];
  }
}
