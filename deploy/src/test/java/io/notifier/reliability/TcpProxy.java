package io.notifier.reliability;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on a loopback port in front of PostgreSQL, Redis or SMTP, that a test can cut and
 * restore: {@link #cut()} closes every connection through it and stops listening, so clients see
 * their connections reset and new ones refused, as when a server or its network goes away; {@link
 * #restore()} listens on the same port again. (Toxiproxy needs its own server binary and Docker;
 * NetCrusher is unmaintained: these hundred lines are the whole need.)
 */
final class TcpProxy implements AutoCloseable {

  private final String name;
  private final String targetHost;
  private final int targetPort;
  private final int port;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicInteger accepted = new AtomicInteger();
  private volatile ServerSocket server;

  TcpProxy(String name, String targetHost, int targetPort) {
    this.name = name;
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.server = listen(0);
    this.port = server.getLocalPort();
    startAccepting(server);
  }

  int port() {
    return port;
  }

  /** Connections accepted since the start. */
  int accepted() {
    return accepted.get();
  }

  /** Resets every connection and refuses new ones until {@link #restore()}. */
  synchronized void cut() {
    ServerSocket s = server;
    server = null;
    if (s != null) {
      closeQuietly(s);
    }
    for (Socket socket : open) {
      try {
        socket.setSoLinger(true, 0); // RST, as a vanished peer would look
      } catch (IOException e) {
        // closing anyway
      }
      closeQuietly(socket);
    }
    open.clear();
  }

  /** Listens again on the same port. */
  synchronized void restore() {
    if (server == null) {
      server = listen(port);
      startAccepting(server);
    }
  }

  boolean isCut() {
    return server == null;
  }

  @Override
  public void close() {
    cut();
  }

  private static ServerSocket listen(int port) {
    try {
      ServerSocket socket = new ServerSocket();
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
      return socket;
    } catch (IOException e) {
      throw new UncheckedIOException("proxy cannot listen on " + port, e);
    }
  }

  private void startAccepting(ServerSocket listening) {
    Thread.ofPlatform()
        .daemon()
        .name("proxy-" + name + "-accept")
        .start(
            () -> {
              while (!listening.isClosed()) {
                Socket client;
                try {
                  client = listening.accept();
                } catch (IOException e) {
                  return; // cut or closed
                }
                accepted.incrementAndGet();
                Socket upstream = new Socket();
                try {
                  upstream.connect(new InetSocketAddress(targetHost, targetPort), 2_000);
                } catch (IOException e) {
                  closeQuietly(client);
                  closeQuietly(upstream);
                  continue;
                }
                open.add(client);
                open.add(upstream);
                if (listening != server) { // cut while connecting
                  closeQuietly(client);
                  closeQuietly(upstream);
                  continue;
                }
                pump(client, upstream);
                pump(upstream, client);
              }
            });
  }

  private void pump(Socket from, Socket to) {
    Thread.ofVirtual()
        .name("proxy-" + name + "-pump")
        .start(
            () -> {
              byte[] buffer = new byte[16 * 1024];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                  out.write(buffer, 0, n);
                  out.flush();
                }
              } catch (IOException e) {
                // one side went away: close both
              } finally {
                closeQuietly(from);
                closeQuietly(to);
                open.remove(from);
                open.remove(to);
              }
            });
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      // best effort
    }
  }

  @Override
  public String toString() {
    return "TcpProxy[" + name + " 127.0.0.1:" + port + " -> " + targetHost + ":" + targetPort + "]";
  }
}
