package io.notifier.mail;

import jakarta.mail.NoSuchProviderException;
import jakarta.mail.Session;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.simplejavamail.api.email.Email;
import org.simplejavamail.api.email.EmailPopulatingBuilder;
import org.simplejavamail.api.mailer.Mailer;
import org.simplejavamail.api.mailer.config.TransportStrategy;
import org.simplejavamail.email.EmailBuilder;
import org.simplejavamail.mailer.MailerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends {@link OutgoingEmail}s through simple-java-mail with the batch module's SMTP connection
 * pool. Sends are synchronous on the caller's thread and never throw: every failure comes back
 * classified ({@link SmtpFailureClassifier}). Thread-safe; one per process.
 */
public final class SmtpMailer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(SmtpMailer.class);

  /** Idle pooled connections are closed after this (relays drop idle clients anyway). */
  public static final Duration POOLED_CONNECTION_IDLE_EXPIRY = Duration.ofSeconds(20);

  /**
   * Jakarta Mail looks its stream provider up with a ServiceLoader scan of every jar each time a
   * message or body part is built or written (several times per email: a quarter of the send path's
   * CPU in the benchmark). Naming the provider makes it a plain class instantiation.
   */
  static final String STREAM_PROVIDER_PROPERTY = "jakarta.mail.util.StreamProvider";

  static final String ANGUS_STREAM_PROVIDER = "org.eclipse.angus.mail.util.MailStreamProvider";

  static {
    if (System.getProperty(STREAM_PROVIDER_PROPERTY) == null) {
      try {
        Class.forName(ANGUS_STREAM_PROVIDER, false, SmtpMailer.class.getClassLoader());
        System.setProperty(STREAM_PROVIDER_PROPERTY, ANGUS_STREAM_PROVIDER);
      } catch (ClassNotFoundException e) {
        // another implementation: keep Jakarta Mail's own lookup
      }
    }
  }

  private final SmtpConfig config;
  private final ScheduledThreadPoolExecutor writeTimeouts;
  private final Mailer mailer;

  public SmtpMailer(SmtpConfig config) {
    this.config = config;
    this.writeTimeouts = writeTimeoutExecutor();
    this.mailer = build(config, writeTimeouts);
  }

  /**
   * One thread enforces every pooled connection's write timeout. Without it Angus starts a thread
   * per connection, and each write (every SMTP command) wakes that thread to schedule its timeout:
   * in the benchmark's profile the scheduling and the wake-ups were about 7% of the consumer's CPU
   * samples.
   */
  private static ScheduledThreadPoolExecutor writeTimeoutExecutor() {
    ScheduledThreadPoolExecutor executor =
        new ScheduledThreadPoolExecutor(
            1, Thread.ofPlatform().name("smtp-write-timeouts").daemon().factory());
    // Angus cancels the task after every write; without this the queue keeps them until due.
    executor.setRemoveOnCancelPolicy(true);
    // After close the pool's writes are over: pending timeouts need not run.
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    executor.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
    // The queue wakes its thread whenever a new task becomes its earliest. Each write's timeout
    // was that (the last one is removed when its write completes), so every SMTP command woke the
    // thread (3% of the consumer's CPU samples in the benchmark). A task due every
    // WRITE_TIMEOUT_QUEUE_HEAD_PERIOD keeps the head: a timeout of more than that is queued behind
    // it, and the thread wakes once per period.
    executor.scheduleAtFixedRate(
        () -> {},
        WRITE_TIMEOUT_QUEUE_HEAD_PERIOD.toMillis(),
        WRITE_TIMEOUT_QUEUE_HEAD_PERIOD.toMillis(),
        TimeUnit.MILLISECONDS);
    return executor;
  }

  /** How often the write-timeout thread wakes when nothing times out (see above). */
  static final Duration WRITE_TIMEOUT_QUEUE_HEAD_PERIOD = Duration.ofSeconds(1);

  public SmtpConfig config() {
    return config;
  }

  /** The underlying mailer (tests inspect its session properties). */
  Mailer mailer() {
    return mailer;
  }

  static Mailer build(SmtpConfig config, ScheduledExecutorService writeTimeouts) {
    TransportStrategy strategy =
        switch (config.security()) {
          case PLAIN, STARTTLS -> TransportStrategy.SMTP_TLS;
          case SMTPS -> TransportStrategy.SMTPS;
        };
    if (config.security() == SmtpConfig.Security.PLAIN) {
      strategy = TransportStrategy.SMTP;
    }
    String prefix = config.security() == SmtpConfig.Security.SMTPS ? "mail.smtps." : "mail.smtp.";
    var builder =
        MailerBuilder.withSMTPServer(
                config.host(), config.port(), config.username(), config.password())
            .withTransportStrategy(strategy)
            .withSessionTimeout((int) config.readTimeout().toMillis())
            .withConnectionPoolCoreSize(0)
            .withConnectionPoolMaxSize(config.connectionPoolSize())
            .withConnectionPoolClaimTimeoutMillis((int) config.poolClaimTimeout().toMillis())
            .withConnectionPoolExpireAfterMillis((int) POOLED_CONNECTION_IDLE_EXPIRY.toMillis())
            // Addresses are validated once, with the same JMail: the recipient by the consumer's
            // re-check (and parsed strictly in toEmail), the sender by SmtpConfig. The mailer's
            // header-injection scan stays.
            .clearEmailValidator()
            .trustingAllHosts(config.trustAnyCertificate())
            .verifyingServerIdentity(!config.trustAnyCertificate());
    if (config.security() == SmtpConfig.Security.PLAIN) {
      // simple-java-mail's plain strategy tries STARTTLS opportunistically; PLAIN means no TLS.
      builder = builder.withProperty("mail.smtp.starttls.enable", "false");
    }
    Mailer mailer = builder.buildMailer();
    Session session = mailer.getSession();
    // Angus's transports with the message buffered before the DATA stream (MessageBuffer says
    // why); the pool's transports come from this session.
    try {
      session.setProvider(BufferedSmtpTransport.PROVIDER);
      session.setProvider(BufferedSmtpsTransport.PROVIDER);
    } catch (NoSuchProviderException e) {
      throw new IllegalStateException("the buffered SMTP transports could not be registered", e);
    }
    // The three socket timeouts, each its own value. simple-java-mail's session timeout sets all
    // three to one number (after any custom property), so they are set on the built session,
    // whose properties every pooled transport reads when it connects.
    Properties properties = session.getProperties();
    properties.setProperty(prefix + "connectiontimeout", millis(config.connectTimeout()));
    properties.setProperty(prefix + "timeout", millis(config.readTimeout()));
    properties.setProperty(prefix + "writetimeout", millis(config.writeTimeout()));
    properties.put(prefix + "executor.writetimeout", writeTimeouts);
    return mailer;
  }

  private static String millis(Duration d) {
    return Long.toString(d.toMillis());
  }

  /** Sends one email and says what happened. Never throws. */
  public SendResult send(OutgoingEmail email) {
    long started = System.nanoTime();
    Email message;
    try {
      message = toEmail(email);
    } catch (AddressException | RuntimeException e) {
      return new SendResult.Failed(
          new SmtpFailure(
              SmtpFailure.Category.PERMANENT,
              0,
              "invalid_message",
              "the message could not be built: "
                  + e.getClass().getSimpleName()
                  + (e instanceof AddressException ? " (recipient address)" : "")),
          elapsed(started));
    }
    try {
      mailer.sendMail(message, false).get();
      return new SendResult.Accepted(email.messageId(), elapsed(started));
    } catch (ExecutionException e) {
      return failed(e.getCause() == null ? e : e.getCause(), started);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return failed(e, started);
    } catch (RuntimeException e) {
      return failed(e, started);
    }
  }

  private static SendResult failed(Throwable error, long started) {
    SmtpFailure failure = SmtpFailureClassifier.classify(error);
    LOG.debug("SMTP send failed: {}", failure.summary());
    return new SendResult.Failed(failure, elapsed(started));
  }

  private Email toEmail(OutgoingEmail email) throws AddressException {
    EmailPopulatingBuilder builder =
        EmailBuilder.startingBlank()
            .from(config.fromName(), config.fromAddress())
            // One strictly parsed address: the String overloads would split on ',' and ';'.
            .to(new InternetAddress(email.to(), true))
            .withSubject(email.subject())
            .withPlainText(email.text())
            .withHTMLText(email.html())
            .fixingMessageId(email.messageId());
    for (Map.Entry<String, String> header : email.headers().entrySet()) {
      builder = builder.withHeader(header.getKey(), header.getValue());
    }
    return builder.buildEmail();
  }

  private static Duration elapsed(long startedNanos) {
    return Duration.ofNanos(System.nanoTime() - startedNanos);
  }

  /** Closes the pooled connections, waiting up to {@code timeout}. */
  public void close(Duration timeout) {
    try {
      mailer.shutdownConnectionPool().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      LOG.warn("closing the SMTP connection pool failed: {}", e.toString());
    } finally {
      // shutdown(), not shutdownNow(): Angus's docs warn that running a pending task aborts a
      // write.
      writeTimeouts.shutdown();
    }
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(5));
  }
}
