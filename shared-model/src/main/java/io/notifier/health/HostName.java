package io.notifier.health;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * This machine's name, for worker ids and heartbeats, found without a DNS lookup where possible.
 *
 * <p>{@code InetAddress.getLocalHost()} resolves the name it reads, and on a machine whose own name
 * is not in {@code /etc/hosts} that is a DNS query which can take tens of seconds to time out, on
 * every call once the negative cache expires: a worker would start late and heartbeat late. So the
 * name comes, in order, from {@code HOSTNAME} (Kubernetes and Docker set it), the kernel ({@code
 * /proc/sys/kernel/hostname}), {@code /etc/hostname}, and only then from the resolver.
 */
public final class HostName {

  private static final List<Path> FILES =
      List.of(Path.of("/proc/sys/kernel/hostname"), Path.of("/etc/hostname"));

  private HostName() {}

  /** The name, reading {@code HOSTNAME} from {@code env}. */
  public static String of(Map<String, String> env) {
    String fromEnv = env.get("HOSTNAME");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return fromEnv.strip();
    }
    for (Path file : FILES) {
      try {
        if (Files.isReadable(file)) {
          String name = Files.readString(file, StandardCharsets.UTF_8).strip();
          if (!name.isEmpty()) {
            return name;
          }
        }
      } catch (IOException | RuntimeException e) {
        // Unreadable here: try the next source.
      }
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }

  /** The name for this JVM, from its own environment, looked up once. */
  public static String local() {
    return Holder.NAME;
  }

  private static final class Holder {
    static final String NAME = of(System.getenv());
  }
}
