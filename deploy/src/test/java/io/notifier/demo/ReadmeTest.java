package io.notifier.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * README.md is the contract with every newcomer, so what it says about the code is checked: its
 * configuration reference is generated from the command line (regenerate it with {@value
 * #UPDATE_COMMAND}), every NOTIFIER_* variable the code reads is explained, the test command is
 * exactly the one CI runs, and the run command starts the demo whose mail folder is git-ignored.
 */
class ReadmeTest {

  static final String UPDATE_COMMAND =
      "mvn -B -pl deploy -am test -Dtest=ReadmeTest -Dsurefire.failIfNoSpecifiedTests=false"
          + " -Dnotifier.readme.update=true";

  static final String TEST_COMMAND = "mvn -B verify";
  static final String RUN_COMMAND =
      "mvn -B -q -DskipTests package && deploy/target/notifier/bin/notifier demo";

  private static final Path ROOT = Path.of("..");
  private static final Path README = ROOT.resolve("README.md");
  private static final String BEGIN =
      "<!-- BEGIN configuration reference: generated from the command line by ReadmeTest -->";
  private static final String END = "<!-- END configuration reference -->";

  private static final Pattern VARIABLE = Pattern.compile("NOTIFIER_[A-Z0-9_]*[A-Z0-9]");
  private static final Pattern JAVA_STRING = Pattern.compile("\"(?:[^\"\\\\\\n]|\\\\.)*\"");

  @Test
  void theConfigurationReferenceIsTheOneTheCommandLineGenerates() throws IOException {
    String readme = Files.readString(README);
    int begin = readme.indexOf(BEGIN);
    int end = readme.indexOf(END);
    assertThat(begin).as("README.md has the markers of the generated reference").isNotNegative();
    assertThat(end).isGreaterThan(begin);
    String current = readme.substring(begin + BEGIN.length(), end).strip() + "\n";
    String generated = ConfigurationReference.render();
    if (Boolean.getBoolean("notifier.readme.update") && !current.equals(generated)) {
      Files.writeString(
          README,
          readme.substring(0, begin + BEGIN.length())
              + "\n\n"
              + generated
              + "\n"
              + readme.substring(end));
      current = generated;
    }
    assertThat(current)
        .as("README.md's configuration reference is out of date; regenerate it: " + UPDATE_COMMAND)
        .isEqualTo(generated);
  }

  @Test
  void everyNotifierVariableTheCodeReadsIsExplainedInTheReadme() throws IOException {
    String readme = Files.readString(README);
    Set<String> read = new TreeSet<>();
    // What the command line, the launcher and the logging read; and the test harness.
    for (Path dir :
        new Path[] {
          ROOT.resolve("deploy/src/main"), ROOT.resolve("db/src/test/java/io/notifier/testing")
        }) {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path file : files.filter(Files::isRegularFile).toList()) {
          read.addAll(variablesIn(file));
        }
      }
    }
    assertThat(read)
        .as("variables found in the code")
        .contains("NOTIFIER_DATABASE_URL", "NOTIFIER_LOG_FORMAT", "NOTIFIER_JAVA_OPTS")
        .contains("NOTIFIER_DEMO_MAIL_DIR", "NOTIFIER_TEST_DATABASE_URL")
        .containsAll(ConfigurationReference.variables());
    for (String variable : read) {
      assertThat(readme).as("README.md explains %s", variable).contains("`" + variable);
    }
  }

  @Test
  void theTestCommandIsExactlyWhatCiRunsAndTheRunCommandStartsTheDemo() throws IOException {
    String readme = Files.readString(README);
    String ci = Files.readString(ROOT.resolve(".ci/run"));

    assertThat(ci.lines()).as(".ci/run runs the README's test command").contains(TEST_COMMAND);
    assertThat(readme.lines()).contains(TEST_COMMAND, RUN_COMMAND);
    assertThat(Files.isRegularFile(ROOT.resolve("deploy/src/main/dist/bin/notifier")))
        .as("the launcher the run command starts")
        .isTrue();
    assertThat(readme).contains("`./" + DemoConfig.DEFAULT_MAIL_DIR + "/`");
    assertThat(Files.readString(ROOT.resolve(".gitignore")).lines())
        .as("the demo's mail folder is never committed")
        .contains("/" + DemoConfig.DEFAULT_MAIL_DIR + "/");
  }

  /** NOTIFIER_* names in string literals of Java code, anywhere in other files. */
  private static Set<String> variablesIn(Path file) throws IOException {
    String text = Files.readString(file);
    Set<String> found = new TreeSet<>();
    if (file.toString().endsWith(".java")) {
      Matcher literal = JAVA_STRING.matcher(text);
      while (literal.find()) {
        VARIABLE.matcher(literal.group()).results().forEach(m -> found.add(m.group()));
      }
    } else {
      VARIABLE.matcher(text).results().forEach(m -> found.add(m.group()));
    }
    return found;
  }
}
