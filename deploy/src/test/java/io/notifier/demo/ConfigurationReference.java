package io.notifier.demo;

import io.notifier.app.CliContext;
import io.notifier.app.Env;
import io.notifier.app.NotifierCli;
import java.lang.reflect.Field;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The README's configuration reference, rendered from the command line itself: every option that an
 * environment variable sets, grouped by what it configures, with its flag, default and meaning.
 * {@link ReadmeTest} compares it with the README (and rewrites it on request), so the two cannot
 * drift apart.
 */
final class ConfigurationReference {

  /** Groups in README order, by the class that declares the options. */
  private static final Map<String, String> GROUPS = new LinkedHashMap<>();

  static {
    GROUPS.put("DatabaseOptions", "PostgreSQL");
    GROUPS.put("RedisOptions", "Redis");
    GROUPS.put("SmtpOptions", "SMTP");
    GROUPS.put("ContentOptions", "Email content and client-name keys");
    GROUPS.put("ProducerOptions", "Producer");
    GROUPS.put("ConsumerOptions", "Consumer");
    GROUPS.put("CleanupOptions", "Ledger clean-up (producer's leader, `notifier cleanup`)");
    GROUPS.put("HttpOptions", "HTTP: `/metrics` and health (the long-running commands)");
    GROUPS.put("HealthOptions", "Health thresholds");
    GROUPS.put("DemoCommand", "`notifier demo`");
  }

  private static final String OTHER = "Other commands";

  private ConfigurationReference() {}

  private record Row(
      String variable, boolean secret, String flag, String defaultValue, String meaning) {}

  /** The Markdown of the reference. */
  static String render() {
    CommandLine root = NotifierCli.commandLine(CliContext.of(Map.of(), Clock.systemUTC()));
    Map<String, Map<String, Row>> groups = new LinkedHashMap<>();
    GROUPS.values().forEach(g -> groups.put(g, new TreeMap<>()));
    groups.put(OTHER, new TreeMap<>());
    collect(root, groups);
    StringBuilder md = new StringBuilder();
    groups.forEach(
        (group, rows) -> {
          if (rows.isEmpty()) {
            return;
          }
          md.append("**").append(group).append("**\n\n");
          md.append("| Variable | Flag | Default | Meaning |\n| --- | --- | --- | --- |\n");
          rows.values()
              .forEach(
                  r ->
                      md.append("| `")
                          .append(r.variable())
                          .append(r.secret() ? "` (secret) | `" : "` | `")
                          .append(r.flag())
                          .append("` | ")
                          .append(r.defaultValue())
                          .append(" | ")
                          .append(r.meaning())
                          .append(" |\n"));
          md.append('\n');
        });
    return md.toString().stripTrailing() + "\n";
  }

  private static void collect(CommandLine command, Map<String, Map<String, Row>> groups) {
    for (OptionSpec option : command.getCommandSpec().options()) {
      if (!(option.userObject() instanceof Field field)) {
        continue;
      }
      Env env = field.getAnnotation(Env.class);
      if (env == null) {
        continue;
      }
      String group = GROUPS.getOrDefault(field.getDeclaringClass().getSimpleName(), OTHER);
      groups
          .get(group)
          .putIfAbsent(
              env.value(),
              new Row(
                  env.value(),
                  env.secret(),
                  option.longestName(),
                  defaultOf(option, env),
                  meaning(option)));
    }
    command.getSubcommands().values().forEach(sub -> collect(sub, groups));
  }

  private static String defaultOf(OptionSpec option, Env env) {
    String value = option.defaultValue();
    if (value == null && (option.type() == boolean.class || option.type() == Boolean.class)) {
      value = "false";
    }
    String shown = value == null || value.isEmpty() ? "—" : "`" + value + "`";
    String demo = DemoCommand.DEMO_DEFAULTS.get(env.value());
    return demo == null ? shown : shown + " (demo: `" + demo + "`)";
  }

  /** The option's help without the "(env ...; default ...)" the table shows in columns. */
  private static String meaning(OptionSpec option) {
    String text = String.join(" ", option.description());
    text = text.replaceAll("\\s*\\(env NOTIFIER_[A-Z0-9_]+[^)]*\\)", "");
    text = text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;").strip();
    return text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
  }

  /** Every variable the reference lists. */
  static List<String> variables() {
    List<String> names = new ArrayList<>();
    render()
        .lines()
        .filter(l -> l.startsWith("| `NOTIFIER_"))
        .forEach(l -> names.add(l.substring(3, l.indexOf('`', 3))));
    return names;
  }
}
