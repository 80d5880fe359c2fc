package io.notifier.app;

import java.lang.reflect.Field;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;

/**
 * picocli's default values from environment variables, read from the map the {@link CliContext}
 * holds (so tests set variables without touching the process environment). An empty variable counts
 * as unset.
 */
final class EnvDefaults implements CommandLine.IDefaultValueProvider {

  private final Map<String, String> env;

  EnvDefaults(Map<String, String> env) {
    this.env = env;
  }

  @Override
  public String defaultValue(ArgSpec arg) {
    Env annotation = annotation(arg);
    if (annotation == null) {
      return null;
    }
    String value = env.get(annotation.value());
    return value == null || value.isEmpty() ? null : value;
  }

  static Env annotation(ArgSpec arg) {
    return arg.userObject() instanceof Field field ? field.getAnnotation(Env.class) : null;
  }
}
