package io.notifier.demo;

import io.notifier.content.ContentConfig;
import io.notifier.db.DatabaseConfig;
import io.notifier.db.crypto.EncryptionKeys;
import io.notifier.delivery.ConsumerConfig;
import io.notifier.mail.SmtpConfig;
import io.notifier.ops.health.HealthConfig;
import io.notifier.ops.http.HttpConfig;
import io.notifier.redis.RedisConfig;
import io.notifier.schedule.ProducerConfig;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * Everything {@code notifier demo} runs with. Each service is either configured (then {@code
 * database}, {@code redis} or {@code smtp} says where it is) or embedded, in which case the demo
 * starts it and only the settings that do not say where it is (pool sizes, timeouts, the sender)
 * are taken from the record.
 *
 * @param embeddedDatabase start PostgreSQL in-process (no database URL was configured)
 * @param embeddedRedis start Redis (no Redis URL was configured)
 * @param inProcessInbox receive the mail in-process and save it (no SMTP host or port was
 *     configured)
 * @param keys client-name keys: the configured ones, else the demo's fixed fake keys
 * @param consumers one configuration per consumer to run (distinct ids)
 * @param httpPortChosen the HTTP port was configured, so a busy port is an error rather than a
 *     reason to pick a free one
 * @param mailDir where the in-process inbox saves each email as an .eml file
 * @param seeding whether to write the demo practice
 * @param seedOnly seed, then exit without running anything
 */
record DemoConfig(
    DatabaseConfig database,
    boolean embeddedDatabase,
    RedisConfig redis,
    boolean embeddedRedis,
    SmtpConfig smtp,
    boolean inProcessInbox,
    ContentConfig content,
    EncryptionKeys keys,
    ProducerConfig producer,
    List<ConsumerConfig> consumers,
    HttpConfig http,
    boolean httpPortChosen,
    HealthConfig health,
    Path mailDir,
    Seeding seeding,
    boolean seedOnly) {

  /**
   * Where the emails go, relative to the working directory (git-ignored at the repository root).
   */
  static final String DEFAULT_MAIL_DIR = "demo-mail";

  static final int DEFAULT_CONSUMERS = 2;
  static final int MAX_CONSUMERS = 8;

  /**
   * The Redis key namespace unless one is configured: never a deployment's default ({@value
   * RedisConfig#DEFAULT_NAMESPACE}), so a demo pointed at a shared Redis cannot take its leader
   * lease or its jobs.
   */
  static final String DEFAULT_NAMESPACE = "notifier-demo";

  /** Whether and how the demo practice is written. */
  enum Seeding {
    /** Leave the database as it is. */
    NONE,
    /** Seed a database without any workspace; refuse one that has some. */
    IF_EMPTY,
    /** Seed even a database with workspaces (the demo's rows are added beside them). */
    FORCE
  }

  DemoConfig {
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(redis, "redis");
    Objects.requireNonNull(smtp, "smtp");
    Objects.requireNonNull(content, "content");
    Objects.requireNonNull(keys, "keys");
    Objects.requireNonNull(producer, "producer");
    Objects.requireNonNull(http, "http");
    Objects.requireNonNull(health, "health");
    Objects.requireNonNull(mailDir, "mailDir");
    Objects.requireNonNull(seeding, "seeding");
    consumers = List.copyOf(consumers);
    if (consumers.isEmpty() || consumers.size() > MAX_CONSUMERS) {
      throw new IllegalArgumentException(
          "the demo runs 1 to " + MAX_CONSUMERS + " consumers, not " + consumers.size());
    }
    if (new HashSet<>(consumers.stream().map(ConsumerConfig::consumerId).toList()).size()
        != consumers.size()) {
      throw new IllegalArgumentException("every consumer needs its own id");
    }
    if (embeddedDatabase && seeding != Seeding.IF_EMPTY) {
      throw new IllegalArgumentException("an embedded database is always seeded, and it is empty");
    }
    if (seedOnly && (embeddedDatabase || seeding == Seeding.NONE)) {
      throw new IllegalArgumentException(
          "--seed-only seeds a configured database: set NOTIFIER_DATABASE_URL (or"
              + " --database-url); an embedded one would be gone when the demo exits");
    }
    if (seeding != Seeding.NONE && keys.currentVersion().isEmpty()) {
      throw new IllegalArgumentException(
          "seeding encrypts client names with a versioned key, and the configured encryption keys"
              + " have none (give NOTIFIER_ENCRYPTION_KEYS as v1:<base64>,...)");
    }
  }

  boolean seeds() {
    return seeding != Seeding.NONE;
  }
}
