package io.notifier.mail;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Deterministic Message-IDs: the same logical notification (dedup key) always carries the same id,
 * on every retry and every operator replay, so a resend after an uncertain failure is recognisable
 * downstream (and many receivers collapse it). The key is hashed, so no user id leaks into headers.
 */
public final class MessageIds {

  private MessageIds() {}

  /** {@code <} + the first 32 hex digits of SHA-256(dedupKey) + {@code @domain>}. */
  public static String forDedupKey(String dedupKey, String domain) {
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256").digest(dedupKey.getBytes(StandardCharsets.UTF_8));
      return "<" + HexFormat.of().formatHex(hash).substring(0, 32) + "@" + domain + ">";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }
}
