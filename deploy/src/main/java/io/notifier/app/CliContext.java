package io.notifier.app;

import java.time.Clock;
import java.util.Map;
import java.util.Objects;

/**
 * What the command line takes from its surroundings: the environment variables (the only place
 * configuration comes from besides flags), the clock, and the signal that stops a long-running
 * command. Tests pass their own; {@link NotifierCli#main} passes the real ones.
 */
public record CliContext(Map<String, String> env, Clock clock, StopSignal stopSignal) {

  public CliContext {
    env = Map.copyOf(Objects.requireNonNull(env, "env"));
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(stopSignal, "stopSignal");
  }

  public static CliContext of(Map<String, String> env, Clock clock) {
    return new CliContext(env, clock, new StopSignal());
  }
}
