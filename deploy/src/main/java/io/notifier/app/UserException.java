package io.notifier.app;

/**
 * A mistake or a condition the operator can fix (a bad id, an unknown entry, an unreachable
 * service): printed as one line, without a stack trace, and the command exits non-zero.
 */
public final class UserException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public UserException(String message) {
    super(message);
  }

  public UserException(String message, Throwable cause) {
    super(message, cause);
  }
}
