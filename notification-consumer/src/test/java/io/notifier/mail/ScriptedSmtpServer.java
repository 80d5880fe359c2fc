package io.notifier.mail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import javax.net.ssl.SSLContext;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.auth.EasyAuthenticationHandlerFactory;
import org.subethamail.smtp.server.SMTPServer;

/**
 * A real SMTP server (SubEthaSMTP) whose answers a test scripts per message: accept, reject at RCPT
 * or at the end of data with any code, stall after the data, or answer slowly. Also the two servers
 * SubEthaSMTP cannot be: one that never answers at all, and a port that refuses.
 */
public final class ScriptedSmtpServer implements AutoCloseable {

  /** What the server does with message number n (1-based). */
  public sealed interface Action {
    record Accept() implements Action {}

    record Slow(long millis) implements Action {}

    record RejectRecipient(int code, String text) implements Action {}

    record RejectData(int code, String text) implements Action {}

    record StallAfterData() implements Action {}
  }

  public static Action accept() {
    return new Action.Accept();
  }

  public static Action slow(long millis) {
    return new Action.Slow(millis);
  }

  public static Action rejectRecipient(int code, String text) {
    return new Action.RejectRecipient(code, text);
  }

  public static Action rejectData(int code, String text) {
    return new Action.RejectData(code, text);
  }

  public static Action stallAfterData() {
    return new Action.StallAfterData();
  }

  private final SMTPServer server;
  private final AtomicInteger messages = new AtomicInteger();
  private final List<byte[]> accepted = new CopyOnWriteArrayList<>();
  private final List<String> recipients = new CopyOnWriteArrayList<>();
  private final CountDownLatch closed = new CountDownLatch(1);

  private ScriptedSmtpServer(IntFunction<Action> script, SSLContext tls, String user, String pass) {
    SMTPServer.Builder builder =
        SMTPServer.port(0)
            .bindAddress(InetAddress.getLoopbackAddress())
            .messageHandlerFactory(
                context ->
                    new MessageHandler() {
                      private Action action = accept();

                      @Override
                      public void from(String from) {}

                      @Override
                      public void recipient(String recipient) throws RejectException {
                        action = script.apply(messages.incrementAndGet());
                        recipients.add(recipient);
                        if (action instanceof Action.RejectRecipient r) {
                          throw new RejectException(r.code(), r.text());
                        }
                      }

                      @Override
                      public String data(InputStream data) throws RejectException, IOException {
                        byte[] bytes = readAll(data);
                        switch (action) {
                          case Action.RejectData r -> throw new RejectException(r.code(), r.text());
                          case Action.StallAfterData s -> {
                            // The whole message and its final '.' arrived; never answer.
                            await(closed, 60_000);
                            throw new RejectException(421, "closing");
                          }
                          case Action.Slow s -> {
                            await(closed, s.millis());
                            accepted.add(bytes);
                          }
                          default -> accepted.add(bytes);
                        }
                        return null;
                      }

                      @Override
                      public void done() {}
                    });
    if (tls != null) {
      builder = builder.enableTLS().requireTLS().startTlsSocketFactory(tls);
    }
    if (user != null) {
      builder =
          builder
              .requireAuth()
              .authenticationHandlerFactory(
                  new EasyAuthenticationHandlerFactory(
                      (u, p, ctx) -> {
                        if (!user.equals(u) || !pass.equals(p)) {
                          throw new org.subethamail.smtp.auth.LoginFailedException();
                        }
                      }));
    }
    this.server = builder.build();
    server.start();
  }

  /** A plain server following {@code script}. */
  public static ScriptedSmtpServer start(IntFunction<Action> script) {
    return new ScriptedSmtpServer(script, null, null, null);
  }

  /** A server that requires STARTTLS and then SMTP AUTH with these credentials. */
  public static ScriptedSmtpServer startTlsWithAuth(SSLContext tls, String user, String password) {
    return new ScriptedSmtpServer(n -> accept(), tls, user, password);
  }

  public int port() {
    return server.getPortAllocated();
  }

  /** Messages that reached RCPT so far. */
  public int attempts() {
    return messages.get();
  }

  public List<byte[]> accepted() {
    return List.copyOf(accepted);
  }

  @Override
  public void close() {
    closed.countDown();
    server.stop();
  }

  private static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    in.transferTo(out);
    return out.toByteArray();
  }

  private static void await(CountDownLatch latch, long millis) {
    try {
      latch.await(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Accepts TCP connections and never says a word (not even the greeting). */
  public static final class SilentServer implements AutoCloseable {
    private final ServerSocket socket;
    private final List<Socket> held = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    public SilentServer() {
      try {
        socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      acceptor =
          new Thread(
              () -> {
                while (!socket.isClosed()) {
                  try {
                    held.add(socket.accept());
                  } catch (IOException e) {
                    return;
                  }
                }
              },
              "silent-smtp");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    public int port() {
      return socket.getLocalPort();
    }

    public int connections() {
      return held.size();
    }

    @Override
    public void close() {
      try {
        socket.close();
        for (Socket s : held) {
          s.close();
        }
      } catch (IOException e) {
        // closing anyway
      }
    }
  }

  /** A loopback port nothing listens on (connection refused). */
  public static int refusedPort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
