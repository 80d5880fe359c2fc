package io.notifier.testing;

import java.util.List;

/**
 * A real Redis (shared by the JVM) and a keyspace of one test class: {@link #namespace()} is a
 * unique prefix such as {@code t-3f9a1c} that code under test puts in front of its keys (plain,
 * {@code t-3f9a1c:...}, or hash-tagged, {@code {t-3f9a1c}:...}). Its keys are deleted when the
 * class is done; nothing ever flushes the whole server, which may be shared.
 */
public final class TestRedis {

  private final RedisEndpoint endpoint;
  private final String namespace;

  private TestRedis(RedisEndpoint endpoint, String namespace) {
    this.endpoint = endpoint;
    this.namespace = namespace;
  }

  static TestRedis create(RedisEndpoint endpoint, ClassScope scope) {
    String namespace = endpoint.claimNamespace();
    TestRedis redis = new TestRedis(endpoint, namespace);
    scope.register(redis::close);
    return redis;
  }

  public String host() {
    return endpoint.host();
  }

  public int port() {
    return endpoint.port();
  }

  /** E.g. {@code redis://127.0.0.1:6379}; as given when it comes from NOTIFIER_TEST_REDIS_URL. */
  public String uri() {
    return endpoint.uri();
  }

  /** This class's key prefix, e.g. {@code t-3f9a1c}. */
  public String namespace() {
    return namespace;
  }

  /** The keys of this namespace now on the server. */
  public List<String> keys() {
    return endpoint.keys(namespace);
  }

  /**
   * Deletes this namespace's keys (SCAN MATCH + UNLINK) and returns how many were deleted; other
   * namespaces' keys stay.
   */
  public long flushNamespace() {
    return endpoint.flush(namespace);
  }

  void close() {
    try {
      endpoint.flush(namespace);
    } finally {
      endpoint.releaseNamespace(namespace);
    }
  }

  @Override
  public String toString() {
    return "TestRedis[" + RedisEndpoint.redact(uri()) + ", namespace=" + namespace + "]";
  }
}
