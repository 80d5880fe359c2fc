package io.notifier.db.crypto;

import static io.notifier.db.jooq.Tables.CLIENTS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.notifier.db.crypto.UndecryptableException.Reason;
import io.notifier.db.fixtures.Fixtures;
import io.notifier.db.jooq.tables.records.ClientsRecord;
import io.notifier.db.jooq.tables.records.WorkspacesRecord;
import io.notifier.testing.RealServicesTest;
import io.notifier.testing.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.jooq.Record2;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * AES-256-GCM client names as PazPaz stores them: the versioned {@code v<N>:} format, the legacy
 * unprefixed one, key rotation, every way a value can fail to decrypt, key parsing that never
 * echoes key material, and a round trip through the {@code clients} bytea columns.
 */
@RealServicesTest
class ClientNameCipherTest {

  // Raw keys made of recognisable ASCII, so that key material leaking into a message is visible
  // in every encoding a careless message could use (raw text, base64, hex).
  private static final byte[] KEY_V1 = key("KEYMATERIAL-ONE-");
  private static final byte[] KEY_V2 = key("KEYMATERIAL-TWO-");
  private static final byte[] KEY_V3 = key("KEYMATERIAL-THREE-");
  private static final byte[] KEY_LEGACY = key("KEYMATERIAL-LEGACY-");

  private static final String HEBREW = "שרה כהן";
  private static final String EMOJI = "Zoë 😀👩🏽‍⚕️";
  private static final String HTML = "<script>alert('x')</script> & <b>Bob</b> \"O'Neil\"";

  private static final ClientNameCipher V1_V2_AND_LEGACY =
      new ClientNameCipher(EncryptionKeys.of(Map.of(1, KEY_V1, 2, KEY_V2), KEY_LEGACY));

  // --- formats and round trips -----------------------------------------------------------------

  @Test
  void encryptsWithTheNewestVersionedKeyAndRoundTrips() throws Exception {
    byte[] stored = V1_V2_AND_LEGACY.encrypt("Dana");

    assertThat(Arrays.copyOf(stored, 3)).isEqualTo("v2:".getBytes(StandardCharsets.US_ASCII));
    // prefix + 12-byte nonce + 4 bytes of ciphertext + 16-byte tag
    assertThat(stored).hasSize(3 + 12 + 4 + 16);
    assertThat(new String(stored, StandardCharsets.ISO_8859_1)).doesNotContain("Dana");
    assertThat(V1_V2_AND_LEGACY.decrypt(stored)).isEqualTo("Dana");
  }

  @Test
  void encryptingTheSameNameTwiceUsesFreshNonces() throws Exception {
    byte[] first = V1_V2_AND_LEGACY.encrypt("Dana");
    byte[] second = V1_V2_AND_LEGACY.encrypt("Dana");

    assertThat(first).isNotEqualTo(second);
    assertThat(V1_V2_AND_LEGACY.decrypt(second)).isEqualTo("Dana");
  }

  @Test
  void legacyValuesWithoutPrefixRoundTrip() throws Exception {
    byte[] stored = legacyWithoutVersionLikeStart(V1_V2_AND_LEGACY, "Dana");

    assertThat(stored).hasSize(12 + 4 + 16);
    assertThat(ClientNameCipher.versionPrefix(stored)).isEmpty();
    assertThat(V1_V2_AND_LEGACY.decrypt(stored)).isEqualTo("Dana");
  }

  @Test
  void valueEncryptedUnderV1StillDecryptsAfterV2IsAdded() throws Exception {
    ClientNameCipher beforeRotation =
        new ClientNameCipher(EncryptionKeys.of(Map.of(1, KEY_V1), null));
    byte[] writtenBeforeRotation = beforeRotation.encrypt("Yael");
    assertThat(Arrays.copyOf(writtenBeforeRotation, 3))
        .isEqualTo("v1:".getBytes(StandardCharsets.US_ASCII));

    ClientNameCipher afterRotation =
        new ClientNameCipher(EncryptionKeys.of(Map.of(1, KEY_V1, 2, KEY_V2), null));

    assertThat(afterRotation.decrypt(writtenBeforeRotation)).isEqualTo("Yael");
    byte[] writtenAfterRotation = afterRotation.encrypt("Yael");
    assertThat(Arrays.copyOf(writtenAfterRotation, 3))
        .isEqualTo("v2:".getBytes(StandardCharsets.US_ASCII));
    assertThat(afterRotation.decrypt(writtenAfterRotation)).isEqualTo("Yael");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {HTML, HEBREW, EMOJI, "", " leading and trailing ", "O'Brien-Ñúñez"})
  void unusualNamesRoundTripExactlyInBothFormats(String name) throws Exception {
    assertThat(V1_V2_AND_LEGACY.decrypt(V1_V2_AND_LEGACY.encrypt(name))).isEqualTo(name);
    assertThat(V1_V2_AND_LEGACY.decrypt(legacyWithoutVersionLikeStart(V1_V2_AND_LEGACY, name)))
        .isEqualTo(name);
  }

  @Test
  void aThousandCharacterNameRoundTripsExactly() throws Exception {
    String ascii = "x".repeat(1000);
    // Hebrew, Latin and a surrogate pair: 1,000 UTF-16 chars, 875 code points, 2,750 UTF-8 bytes.
    String thousand = ("אבג" + "abc" + "😀").repeat(125);
    assertThat(thousand).hasSize(1000);

    assertThat(V1_V2_AND_LEGACY.decrypt(V1_V2_AND_LEGACY.encrypt(ascii))).isEqualTo(ascii);
    assertThat(V1_V2_AND_LEGACY.decrypt(V1_V2_AND_LEGACY.encrypt(thousand))).isEqualTo(thousand);
    assertThat(V1_V2_AND_LEGACY.decrypt(V1_V2_AND_LEGACY.encryptLegacy(ascii))).isEqualTo(ascii);
  }

  // --- failures --------------------------------------------------------------------------------

  @Test
  void versionedValueWhoseKeyIsNotConfiguredFailsWithMissingKeyAndNoKeyMaterial() {
    byte[] underV3 =
        new ClientNameCipher(EncryptionKeys.of(Map.of(3, KEY_V3), null)).encrypt("Dana");

    UndecryptableException e =
        catchThrowableOfType(UndecryptableException.class, () -> V1_V2_AND_LEGACY.decrypt(underV3));

    assertThat(e).isNotNull();
    assertThat(e.reason()).isEqualTo(Reason.MISSING_KEY);
    assertThat(e.getMessage()).contains("v3");
    assertContainsNoKeyMaterial(e.getMessage());
    assertThat(e.getMessage()).doesNotContain("Dana");
  }

  @Test
  void tamperedCiphertextByteFailsWithTagMismatch() {
    byte[] stored = V1_V2_AND_LEGACY.encrypt("Dana");
    byte[] tampered = stored.clone();
    tampered[3 + 12] ^= 0x01; // first ciphertext byte, after prefix and nonce

    UndecryptableException e =
        catchThrowableOfType(
            UndecryptableException.class, () -> V1_V2_AND_LEGACY.decrypt(tampered));

    assertThat(e).isNotNull();
    assertThat(e.reason()).isEqualTo(Reason.TAG_MISMATCH);
    assertThat(e.getMessage()).contains("v2");
    assertContainsNoKeyMaterial(e.getMessage());
  }

  @Test
  void tamperedTagOfALegacyValueFailsWithTagMismatch() throws Exception {
    byte[] stored = legacyWithoutVersionLikeStart(V1_V2_AND_LEGACY, "Dana");
    byte[] tampered = stored.clone();
    tampered[tampered.length - 1] ^= (byte) 0x80;

    UndecryptableException e =
        catchThrowableOfType(
            UndecryptableException.class, () -> V1_V2_AND_LEGACY.decrypt(tampered));

    assertThat(e).isNotNull();
    assertThat(e.reason()).isEqualTo(Reason.TAG_MISMATCH);
  }

  @Test
  void valueEncryptedUnderAnotherKeyWithTheSameVersionFailsWithTagMismatch() {
    byte[] foreign =
        new ClientNameCipher(EncryptionKeys.of(Map.of(2, KEY_V3), null)).encrypt("Dana");

    UndecryptableException e =
        catchThrowableOfType(UndecryptableException.class, () -> V1_V2_AND_LEGACY.decrypt(foreign));

    assertThat(e).isNotNull();
    assertThat(e.reason()).isEqualTo(Reason.TAG_MISMATCH);
  }

  @Test
  void fiveByteValueFailsAsMalformed() {
    UndecryptableException e =
        catchThrowableOfType(
            UndecryptableException.class,
            () -> V1_V2_AND_LEGACY.decrypt("v2:ab".getBytes(StandardCharsets.US_ASCII)));

    assertThat(e).isNotNull();
    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
  }

  @Test
  void theHighestAllowedVersionRoundTripsAndAHigherOneIsRefused() throws Exception {
    ClientNameCipher highest =
        new ClientNameCipher(EncryptionKeys.of(Map.of(EncryptionKeys.MAX_VERSION, KEY_V3), null));
    byte[] stored = highest.encrypt("Dana");

    assertThat(new String(stored, 0, 11, StandardCharsets.US_ASCII)).isEqualTo("v999999999:");
    assertThat(highest.decrypt(stored)).isEqualTo("Dana");
    assertThatThrownBy(
            () -> EncryptionKeys.of(Map.of(EncryptionKeys.MAX_VERSION + 1, KEY_V3), null))
        .hasMessageContaining("between 0 and");
    assertThatThrownBy(() -> EncryptionKeys.of(Map.of(-1, KEY_V3), null))
        .hasMessageContaining("between 0 and");
    String base64 = Base64.getEncoder().encodeToString(KEY_V3);
    assertThatThrownBy(() -> EncryptionKeys.parse("v1000000000:" + base64, null))
        .hasMessageContaining("between 0 and");
  }

  @Test
  void aShortLegacyValueWhoseNonceReadsLikeAVersionPrefixStillDecrypts() throws Exception {
    // "Al" sealed under the legacy key with a nonce that starts with "v1:": after that apparent
    // prefix too few bytes remain for a versioned value, so only the legacy reading can be right.
    byte[] nonce = "v1:nonce-abc".getBytes(StandardCharsets.US_ASCII);
    javax.crypto.Cipher gcm = javax.crypto.Cipher.getInstance("AES/GCM/NoPadding");
    gcm.init(
        javax.crypto.Cipher.ENCRYPT_MODE,
        new javax.crypto.spec.SecretKeySpec(KEY_LEGACY, "AES"),
        new javax.crypto.spec.GCMParameterSpec(128, nonce));
    byte[] sealed = gcm.doFinal("Al".getBytes(StandardCharsets.UTF_8));
    byte[] stored = Arrays.copyOf(nonce, nonce.length + sealed.length);
    System.arraycopy(sealed, 0, stored, nonce.length, sealed.length);

    assertThat(ClientNameCipher.versionPrefix(stored)).contains(1);
    assertThat(V1_V2_AND_LEGACY.decrypt(stored)).isEqualTo("Al");
  }

  @Test
  void emptyAndNullValuesFailAsMalformed() {
    assertThat(
            catchThrowableOfType(
                    UndecryptableException.class, () -> V1_V2_AND_LEGACY.decrypt(new byte[0]))
                .reason())
        .isEqualTo(Reason.MALFORMED);
    assertThat(
            catchThrowableOfType(UndecryptableException.class, () -> V1_V2_AND_LEGACY.decrypt(null))
                .reason())
        .isEqualTo(Reason.MALFORMED);
  }

  @Test
  void legacyValueWithoutALegacyKeyFailsWithMissingKey() throws Exception {
    byte[] legacy = legacyWithoutVersionLikeStart(V1_V2_AND_LEGACY, "Dana");
    ClientNameCipher versionedOnly =
        new ClientNameCipher(EncryptionKeys.of(Map.of(1, KEY_V1, 2, KEY_V2), null));

    UndecryptableException e =
        catchThrowableOfType(UndecryptableException.class, () -> versionedOnly.decrypt(legacy));

    assertThat(e).isNotNull();
    assertThat(e.reason()).isEqualTo(Reason.MISSING_KEY);
    assertThat(e.getMessage()).containsIgnoringCase("legacy");
    assertContainsNoKeyMaterial(e.getMessage());
  }

  @Test
  void encryptingWithoutAVersionedKeyIsRefused() {
    ClientNameCipher legacyOnly = new ClientNameCipher(EncryptionKeys.of(Map.of(), KEY_LEGACY));

    assertThatThrownBy(() -> legacyOnly.encrypt("Dana")).isInstanceOf(IllegalStateException.class);
  }

  // --- EncryptionKeys.parse --------------------------------------------------------------------

  @Test
  void parseAcceptsVersionedKeysAndALegacyKey() throws Exception {
    EncryptionKeys keys =
        EncryptionKeys.parse(
            " v1:" + b64(KEY_V1) + " , v2:" + b64(KEY_V2) + " ", " " + b64(KEY_LEGACY) + " ");

    assertThat(keys.versioned().keySet()).containsExactly(1, 2);
    assertThat(keys.currentVersion()).contains(2);
    assertThat(keys.version(1).orElseThrow().getEncoded()).isEqualTo(KEY_V1);
    assertThat(keys.version(2).orElseThrow().getEncoded()).isEqualTo(KEY_V2);
    assertThat(keys.legacy().orElseThrow().getEncoded()).isEqualTo(KEY_LEGACY);
    assertThat(keys.isEmpty()).isFalse();
    // The parsed keys interoperate with keys given directly.
    byte[] stored = new ClientNameCipher(keys).encrypt(HEBREW);
    assertThat(V1_V2_AND_LEGACY.decrypt(stored)).isEqualTo(HEBREW);
  }

  @Test
  void parseOfBlankInputGivesNoKeys() {
    EncryptionKeys keys = EncryptionKeys.parse("  ", null);

    assertThat(keys.isEmpty()).isTrue();
    assertThat(keys.currentVersion()).isEmpty();
    assertThat(keys.legacy()).isEmpty();
  }

  @Test
  void parseRejectsAVersionedKeyOfTheWrongLengthWithoutEchoingIt() {
    String shortKey = b64(Arrays.copyOf(KEY_V1, 16));

    assertThatThrownBy(() -> EncryptionKeys.parse("v1:" + shortKey, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("v1")
        .hasMessageContaining("32")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(shortKey))
        .satisfies(e -> assertContainsNoKeyMaterial(e.getMessage()));
  }

  @Test
  void parseRejectsALegacyKeyOfTheWrongLengthWithoutEchoingIt() {
    String longKey = b64(Arrays.copyOf(KEY_LEGACY, 48));

    assertThatThrownBy(() -> EncryptionKeys.parse("v1:" + b64(KEY_V1), longKey))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("legacy")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(longKey))
        .satisfies(e -> assertContainsNoKeyMaterial(e.getMessage()));
  }

  @Test
  void parseRejectsBadBase64WithoutEchoingIt() {
    String notBase64 = "SECRET-not-base64!!";

    assertThatThrownBy(() -> EncryptionKeys.parse("v1:" + notBase64, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("base64")
        .hasNoCause()
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("SECRET"));
    assertThatThrownBy(() -> EncryptionKeys.parse("", notBase64))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("legacy")
        .hasNoCause()
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("SECRET"));
  }

  @Test
  void parseRejectsADuplicateVersionWithoutEchoingEitherKey() {
    String keys = "v1:" + b64(KEY_V1) + ",v1:" + b64(KEY_V2);

    assertThatThrownBy(() -> EncryptionKeys.parse(keys, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("v1")
        .hasMessageContaining("twice")
        .satisfies(e -> assertContainsNoKeyMaterial(e.getMessage()));
  }

  @ParameterizedTest(name = "entry without a v: {0}")
  @ValueSource(strings = {"1:", "V1:", ":", "x1:"})
  void parseRejectsAnEntryWithoutTheVersionPrefixWithoutEchoingIt(String prefix) {
    String entry = prefix + b64(KEY_V1);

    assertThatThrownBy(() -> EncryptionKeys.parse(entry, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("v<N>")
        .satisfies(e -> assertContainsNoKeyMaterial(e.getMessage()));
  }

  @Test
  void parseRejectsAKeyGivenWithoutAnyVersion() {
    assertThatThrownBy(() -> EncryptionKeys.parse(b64(KEY_V1), null))
        .isInstanceOf(IllegalArgumentException.class)
        .satisfies(e -> assertContainsNoKeyMaterial(e.getMessage()));
  }

  @Test
  void toStringShowsVersionsButNoKeyBytes() {
    EncryptionKeys keys =
        EncryptionKeys.parse("v1:" + b64(KEY_V1) + ",v2:" + b64(KEY_V2), b64(KEY_LEGACY));

    String text = keys.toString();

    assertThat(text).contains("[1, 2]").contains("legacy=true");
    assertContainsNoKeyMaterial(text);
    assertContainsNoKeyMaterial(new ClientNameCipher(keys).keys().toString());
  }

  // --- through the database --------------------------------------------------------------------

  @Test
  void clientNamesWrittenByFixturesDecryptFromTheByteaColumns(TestDatabase db) throws Exception {
    Fixtures fixtures = new Fixtures(db.dsl());
    WorkspacesRecord workspace = fixtures.workspace().create();
    ClientsRecord current = fixtures.client(workspace).name(HEBREW, EMOJI).create();
    ClientsRecord legacy = fixtures.client(workspace).name(HTML, "Levi").legacyEncrypted().create();
    ClientNameCipher cipher = new ClientNameCipher(Fixtures.testKeys());

    Record2<byte[], byte[]> currentRow = names(db, current);
    Record2<byte[], byte[]> legacyRow = names(db, legacy);

    for (byte[] value : List.of(currentRow.value1(), currentRow.value2())) {
      assertThat(Arrays.copyOf(value, 3)).isEqualTo("v2:".getBytes(StandardCharsets.US_ASCII));
    }
    assertThat(currentRow.value1())
        .hasSize(3 + 12 + HEBREW.getBytes(StandardCharsets.UTF_8).length + 16);
    assertThat(cipher.decrypt(currentRow.value1())).isEqualTo(HEBREW);
    assertThat(cipher.decrypt(currentRow.value2())).isEqualTo(EMOJI);

    // Legacy values are nonce || ciphertext || tag, no prefix: 28 bytes more than the UTF-8 text.
    assertThat(legacyRow.value1()).hasSize(12 + HTML.getBytes(StandardCharsets.UTF_8).length + 16);
    assertThat(legacyRow.value2()).hasSize(12 + "Levi".length() + 16);
    assertThat(cipher.decrypt(legacyRow.value1())).isEqualTo(HTML);
    assertThat(cipher.decrypt(legacyRow.value2())).isEqualTo("Levi");

    // Without the legacy key the legacy row is unreadable, the current one still readable.
    ClientNameCipher withoutLegacy =
        new ClientNameCipher(
            EncryptionKeys.of(
                Map.of(
                    1, Fixtures.testKeys().version(1).orElseThrow().getEncoded(),
                    2, Fixtures.testKeys().version(2).orElseThrow().getEncoded()),
                null));
    assertThat(withoutLegacy.decrypt(currentRow.value1())).isEqualTo(HEBREW);
    assertThat(
            catchThrowableOfType(
                    UndecryptableException.class, () -> withoutLegacy.decrypt(legacyRow.value2()))
                .reason())
        .isEqualTo(Reason.MISSING_KEY);
  }

  // --- helpers ---------------------------------------------------------------------------------

  private static Record2<byte[], byte[]> names(TestDatabase db, ClientsRecord client) {
    return db.dsl()
        .select(CLIENTS.FIRST_NAME, CLIENTS.LAST_NAME)
        .from(CLIENTS)
        .where(CLIENTS.ID.eq(client.getId()))
        .fetchSingle();
  }

  /**
   * A legacy value whose random nonce does not happen to begin like a {@code v<N>:} prefix (about
   * one in a few million), so that tests about the legacy format are deterministic.
   */
  private static byte[] legacyWithoutVersionLikeStart(ClientNameCipher cipher, String plain) {
    while (true) {
      byte[] stored = cipher.encryptLegacy(plain);
      if (ClientNameCipher.versionPrefix(stored).isEmpty()) {
        return stored;
      }
    }
  }

  private static void assertContainsNoKeyMaterial(String text) {
    assertThat(text).isNotNull().doesNotContain("KEYMATERIAL");
    for (byte[] key : List.of(KEY_V1, KEY_V2, KEY_V3, KEY_LEGACY)) {
      assertThat(text)
          .doesNotContain(b64(key))
          .doesNotContain(b64(key).substring(0, 12))
          .doesNotContainIgnoringCase(HexFormat.of().formatHex(key).substring(0, 16));
    }
  }

  private static String b64(byte[] key) {
    return Base64.getEncoder().encodeToString(key);
  }

  /** 32 bytes: {@code seed} repeated. */
  private static byte[] key(String seed) {
    byte[] bytes = seed.getBytes(StandardCharsets.US_ASCII);
    byte[] key = new byte[32];
    for (int i = 0; i < key.length; i++) {
      key[i] = bytes[i % bytes.length];
    }
    return key;
  }
}
