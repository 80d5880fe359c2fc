package io.notifier.testing;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The servers shared by every test class of this JVM, started on first use.
 *
 * <p>Each JUnit execution request (root extension context) takes a {@link Lease}, kept in its root
 * store; JUnit closes it when the request ends. The servers stop when the last lease goes, so a
 * test that runs the engine again inside the JVM (a nested launcher) shares them instead of
 * stopping them under the outer run's feet. A server that failed to start is not retried until
 * then: every later test fails fast with the same cause.
 */
final class SharedServices {

  private static final Logger log = LoggerFactory.getLogger(RealServices.class);

  private static final Object LOCK = new Object();

  // all guarded by LOCK
  private static int leases;
  private static PostgresServer postgres;
  private static RuntimeException postgresFailure;
  private static RedisEndpoint redis;
  private static RuntimeException redisFailure;

  private SharedServices() {}

  /** Held in a root store; closing it gives the servers back. */
  static final class Lease implements AutoCloseable {
    private boolean closed;

    private Lease() {}

    @Override
    public void close() {
      synchronized (LOCK) {
        if (closed) {
          return;
        }
        closed = true;
        if (--leases == 0) {
          stopAll();
        }
      }
    }
  }

  static Lease acquire() {
    synchronized (LOCK) {
      leases++;
      return new Lease();
    }
  }

  static PostgresServer postgres() {
    synchronized (LOCK) {
      if (postgresFailure != null) {
        throw new IllegalStateException(
            "the test PostgreSQL server failed earlier in this run: "
                + postgresFailure.getMessage(),
            postgresFailure);
      }
      if (postgres == null) {
        try {
          postgres = ServiceSources.startPostgres();
        } catch (RuntimeException e) {
          postgresFailure = e;
          throw e;
        }
      }
      return postgres;
    }
  }

  static RedisEndpoint redis() {
    synchronized (LOCK) {
      if (redisFailure != null) {
        throw new IllegalStateException(
            "the test Redis server failed earlier in this run: " + redisFailure.getMessage(),
            redisFailure);
      }
      if (redis == null) {
        try {
          redis = ServiceSources.startRedis();
        } catch (RuntimeException e) {
          redisFailure = e;
          throw e;
        }
      }
      return redis;
    }
  }

  private static void stopAll() {
    if (postgres != null) {
      stop(postgres);
      postgres = null;
    }
    if (redis != null) {
      stop(redis);
      redis = null;
    }
    postgresFailure = null;
    redisFailure = null;
  }

  private static void stop(AutoCloseable server) {
    try {
      server.close();
      log.info("Done with {}", server);
    } catch (Exception e) {
      log.warn("Could not stop {}: {}", server, e.toString());
    }
  }
}
