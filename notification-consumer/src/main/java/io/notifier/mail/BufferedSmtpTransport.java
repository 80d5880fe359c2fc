package io.notifier.mail;

import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Provider;
import jakarta.mail.Session;
import jakarta.mail.URLName;
import java.io.IOException;
import java.io.OutputStream;
import org.eclipse.angus.mail.smtp.SMTPTransport;

/**
 * Angus's SMTP transport with two changes for a pooled, busy connection: the message is buffered
 * before the DATA stream ({@link MessageBuffer}), through {@code data()} and {@code finishData()},
 * the extension points Angus documents for subclasses; and a connection that completed a message
 * within the last second answers {@code isConnected()} without a {@code NOOP} round trip ({@link
 * RecentSend}). Dot-stuffing, line endings, timeouts and every reply's handling stay Angus's.
 */
public class BufferedSmtpTransport extends SMTPTransport {

  /** Registers this transport for {@code smtp} on {@code session} (simple-java-mail's session). */
  static final Provider PROVIDER =
      new Provider(
          Provider.Type.TRANSPORT, "smtp", BufferedSmtpTransport.class.getName(), "notifier", null);

  private final MessageBuffer buffer = new MessageBuffer();
  private final RecentSend recent = new RecentSend();

  public BufferedSmtpTransport(Session session, URLName urlname) {
    super(session, urlname);
  }

  /** For {@link BufferedSmtpsTransport}: as Angus's {@code SMTPSSLTransport} calls its parent. */
  protected BufferedSmtpTransport(Session session, URLName urlname, String name, boolean isSsl) {
    super(session, urlname, name, isSsl);
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
