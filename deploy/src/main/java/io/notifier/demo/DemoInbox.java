package io.notifier.demo;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.mail.MailAddress;
import com.icegreen.greenmail.user.MessageDeliveryHandler;
import com.icegreen.greenmail.user.UserManager;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.notifier.app.UserException;
import io.notifier.metrics.NotifierMetrics;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo's mailbox: an in-process SMTP server (GreenMail) on a free port of 127.0.0.1 that
 * accepts every message for any address, saves each as an {@code .eml} file (the message exactly as
 * received, openable in any mail client) and hands a summary to a listener, which prints it.
 *
 * <p>GreenMail calls back on its SMTP session thread; the message is only queued there, so a slow
 * disk never delays the SMTP answer. One writer thread saves and reports, catching per message;
 * {@link #close()} stops the server first and then drains what arrived.
 */
final class DemoInbox implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DemoInbox.class);

  static final String HOST = "127.0.0.1";

  /** How long the writer waits for a message before looking whether it should stop. */
  static final Duration POLL = Duration.ofMillis(200);

  /** The writer's loop name in metrics. */
  static final String LOOP = "demo.inbox";

  static final String KIND_HEADER = "X-Notifier-Kind";
  static final String DELIVERY_HEADER = "X-Notifier-Delivery";

  private static final DateTimeFormatter FILE_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  /** One received email, as the listener sees it. */
  record Email(
      Instant receivedAt,
      String kind,
      String recipient,
      String delivery,
      String subject,
      Path file) {}

  private record Arrival(Instant at, String recipient, MimeMessage message) {}

  private final GreenMail greenMail;
  private final Path folder;
  private final Clock clock;
  private final NotifierMetrics metrics;
  private final Consumer<Email> listener;
  private final BlockingQueue<Arrival> arrivals = new LinkedBlockingQueue<>();
  private final AtomicInteger saved = new AtomicInteger();
  private final AtomicInteger sequence = new AtomicInteger();
  private final Thread writer;
  private volatile boolean stopping;
  private boolean closed; // guarded by this

  private DemoInbox(
      GreenMail greenMail,
      Path folder,
      Clock clock,
      NotifierMetrics metrics,
      Consumer<Email> listener) {
    this.greenMail = greenMail;
    this.folder = folder;
    this.clock = clock;
    this.metrics = metrics;
    this.listener = listener;
    this.writer = Thread.ofPlatform().name("demo-inbox").daemon().unstarted(this::writeLoop);
  }

  /**
   * Creates {@code folder} if needed, starts the SMTP server and the writer.
   *
   * @throws UserException when the folder cannot be created or written
   */
  static DemoInbox start(
      Path folder, Clock clock, NotifierMetrics metrics, Consumer<Email> listener) {
    Objects.requireNonNull(listener, "listener");
    try {
      Files.createDirectories(folder);
    } catch (IOException e) {
      throw new UserException("cannot create the mail folder " + folder + ": " + e, e);
    }
    if (!Files.isWritable(folder)) {
      throw new UserException("cannot write into the mail folder " + folder);
    }
    GreenMail greenMail =
        new GreenMail(new ServerSetup(0, HOST, ServerSetup.PROTOCOL_SMTP))
            .withConfiguration(GreenMailConfiguration.aConfig().withDisabledAuthentication());
    greenMail.start();
    DemoInbox inbox = new DemoInbox(greenMail, folder, clock, metrics, listener);
    UserManager users = greenMail.getUserManager();
    MessageDeliveryHandler store = users.getMessageDeliveryHandler();
    users.setMessageDeliveryHandler(
        (message, address) -> {
          inbox.arrived(address, message.getMessage());
          return store.handle(message, address);
        });
    inbox.writer.start();
    return inbox;
  }

  int port() {
    return greenMail.getSmtp().getPort();
  }

  Path folder() {
    return folder;
  }

  /** Emails saved so far. */
  int saved() {
    return saved.get();
  }

  private void arrived(MailAddress address, MimeMessage message) {
    arrivals.add(new Arrival(clock.instant(), address.getEmail(), message));
  }

  private void writeLoop() {
    while (!stopping || !arrivals.isEmpty()) {
      Arrival arrival;
      try {
        arrival = arrivals.poll(POLL.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        // close() interrupts only after stopping is set: drain what is left, then end.
        stopping = true;
        continue;
      }
      if (arrival != null) {
        save(arrival);
      }
    }
  }

  private void save(Arrival arrival) {
    try {
      String kind = header(arrival.message(), KIND_HEADER, "email");
      String subject = Objects.requireNonNullElse(arrival.message().getSubject(), "(no subject)");
      Path file = write(arrival, kind);
      saved.incrementAndGet();
      String delivery = header(arrival.message(), DELIVERY_HEADER, "?");
      listener.accept(new Email(arrival.at(), kind, arrival.recipient(), delivery, subject, file));
    } catch (IOException e) {
      metrics.loopError(LOOP);
      // Names the demo's mail folder and a file named by time and kind: no personal data.
      LOG.warn("could not write a demo email's file: {}", e.toString());
    } catch (MessagingException | RuntimeException e) {
      metrics.loopError(LOOP);
      // Their messages may quote the email's headers, its recipient among them: the class only.
      LOG.warn("could not save or report a received email: {}", e.getClass().getName());
    }
  }

  private Path write(Arrival arrival, String kind) throws IOException, MessagingException {
    String stamp = FILE_TIME.format(arrival.at());
    // The kind is a code like daily_digest; anything else a sender put there is not a file name.
    String safeKind = kind.replaceAll("[^A-Za-z0-9_-]", "_");
    while (true) {
      Path file =
          folder.resolve(
              String.format("%s-%03d-%s.eml", stamp, sequence.incrementAndGet(), safeKind));
      try (OutputStream out =
          Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        arrival.message().writeTo(out);
        return file;
      } catch (FileAlreadyExistsException e) {
        // An earlier run in the same second: take the next number.
        LOG.debug("{} exists already; numbering on", file.getFileName());
      }
    }
  }

  private static String header(MimeMessage message, String name, String otherwise)
      throws MessagingException {
    String[] values = message.getHeader(name);
    return values == null || values.length == 0 ? otherwise : values[0].trim();
  }

  /** Stops accepting mail, then saves and reports what already arrived. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      greenMail.stop();
    } catch (RuntimeException e) {
      LOG.warn("the demo's SMTP server did not stop cleanly: {}", e.toString());
    }
    stopping = true;
    try {
      writer.join(Duration.ofSeconds(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (writer.isAlive()) {
      writer.interrupt();
    }
  }
}
