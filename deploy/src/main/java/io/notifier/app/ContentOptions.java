package io.notifier.app;

import io.notifier.content.ClientNameMode;
import io.notifier.content.ContentConfig;
import io.notifier.db.crypto.EncryptionKeys;
import java.net.URI;
import java.net.URISyntaxException;
import picocli.CommandLine.Option;

/** What the emails say and link to, and the keys that decrypt client names. */
public final class ContentOptions {

  @Option(
      names = "--app-base-url",
      paramLabel = "URL",
      defaultValue = "http://localhost:5173",
      description =
          "The PazPaz web app the emails link to (env NOTIFIER_APP_BASE_URL; default ${DEFAULT-VALUE}).")
  @Env("NOTIFIER_APP_BASE_URL")
  String appBaseUrl;

  @Option(
      names = "--client-names",
      paramLabel = "MODE",
      defaultValue = "full",
      description =
          "Client names in email bodies: full, initials or none; never in subjects (env NOTIFIER_CLIENT_NAMES; default ${DEFAULT-VALUE}).")
  @Env("NOTIFIER_CLIENT_NAMES")
  String clientNames;

  @Option(
      names = "--send-empty-digests",
      description =
          "Send a digest for a day without appointments instead of skipping it (env NOTIFIER_SEND_EMPTY_DIGESTS).")
  @Env("NOTIFIER_SEND_EMPTY_DIGESTS")
  boolean sendEmptyDigests;

  @Option(
      names = "--time-pattern",
      paramLabel = "PATTERN",
      defaultValue = ContentConfig.DEFAULT_TIME_PATTERN,
      description =
          "How times read, e.g. HH:mm or h:mm a (env NOTIFIER_TIME_PATTERN; default ${DEFAULT-VALUE}).")
  @Env("NOTIFIER_TIME_PATTERN")
  String timePattern;

  @Option(
      names = "--encryption-keys",
      paramLabel = "KEYS",
      description =
          "PazPaz's versioned client-name keys, v1:<base64>,v2:<base64> (env NOTIFIER_ENCRYPTION_KEYS).")
  @Env(value = "NOTIFIER_ENCRYPTION_KEYS", secret = true)
  String encryptionKeys;

  @Option(
      names = "--legacy-encryption-key",
      paramLabel = "BASE64",
      description =
          "PazPaz's key for names written before versioning (env NOTIFIER_LEGACY_ENCRYPTION_KEY).")
  @Env(value = "NOTIFIER_LEGACY_ENCRYPTION_KEY", secret = true)
  String legacyEncryptionKey;

  public ContentConfig config() {
    try {
      URI base = new URI(appBaseUrl.trim());
      return ContentConfig.defaults(base)
          .withClientNames(ClientNameMode.parse(clientNames))
          .withEmptyDigests(sendEmptyDigests)
          .withFormats(
              ContentConfig.DEFAULT_LOCALE, timePattern, ContentConfig.DEFAULT_DATE_PATTERN);
    } catch (URISyntaxException e) {
      throw new UserException("content settings: the app base URL is not a URL: " + e.getReason());
    } catch (IllegalArgumentException e) {
      throw new UserException("content settings: " + e.getMessage());
    }
  }

  public EncryptionKeys keys() {
    try {
      return EncryptionKeys.parse(encryptionKeys, legacyEncryptionKey);
    } catch (IllegalArgumentException e) {
      throw new UserException("encryption keys: " + e.getMessage());
    }
  }
}
