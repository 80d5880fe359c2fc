package io.notifier.db.crypto;

/**
 * A value that cannot be decrypted with the keys this process has. The message is safe to log and
 * to record: it names the reason and the key version, never the data or a key.
 */
public final class UndecryptableException extends Exception {

  private static final long serialVersionUID = 1L;

  /** Why, as a short stable code for ledgers and metrics. */
  public enum Reason {
    MISSING_KEY,
    TAG_MISMATCH,
    MALFORMED
  }

  private final Reason reason;

  public UndecryptableException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
