package io.notifier.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time (user + system) of the processes sharing the machine in a run, read from Linux's {@code
 * /proc}: what each of them spends per email says which one limits the burst, since they all share
 * the same cores. Elsewhere (no {@code /proc}) every reading is empty and no figure is printed.
 */
final class CpuTime {

  /** USER_HZ: the unit of /proc/PID/stat's times on every Linux architecture the JDK runs on. */
  private static final double TICKS_PER_SECOND = 100.0;

  /** Seconds of CPU per process id, by group, at one instant. */
  record Snapshot(Map<String, Map<Long, Double>> groups) {

    /**
     * Seconds each group used since {@code earlier}. A process that started in between counts
     * whole; one that ended in between is lost (a short-lived database connection of the harness's
     * own).
     */
    Map<String, Double> since(Snapshot earlier) {
      Map<String, Double> out = new LinkedHashMap<>();
      groups.forEach(
          (group, now) -> {
            Map<Long, Double> before = earlier.groups.getOrDefault(group, Map.of());
            double used = 0;
            for (Map.Entry<Long, Double> e : now.entrySet()) {
              used += e.getValue() - before.getOrDefault(e.getKey(), 0.0);
            }
            out.put(group, used);
          });
      return out;
    }
  }

  private CpuTime() {}

  /** The consumers, the sink, and every PostgreSQL and Redis server process on the machine. */
  static Snapshot take(Collection<Long> consumers, long sink) {
    Map<String, Map<Long, Double>> groups = new LinkedHashMap<>();
    groups.put("consumer", of(consumers));
    groups.put("postgres", of(named("postgres")));
    groups.put("redis", of(named("redis-server")));
    groups.put("sink", of(List.of(sink)));
    return new Snapshot(groups);
  }

  private static Map<Long, Double> of(Collection<Long> pids) {
    Map<Long, Double> out = new HashMap<>();
    for (long pid : pids) {
      double s = seconds(pid);
      if (!Double.isNaN(s)) {
        out.put(pid, s);
      }
    }
    return out;
  }

  /** utime + stime of one process, in seconds; NaN when it is gone or /proc is not there. */
  static double seconds(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // The command name (field 2) is in parentheses and may hold spaces: count after it.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  private static List<Long> named(String comm) {
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      return procs
          .filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
          .filter(p -> comm.equals(readComm(p)))
          .map(p -> Long.parseLong(p.getFileName().toString()))
          .toList();
    } catch (IOException | RuntimeException e) {
      return List.of();
    }
  }

  private static String readComm(Path proc) {
    try {
      return Files.readString(proc.resolve("comm")).strip();
    } catch (IOException e) {
      return "";
    }
  }
}
