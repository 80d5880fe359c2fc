package io.notifier.ops.health;

import java.util.List;

/** A probe's answer: fine, or the reasons it is not. */
public record Check(boolean ok, List<String> problems) {

  public Check {
    problems = List.copyOf(problems);
  }

  public static Check of(List<String> problems) {
    return new Check(problems.isEmpty(), problems);
  }
}
