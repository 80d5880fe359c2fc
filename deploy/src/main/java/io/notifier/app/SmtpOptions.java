package io.notifier.app;

import io.notifier.mail.SmtpConfig;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The SMTP server the consumer sends through. */
public final class SmtpOptions {

  @Option(
      names = "--smtp-host",
      paramLabel = "HOST",
      defaultValue = "localhost",
      description = "SMTP server (env NOTIFIER_SMTP_HOST; default ${DEFAULT-VALUE}).")
  @Env("NOTIFIER_SMTP_HOST")
  String host;

  @Option(
      names = "--smtp-port",
      paramLabel = "PORT",
      defaultValue = "25",
      description = "SMTP port (env NOTIFIER_SMTP_PORT; default ${DEFAULT-VALUE}).")
  @Env("NOTIFIER_SMTP_PORT")
  int port;

  @Option(
      names = "--smtp-security",
      paramLabel = "MODE",
      defaultValue = "PLAIN",
      description =
          "PLAIN, STARTTLS (required upgrade) or SMTPS (env NOTIFIER_SMTP_SECURITY; default ${DEFAULT-VALUE}).")
  @Env("NOTIFIER_SMTP_SECURITY")
  String security;

  @Option(
      names = "--smtp-username",
      paramLabel = "USER",
      description = "SMTP AUTH user; none: no AUTH (env NOTIFIER_SMTP_USERNAME).")
  @Env("NOTIFIER_SMTP_USERNAME")
  String username;

  @Option(
      names = "--smtp-password",
      paramLabel = "PASSWORD",
      description = "SMTP AUTH password; prefer the variable (env NOTIFIER_SMTP_PASSWORD).")
  @Env(value = "NOTIFIER_SMTP_PASSWORD", secret = true)
  String password;

  @Option(
      names = "--mail-from",
      paramLabel = "ADDRESS",
      defaultValue = "notifications@pazpaz.example",
      description = "Sender address (env NOTIFIER_MAIL_FROM; default ${DEFAULT-VALUE}).")
  @Env("NOTIFIER_MAIL_FROM")
  String from;

  @Option(
      names = "--mail-from-name",
      paramLabel = "NAME",
      defaultValue = SmtpConfig.DEFAULT_FROM_NAME,
      description = "Sender display name (env NOTIFIER_MAIL_FROM_NAME; default ${DEFAULT-VALUE}).")
  @Env("NOTIFIER_MAIL_FROM_NAME")
  String fromName;

  @Option(
      names = "--smtp-connect-timeout",
      paramLabel = "DURATION",
      defaultValue = "10s",
      converter = Converters.DurationConverter.class,
      description =
          "TCP connect and TLS handshake limit (env NOTIFIER_SMTP_CONNECT_TIMEOUT; default ${DEFAULT-VALUE}).")
  @Env("NOTIFIER_SMTP_CONNECT_TIMEOUT")
  Duration connectTimeout;

  @Option(
      names = "--smtp-read-timeout",
      paramLabel = "DURATION",
      defaultValue = "30s",
      converter = Converters.DurationConverter.class,
      description =
          "Limit on waiting for any server reply (env NOTIFIER_SMTP_READ_TIMEOUT; default ${DEFAULT-VALUE}).")
  @Env("NOTIFIER_SMTP_READ_TIMEOUT")
  Duration readTimeout;

  @Option(
      names = "--smtp-write-timeout",
      paramLabel = "DURATION",
      defaultValue = "30s",
      converter = Converters.DurationConverter.class,
      description =
          "Limit on any one write (env NOTIFIER_SMTP_WRITE_TIMEOUT; default ${DEFAULT-VALUE}).")
  @Env("NOTIFIER_SMTP_WRITE_TIMEOUT")
  Duration writeTimeout;

  @Option(
      names = "--smtp-pool-size",
      paramLabel = "N",
      defaultValue = "" + SmtpConfig.DEFAULT_CONNECTION_POOL_SIZE,
      description =
          "Pooled SMTP connections (env NOTIFIER_SMTP_POOL_SIZE; default ${DEFAULT-VALUE}).")
  @Env("NOTIFIER_SMTP_POOL_SIZE")
  int poolSize;

  @Option(
      names = "--smtp-trust-any-certificate",
      description =
          "Accept any certificate (self-signed development relays only) (env NOTIFIER_SMTP_TRUST_ANY_CERTIFICATE).")
  @Env("NOTIFIER_SMTP_TRUST_ANY_CERTIFICATE")
  boolean trustAnyCertificate;

  public SmtpConfig config() {
    try {
      return SmtpConfig.of(host, port, SmtpConfig.Security.parse(security), from)
          .withCredentials(
              DatabaseOptions.blankToNull(username), DatabaseOptions.blankToNull(password))
          .withTimeouts(connectTimeout, readTimeout, writeTimeout)
          .withPool(poolSize, SmtpConfig.DEFAULT_POOL_CLAIM_TIMEOUT)
          .withSender(fromName, null)
          .trustingAnyCertificate(trustAnyCertificate);
    } catch (IllegalArgumentException e) {
      throw new UserException("SMTP settings: " + e.getMessage());
    }
  }
}
