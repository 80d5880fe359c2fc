package io.notifier.ops.logging;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Chooses, before the first logger exists, where and how loudly a command logs: the long-running
 * processes log at INFO to stdout (what log collectors read); one-shot commands keep stdout for
 * their own output, so they log to stderr, warnings of the notifier only, unless {@code --verbose}.
 * It sets the system properties logback.xml reads, so it must run before any logging.
 */
public final class LogSetup {

  private LogSetup() {}

  public static void prepare(String[] args, Map<String, String> env) {
    // The demo runs in a newcomer's terminal: readable lines unless JSON is asked for.
    String fallback = isDemo(args) ? "text" : "json";
    String configured = env.get("NOTIFIER_LOG_FORMAT");
    String format =
        (configured == null || configured.isBlank() ? fallback : configured)
            .trim()
            .toLowerCase(Locale.ROOT);
    if (!format.equals("json") && !format.equals("text")) {
      // An unknown format must not leave the process without logs.
      System.setProperty("NOTIFIER_LOG_FORMAT", "json");
    } else {
      System.setProperty("NOTIFIER_LOG_FORMAT", format);
    }
    boolean verbose = List.of(args).contains("--verbose") || List.of(args).contains("-v");
    if (isLongRunning(args)) {
      if (isDemo(args) && !verbose) {
        // A newcomer's terminal: the notifier's own lines; libraries only when something fails.
        System.setProperty("notifier.log.libraries", "ERROR");
        System.setProperty("notifier.log.root", "ERROR");
      }
      return;
    }
    System.setProperty("notifier.log.target", "System.err");
    if (!verbose) {
      System.setProperty("notifier.log.level", "WARN");
      System.setProperty("notifier.log.libraries", "OFF");
      System.setProperty("notifier.log.root", "WARN");
    }
  }

  /** Whether the arguments name {@code notifier demo}. */
  static boolean isDemo(String[] args) {
    return List.of(args).stream()
        .filter(a -> !a.startsWith("-"))
        .findFirst()
        .orElse("")
        .equals("demo");
  }

  /** Whether the arguments name a command that runs until stopped. */
  public static boolean isLongRunning(String[] args) {
    List<String> words = List.of(args).stream().filter(a -> !a.startsWith("-")).toList();
    boolean worker = words.contains("producer") || words.contains("consumer");
    return (worker && words.contains("run")) || words.contains("demo");
  }
}
