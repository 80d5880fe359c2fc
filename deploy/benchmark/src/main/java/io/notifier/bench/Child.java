package io.notifier.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A process the harness starts with its own Java and class path (the SMTP sink, a consumer, the
 * producer), each with its own heap, so that what one measures is not another's garbage. It speaks
 * a line protocol: the harness writes a command, the child answers one line {@code @ <json>}.
 */
final class Child implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  static final String REPLY = "@ ";

  private final String name;
  private final Process process;
  private final PrintWriter in;
  private final BlockingQueue<String> replies = new LinkedBlockingQueue<>();

  private Child(String name, Process process) {
    this.name = name;
    this.process = process;
    this.in =
        new PrintWriter(
            new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8),
            true);
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader out =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                  if (line.startsWith(REPLY)) {
                    replies.add(line.substring(REPLY.length()));
                  } else {
                    System.err.println("[" + name + "] " + line);
                  }
                }
              } catch (IOException e) {
                // the child ended
              }
              replies.add("{\"exited\":true}");
            },
            "child-" + name);
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts {@code BenchCli <args>} in a new JVM with {@code jvmOptions}; its stderr goes to {@code
   * logs/<name>.err}.
   */
  static Child start(String name, Path logs, List<String> jvmOptions, List<String> args)
      throws IOException {
    Files.createDirectories(logs);
    List<String> command = new ArrayList<>();
    command.add(javaBinary());
    command.addAll(jvmOptions);
    command.add("-Dlogback.configurationFile=logback-worker.xml");
    command.add("-Dbench.log.file=" + logs.resolve(name + ".log").toAbsolutePath());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(BenchCli.class.getName());
    command.addAll(args);
    Process process =
        new ProcessBuilder(command).redirectError(logs.resolve(name + ".err").toFile()).start();
    Child child = new Child(name, process);
    JsonNode ready = child.await(Duration.ofMinutes(2));
    if (!ready.path("ready").asBoolean()) {
      child.close();
      throw new IllegalStateException(
          name + " did not start (see " + logs.resolve(name + ".err") + "): " + ready);
    }
    return child;
  }

  static String javaBinary() {
    String configured = System.getProperty("bench.java");
    if (configured != null && !configured.isBlank()) {
      return configured;
    }
    return ProcessHandle.current().info().command().orElse("java");
  }

  long pid() {
    return process.pid();
  }

  String name() {
    return name;
  }

  /** Sends a command and waits for its reply. */
  JsonNode call(String command, Duration timeout) {
    in.println(command);
    return await(timeout);
  }

  private JsonNode await(Duration timeout) {
    try {
      String line = replies.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (line == null) {
        throw new IllegalStateException(name + " did not answer within " + timeout);
      }
      JsonNode node = JSON.readTree(line);
      if (node.has("error")) {
        throw new IllegalStateException(name + ": " + node.get("error").asText());
      }
      return node;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for " + name, e);
    } catch (IOException e) {
      throw new IllegalStateException(name + " answered something that is not JSON", e);
    }
  }

  @Override
  public void close() {
    if (!process.isAlive()) {
      return;
    }
    try {
      in.println("exit");
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
