package io.notifier.app;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ConfigCommandTest {

  @Test
  void flagsBeatVariablesWhichBeatDefaultsAndSecretsAreRedacted() {
    Cli cli =
        new Cli()
            .env("NOTIFIER_DATABASE_PASSWORD", "s3cret-db-pass")
            .env("NOTIFIER_REDIS_URL", "redis://ops:s3cret-in-url@redis.internal:6380/2")
            .env("NOTIFIER_CLEANUP_RETENTION", "60d")
            .env("NOTIFIER_DATABASE_POOL_SIZE", "4");

    Cli.Result result = cli.run("config", "--", "cleanup", "--database-pool-size", "7");

    assertThat(result.code()).as(result.toString()).isZero();
    assertThat(result.out())
        .contains("effective configuration of: notifier cleanup")
        .containsPattern("database-pool-size\\s+7\\s")
        .containsPattern("retention\\s+PT1440H\\s+\\(NOTIFIER_CLEANUP_RETENTION\\)")
        .containsPattern("database-url\\s+jdbc:postgresql://localhost:5432/pazpaz")
        .containsPattern("database-password\\s+<redacted>")
        .doesNotContain("s3cret");
    Cli.Result redis = cli.run("config", "--", "queue", "stats");
    assertThat(redis.out())
        .contains("redis://ops:<redacted>@redis.internal:6380/2")
        .doesNotContain("s3cret");
  }

  @Test
  void redactsPasswordsInsideUrls() {
    assertThat(ConfigReport.redact("jdbc:postgresql://db/x?user=a&password=p&ssl=true"))
        .isEqualTo("jdbc:postgresql://db/x?user=a&password=<redacted>&ssl=true");
    assertThat(ConfigReport.redact("rediss://:pw@h:1")).isEqualTo("rediss://:<redacted>@h:1");
  }
}
