package io.notifier.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/** The measured runs, each from a clean ledger and queue. */
final class Scenarios {

  /** Jobs sent before the measured steady load, so that it meets a warmed-up consumer. */
  static final int WARM_UP_JOBS = 20_000;

  /** Appointment reminders among the warm-up (the burst is half reminders). */
  static final int WARM_UP_REMINDERS = 10_000;

  /** The warm-up's reminders are for appointments starting this long after the burst, or later. */
  static final Duration REMINDERS_AFTER_BURST = Duration.ofHours(1);

  /**
   * The rehearsed busy minute is this long before the busiest (13:00 UTC: 08:00 in New York, the
   * largest zone's digests).
   */
  static final Duration REHEARSAL_BEFORE = Duration.ofHours(3);

  /** How often the ledger is asked whether a run has finished. */
  private static final Duration POLL = Duration.ofSeconds(2);

  private final Bench bench;
  private final Figures figures;
  private Instant busiest;

  Scenarios(Bench bench) {
    this.bench = bench;
    this.figures = bench.figures;
  }

  Instant busiest() throws Exception {
    if (busiest == null) {
      Map.Entry<Instant, Integer> b = bench.busiestMinute();
      busiest = b.getKey();
      figures.context(
          "busiest minute", b.getKey() + " (" + b.getValue() + " due by the SQL count)");
      System.err.println("busiest minute of " + bench.settings.day() + ": " + b);
    }
    return busiest;
  }

  private static Instant ahead(Instant dueBy) {
    return dueBy.minus(Bench.LOOK_AHEAD);
  }

  /**
   * Producer ticks (figure 1), then the burst and a steady load through {@code consumers} consumer
   * processes into the sink (figures 2 and 3), and the consumers' memory after it.
   */
  void pipeline(int consumers, boolean tickFigures) throws Exception {
    Instant b = busiest();
    bench.reset();
    String tag = consumers + "c";
    // ---- the producer: one warm tick (full schedule-index build), the burst, idle minutes
    List<Double> idle = new ArrayList<>();
    int burstDue;
    try (Child producer = bench.producer()) {
      Bench.call(producer, "watermark " + b.minus(Duration.ofMinutes(2)).toEpochMilli());
      JsonNode warm = Bench.call(producer, "tick " + ahead(b.minusSeconds(60)).toEpochMilli());
      // A rehearsal, discarded: a producer in production has ticked through busy minutes before
      // (every hour on the hour is one), so its tick path is compiled; this one has not.
      Instant rehearsal = b.minus(REHEARSAL_BEFORE);
      Bench.call(producer, "watermark " + rehearsal.minusSeconds(60).toEpochMilli());
      JsonNode rehearsed = Bench.call(producer, "tick " + ahead(rehearsal).toEpochMilli());
      bench.discardLedgerAndQueue();
      Bench.call(producer, "watermark " + b.minusSeconds(60).toEpochMilli());
      bench.checkpoint();
      JsonNode busy = Bench.call(producer, "tick " + ahead(b).toEpochMilli());
      burstDue = busy.get("created").asInt();
      for (int k = 1; k <= 9; k++) {
        JsonNode t = Bench.call(producer, "tick " + ahead(b.plusSeconds(60L * k)).toEpochMilli());
        if (t.get("due").asInt() == 0) {
          idle.add(t.get("ms").asDouble());
        }
      }
      System.err.println(
          "ticks: warm " + warm + " rehearsal " + rehearsed + " busy " + busy + " idle " + idle);
      if (tickFigures) {
        figures.info(
            "tick_first_ms",
            "first tick of a producer (builds the schedule index of all users)",
            warm.get("ms").asDouble(),
            "ms",
            null);
        figures.info(
            "tick_first_busy_ms",
            "first busy tick of a fresh producer (rehearsal, discarded)",
            rehearsed.get("ms").asDouble(),
            "ms",
            String.format(
                "%,d due, %,d queued, at %s",
                rehearsed.get("due").asInt(), rehearsed.get("enqueued").asInt(), rehearsal));
        double[] sorted = idle.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        figures.below(
            "tick_idle_ms",
            "idle tick at " + String.format("%,d", bench.settings.users()) + " users, median",
            sorted.length == 0 ? Double.NaN : sorted[sorted.length / 2],
            "ms",
            50,
            sorted.length + " idle minutes, max " + Figures.fmt(max(sorted)) + " ms");
        figures.below(
            "tick_busiest_ms",
            "busiest-minute tick, warm: resolved, in the ledger, queued",
            busy.get("ms").asDouble(),
            "ms",
            5_000,
            String.format(
                "%,d due, %,d queued, at %s",
                busy.get("due").asInt(), busy.get("enqueued").asInt(), b));
      }
      if (busy.get("enqueued").asInt() < burstDue) {
        throw new IllegalStateException("the burst was not fully queued: " + busy);
      }
    }

    if (consumers == 0) {
      return; // producer figures only
    }
    // ---- consumers, sink and the load
    Bench.Settings s = bench.settings;
    int steadyJobs = s.steadyRate() * s.steadySeconds();
    List<Bench.Recipient> pool = bench.recipients(steadyJobs + WARM_UP_JOBS);
    Duration lead = Duration.ofSeconds(150);
    Instant firstSteadyDue = b.minusSeconds(s.steadySeconds() + 20L);
    long offset = firstSteadyDue.minus(lead).toEpochMilli() - System.currentTimeMillis();
    Clock simulated = Clock.offset(Clock.systemUTC(), Duration.ofMillis(offset));
    Path dump = s.logs().resolve("sink-" + tag + ".csv").toAbsolutePath();
    List<Child> workers = new ArrayList<>();
    try (Child sink = bench.sink(offset)) {
      int port = Bench.call(sink, "port").get("port").asInt();
      for (int i = 1; i <= consumers; i++) {
        workers.add(bench.consumer("consumer-" + tag + "-" + i, port, offset));
      }
      List<JsonNode> memStart = new ArrayList<>();
      for (Child w : workers) {
        memStart.add(Bench.call(w, "mem"));
        Bench.call(w, "start");
      }
      long t0 = System.nanoTime();
      // Warm-up (not measured): the consumers' JIT compiles the send path on these.
      bench.feed(pool, steadyJobs, WARM_UP_JOBS, firstSteadyDue.minus(lead), 0);
      int reminders =
          bench.feedReminders(
              WARM_UP_REMINDERS, firstSteadyDue.minus(lead), b.plus(REMINDERS_AFTER_BURST));
      System.err.printf(
          "warm-up: %,d jobs and %,d appointment reminders%n", WARM_UP_JOBS, reminders);
      if (steadyJobs > 0) {
        bench.feed(pool, 0, steadyJobs, firstSteadyDue, s.steadyRate());
      }
      double feedSeconds = (System.nanoTime() - t0) / 1e9;
      Instant fedAt = simulated.instant();
      System.err.printf(
          "steady load of %,d jobs fed in %.1f s (simulated now %s, first due %s)%n",
          steadyJobs, feedSeconds, fedAt, firstSteadyDue);
      if (fedAt.isAfter(firstSteadyDue)) {
        System.err.println("WARNING: feeding ended after the first steady job was due");
      }
      // The steady load must meet consumers that are done with the warm-up, or its first
      // seconds measure the warm-up's backlog.
      Instant warmUpDueBy = firstSteadyDue.minusSeconds(1);
      while (bench.unfinished(warmUpDueBy) > 0 && simulated.instant().isBefore(warmUpDueBy)) {
        LockSupport.parkNanos(POLL.toNanos());
      }
      long warmUpLeft = bench.unfinished(warmUpDueBy);
      Duration spare = Duration.between(simulated.instant(), firstSteadyDue);
      figures.context(
          "warm-up " + tag,
          warmUpLeft == 0
              ? "drained " + spare.toSeconds() + " s before the steady load began"
              : warmUpLeft + " warm-up jobs still unfinished when the steady load began");
      // Wait for the burst's instant, then for everything to finish.
      List<Long> consumerPids = workers.stream().map(Child::pid).toList();
      sleepUntil(simulated, b);
      CpuTime.Snapshot cpuAtBurst = CpuTime.take(consumerPids, sink.pid());
      sleepUntil(simulated, b.plusSeconds(1));
      long deadline = System.nanoTime() + Duration.ofMinutes(15).toNanos();
      long unfinished;
      // Polled slowly: the count itself costs the database CPU the run is measuring.
      while ((unfinished = bench.unfinished(b)) > 0 && System.nanoTime() < deadline) {
        LockSupport.parkNanos(POLL.toNanos());
      }
      if (unfinished > 0) {
        System.err.println("WARNING: " + unfinished + " deliveries still unfinished after 15 min");
      }
      Map<String, Double> burstCpu = CpuTime.take(consumerPids, sink.pid()).since(cpuAtBurst);
      LockSupport.parkNanos(Duration.ofSeconds(1).toNanos());
      Bench.call(sink, "dump " + dump);
      Map<String, Long> statuses = bench.statusCounts();
      System.err.println("ledger after the run: " + statuses);
      Bench.Lateness late =
          bench.lateness(
              dump, offset, b, firstSteadyDue, firstSteadyDue.plusSeconds(s.steadySeconds()));
      long[] burst = late.burstMillis();
      long[] steady = late.steadyMillis();
      Arrays.sort(burst);
      Arrays.sort(steady);
      double drain = (late.lastBurstAcceptance() - b.toEpochMilli()) / 1000.0;
      figures.context(
          "run " + tag,
          String.format(
              "%d consumer process(es), %s sends in flight and %d SMTP connections each; warm-up"
                  + " %,d jobs and %,d appointment reminders; steady %,d/s"
                  + " for %d s; burst of %,d queued (%,d emails accepted, the rest skipped at send"
                  + " time); ledger after: %s",
              consumers,
              s.concurrency() > 0 ? Integer.toString(s.concurrency()) : "default",
              s.smtpPoolSize(),
              WARM_UP_JOBS,
              reminders,
              s.steadyRate(),
              s.steadySeconds(),
              burstDue,
              burst.length,
              statuses));
      figures.atLeast(
          "e2e_emails_per_s_" + tag,
          "end-to-end throughput, " + consumers + " consumer(s), burst",
          burst.length / Math.max(drain, 1e-3),
          "emails/s",
          2_000,
          String.format(
              "%,d emails in %.1f s from due instant to last SMTP acceptance",
              burst.length, drain));
      figures.below(
          "burst_drain_s_" + tag,
          "burst drained (due instant to last acceptance), " + consumers + " consumer(s)",
          drain,
          "s",
          60,
          null);
      if (steady.length > 0) {
        figures.info(
            "steady_p50_ms_" + tag,
            "lateness p50, steady load, " + tag,
            Bench.percentile(steady, 50),
            "ms",
            steady.length + " emails");
        figures.below(
            "steady_p99_ms_" + tag,
            "lateness p99, steady load, " + tag,
            Bench.percentile(steady, 99),
            "ms",
            1_000,
            null);
        figures.info(
            "steady_max_ms_" + tag,
            "lateness max, steady load, " + tag,
            steady[steady.length - 1],
            "ms",
            null);
      }
      if (burst.length > 0) {
        figures.info(
            "burst_p50_ms_" + tag,
            "lateness p50, burst, " + tag,
            Bench.percentile(burst, 50),
            "ms",
            null);
        figures.info(
            "burst_p99_ms_" + tag,
            "lateness p99, burst, " + tag,
            Bench.percentile(burst, 99),
            "ms",
            null);
        figures.info(
            "burst_max_ms_" + tag,
            "lateness max, burst, " + tag,
            burst[burst.length - 1],
            "ms",
            null);
      }
      if (burst.length > 0 && burstCpu.values().stream().anyMatch(v -> v > 0)) {
        // Which process the two cores went to during the burst: the limit of figure 2.
        double total = burstCpu.values().stream().mapToDouble(Double::doubleValue).sum();
        for (Map.Entry<String, Double> e : burstCpu.entrySet()) {
          figures.info(
              "burst_cpu_ms_per_email_" + e.getKey() + "_" + tag,
              "CPU per email in the burst, " + e.getKey() + ", " + tag,
              e.getValue() * 1000.0 / burst.length,
              "ms",
              String.format(
                  "%.1f CPU-s of %.1f CPU-s over %.1f s of burst", e.getValue(), total, drain));
        }
      }
      for (int i = 0; i < workers.size(); i++) {
        JsonNode end = Bench.call(workers.get(i), "mem");
        System.err.println(
            workers.get(i).name() + " memory: start " + memStart.get(i) + " end " + end);
        if (i == 0) {
          figures.info(
              "consumer_rss_after_run_mib_" + tag,
              "consumer RSS after the run, " + tag,
              end.get("rssMiB").asDouble(),
              "MiB",
              null);
        }
      }
    } finally {
      for (Child w : workers) {
        w.close();
      }
    }
  }

  /** Consumer and producer memory at start and after {@code soakJobs} jobs (figure 4). */
  void memory() throws Exception {
    Bench.Settings s = bench.settings;
    int jobs = s.soakJobs();
    bench.reset();
    List<Bench.Recipient> pool = bench.recipients(200_000);
    Path dump = s.logs().resolve("sink-soak.csv").toAbsolutePath();
    JsonNode start;
    JsonNode end;
    List<String> samples = new ArrayList<>();
    long t0;
    double seconds;
    try (Child sink = bench.sink(0)) {
      int port = Bench.call(sink, "port").get("port").asInt();
      try (Child consumer = bench.consumer("consumer-soak", port, 0)) {
        JsonNode idle = Bench.call(consumer, "mem");
        Bench.call(consumer, "start");
        // "At start" is after a warm-up: a process that never sent holds none of the pools,
        // caches and compiled code every later sample includes.
        bench.feed(pool, 0, WARM_UP_JOBS, Clock.systemUTC().instant(), 0);
        while (bench.unfinished(Instant.parse("9999-01-01T00:00:00Z")) > 0) {
          LockSupport.parkNanos(POLL.toNanos());
        }
        Bench.call(sink, "dump /dev/null");
        start = Bench.call(consumer, "mem");
        figures.info(
            "consumer_heap_idle_mib",
            "consumer heap after GC, before its first job",
            idle.get("heapAfterGcMiB").asDouble(),
            "MiB",
            null);
        int fed = 0;
        int nextSample = jobs / 4;
        t0 = System.nanoTime();
        Clock real = Clock.systemUTC();
        while (true) {
          long unfinished = bench.unfinished(Instant.parse("9999-01-01T00:00:00Z"));
          long done = fed - unfinished;
          if (done >= nextSample && nextSample <= jobs) {
            JsonNode m = Bench.call(consumer, "mem");
            samples.add(
                String.format(
                    "%,d jobs: heap %s MiB, RSS %s MiB",
                    done, m.get("heapAfterGcMiB"), m.get("rssMiB")));
            System.err.println("soak " + samples.get(samples.size() - 1));
            nextSample += jobs / 4;
          }
          if (fed >= jobs && unfinished == 0) {
            break;
          }
          if (fed < jobs && unfinished < 40_000) {
            int n = Math.min(20_000, jobs - fed);
            bench.feed(pool, fed, n, real.instant(), 0);
            fed += n;
          } else {
            LockSupport.parkNanos(POLL.toNanos());
          }
          Bench.call(sink, "dump /dev/null");
        }
        seconds = (System.nanoTime() - t0) / 1e9;
        end = Bench.call(consumer, "mem");
      }
    }
    figures.context(
        "consumer soak",
        String.join("; ", samples) + String.format("; %,d jobs in %.0f s", jobs, seconds));
    figures.info(
        "consumer_heap_start_mib",
        "consumer heap after GC, at start",
        start.get("heapAfterGcMiB").asDouble(),
        "MiB",
        null);
    double growth = end.get("heapAfterGcMiB").asDouble() - start.get("heapAfterGcMiB").asDouble();
    figures.below(
        "consumer_heap_growth_mib",
        String.format("consumer heap after GC, growth over %,d jobs", jobs),
        growth,
        "MiB",
        16,
        "flat = within GC noise (16 MiB); end " + end.get("heapAfterGcMiB") + " MiB");
    figures.info(
        "consumer_rss_start_mib",
        "consumer RSS at start",
        start.get("rssMiB").asDouble(),
        "MiB",
        null);
    figures.below(
        "consumer_rss_end_mib",
        String.format("consumer RSS after %,d jobs", jobs),
        end.get("rssMiB").asDouble(),
        "MiB",
        512,
        null);
    figures.info(
        "soak_jobs_per_s",
        "consumer soak throughput (1 consumer, jobs due at once)",
        jobs / seconds,
        "jobs/s",
        null);

    // The producer: ticks through the benchmark day until it has queued as many jobs.
    bench.reset();
    Instant dayStart = s.day().atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
    try (Child producer = bench.producer()) {
      Bench.call(producer, "watermark " + dayStart.toEpochMilli());
      Bench.call(producer, "tick " + ahead(dayStart.plusSeconds(60)).toEpochMilli());
      Bench.call(producer, "clear-queue");
      JsonNode pStart = Bench.call(producer, "mem");
      long enqueued = 0;
      int ticks = 0;
      double tickMs = 0;
      Instant at = dayStart.plusSeconds(60);
      while (enqueued < jobs && ticks < 2 * 24 * 60) {
        at = at.plusSeconds(60);
        JsonNode t = Bench.call(producer, "tick " + ahead(at).toEpochMilli());
        enqueued += t.get("enqueued").asLong();
        tickMs += t.get("ms").asDouble();
        ticks++;
        if (ticks % 10 == 0) {
          Bench.call(producer, "clear-queue"); // the queue is not what is measured here
        }
      }
      Bench.call(producer, "clear-queue");
      JsonNode pEnd = Bench.call(producer, "mem");
      figures.context(
          "producer soak",
          String.format(
              "%d ticks (%s to %s) queued %,d jobs in %.1f s of tick time",
              ticks, dayStart, at, enqueued, tickMs / 1000));
      figures.info(
          "producer_heap_start_mib",
          "producer heap after GC, at start",
          pStart.get("heapAfterGcMiB").asDouble(),
          "MiB",
          null);
      figures.below(
          "producer_heap_growth_mib",
          String.format("producer heap after GC, growth over %,d jobs", enqueued),
          pEnd.get("heapAfterGcMiB").asDouble() - pStart.get("heapAfterGcMiB").asDouble(),
          "MiB",
          16,
          "end " + pEnd.get("heapAfterGcMiB") + " MiB");
      figures.info(
          "producer_rss_start_mib",
          "producer RSS at start",
          pStart.get("rssMiB").asDouble(),
          "MiB",
          null);
      figures.info(
          "producer_rss_end_mib",
          String.format("producer RSS after %,d jobs", enqueued),
          pEnd.get("rssMiB").asDouble(),
          "MiB",
          null);
    }
    bench.reset();
  }

  private static double max(double[] values) {
    return Arrays.stream(values).max().orElse(Double.NaN);
  }

  private static void sleepUntil(Clock clock, Instant when) {
    while (clock.instant().isBefore(when)) {
      LockSupport.parkNanos(
          Math.min(
              Duration.ofMillis(200).toNanos(),
              Duration.between(clock.instant(), when).toNanos() + 1));
    }
  }
}
