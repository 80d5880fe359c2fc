package io.notifier.mail;

import jakarta.mail.MessagingException;
import jakarta.mail.Provider;
import jakarta.mail.Session;
import jakarta.mail.URLName;
import java.io.IOException;
import java.io.OutputStream;
import org.eclipse.angus.mail.smtp.SMTPTransport;

/**
 * Angus's SMTP transport with the message buffered before the DATA stream ({@link MessageBuffer}).
 * It overrides only {@code data()} and {@code finishData()}, the extension points Angus documents
 * for subclasses; dot-stuffing, line endings and timeouts stay Angus's.
 */
public class BufferedSmtpTransport extends SMTPTransport {

  /** Registers this transport for {@code smtp} on {@code session} (simple-java-mail's session). */
  static final Provider PROVIDER =
      new Provider(
          Provider.Type.TRANSPORT, "smtp", BufferedSmtpTransport.class.getName(), "notifier", null);

  private final MessageBuffer buffer = new MessageBuffer();

  public BufferedSmtpTransport(Session session, URLName urlname) {
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
}
