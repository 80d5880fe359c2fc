package io.notifier.db;

import java.nio.file.Path;
import org.jooq.codegen.GenerationTool;
import org.jooq.meta.jaxb.Configuration;
import org.jooq.meta.jaxb.Database;
import org.jooq.meta.jaxb.Generate;
import org.jooq.meta.jaxb.Generator;
import org.jooq.meta.jaxb.Jdbc;
import org.jooq.meta.jaxb.Target;

/**
 * Generates the jOOQ classes from a migrated database. The output is committed under
 * src/main/generated so that building never needs a database; {@code
 * GeneratedJooqCodeMatchesMigrationsTest} regenerates it on every test run and fails on drift.
 */
public final class JooqCodegen {

  public static final String PACKAGE = "io.notifier.db.jooq";

  private JooqCodegen() {}

  public static void generate(String jdbcUrl, String user, String password, Path targetDirectory)
      throws Exception {
    Configuration configuration =
        new Configuration()
            .withLogging(org.jooq.meta.jaxb.Logging.WARN)
            .withJdbc(
                new Jdbc()
                    .withDriver("org.postgresql.Driver")
                    .withUrl(jdbcUrl)
                    .withUser(user)
                    .withPassword(password))
            .withGenerator(
                new Generator()
                    .withDatabase(
                        new Database()
                            .withName("org.jooq.meta.postgres.PostgresDatabase")
                            .withInputSchema("public")
                            .withOutputSchemaToDefault(true)
                            .withIncludes(".*")
                            .withExcludes(
                                Migrations.PAZPAZ_HISTORY_TABLE
                                    + "|"
                                    + Migrations.NOTIFIER_HISTORY_TABLE))
                    .withGenerate(
                        new Generate()
                            .withRecords(true)
                            .withPojos(false)
                            .withDaos(false)
                            .withJavaTimeTypes(true)
                            .withGeneratedAnnotation(false)
                            .withComments(true)
                            .withIndexes(true)
                            .withKeys(true)
                            .withRoutines(false)
                            .withSequences(false))
                    .withTarget(
                        new Target()
                            .withPackageName(PACKAGE)
                            .withDirectory(targetDirectory.toAbsolutePath().toString())
                            .withClean(true)));
    GenerationTool.generate(configuration);
  }

  /** {@code JooqCodegen <jdbcUrl> <user> <dir> [password]} for regenerating by hand. */
  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println("usage: JooqCodegen <jdbcUrl> <user> <dir> [password]");
      System.exit(2);
    }
    generate(args[0], args[1], args.length > 3 ? args[3] : "", Path.of(args[2]));
  }
}
