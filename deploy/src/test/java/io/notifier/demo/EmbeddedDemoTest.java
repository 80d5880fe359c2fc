package io.notifier.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.notifier.model.NotificationKind;
import io.notifier.testing.SettableClock;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code notifier demo} as a newcomer runs it, with nothing configured: embedded PostgreSQL and
 * Redis and the in-process inbox start, the practice is seeded, and once the clock reaches the
 * second due minute every expected email arrives, is printed and saved as an .eml file; /metrics
 * and health answer; Ctrl-C stops it and the embedded servers with it. The clock is a settable one
 * (the whole demo reads time through it), so the test takes seconds, not two minutes.
 */
class EmbeddedDemoTest {

  @TempDir Path mailDir;

  @Test
  void withNothingConfiguredEveryKindArrivesIsSavedAsEmlAndCtrlCStopsTheEmbeddedServers()
      throws Exception {
    SettableClock clock = new SettableClock();
    DemoRun run =
        DemoRun.start(Map.of(), clock, "--mail-dir", mailDir.toString(), "--http-port", "0");
    Demo demo = run.awaitRunning();
    DemoSchedule schedule = DemoSchedule.at(clock.instant()); // the clock has not moved
    Set<String> expected = demo.awaited();
    assertThat(expected).as(run.toString()).hasSize(15);

    clock.set(schedule.second().plusSeconds(2));
    await("every expected email")
        .atMost(Duration.ofSeconds(60))
        .until(() -> demo.awaited().isEmpty());

    List<Saved> saved = saved(mailDir);
    assertThat(saved.stream().map(s -> s.kind() + " " + s.recipient()).collect(Collectors.toSet()))
        .containsAll(expected);
    assertThat(saved)
        .extracting(Saved::kind)
        .containsAll(Arrays.stream(NotificationKind.values()).map(NotificationKind::code).toList());
    assertThat(saved)
        .filteredOn(s -> s.kind().equals("session_notes_reminder"))
        .extracting(Saved::subject)
        .contains("You have 3 draft session notes");
    // Minutes left at send time: the clock jumped to the second minute, one after the reminder's.
    assertThat(saved)
        .filteredOn(s -> s.kind().equals("appointment_reminder"))
        .extracting(Saved::subject)
        .allMatch(subject -> subject.matches("Appointment in \\d+ minutes"))
        .contains("Appointment in 14 minutes");
    String out = run.out();
    assertThat(out)
        .contains("notifier demo is running", "embedded PostgreSQL", "embedded Redis")
        .contains("MAIL ", "dana.levi@demo.pazpaz.example", "(Asia/Jerusalem, ")
        .contains("All 15 expected emails arrived");

    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> metrics = get(http, demo.httpPort(), "/metrics");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body()).contains("notifier_jobs_sent_total", "role=\"demo\"");
    HttpResponse<String> workers = get(http, demo.httpPort(), "/api/v1/health/workers");
    assertThat(workers.body())
        .containsPattern("\"role\"\\s*:\\s*\"producer\"")
        .containsPattern("\"role\"\\s*:\\s*\"consumer\"");

    int httpPort = demo.httpPort();
    int postgresPort = demo.embeddedPostgresPort();
    int redisPort = demo.embeddedRedisPort();
    assertThat(listening(postgresPort)).isTrue();
    assertThat(listening(redisPort)).isTrue();

    assertThat(run.interrupt()).as(run.toString()).isZero();

    assertThat(run.out()).containsPattern("Stopped\\. \\d+ email\\(s\\) saved in ");
    assertThat(listening(postgresPort)).as("embedded PostgreSQL stopped").isFalse();
    assertThat(listening(redisPort)).as("embedded Redis stopped").isFalse();
    assertThat(listening(httpPort)).as("HTTP stopped").isFalse();
  }

  private record Saved(String kind, String recipient, String subject) {}

  private static List<Saved> saved(Path folder) throws Exception {
    List<Saved> saved = new ArrayList<>();
    Session session = Session.getInstance(new Properties());
    try (Stream<Path> files = Files.list(folder)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".eml")).sorted().toList()) {
        try (InputStream in = Files.newInputStream(file)) {
          MimeMessage message = new MimeMessage(session, in);
          String kind = message.getHeader(DemoInbox.KIND_HEADER)[0];
          assertThat(file.getFileName().toString()).endsWith("-" + kind + ".eml");
          saved.add(
              new Saved(kind, message.getAllRecipients()[0].toString(), message.getSubject()));
        }
      }
    }
    return saved;
  }

  private static HttpResponse<String> get(HttpClient http, int port, String path)
      throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static boolean listening(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
