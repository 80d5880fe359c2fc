package io.notifier.app;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The effective configuration of a command (every option's value, whether from a flag, an
 * environment variable or the default), with secrets redacted: what {@code notifier config} prints
 * and what the long-running processes log once at start.
 */
final class ConfigReport {

  static final String REDACTED = "<redacted>";

  private ConfigReport() {}

  /** option name to printable value, sorted. */
  static Map<String, String> of(CommandSpec spec) {
    Map<String, String> values = new TreeMap<>();
    for (OptionSpec option : spec.options()) {
      if (option.usageHelp() || option.versionHelp() || option.longestName().equals("--verbose")) {
        continue;
      }
      Env env = EnvDefaults.annotation(option);
      Object value = option.getValue();
      String name = option.longestName().replaceFirst("^--", "");
      String text;
      if (value == null) {
        text = "<unset>";
      } else if (env != null && env.secret()) {
        text = value.toString().isEmpty() ? "<unset>" : REDACTED;
      } else {
        text =
            redact(
                value instanceof Collection<?> c
                    ? String.join(",", stringList(c))
                    : value.toString());
      }
      values.put(name, text);
    }
    return values;
  }

  /** One line: {@code a=1 b=2 ...}. */
  static String line(CommandSpec spec) {
    StringBuilder line = new StringBuilder();
    of(spec)
        .forEach((k, v) -> line.append(line.isEmpty() ? "" : " ").append(k).append('=').append(v));
    return line.toString();
  }

  /** Passwords inside URLs: {@code password=...} parameters and {@code user:password@} parts. */
  static String redact(String text) {
    return text.replaceAll("(?i)(password=)[^&;]*", "$1" + REDACTED)
        .replaceAll("(://[^:/@\\s]*):[^@/\\s]+@", "$1:" + REDACTED + "@");
  }

  private static List<String> stringList(Collection<?> values) {
    List<String> out = new ArrayList<>();
    values.forEach(v -> out.add(String.valueOf(v)));
    return out;
  }
}
