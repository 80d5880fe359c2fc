package io.notifier.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import net.logstash.logback.encoder.LogstashEncoder;
import org.slf4j.LoggerFactory;

/**
 * Every log line of the JVM while open, rendered by the production JSON encoder (message,
 * arguments, MDC, stack traces), with the notifier's own loggers at DEBUG.
 */
public final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {

  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final LogstashEncoder encoder = new LogstashEncoder();
  private final Logger root;
  private final Logger notifier;
  private final Level notifierLevel;

  public LogCapture() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    setContext(context);
    encoder.setContext(context);
    encoder.start();
    root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    notifier = context.getLogger("io.notifier");
    notifierLevel = notifier.getLevel();
    notifier.setLevel(Level.DEBUG);
    start();
    root.addAppender(this);
  }

  @Override
  protected void append(ILoggingEvent event) {
    lines.add(new String(encoder.encode(event), StandardCharsets.UTF_8));
  }

  public List<String> lines() {
    return List.copyOf(lines);
  }

  /** The last {@code n} lines, for failure messages. */
  public String tail(int n) {
    List<String> all = lines();
    return String.join("", all.subList(Math.max(0, all.size() - n), all.size()));
  }

  public String all() {
    return String.join("", lines);
  }

  @Override
  public void close() {
    root.detachAppender(this);
    notifier.setLevel(notifierLevel);
    stop();
  }
}
