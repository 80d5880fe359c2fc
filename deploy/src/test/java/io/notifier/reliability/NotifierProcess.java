package io.notifier.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code notifier producer run} or {@code consumer run} in its own JVM, started the way a
 * deployment starts it (NotifierCli, configuration through NOTIFIER_* variables, the production
 * logback.xml: JSON lines), with its output in a file under target/ for diagnosis.
 */
final class NotifierProcess {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /**
   * Lean child JVMs for a 2-core machine running several of them: a small heap, the serial
   * collector and the C1 compiler only.
   */
  private static final List<String> JVM_OPTIONS =
      List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k");

  /** The line the HTTP server logs once it listens, with the port it was given (JSON-escaped). */
  private static final Pattern LISTENING =
      Pattern.compile("\"message\":\"HTTP server listening on port (\\d+)\"");

  final String name;
  final String workerId;
  final Path log;
  private final long logStart;
  private final Process process;
  private volatile int httpPort;

  private NotifierProcess(String name, String workerId, Path log, long logStart, Process process) {
    this.name = name;
    this.workerId = workerId;
    this.log = log;
    this.logStart = logStart;
    this.process = process;
  }

  /**
   * Starts a process whose HTTP server listens on a port it picks itself ({@code
   * NOTIFIER_HTTP_PORT=0} in {@code env}) and logs: a port chosen here and handed over could be
   * taken by another socket before the child binds it (a consumer once failed to start so).
   */
  static NotifierProcess start(
      String name, String workerId, List<String> command, Map<String, String> env, Path log) {
    List<String> args = new ArrayList<>();
    args.add(javaBinary());
    args.addAll(JVM_OPTIONS);
    args.add(
        "-Dlogback.configurationFile="
            + NotifierProcess.class.getResource("/logback.xml").toExternalForm());
    args.add("-cp");
    args.add(System.getProperty("java.class.path"));
    args.add("io.notifier.app.NotifierCli");
    args.addAll(command);
    ProcessBuilder builder =
        new ProcessBuilder(args)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().keySet().removeIf(k -> k.startsWith("NOTIFIER_"));
    builder.environment().putAll(env);
    try {
      // A restarted process appends to its predecessor's log: its own lines begin here.
      long logStart = Files.exists(log) ? Files.size(log) : 0;
      return new NotifierProcess(name, workerId, log, logStart, builder.start());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name, e);
    }
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** SIGKILL: no shutdown hook, no acknowledgement, no lease given back. */
  void kill() {
    process.destroyForcibly();
    waitFor(Duration.ofSeconds(30));
  }

  /** SIGTERM, then waits for the drain; returns the exit code. */
  int terminate(Duration within) {
    process.destroy();
    if (!waitFor(within)) {
      kill();
    }
    return process.exitValue();
  }

  /** SIGSTOP: the process is frozen (its sockets stay open) until killed or continued. */
  void freeze() {
    signal("STOP");
  }

  void unfreeze() {
    signal("CONT");
  }

  private void signal(String name) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid())).start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + name + " " + pid() + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private boolean waitFor(Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The port this process's HTTP server listens on, or 0 before it has logged it. */
  int httpPort() {
    int port = httpPort;
    if (port == 0) {
      port = listeningPort();
      httpPort = port;
    }
    return port;
  }

  private int listeningPort() {
    try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
      if (file.length() <= logStart) {
        return 0;
      }
      file.seek(logStart);
      byte[] written = new byte[(int) (file.length() - logStart)];
      file.readFully(written);
      Matcher m = LISTENING.matcher(new String(written, StandardCharsets.UTF_8));
      return m.find() ? Integer.parseInt(m.group(1)) : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  /** The Prometheus text of /metrics, or "" while the process does not answer. */
  String scrape() {
    int port = httpPort();
    if (port == 0) {
      return "";
    }
    try {
      HttpResponse<String> response =
          HTTP.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? response.body() : "";
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  /**
   * The sum of the samples of {@code metric} whose labels include every {@code label="value"} pair
   * given (e.g. {@code "reason", "stale"}); 0 when there is none.
   */
  double metric(String metric, String... labels) {
    return sum(scrape(), metric, labels);
  }

  static double sum(String scrape, String metric, String... labels) {
    Pattern line = Pattern.compile("^" + Pattern.quote(metric) + "(\\{[^}]*\\})?\\s+(\\S+)$");
    double total = 0;
    for (String text : scrape.split("\n")) {
      Matcher m = line.matcher(text);
      if (!m.matches()) {
        continue;
      }
      String tags = m.group(1) == null ? "" : m.group(1);
      boolean all = true;
      for (int i = 0; i + 1 < labels.length; i += 2) {
        all &= tags.contains(labels[i] + "=\"" + labels[i + 1] + "\"");
      }
      if (all) {
        double value = Double.parseDouble(m.group(2));
        total += Double.isNaN(value) ? 0 : value;
      }
    }
    return total;
  }

  /** The JSON log events written so far (lines that are not JSON are skipped). */
  List<JsonNode> logEvents() {
    List<JsonNode> events = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(log)) {
        if (line.startsWith("{")) {
          try {
            events.add(JSON.readTree(line));
          } catch (IOException e) {
            // a line cut by a SIGKILL
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return events;
  }

  String logText() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String javaBinary() {
    return System.getProperty(
        "notifier.test.java",
        ProcessHandle.current()
            .info()
            .command()
            .orElse(
                System.getProperty("java.home")
                    + File.separator
                    + "bin"
                    + File.separator
                    + "java"));
  }

  @Override
  public String toString() {
    return name + "(pid " + pid() + ", " + workerId + ")";
  }
}
