package io.notifier.db.crypto;

import java.util.Base64;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The AES-256 keys PazPaz encrypts client names with: a registry of versioned keys (key rotation;
 * the highest version encrypts) and an optional single legacy key for values written before
 * versioning. {@link #toString()} never prints key material.
 */
public final class EncryptionKeys {

  private static final int KEY_BYTES = 32;

  /** Versions are written as {@code v<N>:}; the reader accepts up to nine digits. */
  public static final int MAX_VERSION = 999_999_999;

  private final TreeMap<Integer, SecretKey> versioned;
  private final SecretKey legacy;

  private EncryptionKeys(TreeMap<Integer, SecretKey> versioned, SecretKey legacy) {
    this.versioned = versioned;
    this.legacy = legacy;
  }

  public static EncryptionKeys none() {
    return new EncryptionKeys(new TreeMap<>(), null);
  }

  /**
   * Parses {@code "v1:<base64>,v2:<base64>"} (versioned keys; may be blank) and a base64 legacy key
   * (may be null or blank).
   *
   * @throws IllegalArgumentException naming the entry that is wrong, never echoing key material
   */
  public static EncryptionKeys parse(String versionedKeys, String legacyKey) {
    TreeMap<Integer, SecretKey> keys = new TreeMap<>();
    if (versionedKeys != null && !versionedKeys.isBlank()) {
      int position = 0;
      for (String entry : versionedKeys.split(",")) {
        position++;
        String trimmed = entry.trim();
        int colon = trimmed.indexOf(':');
        if (colon < 2 || trimmed.charAt(0) != 'v') {
          throw new IllegalArgumentException(
              "encryption key entry " + position + " must look like v<N>:<base64 key>");
        }
        int version;
        try {
          version = Integer.parseInt(trimmed.substring(1, colon));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(
              "encryption key entry " + position + " has a version that is not a number");
        }
        checkVersion(version);
        if (keys.put(version, decodeKey(trimmed.substring(colon + 1), "v" + version)) != null) {
          throw new IllegalArgumentException("encryption key v" + version + " is given twice");
        }
      }
    }
    SecretKey legacy =
        legacyKey == null || legacyKey.isBlank() ? null : decodeKey(legacyKey.trim(), "legacy");
    return new EncryptionKeys(keys, legacy);
  }

  /** Keys given directly (tests and fixtures). */
  public static EncryptionKeys of(Map<Integer, byte[]> versionedKeys, byte[] legacyKey) {
    TreeMap<Integer, SecretKey> keys = new TreeMap<>();
    versionedKeys.forEach(
        (version, raw) -> {
          checkVersion(version);
          keys.put(version, toKey(raw, "v" + version));
        });
    return new EncryptionKeys(keys, legacyKey == null ? null : toKey(legacyKey, "legacy"));
  }

  private static void checkVersion(int version) {
    if (version < 0 || version > MAX_VERSION) {
      throw new IllegalArgumentException(
          "encryption key versions must be between 0 and " + MAX_VERSION + ", was " + version);
    }
  }

  private static SecretKey decodeKey(String base64, String name) {
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("encryption key " + name + " is not valid base64");
    }
    return toKey(raw, name);
  }

  private static SecretKey toKey(byte[] raw, String name) {
    if (raw.length != KEY_BYTES) {
      throw new IllegalArgumentException(
          "encryption key " + name + " must be 32 bytes (AES-256), was " + raw.length);
    }
    return new SecretKeySpec(raw, "AES");
  }

  public Optional<SecretKey> version(int version) {
    return Optional.ofNullable(versioned.get(version));
  }

  public Optional<SecretKey> legacy() {
    return Optional.ofNullable(legacy);
  }

  /** The highest version, which encrypts new values. */
  public Optional<Integer> currentVersion() {
    return versioned.isEmpty() ? Optional.empty() : Optional.of(versioned.lastKey());
  }

  public Map<Integer, SecretKey> versioned() {
    return Collections.unmodifiableMap(versioned);
  }

  public boolean isEmpty() {
    return versioned.isEmpty() && legacy == null;
  }

  @Override
  public String toString() {
    return "EncryptionKeys[versions=" + versioned.keySet() + ", legacy=" + (legacy != null) + "]";
  }
}
