package io.notifier.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.server.SMTPServer;

/**
 * A real SMTP server (SubEthaSMTP) whose answers and side effects a test scripts per recipient and
 * attempt: accept, reject with any code at RCPT or after the data, stall after the data (never
 * answer), and hooks that run at RCPT or once the whole message arrived, before the reply (where a
 * test kills or freezes the sending process). A gate can hold every RCPT until opened, so a test
 * knows sends are in flight and none is past the point of acceptance.
 */
final class ScriptedSmtp implements Mailbox, AutoCloseable {

  /** One message attempt: its recipient and how many times that recipient was tried so far. */
  record Attempt(String recipient, int attempt) {}

  sealed interface Action {
    record Accept() implements Action {}

    record RejectRecipient(int code, String text) implements Action {}

    record RejectData(int code, String text) implements Action {}

    record StallAfterData() implements Action {}
  }

  static final Action ACCEPT = new Action.Accept();

  interface Script {
    Action decide(Attempt attempt);
  }

  interface Hook {
    /** Runs in the server's session thread; {@code message} is null at RCPT. */
    void run(Attempt attempt, byte[] message);
  }

  private final SMTPServer server;
  private final List<Received> accepted = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
  private final AtomicInteger blockedAtGate = new AtomicInteger();
  private final AtomicInteger dataInProgress = new AtomicInteger();
  private final CountDownLatch closed = new CountDownLatch(1);
  private volatile Script script = a -> ACCEPT;
  private volatile Hook atRecipient = (a, m) -> {};
  private volatile Hook duringData = (a, m) -> {};
  private volatile Hook afterData = (a, m) -> {};
  private volatile CountDownLatch gate = new CountDownLatch(0);

  ScriptedSmtp() {
    server =
        SMTPServer.port(0)
            .bindAddress(InetAddress.getLoopbackAddress())
            .maxConnections(200)
            .messageHandlerFactory(context -> new Handler())
            .build();
    server.start();
  }

  int port() {
    return server.getPortAllocated();
  }

  ScriptedSmtp script(Script script) {
    this.script = script;
    return this;
  }

  ScriptedSmtp atRecipient(Hook hook) {
    this.atRecipient = hook;
    return this;
  }

  /** Runs once the first bytes of the message arrived, before the rest (and its final '.'). */
  ScriptedSmtp duringData(Hook hook) {
    this.duringData = hook;
    return this;
  }

  ScriptedSmtp afterData(Hook hook) {
    this.afterData = hook;
    return this;
  }

  /** From now on every RCPT waits until {@link #openGate()}. */
  void closeGate() {
    if (gate.getCount() == 0) {
      gate = new CountDownLatch(1);
    }
  }

  void openGate() {
    gate.countDown();
  }

  /** Sends waiting at the closed gate. */
  int blockedAtGate() {
    return blockedAtGate.get();
  }

  /** Messages whose data is being received or whose reply is pending. */
  int dataInProgress() {
    return dataInProgress.get();
  }

  /** Attempts (RCPT commands) for this recipient so far. */
  int attempts(String recipient) {
    AtomicInteger n = attempts.get(recipient.toLowerCase(java.util.Locale.ROOT));
    return n == null ? 0 : n.get();
  }

  @Override
  public List<Received> received() {
    return List.copyOf(accepted);
  }

  @Override
  public void close() {
    closed.countDown();
    gate.countDown();
    server.stop();
  }

  private final class Handler implements MessageHandler {
    private Attempt attempt;
    private Action action = ACCEPT;

    @Override
    public void from(String from) {}

    @Override
    public void recipient(String recipient) throws RejectException {
      String key = recipient.toLowerCase(java.util.Locale.ROOT);
      attempt =
          new Attempt(
              key, attempts.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet());
      blockedAtGate.incrementAndGet();
      try {
        gate.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        blockedAtGate.decrementAndGet();
      }
      atRecipient.run(attempt, null);
      action = script.decide(attempt);
      if (action instanceof Action.RejectRecipient r) {
        throw new RejectException(r.code(), r.text());
      }
    }

    @Override
    public String data(InputStream data) throws RejectException, IOException {
      dataInProgress.incrementAndGet();
      try {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(data.readNBytes(64));
        duringData.run(attempt, out.toByteArray());
        data.transferTo(out);
        byte[] bytes = out.toByteArray();
        switch (action) {
          case Action.RejectData r -> throw new RejectException(r.code(), r.text());
          case Action.StallAfterData s -> {
            // The whole message and its final '.' arrived; never answer.
            try {
              closed.await(120, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            throw new RejectException(421, "closing");
          }
          default -> {
            // Accepted: the server has it from here on, whatever becomes of the reply.
            accepted.add(new Received(messageId(bytes), attempt.recipient()));
            afterData.run(attempt, bytes);
          }
        }
        return null;
      } finally {
        dataInProgress.decrementAndGet();
      }
    }

    @Override
    public void done() {}
  }

  /** The Message-ID header of a raw message, or "" when it has none. */
  static String messageId(byte[] message) {
    String text = new String(message, StandardCharsets.UTF_8);
    List<String> headers = new ArrayList<>();
    for (String line : text.split("\r?\n")) {
      if (line.isEmpty()) {
        break;
      }
      if ((line.startsWith(" ") || line.startsWith("\t")) && !headers.isEmpty()) {
        headers.set(headers.size() - 1, headers.get(headers.size() - 1) + line.trim());
      } else {
        headers.add(line);
      }
    }
    for (String header : headers) {
      if (header.regionMatches(true, 0, "Message-ID:", 0, 11)) {
        return header.substring(11).trim();
      }
    }
    return "";
  }
}
