package io.notifier.testing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Every place JUnit resolves parameters gets the same per-class objects. */
@RealServicesTest
class ParameterInjectionTest {

  private static TestDatabase beforeAllDatabase;
  private static TestRedis beforeAllRedis;
  private static TestSmtp beforeAllSmtp;

  private final TestDatabase constructorDatabase;
  private final TestRedis constructorRedis;
  private TestSmtp beforeEachSmtp;

  ParameterInjectionTest(TestDatabase database, TestRedis redis) {
    this.constructorDatabase = database;
    this.constructorRedis = redis;
  }

  @BeforeAll
  static void beforeAll(TestDatabase database, TestRedis redis, TestSmtp smtp) {
    beforeAllDatabase = database;
    beforeAllRedis = redis;
    beforeAllSmtp = smtp;
  }

  @BeforeEach
  void beforeEach(TestSmtp smtp) {
    beforeEachSmtp = smtp;
  }

  @Test
  void constructorBeforeAllBeforeEachAndMethodShareTheClassServices(
      TestDatabase database, TestRedis redis, TestSmtp smtp) {
    assertThat(database).isSameAs(constructorDatabase).isSameAs(beforeAllDatabase);
    assertThat(redis).isSameAs(constructorRedis).isSameAs(beforeAllRedis);
    assertThat(smtp).isSameAs(beforeEachSmtp).isSameAs(beforeAllSmtp);
  }

  @Test
  void aSecondMethodGetsTheSameObjectsAgain(TestDatabase database, TestRedis redis) {
    assertThat(database).isSameAs(beforeAllDatabase);
    assertThat(redis.namespace()).isEqualTo(beforeAllRedis.namespace());
  }

  @Nested
  class NestedClass {

    @Test
    void sharesTheEnclosingClassServices(TestDatabase database, TestRedis redis, TestSmtp smtp) {
      assertThat(database).isSameAs(beforeAllDatabase);
      assertThat(redis).isSameAs(beforeAllRedis);
      assertThat(smtp).isSameAs(beforeAllSmtp);
    }
  }
}
