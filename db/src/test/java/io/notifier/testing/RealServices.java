package io.notifier.testing;

import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ExtensionContext.Store;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that hands tests real services, as parameters of test methods, constructors,
 * {@code @BeforeAll} and {@code @BeforeEach} methods:
 *
 * <ul>
 *   <li>{@link TestDatabase}: a migrated PostgreSQL database of this test class;
 *   <li>{@link TestRedis}: a Redis server and a key namespace of this test class;
 *   <li>{@link TestSmtp}: a GreenMail SMTP server of this test class.
 * </ul>
 *
 * <p>Within a test class (including its {@code @Nested} classes) every parameter of one type is the
 * same object; another test class gets another database, namespace and SMTP server. They are
 * dropped, flushed and stopped when the class is done.
 *
 * <p>The servers behind them are shared by the whole JVM, started on first use and stopped when the
 * test run ends. Where they come from is decided once per JVM and logged at INFO: the environment
 * ({@code NOTIFIER_TEST_DATABASE_URL} [+ {@code NOTIFIER_TEST_DATABASE_USER}/{@code _PASSWORD}],
 * {@code NOTIFIER_TEST_REDIS_URL}), else Testcontainers when Docker answers, else embedded servers
 * from Maven artifacts. SMTP is always an in-process GreenMail.
 *
 * <pre>{@code
 * @RealServicesTest
 * class LedgerTest {
 *   @Test
 *   void writesARow(TestDatabase db, TestRedis redis) { ... }
 * }
 * }</pre>
 */
public final class RealServices implements ParameterResolver {

  private static final Namespace NAMESPACE = Namespace.create(RealServices.class);
  private static final Set<Class<?>> SUPPORTED =
      Set.of(TestDatabase.class, TestRedis.class, TestSmtp.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return SUPPORTED.contains(parameter.getParameter().getType());
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    try {
      return resolve(type, context);
    } catch (ParameterResolutionException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new ParameterResolutionException(
          "Could not provide a " + type.getSimpleName() + ": " + e.getMessage(), e);
    }
  }

  private static Object resolve(Class<?> type, ExtensionContext context) {
    // Shared servers: leased by the run (root context), so they outlive every class.
    context
        .getRoot()
        .getStore(NAMESPACE)
        .computeIfAbsent(
            SharedServices.Lease.class, k -> SharedServices.acquire(), SharedServices.Lease.class);

    ExtensionContext classContext = outermostClassContext(context);
    Store store = classContext.getStore(NAMESPACE);
    ClassScope scope =
        store.computeIfAbsent(
            ClassScope.class,
            k -> new ClassScope(classContext.getRequiredTestClass().getSimpleName()),
            ClassScope.class);
    if (type == TestDatabase.class) {
      return store.computeIfAbsent(
          TestDatabase.class,
          k -> TestDatabase.create(SharedServices.postgres(), scope, true),
          TestDatabase.class);
    }
    if (type == TestRedis.class) {
      return store.computeIfAbsent(
          TestRedis.class, k -> TestRedis.create(SharedServices.redis(), scope), TestRedis.class);
    }
    if (type == TestSmtp.class) {
      return store.computeIfAbsent(TestSmtp.class, k -> TestSmtp.create(scope), TestSmtp.class);
    }
    throw new ParameterResolutionException("RealServices cannot provide a " + type.getName());
  }

  /**
   * The context of the top-level test class: {@code @Nested} classes share their enclosing class's
   * services, so that the outer class's set-up and the inner tests see the same data.
   */
  private static ExtensionContext outermostClassContext(ExtensionContext context) {
    ExtensionContext current = context;
    while (true) {
      Optional<ExtensionContext> parent = current.getParent();
      if (parent.isEmpty() || parent.get().getTestClass().isEmpty()) {
        return current;
      }
      current = parent.get();
    }
  }
}
