package io.notifier.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RedisConfigTest {

  @Test
  void parsesASingleNodeWithCredentialsAndDatabase() {
    RedisConfig config = RedisConfig.parse("redis://app:s3cr%40t@cache.internal:6380/2");
    assertThat(config.mode()).isEqualTo(RedisConfig.Mode.SINGLE);
    assertThat(config.nodes()).containsExactly(new RedisConfig.Node("cache.internal", 6380));
    assertThat(config.username()).isEqualTo("app");
    assertThat(config.password()).isEqualTo("s3cr@t");
    assertThat(config.database()).isEqualTo(2);
    assertThat(config.namespace()).isEqualTo("notifier");
    assertThat(config.nodeAddresses()).containsExactly("redis://cache.internal:6380");
  }

  @Test
  void parsesSentinelWithMasterNameAndCluster() {
    RedisConfig sentinel = RedisConfig.parse("redis-sentinel://s1:26379,s2:26379,s3/mymaster?db=1");
    assertThat(sentinel.mode()).isEqualTo(RedisConfig.Mode.SENTINEL);
    assertThat(sentinel.masterName()).isEqualTo("mymaster");
    assertThat(sentinel.nodes()).hasSize(3).last().isEqualTo(new RedisConfig.Node("s3", 6379));
    assertThat(sentinel.database()).isEqualTo(1);

    RedisConfig cluster = RedisConfig.parse("rediss-cluster://n1:7000,n2:7001");
    assertThat(cluster.mode()).isEqualTo(RedisConfig.Mode.CLUSTER);
    assertThat(cluster.tls()).isTrue();
    assertThat(cluster.nodeAddresses()).containsExactly("rediss://n1:7000", "rediss://n2:7001");
  }

  @Test
  void aPasswordGivenSeparatelyWinsAndNeverShowsInToString() {
    RedisConfig config = RedisConfig.parse("redis://:inurl@h:6379", "fromenv", "prod");
    assertThat(config.password()).isEqualTo("fromenv");
    assertThat(config.namespace()).isEqualTo("prod");
    assertThat(config.toString())
        .doesNotContain("fromenv")
        .doesNotContain("inurl")
        .contains("<redacted>");
  }

  @Test
  void rejectsWhatCannotWork() {
    assertThatThrownBy(() -> RedisConfig.parse("http://h")).hasMessageContaining("scheme");
    assertThatThrownBy(() -> RedisConfig.parse("redis-sentinel://s1:26379"))
        .hasMessageContaining("master name");
    assertThatThrownBy(() -> RedisConfig.parse("redis-cluster://n1:7000/3"))
        .hasMessageContaining("database 0");
    assertThatThrownBy(() -> RedisConfig.parse("redis://h:notaport")).hasMessageContaining("port");
    assertThatThrownBy(() -> RedisConfig.parse("redis://h", null, "{bad}"))
        .hasMessageContaining("namespace");
  }
}
