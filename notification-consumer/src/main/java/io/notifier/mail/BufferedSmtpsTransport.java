package io.notifier.mail;

import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Provider;
import jakarta.mail.Session;
import jakarta.mail.URLName;
import java.io.IOException;
import java.io.OutputStream;
import org.eclipse.angus.mail.smtp.SMTPSSLTransport;

/**
 * {@link BufferedSmtpTransport} for {@code smtps} (implicit TLS): Angus's SSL transport, buffered.
 */
public class BufferedSmtpsTransport extends SMTPSSLTransport {

  /** Registers this transport for {@code smtps} on {@code session}. */
  static final Provider PROVIDER =
      new Provider(
          Provider.Type.TRANSPORT,
          "smtps",
          BufferedSmtpsTransport.class.getName(),
          "notifier",
          null);

  private final MessageBuffer buffer = new MessageBuffer();
  private final RecentSend recent = new RecentSend();

  public BufferedSmtpsTransport(Session session, URLName urlname) {
    super(session, urlname);
  }

  @Override
  protected OutputStream data() throws MessagingException {
    return buffer.open(super.data());
  }

  @Override
  protected void finishData() throws IOException, MessagingException {
    buffer.drain();
    super.finishData();
  }

  @Override
  public synchronized void sendMessage(Message message, Address[] addresses)
      throws MessagingException {
    recent.forget();
    super.sendMessage(message, addresses);
    recent.sent();
  }

  @Override
  public synchronized boolean isConnected() {
    return recent.recent() || super.isConnected();
  }

  @Override
  public synchronized void close() throws MessagingException {
    recent.forget();
    super.close();
  }
}
