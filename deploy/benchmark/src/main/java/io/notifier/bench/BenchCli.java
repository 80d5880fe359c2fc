package io.notifier.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code notifier-bench}: see docs/PERFORMANCE.md. */
@Command(
    name = "notifier-bench",
    mixinStandardHelpOptions = true,
    description = {
      "The notifier's million-user benchmark. Uses PostgreSQL (its own database, created if",
      "missing) and Redis (its own key namespace); starts the SMTP sink, the consumers and the",
      "producer as separate processes."
    },
    subcommands = {
      BenchCli.All.class,
      BenchCli.Populate.class,
      BenchCli.Pipeline.class,
      BenchCli.Memory.class,
      BenchCli.Queue.class,
      BenchCli.SinkCommand.class,
      BenchCli.WorkerCommand.class
    })
public final class BenchCli implements Callable<Integer> {

  public static void main(String[] args) {
    System.exit(new CommandLine(new BenchCli()).execute(args));
  }

  @Override
  public Integer call() {
    CommandLine.usage(this, System.out);
    return 2;
  }

  /** Where the services are. */
  static final class Connection {
    @Option(
        names = "--jdbc-url",
        defaultValue = "jdbc:postgresql://127.0.0.1:5432/notifier_bench?user=postgres",
        description = "PostgreSQL of the benchmark (the database is created if missing).")
    String jdbcUrl;

    @Option(names = "--redis-url", defaultValue = "redis://127.0.0.1:6379")
    String redisUrl;

    @Option(
        names = "--namespace",
        defaultValue = "notifier-bench",
        description = "Redis key namespace (hash tag) of the benchmark.")
    String namespace;
  }

  /** What to generate and measure. */
  static final class Options {
    @Mixin Connection connection;

    @Option(names = "--users", defaultValue = "1000000")
    int users;

    @Option(names = "--seed", defaultValue = "7")
    long seed;

    @Option(
        names = "--day",
        defaultValue = "2030-01-15",
        description = "The benchmark day (appointments on it and the two after).")
    LocalDate day;

    @Option(names = "--logs", defaultValue = "bench-logs", description = "Child processes' logs.")
    Path logs;

    @Option(
        names = "--steady-rate",
        defaultValue = "200",
        description = "Jobs due per second in the steady load (8 times the day's mean rate).")
    int steadyRate;

    @Option(names = "--steady-seconds", defaultValue = "60")
    int steadySeconds;

    @Option(names = "--soak-jobs", defaultValue = "1000000")
    int soakJobs;

    @Option(names = "--queue-jobs", defaultValue = "200000")
    int queueJobs;

    @Option(
        names = "--consumer-heap",
        defaultValue = "384m",
        description = "-Xmx of a consumer (production: 50%% of a 768 MiB limit).")
    String consumerHeap;

    @Option(
        names = "--concurrency",
        defaultValue = "128",
        description =
            "Sends in flight per consumer (NOTIFIER_CONSUMER_CONCURRENCY; 0: the default, 32).")
    int concurrency;

    @Option(
        names = "--smtp-pool-size",
        defaultValue = "8",
        description =
            "SMTP connections per consumer (NOTIFIER_SMTP_POOL_SIZE; production's default is 8).")
    int smtpPoolSize;

    @Option(
        names = "--doc",
        defaultValue = "docs/PERFORMANCE.md",
        description = "Where `all` writes the figures.")
    Path doc;

    Bench.Settings settings() {
      return new Bench.Settings(
          connection.jdbcUrl,
          connection.redisUrl,
          connection.namespace,
          users,
          seed,
          day,
          logs,
          steadyRate,
          steadySeconds,
          soakJobs,
          queueJobs,
          consumerHeap,
          concurrency,
          smtpPoolSize);
    }
  }

  abstract static class Run implements Callable<Integer> {
    @Mixin Options options;

    @Override
    public Integer call() throws Exception {
      Figures figures = new Figures();
      figures.context("runAt", OffsetDateTime.now(Clock.systemUTC()).withNano(0));
      figures.context("load before the run", loadAverage());
      calibrate(figures, "before");
      try (Bench bench = new Bench(options.settings(), figures)) {
        bench.populate(false);
        run(bench, new Scenarios(bench));
      }
      figures.context("load after the run", loadAverage());
      calibrate(figures, "after");
      figures.printTable(System.out);
      after(figures);
      return 0;
    }

    abstract void run(Bench bench, Scenarios scenarios) throws Exception;

    void after(Figures figures) throws IOException {}
  }

  @Command(
      name = "all",
      mixinStandardHelpOptions = true,
      description = "Populate if needed, measure every figure, write them to --doc.")
  static final class All extends Run {
    @Override
    void run(Bench bench, Scenarios scenarios) throws Exception {
      bench.queueRoundTrip(options.queueJobs);
      scenarios.pipeline(1, true);
      scenarios.pipeline(2, false);
      scenarios.memory();
    }

    @Override
    void after(Figures figures) throws IOException {
      figures.writeDoc(options.doc, machine(), commandLine());
      System.out.println("figures written to " + options.doc);
    }
  }

  @Command(name = "populate", mixinStandardHelpOptions = true, description = "Generate only.")
  static final class Populate implements Callable<Integer> {
    @Mixin Options options;

    @Option(names = "--force", description = "Regenerate even when present.")
    boolean force;

    @Override
    public Integer call() throws Exception {
      Figures figures = new Figures();
      try (Bench bench = new Bench(options.settings(), figures)) {
        bench.populate(force);
        System.out.println("busiest minute: " + new Scenarios(bench).busiest());
      }
      return 0;
    }
  }

  @Command(
      name = "pipeline",
      mixinStandardHelpOptions = true,
      description = "Producer ticks, then burst and steady load through N consumers.")
  static final class Pipeline extends Run {
    @Option(names = "--consumers", defaultValue = "1", split = ",")
    List<Integer> consumers;

    @Override
    void run(Bench bench, Scenarios scenarios) throws Exception {
      boolean first = true;
      for (int n : consumers) {
        scenarios.pipeline(n, first);
        first = false;
      }
    }
  }

  @Command(name = "memory", mixinStandardHelpOptions = true, description = "Heap and RSS soak.")
  static final class Memory extends Run {
    @Override
    void run(Bench bench, Scenarios scenarios) throws Exception {
      scenarios.memory();
    }
  }

  @Command(name = "queue", mixinStandardHelpOptions = true, description = "Queue round trip.")
  static final class Queue extends Run {
    @Override
    void run(Bench bench, Scenarios scenarios) {
      bench.queueRoundTrip(options.queueJobs);
    }
  }

  // ---- child processes ------------------------------------------------------------------------

  @Command(name = "sink", hidden = true)
  static final class SinkCommand implements Callable<Integer> {
    @Mixin Connection connection;

    @Option(names = "--offset-ms", defaultValue = "0")
    long offset;

    @Option(names = "--port", defaultValue = "0")
    int port;

    @Override
    public Integer call() throws Exception {
      SmtpSink.main(port);
      return 0;
    }
  }

  @Command(name = "worker", hidden = true)
  static final class WorkerCommand implements Callable<Integer> {
    @Mixin Connection connection;

    @Parameters(index = "0", description = "producer or consumer")
    String role;

    @Option(names = "--offset-ms", defaultValue = "0")
    long offset;

    @Option(names = "--smtp-port", defaultValue = "0")
    int smtpPort;

    @Option(names = "--id", defaultValue = "consumer")
    String id;

    @Option(names = "--concurrency", defaultValue = "0")
    int concurrency;

    @Option(names = "--smtp-pool-size", defaultValue = "8")
    int smtpPoolSize;

    @Override
    public Integer call() throws Exception {
      Worker.Env env =
          new Worker.Env(connection.jdbcUrl, connection.redisUrl, connection.namespace, offset);
      if (role.equals("producer")) {
        Worker.producer(env);
      } else {
        Worker.consumer(env, smtpPort, concurrency, smtpPoolSize, id);
      }
      return 0;
    }
  }

  // ---- describing the run ---------------------------------------------------------------------

  /**
   * One core's speed now: SHA-256 over 256 MiB, best of three. The machine is a shared virtual
   * machine whose speed was seen to vary by half between runs of the same code; with this, two
   * runs' figures can be told apart from two machines' moods.
   */
  static String calibration() {
    try {
      java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
      byte[] block = new byte[1 << 20];
      long best = Long.MAX_VALUE;
      for (int round = 0; round < 3; round++) {
        long start = System.nanoTime();
        for (int i = 0; i < 256; i++) {
          sha.update(block);
        }
        block[0] = sha.digest()[0];
        best = Math.min(best, System.nanoTime() - start);
      }
      return String.format(
          "SHA-256 of 256 MiB in %.0f ms (best of 3; %s)", best / 1e6, shaExtensions());
    } catch (java.security.NoSuchAlgorithmException e) {
      return "unknown";
    }
  }

  /**
   * Whether the CPU hashes SHA-256 in hardware, which the JVM's SHA-256 uses when it can: the tenth
   * round's Intel machine, without them, took 2,108 ms where the ninth round's AMD machine took 243
   * ms, yet the sink's CPU per email (the yardstick) made it 1.6 times slower, not nine. Two
   * calibrations are comparable only between CPUs that agree on this.
   */
  static String shaExtensions() {
    try (var lines = Files.lines(Path.of("/proc/cpuinfo"))) {
      return lines
          .filter(line -> line.startsWith("flags") || line.startsWith("Features"))
          .findFirst()
          .map(line -> List.of(line.substring(line.indexOf(':') + 1).trim().split("\\s+")))
          .map(
              flags ->
                  flags.contains("sha_ni") || flags.contains("sha2")
                      ? "SHA extensions in this CPU"
                      : "no SHA extensions in this CPU")
          .orElse("SHA extensions unknown");
    } catch (IOException | RuntimeException e) {
      return "SHA extensions unknown";
    }
  }

  /** Both calibrations into the run context, and on the console for runs that write no doc. */
  static void calibrate(Figures figures, String when) {
    String cpu = calibration();
    String handOff = handOffCalibration();
    figures.context("cpu calibration " + when + " the run", cpu);
    figures.context("hand-off calibration " + when + " the run", handOff);
    System.out.println("calibration " + when + " the run: " + cpu + "; " + handOff);
  }

  /**
   * What SHA-256 cannot see: two threads passing a token back and forth by park and unpark, each
   * pass a futex wake and a thread switch, as every group-commit batch and SMTP pool wait in the
   * consumer is. The sixth round's machine computed as fast as the fifth's and delivered half the
   * emails per second; its kernel made every switch expensive.
   */
  static String handOffCalibration() {
    int passes = 20_000;
    long best = Long.MAX_VALUE;
    for (int round = 0; round < 3; round++) {
      AtomicInteger token = new AtomicInteger();
      Thread main = Thread.currentThread();
      Thread echo =
          Thread.ofPlatform()
              .daemon()
              .start(
                  () -> {
                    for (int i = 0; i < passes; i++) {
                      while (token.get() != 2 * i + 1) {
                        LockSupport.park();
                      }
                      token.set(2 * i + 2);
                      LockSupport.unpark(main);
                    }
                  });
      long start = System.nanoTime();
      for (int i = 0; i < passes; i++) {
        token.set(2 * i + 1);
        LockSupport.unpark(echo);
        while (token.get() != 2 * i + 2) {
          LockSupport.park();
        }
      }
      best = Math.min(best, System.nanoTime() - start);
      try {
        echo.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return "interrupted";
      }
    }
    return String.format(
        "thread hand-off there and back in %.1f µs (best of 3 x %,d)", best / 1e3 / passes, passes);
  }

  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      return "unknown";
    }
  }

  static String machine() {
    List<String> lines = new ArrayList<>();
    lines.add(
        "cpu: "
            + sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip()
            + ", "
            + Runtime.getRuntime().availableProcessors()
            + " cores, "
            + shaExtensions());
    lines.add("memory: " + sh("free -h | awk '/Mem:/ {print $2}'").strip());
    lines.add(
        "os: "
            + sh("uname -sr").strip()
            + " / "
            + sh(". /etc/os-release && echo $PRETTY_NAME").strip());
    lines.add(
        "java: "
            + System.getProperty("java.vm.name")
            + " "
            + System.getProperty("java.runtime.version"));
    lines.add(
        "postgresql: "
            + sh("psql -h 127.0.0.1 -U postgres -Atc 'show server_version'"
                    + " 2>/dev/null || echo unknown")
                .strip());
    lines.add(
        "redis: "
            + sh("redis-cli -h 127.0.0.1 info server 2>/dev/null | grep"
                    + " redis_version | tr -d '\\r' || echo unknown")
                .strip());
    return String.join("\n", lines);
  }

  static String commandLine() {
    return "mvn -B -q -pl deploy/benchmark -am package -DskipTests\n"
        + "deploy/benchmark/target/benchmark/bin/notifier-bench all";
  }

  private static String sh(String command) {
    try {
      Process p = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      p.waitFor();
      return out;
    } catch (IOException e) {
      return "unknown";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }
}
