package io.notifier.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.notifier.testing.RealServicesTest;
import io.notifier.testing.TestDatabase;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The jOOQ classes committed under {@code db/src/main/generated} must be exactly what jOOQ
 * generates from the Flyway migrations. This test generates them afresh from a database migrated
 * with {@link MigrationScope#ALL} (the harness's database) into {@code target/jooq-drift-check} and
 * compares every file, byte for byte.
 *
 * <p>After changing a migration, regenerate the committed classes with
 *
 * <pre>
 * mvn -pl db test -Dtest=GeneratedJooqCodeMatchesMigrationsTest -Djooq.regenerate=true
 * </pre>
 *
 * <p>which writes into {@code src/main/generated} instead of comparing; review and commit the
 * result with the migration.
 */
@RealServicesTest
class GeneratedJooqCodeMatchesMigrationsTest {

  static final String REGENERATE_PROPERTY = "jooq.regenerate";
  static final String REGENERATE_COMMAND =
      "mvn -pl db test -Dtest=GeneratedJooqCodeMatchesMigrationsTest -D"
          + REGENERATE_PROPERTY
          + "=true";

  private static final Path COMMITTED = Path.of("src", "main", "generated");
  private static final Path DRIFT_CHECK = Path.of("target", "jooq-drift-check");

  @Test
  void committedJooqClassesMatchWhatTheMigrationsGenerate(TestDatabase db) throws Exception {
    Path module = moduleDirectory();
    Path committed = module.resolve(COMMITTED);

    if (Boolean.getBoolean(REGENERATE_PROPERTY)) {
      JooqCodegen.generate(db.jdbcUrl(), db.user(), db.password(), committed);
      assertThat(javaFiles(committed))
          .as("classes regenerated into %s", committed)
          .contains(packagePath("Tables.java"));
      System.out.println("Regenerated the jOOQ classes in " + committed + "; review and commit.");
      return;
    }

    Path fresh = module.resolve(DRIFT_CHECK);
    deleteRecursively(fresh);
    JooqCodegen.generate(db.jdbcUrl(), db.user(), db.password(), fresh);

    Set<String> freshFiles = files(fresh);
    Set<String> committedFiles = files(committed);
    assertThat(freshFiles)
        .as("jOOQ generated nothing into %s", fresh)
        .contains(packagePath("Tables.java"));

    List<String> problems = new ArrayList<>();
    Set<String> all = new TreeSet<>(freshFiles);
    all.addAll(committedFiles);
    for (String file : all) {
      if (!committedFiles.contains(file)) {
        problems.add("missing from src/main/generated: " + file);
      } else if (!freshFiles.contains(file)) {
        problems.add("no longer generated, still in src/main/generated: " + file);
      } else {
        byte[] expected = Files.readAllBytes(fresh.resolve(file));
        byte[] actual = Files.readAllBytes(committed.resolve(file));
        if (!Arrays.equals(expected, actual)) {
          problems.add("differs: " + file + firstDifference(actual, expected));
        }
      }
    }

    if (!problems.isEmpty()) {
      throw new AssertionError(
          "The jOOQ classes in "
              + committed
              + " do not match the migrations ("
              + problems.size()
              + " file(s)):\n  "
              + String.join("\n  ", problems)
              + "\nFreshly generated classes are in "
              + fresh
              + ". Regenerate the committed ones with\n  "
              + REGENERATE_COMMAND
              + "\nand commit them with the migration.");
    }
  }

  /**
   * The db module's directory: Maven's {@code basedir} when it is set (Surefire sets it), else the
   * module that holds this compiled class ({@code <module>/target/test-classes}), else the working
   * directory or its {@code db} subdirectory.
   */
  static Path moduleDirectory() throws URISyntaxException {
    List<Path> candidates = new ArrayList<>();
    String basedir = System.getProperty("basedir");
    if (basedir != null && !basedir.isBlank()) {
      candidates.add(Path.of(basedir));
    }
    Path classes =
        Path.of(
            GeneratedJooqCodeMatchesMigrationsTest.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
    if (classes.getParent() != null && classes.getParent().getParent() != null) {
      candidates.add(classes.getParent().getParent());
    }
    Path workingDirectory = Path.of("").toAbsolutePath();
    candidates.add(workingDirectory);
    candidates.add(workingDirectory.resolve("db"));
    for (Path candidate : candidates) {
      if (isDbModule(candidate)) {
        return candidate.toAbsolutePath().normalize();
      }
    }
    throw new IllegalStateException(
        "cannot find the db module directory (looked at " + candidates + ")");
  }

  private static boolean isDbModule(Path directory) {
    Path pom = directory.resolve("pom.xml");
    if (!Files.isRegularFile(pom)
        || !Files.isDirectory(directory.resolve("src/main/java/io/notifier/db"))) {
      return false;
    }
    try {
      return Files.readString(pom, StandardCharsets.UTF_8).contains("<artifactId>db</artifactId>");
    } catch (IOException e) {
      return false;
    }
  }

  private static String packagePath(String file) {
    return JooqCodegen.PACKAGE.replace('.', '/') + "/" + file;
  }

  /** Every regular file under {@code root}, as '/'-separated relative paths. */
  private static Set<String> files(Path root) throws IOException {
    Set<String> names = new TreeSet<>();
    if (!Files.isDirectory(root)) {
      return names;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      walk.filter(Files::isRegularFile)
          .forEach(p -> names.add(root.relativize(p).toString().replace('\\', '/')));
    }
    return names;
  }

  private static Set<String> javaFiles(Path root) throws IOException {
    Set<String> names = files(root);
    names.removeIf(name -> !name.endsWith(".java"));
    return names;
  }

  /**
   * Where two versions of a file first differ, as " (line N: committed '...', generated '...')".
   */
  private static String firstDifference(byte[] committed, byte[] generated) {
    List<String> a = new String(committed, StandardCharsets.UTF_8).lines().toList();
    List<String> b = new String(generated, StandardCharsets.UTF_8).lines().toList();
    for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
      String left = i < a.size() ? a.get(i) : "<end of file>";
      String right = i < b.size() ? b.get(i) : "<end of file>";
      if (!left.equals(right)) {
        return " (line "
            + (i + 1)
            + ": committed '"
            + abbreviate(left)
            + "', generated '"
            + abbreviate(right)
            + "')";
      }
    }
    return " (line endings or trailing newline)";
  }

  private static String abbreviate(String line) {
    String trimmed = line.strip();
    return trimmed.length() <= 120 ? trimmed : trimmed.substring(0, 117) + "...";
  }

  private static void deleteRecursively(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path path : walk.sorted((x, y) -> y.getNameCount() - x.getNameCount()).toList()) {
        Files.delete(path);
      }
    }
  }
}
