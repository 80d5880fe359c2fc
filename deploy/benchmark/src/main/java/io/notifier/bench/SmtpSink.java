package io.notifier.bench;

import java.io.BufferedInputStream;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.server.SMTPServer;

/**
 * A fast local SMTP server (SubEthaSMTP) that accepts everything and remembers, per message, the
 * delivery id header and the instant it accepted the data: the end of "due instant to SMTP
 * acceptance". Runs in its own process so its garbage is not the consumer's.
 */
final class SmtpSink {

  private static final byte[] HEADER = "X-Notifier-Delivery:".getBytes(StandardCharsets.US_ASCII);

  private final Object lock = new Object();
  private String[] ids = new String[1 << 16];
  private long[] acceptedAt = new long[1 << 16];
  private int count;
  private final AtomicInteger connections = new AtomicInteger();
  private final SMTPServer server;

  SmtpSink(int port) {
    server =
        SMTPServer.port(port)
            .bindAddress(InetAddress.getLoopbackAddress())
            .maxConnections(256)
            // A relay's Received: header is a line the benchmark never reads; SubEthaSMTP builds
            // it per message and reads every byte through one more stream (8% of the sink's CPU
            // samples in the sixth round's profile).
            .insertReceivedHeaders(false)
            .messageHandlerFactory(
                context -> {
                  connections.incrementAndGet();
                  return new MessageHandler() {
                    @Override
                    public void from(String from) {}

                    @Override
                    public void recipient(String recipient) {}

                    @Override
                    public String data(InputStream data) throws IOException {
                      // SubEthaSMTP's DATA streams work byte by byte; one buffer in front of
                      // them serves the header scan's single-byte reads.
                      InputStream in = new BufferedInputStream(data, 8192);
                      String id = deliveryId(in);
                      in.transferTo(OutputStream.nullOutputStream());
                      record(id, System.currentTimeMillis());
                      return null;
                    }

                    @Override
                    public void done() {}
                  };
                })
            .build();
  }

  void start() {
    server.start();
  }

  int port() {
    return server.getPortAllocated();
  }

  private void record(String id, long at) {
    synchronized (lock) {
      if (count == ids.length) {
        ids = java.util.Arrays.copyOf(ids, count * 2);
        acceptedAt = java.util.Arrays.copyOf(acceptedAt, count * 2);
      }
      ids[count] = id;
      acceptedAt[count] = at;
      count++;
    }
  }

  /** Reads header lines up to the blank line and returns the delivery id header's value. */
  private static String deliveryId(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder(128);
    String found = "";
    int b;
    while ((b = in.read()) != -1) {
      if (b == '\n') {
        int len = line.length();
        if (len > 0 && line.charAt(len - 1) == '\r') {
          line.setLength(--len);
        }
        if (len == 0) {
          break; // end of the headers
        }
        if (len > HEADER.length
            && line.substring(0, HEADER.length).equalsIgnoreCase("X-Notifier-Delivery:")) {
          found = line.substring(HEADER.length).trim();
        }
        line.setLength(0);
      } else {
        line.append((char) b);
      }
    }
    return found;
  }

  Map<String, Object> stats() {
    Map<String, Object> out = new LinkedHashMap<>();
    synchronized (lock) {
      out.put("accepted", count);
      out.put("lastAcceptedAt", count == 0 ? 0 : acceptedAt[count - 1]);
    }
    out.put("sessions", connections.get());
    return out;
  }

  /** Writes "id,acceptedEpochMillis" lines and forgets them. */
  Map<String, Object> dump(Path file) throws IOException {
    String[] idsCopy;
    long[] atCopy;
    int n;
    synchronized (lock) {
      n = count;
      idsCopy = java.util.Arrays.copyOf(ids, n);
      atCopy = java.util.Arrays.copyOf(acceptedAt, n);
      count = 0;
    }
    try (BufferedWriter out = Files.newBufferedWriter(file)) {
      for (int i = 0; i < n; i++) {
        out.write(idsCopy[i]);
        out.write(',');
        out.write(Long.toString(atCopy[i]));
        out.write('\n');
      }
    }
    return Map.of("dumped", n);
  }

  void stop() {
    server.stop();
  }

  /** The child process: serve until told to exit. */
  static void main(int port) throws IOException {
    SmtpSink sink = new SmtpSink(port);
    sink.start();
    ChildSide.serve(
        (command, args) ->
            switch (command) {
              case "port" -> Map.of("port", sink.port());
              case "stats" -> sink.stats();
              case "dump" -> sink.dump(Path.of(args[0]));
              case "mem" -> ChildSide.memory();
              default -> throw new IllegalArgumentException("unknown command " + command);
            });
    sink.stop();
  }
}
