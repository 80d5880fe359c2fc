package io.notifier.mail;

import com.sanctionco.jmail.JMail;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * How to reach the SMTP server. Every timeout is always set (a socket without one can hang a send,
 * and with it a lease, forever). The password never appears in {@link #toString()}.
 *
 * @param security PLAIN (no TLS at all), STARTTLS (required upgrade) or SMTPS (TLS from the start)
 * @param username null for no SMTP AUTH
 * @param connectTimeout TCP connect (and TLS handshake) limit
 * @param readTimeout limit on waiting for any one server reply, including the reply to the final
 *     '.' of the message data
 * @param writeTimeout limit on any one write to the socket
 * @param connectionPoolSize most open connections (the batch module's pool)
 * @param poolClaimTimeout longest wait for a free pooled connection
 * @param fromAddress the envelope and header sender
 * @param fromName display name of the sender
 * @param messageIdDomain right-hand side of every Message-ID
 * @param trustAnyCertificate accept any server certificate and skip the host name check: for tests
 *     and self-signed development relays only
 */
public record SmtpConfig(
    String host,
    int port,
    Security security,
    String username,
    String password,
    Duration connectTimeout,
    Duration readTimeout,
    Duration writeTimeout,
    int connectionPoolSize,
    Duration poolClaimTimeout,
    String fromAddress,
    String fromName,
    String messageIdDomain,
    boolean trustAnyCertificate) {

  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);
  public static final Duration DEFAULT_WRITE_TIMEOUT = Duration.ofSeconds(30);
  public static final int DEFAULT_CONNECTION_POOL_SIZE = 8;
  public static final Duration DEFAULT_POOL_CLAIM_TIMEOUT = Duration.ofSeconds(30);
  public static final String DEFAULT_FROM_NAME = "PazPaz";

  /** Transport security. */
  public enum Security {
    PLAIN,
    STARTTLS,
    SMTPS;

    /** Accepts any case and {@code tls} / {@code ssl} as synonyms of STARTTLS / SMTPS. */
    public static Security parse(String text) {
      String value = Objects.requireNonNull(text, "security").trim().toUpperCase(Locale.ROOT);
      return switch (value) {
        case "PLAIN", "NONE" -> PLAIN;
        case "STARTTLS", "TLS" -> STARTTLS;
        case "SMTPS", "SSL" -> SMTPS;
        default ->
            throw new IllegalArgumentException(
                "SMTP security must be PLAIN, STARTTLS or SMTPS, was '" + text + "'");
      };
    }
  }

  public SmtpConfig {
    Objects.requireNonNull(host, "host");
    if (host.isBlank()) {
      throw new IllegalArgumentException("SMTP host must not be blank");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("SMTP port out of range: " + port);
    }
    Objects.requireNonNull(security, "security");
    if (username != null && username.isBlank()) {
      username = null;
    }
    if (password != null && username == null) {
      throw new IllegalArgumentException("an SMTP password needs an SMTP username");
    }
    positive(connectTimeout, "connectTimeout");
    positive(readTimeout, "readTimeout");
    positive(writeTimeout, "writeTimeout");
    positive(poolClaimTimeout, "poolClaimTimeout");
    if (connectionPoolSize < 1) {
      throw new IllegalArgumentException("SMTP connection pool size must be at least 1");
    }
    Objects.requireNonNull(fromAddress, "fromAddress");
    // Checked here, once, with the validator the re-check uses for recipients: the mailer does
    // not validate addresses again (SmtpMailer.build).
    if (!JMail.isValid(fromAddress)) {
      throw new IllegalArgumentException("the From address must look like name@domain");
    }
    int at = fromAddress.lastIndexOf('@');
    if (fromName == null || fromName.isBlank()) {
      fromName = DEFAULT_FROM_NAME;
    }
    if (messageIdDomain == null || messageIdDomain.isBlank()) {
      messageIdDomain = fromAddress.substring(at + 1);
    }
    if (!messageIdDomain.matches("[A-Za-z0-9.-]+")) {
      throw new IllegalArgumentException("the Message-ID domain must be a plain host name");
    }
  }

  /** Defaults for everything but the server and the sender. */
  public static SmtpConfig of(String host, int port, Security security, String fromAddress) {
    return new SmtpConfig(
        host,
        port,
        security,
        null,
        null,
        DEFAULT_CONNECT_TIMEOUT,
        DEFAULT_READ_TIMEOUT,
        DEFAULT_WRITE_TIMEOUT,
        DEFAULT_CONNECTION_POOL_SIZE,
        DEFAULT_POOL_CLAIM_TIMEOUT,
        fromAddress,
        DEFAULT_FROM_NAME,
        null,
        false);
  }

  public SmtpConfig withCredentials(String username, String password) {
    return new SmtpConfig(
        host,
        port,
        security,
        username,
        password,
        connectTimeout,
        readTimeout,
        writeTimeout,
        connectionPoolSize,
        poolClaimTimeout,
        fromAddress,
        fromName,
        messageIdDomain,
        trustAnyCertificate);
  }

  public SmtpConfig withTimeouts(Duration connect, Duration read, Duration write) {
    return new SmtpConfig(
        host,
        port,
        security,
        username,
        password,
        connect,
        read,
        write,
        connectionPoolSize,
        poolClaimTimeout,
        fromAddress,
        fromName,
        messageIdDomain,
        trustAnyCertificate);
  }

  public SmtpConfig withPool(int size, Duration claimTimeout) {
    return new SmtpConfig(
        host,
        port,
        security,
        username,
        password,
        connectTimeout,
        readTimeout,
        writeTimeout,
        size,
        claimTimeout,
        fromAddress,
        fromName,
        messageIdDomain,
        trustAnyCertificate);
  }

  public SmtpConfig withSender(String name, String messageIdDomain) {
    return new SmtpConfig(
        host,
        port,
        security,
        username,
        password,
        connectTimeout,
        readTimeout,
        writeTimeout,
        connectionPoolSize,
        poolClaimTimeout,
        fromAddress,
        name,
        messageIdDomain,
        trustAnyCertificate);
  }

  public SmtpConfig trustingAnyCertificate(boolean trust) {
    return new SmtpConfig(
        host,
        port,
        security,
        username,
        password,
        connectTimeout,
        readTimeout,
        writeTimeout,
        connectionPoolSize,
        poolClaimTimeout,
        fromAddress,
        fromName,
        messageIdDomain,
        trust);
  }

  /**
   * The longest one SMTP exchange can take without any single timeout firing once a pooled
   * connection is in hand: connect, one write, one read. Leases must be longer.
   */
  public Duration worstCaseExchange() {
    return connectTimeout.plus(writeTimeout).plus(readTimeout);
  }

  private static void positive(Duration value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException("SMTP " + name + " must be positive");
    }
  }

  @Override
  public String toString() {
    return "SmtpConfig[host="
        + host
        + ", port="
        + port
        + ", security="
        + security
        + ", username="
        + (username == null ? "<none>" : username)
        + ", password="
        + (password == null ? "<none>" : "<redacted>")
        + ", connectTimeout="
        + connectTimeout
        + ", readTimeout="
        + readTimeout
        + ", writeTimeout="
        + writeTimeout
        + ", connectionPoolSize="
        + connectionPoolSize
        + ", poolClaimTimeout="
        + poolClaimTimeout
        + ", fromAddress="
        + fromAddress
        + ", fromName="
        + fromName
        + ", messageIdDomain="
        + messageIdDomain
        + ", trustAnyCertificate="
        + trustAnyCertificate
        + "]";
  }
}
