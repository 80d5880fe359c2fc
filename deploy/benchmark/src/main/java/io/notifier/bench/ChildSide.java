package io.notifier.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The child end of {@link Child}'s line protocol, and the memory figures a child reports. */
final class ChildSide {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Handles one command line; returns the reply, or null for "exit". */
  @FunctionalInterface
  interface Handler {
    Map<String, Object> handle(String command, String[] args) throws Exception;
  }

  private ChildSide() {}

  /** Says ready, then answers commands from stdin until "exit" or end of input. */
  static void serve(Handler handler) throws IOException {
    reply(Map.of("ready", true));
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      String[] parts = line.trim().split("\\s+");
      if (parts.length == 0 || parts[0].isEmpty()) {
        continue;
      }
      if (parts[0].equals("exit")) {
        return;
      }
      String[] args = java.util.Arrays.copyOfRange(parts, 1, parts.length);
      try {
        Map<String, Object> out = handler.handle(parts[0], args);
        reply(out == null ? Map.of("ok", true) : out);
      } catch (Exception e) {
        reply(Map.of("error", parts[0] + " failed: " + e));
      }
    }
  }

  static synchronized void reply(Map<String, Object> values) throws IOException {
    System.out.println(Child.REPLY + JSON.writeValueAsString(values));
    System.out.flush();
  }

  /** Heap in use right after a full collection, and the process's resident set, in MiB. */
  static Map<String, Object> memory() {
    // Two collections: the first may only finish concurrent work (G1), the second settles.
    System.gc();
    System.gc();
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    long committed = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("heapAfterGcMiB", mib(heap));
    out.put("heapCommittedMiB", mib(committed));
    out.put("rssMiB", mib(rssBytes()));
    out.put("threads", Thread.activeCount());
    return out;
  }

  static long rssBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          String kb = line.substring(6).trim().split("\\s+")[0];
          return Long.parseLong(kb) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  static double mib(long bytes) {
    return Math.round(bytes / 1024.0 / 1024.0 * 10) / 10.0;
  }
}
