package io.notifier.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.notifier.db.fixtures.Fixtures;
import io.notifier.testing.RealServicesTest;
import io.notifier.testing.TestDatabase;
import io.notifier.testing.TestSmtp;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A compressed day (or, with {@code -Dnotifier.soak=long}, three days of four times the users in
 * finer steps) of load through a producer and two consumers, sampling every simulated hour the heap
 * of each process after a full GC ({@code jcmd GC.run}, then {@code /metrics}) and the connections
 * each holds open (PostgreSQL's pg_stat_activity by application name, Redis's CLIENT LIST on a
 * Redis of its own). Fails on growth beyond noise after warm-up, and on any lost or repeated email.
 * The samples are written to target/reliability/soak/samples.csv.
 */
@RealServicesTest
@Tag("reliability")
@Tag("soak")
class SoakTest {

  static final Instant START = Instant.parse("2027-03-16T00:05:00Z");

  /** Heap after GC may wander this much (bytes) or this fraction, whichever is larger. */
  static final long HEAP_NOISE_BYTES = 12L * 1024 * 1024;

  static final double HEAP_NOISE_FRACTION = 0.25;

  /** One process's heap after GC, and the open connections of its role (producer, consumers). */
  record Sample(
      Instant at,
      String process,
      long heapAfterGc,
      int databaseConnections,
      int redisConnections) {}

  @Test
  void aCompressedDayOfLoadGrowsNeitherHeapNorConnections(TestDatabase db, TestSmtp smtp)
      throws Exception {
    boolean longRun = "long".equals(System.getProperty("notifier.soak"));
    int days = longRun ? 3 : 1;
    Duration step = Duration.ofMinutes(longRun ? 5 : 15);
    Instant end = START.plus(Duration.ofDays(days));
    Population population = new Population(new Fixtures(db.dsl()));
    population.generate(
        777L,
        List.of(
            "America/New_York",
            "Europe/London",
            "Asia/Jerusalem",
            "Asia/Kolkata",
            "Australia/Lord_Howe",
            "UTC"),
        longRun ? 20 : 5,
        5,
        START,
        end);
    population.establish();
    List<Sample> samples = new ArrayList<>();

    try (DedicatedRedis redis = new DedicatedRedis();
        Deployment d =
            new Deployment("soak", db, "127.0.0.1", redis.port(), "soak", smtp.port(), START)) {
      List<NotifierProcess> processes =
          List.of(d.producer("producer"), d.consumer("consumer-a"), d.consumer("consumer-b"));
      d.awaitStarted(processes.toArray(NotifierProcess[]::new));
      d.settle(START, Duration.ofSeconds(90));
      int stepsPerHour = (int) (Duration.ofHours(1).toMinutes() / step.toMinutes());
      int n = 0;
      for (Instant t = START.plus(step); !t.isAfter(end); t = t.plus(step)) {
        d.stepTo(t);
        if (++n % stepsPerHour == 0) {
          for (NotifierProcess p : processes) {
            samples.add(sample(d, redis, p, t));
          }
        }
      }
      writeCsv(d.dir.resolve("samples.csv"), samples);

      Expectations.Outcome outcome =
          Expectations.assertExactlyOnce(
              population.expected(START.minusSeconds(60), end), Mailbox.of(smtp), db.dsl());
      assertThat(outcome.duplicates()).isEmpty();
      assertThat(outcome.received()).isGreaterThan(longRun ? 2_000 : 100);

      for (NotifierProcess p : processes) {
        List<Sample> mine = samples.stream().filter(s -> s.process().equals(p.name)).toList();
        // Warm-up: the first three simulated hours (classes, pools, caches, JIT).
        List<Sample> settled = mine.subList(3, mine.size());
        long baseline =
            median(settled.subList(0, 3).stream().mapToLong(Sample::heapAfterGc).toArray());
        long last =
            median(
                settled.subList(settled.size() - 3, settled.size()).stream()
                    .mapToLong(Sample::heapAfterGc)
                    .toArray());
        long allowed = Math.max(HEAP_NOISE_BYTES, (long) (baseline * HEAP_NOISE_FRACTION));
        assertThat(last - baseline)
            .as(
                "%s heap after GC: %d MB then %d MB (samples in %s)",
                p.name, baseline >> 20, last >> 20, d.dir)
            .isLessThanOrEqualTo(allowed);
        // PostgreSQL: pools fill up to their maximum (4 per process) and never beyond; Redis:
        // Redisson's pools are opened at start and stay as they are.
        int processesOfRole = p.name.startsWith("producer") ? 1 : 2;
        int redisBase = settled.get(0).redisConnections();
        assertThat(settled)
            .as("%s connections stay bounded and flat", p.name)
            .allSatisfy(
                s -> {
                  assertThat(s.databaseConnections()).isBetween(1, 4 * processesOfRole);
                  assertThat(s.redisConnections()).isBetween(1, redisBase + 2);
                });
      }
    }
  }

  private static Sample sample(Deployment d, DedicatedRedis redis, NotifierProcess p, Instant at)
      throws Exception {
    Process gc =
        new ProcessBuilder(jcmd(), Long.toString(p.pid()), "GC.run")
            .redirectErrorStream(true)
            .start();
    gc.getInputStream().transferTo(OutputStream.nullOutputStream());
    assertThat(gc.waitFor(30, TimeUnit.SECONDS)).isTrue();
    long heap = (long) p.metric("jvm_memory_used_bytes", "area", "heap");
    String application = p.name.startsWith("producer") ? "notifier-producer" : "notifier-consumer";
    // Connections are counted per role (both consumers share theirs): the pools of the role.
    int database =
        d.dsl()
            .fetchOne(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    + " AND application_name = ?",
                application)
            .get(0, Integer.class);
    int redisClients =
        redisClients(
            redis.port(), "notifier-" + (p.name.startsWith("producer") ? "producer" : "consumer"));
    return new Sample(at, p.name, heap, database, redisClients);
  }

  /** Clients of the dedicated Redis whose name is {@code name} (Redisson's, per role). */
  private static int redisClients(int port, String name) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.getOutputStream().write("CLIENT LIST\r\n".getBytes(StandardCharsets.US_ASCII));
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      String header = in.readLine(); // $<length>
      int length = Integer.parseInt(header.substring(1));
      char[] body = new char[length];
      int read = 0;
      while (read < length) {
        int r = in.read(body, read, length - read);
        if (r < 0) {
          break;
        }
        read += r;
      }
      int count = 0;
      for (String line : new String(body, 0, read).split("\n")) {
        if (line.contains(" name=" + name + " ")) {
          count++;
        }
      }
      return count;
    }
  }

  private static long median(long[] values) {
    long[] sorted = values.clone();
    java.util.Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  private static String jcmd() {
    String java =
        System.getProperty(
            "notifier.test.java", ProcessHandle.current().info().command().orElse("java"));
    return Path.of(java).resolveSibling("jcmd").toString();
  }

  private static void writeCsv(Path file, List<Sample> samples) {
    StringBuilder csv =
        new StringBuilder(
            "simulated_at,process,heap_after_gc_bytes,postgresql_connections,redis_connections\n");
    for (Sample s : samples) {
      csv.append(s.at())
          .append(',')
          .append(s.process())
          .append(',')
          .append(s.heapAfterGc())
          .append(',')
          .append(s.databaseConnections())
          .append(',')
          .append(s.redisConnections())
          .append('\n');
    }
    try {
      Files.writeString(file, csv);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    System.out.println(csv);
  }
}
