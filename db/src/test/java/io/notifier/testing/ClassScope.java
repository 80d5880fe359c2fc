package io.notifier.testing;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What one test class was given: closed (in reverse order of creation) by JUnit when the class is
 * done, because it sits in the class's extension store.
 */
final class ClassScope implements AutoCloseable {

  private final String label;
  private final Deque<AutoCloseable> resources = new ArrayDeque<>();
  private boolean closed;

  ClassScope(String label) {
    this.label = label;
  }

  /** The test class's simple name, used to label databases for whoever looks at the server. */
  String label() {
    return label;
  }

  synchronized void register(AutoCloseable resource) {
    if (closed) {
      throw new IllegalStateException("the test class " + label + " is already finished");
    }
    resources.push(resource);
  }

  @Override
  public void close() {
    RuntimeException failure = null;
    while (true) {
      AutoCloseable next;
      synchronized (this) {
        closed = true;
        next = resources.poll();
      }
      if (next == null) {
        break;
      }
      try {
        next.close();
      } catch (Exception e) {
        if (failure == null) {
          failure =
              e instanceof RuntimeException runtime
                  ? runtime
                  : new IllegalStateException("cleaning up after " + label + " failed", e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
