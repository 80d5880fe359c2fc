package io.notifier.db.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Optional;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * PazPaz's encrypted columns (client first and last names): AES-256-GCM, 12-byte random nonce,
 * 16-byte tag, no associated data. Two formats are read:
 *
 * <ul>
 *   <li>current: ASCII {@code v<N>:} then {@code nonce || ciphertext || tag}, key N from the
 *       registry;
 *   <li>legacy: {@code nonce || ciphertext || tag} with no prefix, the single legacy key.
 * </ul>
 *
 * <p>A legacy value's random nonce can by chance begin with bytes that read like a version prefix,
 * so a prefixed value that fails with its versioned key is tried once more as legacy.
 *
 * <p>Thread-safe: a {@link Cipher} is created per call.
 */
public final class ClientNameCipher {

  private static final String TRANSFORMATION = "AES/GCM/NoPadding";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final int TAG_BYTES = TAG_BITS / 8;
  private static final int MAX_VERSION_DIGITS = 9; // EncryptionKeys.MAX_VERSION

  private final EncryptionKeys keys;
  private final SecureRandom random = new SecureRandom();

  public ClientNameCipher(EncryptionKeys keys) {
    this.keys = keys;
  }

  public EncryptionKeys keys() {
    return keys;
  }

  public String decrypt(byte[] stored) throws UndecryptableException {
    if (stored == null || stored.length < NONCE_BYTES + TAG_BYTES) {
      throw malformed();
    }
    Optional<SecretKey> legacy = keys.legacy();
    int prefixLength = prefixLength(stored);
    if (prefixLength == 0) {
      if (legacy.isEmpty()) {
        throw new UndecryptableException(
            UndecryptableException.Reason.MISSING_KEY,
            "value has no version prefix and no legacy encryption key is configured");
      }
      return open(legacy.get(), stored, 0)
          .orElseThrow(
              () ->
                  new UndecryptableException(
                      UndecryptableException.Reason.TAG_MISMATCH,
                      "authentication tag check failed with the legacy key"));
    }
    int version = versionPrefix(stored).orElseThrow();
    Optional<SecretKey> key = keys.version(version);
    // Too short after the prefix: not a versioned value after all, but a short legacy one whose
    // random nonce happens to read like a prefix.
    boolean fits = stored.length - prefixLength >= NONCE_BYTES + TAG_BYTES;
    Optional<String> plain =
        key.isPresent() && fits ? open(key.get(), stored, prefixLength) : Optional.empty();
    if (plain.isEmpty() && legacy.isPresent()) {
      plain = open(legacy.get(), stored, 0);
    }
    if (plain.isPresent()) {
      return plain.get();
    }
    throw key.isPresent()
        ? new UndecryptableException(
            UndecryptableException.Reason.TAG_MISMATCH,
            "authentication tag check failed with key v" + version)
        : new UndecryptableException(
            UndecryptableException.Reason.MISSING_KEY,
            "no encryption key v" + version + " is configured");
  }

  /** The plaintext, or empty when the tag does not verify under this key. */
  private static Optional<String> open(SecretKey key, byte[] stored, int offset)
      throws UndecryptableException {
    if (stored.length - offset < NONCE_BYTES + TAG_BYTES) {
      throw malformed();
    }
    try {
      Cipher cipher = Cipher.getInstance(TRANSFORMATION);
      cipher.init(
          Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, stored, offset, NONCE_BYTES));
      byte[] plain =
          cipher.doFinal(stored, offset + NONCE_BYTES, stored.length - offset - NONCE_BYTES);
      return Optional.of(new String(plain, StandardCharsets.UTF_8));
    } catch (AEADBadTagException e) {
      return Optional.empty();
    } catch (GeneralSecurityException e) {
      throw new UndecryptableException(
          UndecryptableException.Reason.MALFORMED,
          "encrypted value could not be decrypted: " + e.getClass().getSimpleName());
    }
  }

  private static UndecryptableException malformed() {
    return new UndecryptableException(
        UndecryptableException.Reason.MALFORMED, "encrypted value is too short to be AES-GCM");
  }

  /** Encrypts with the newest versioned key, in the current {@code v<N>:} format. */
  public byte[] encrypt(String plain) {
    int version =
        keys.currentVersion()
            .orElseThrow(() -> new IllegalStateException("no versioned encryption key"));
    byte[] prefix = ("v" + version + ":").getBytes(StandardCharsets.US_ASCII);
    byte[] sealed = seal(keys.version(version).orElseThrow(), plain);
    byte[] out = Arrays.copyOf(prefix, prefix.length + sealed.length);
    System.arraycopy(sealed, 0, out, prefix.length, sealed.length);
    return out;
  }

  /** Encrypts in the legacy, unprefixed format (fixtures for old rows). */
  public byte[] encryptLegacy(String plain) {
    return seal(keys.legacy().orElseThrow(() -> new IllegalStateException("no legacy key")), plain);
  }

  private byte[] seal(SecretKey key, String plain) {
    try {
      byte[] nonce = new byte[NONCE_BYTES];
      random.nextBytes(nonce);
      Cipher cipher = Cipher.getInstance(TRANSFORMATION);
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      byte[] sealed = cipher.doFinal(plain.getBytes(StandardCharsets.UTF_8));
      byte[] out = Arrays.copyOf(nonce, NONCE_BYTES + sealed.length);
      System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is unavailable in this JVM", e);
    }
  }

  /** {@code v<digits>:} at the start, or empty. */
  static Optional<Integer> versionPrefix(byte[] stored) {
    int length = prefixLength(stored);
    if (length == 0) {
      return Optional.empty();
    }
    return Optional.of(
        Integer.parseInt(new String(stored, 1, length - 2, StandardCharsets.US_ASCII)));
  }

  private static int prefixLength(byte[] stored) {
    if (stored.length < 3 || stored[0] != 'v') {
      return 0;
    }
    int i = 1;
    while (i < stored.length && i <= MAX_VERSION_DIGITS && stored[i] >= '0' && stored[i] <= '9') {
      i++;
    }
    if (i == 1 || i >= stored.length || stored[i] != ':') {
      return 0;
    }
    return i + 1;
  }
}
