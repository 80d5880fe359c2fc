package io.notifier.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.notifier.queue.QueueKeys;
import io.notifier.testing.TestDatabase;
import io.notifier.testing.TestRedis;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The leader lease on Redis: one holder, renewed without piling up holds, free on release. */
class LeaderLeaseTest extends ProducerTestBase {

  private static final Duration LEASE = Duration.ofSeconds(3);

  LeaderLeaseTest(TestDatabase database, TestRedis redis) {
    super(database, redis);
  }

  private LeaderLease lease() {
    return new LeaderLease(redisson, QueueKeys.forNamespace(redis.namespace()).leader(), LEASE);
  }

  @Test
  void oneHolderAtATimeRenewedToTheLeaseAndFreedByOneRelease() {
    LeaderLease first = lease();
    LeaderLease second = lease();

    assertThat(first.acquireOrRenew()).isTrue();
    assertThat(second.acquireOrRenew()).isFalse();
    for (int i = 0; i < 20; i++) {
      assertThat(first.acquireOrRenew()).isTrue();
    }
    // Renewal resets the time to live to the lease, not to Redisson's 30-second default.
    assertThat(first.remainingMillis()).isPositive().isLessThanOrEqualTo(LEASE.toMillis());
    assertThat(first.isHeld()).isTrue();

    first.release();

    // Twenty renewals left one hold: a single release frees the lease for the other.
    assertThat(first.isHeld()).isFalse();
    assertThat(second.acquireOrRenew()).isTrue();
    second.release();
  }

  @Test
  void aLeaseThatIsNotRenewedExpiresAndAnotherProducerTakesIt() {
    LeaderLease crashed = lease();
    LeaderLease standby = lease();
    assertThat(crashed.acquireOrRenew()).isTrue();

    await()
        .atMost(LEASE.plusSeconds(5))
        .pollInterval(Duration.ofMillis(200))
        .until(standby::acquireOrRenew);

    assertThat(crashed.isHeld()).isFalse();
    standby.release();
  }
}
