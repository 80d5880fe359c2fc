package io.notifier.mail;

import jakarta.mail.Provider;
import jakarta.mail.Session;
import jakarta.mail.URLName;

/**
 * {@link BufferedSmtpTransport} for {@code smtps} (implicit TLS). Angus's own {@code
 * SMTPSSLTransport} is nothing but {@code SMTPTransport} constructed with {@code ("smtps", true)};
 * this is the same over the buffered transport.
 */
public class BufferedSmtpsTransport extends BufferedSmtpTransport {

  /** Registers this transport for {@code smtps} on {@code session}. */
  static final Provider PROVIDER =
      new Provider(
          Provider.Type.TRANSPORT,
          "smtps",
          BufferedSmtpsTransport.class.getName(),
          "notifier",
          null);

  public BufferedSmtpsTransport(Session session, URLName urlname) {
    super(session, urlname, "smtps", true);
  }
}
