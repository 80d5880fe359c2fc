package io.notifier.bench;

import io.notifier.db.crypto.ClientNameCipher;
import io.notifier.db.fixtures.Fixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.UUID;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Generates a realistic PazPaz population with PostgreSQL's COPY (pgjdbc's CopyManager): N users in
 * workspaces of one to a dozen therapists spread over {@link ZoneWeights}' 400+ zones; settings
 * mostly left at PazPaz's defaults (notes 18:00, digest 08:00, tomorrow 20:00, reminders 60 min)
 * and otherwise clustered on the hour and half hour; appointments on the benchmark day and the two
 * after it; draft notes for most users. Deterministic for a seed. FK triggers are off while loading
 * ({@code session_replication_role = replica}): the generator writes consistent keys itself.
 */
final class Population {

  static final int CLIENTS_PER_WORKSPACE = 3;

  /** Pre-encrypted client names, reused: the consumer still decrypts every one it shows. */
  private static final int NAME_POOL = 512;

  private static final String[] FIRST =
      "Noa Yael Tamar Maya Dana Avi Eitan Omer Sarah Emma Olivia Liam Noah Lucas Mia Sofia Ana Luca"
          .split(" ");
  private static final String[] LAST =
      "Cohen Levi Mizrahi Peretz Smith Johnson Brown Garcia Müller Rossi Dubois Silva Kowalski"
          .split(" ");
  private static final String[] SERVICES = {
    "Massage 60 min", "Physiotherapy", "Couples therapy", "Psychotherapy 50 min", "Reflexology"
  };

  private final int users;
  private final long seed;
  private final LocalDate day;
  private final ZoneWeights zones = ZoneWeights.standard();
  private final HexFormat hex = HexFormat.of();

  Population(int users, long seed, LocalDate day) {
    this.users = users;
    this.seed = seed;
    this.day = day;
  }

  /** What was generated. */
  record Counts(
      int workspaces,
      int users,
      int settings,
      int clients,
      int appointments,
      int drafts,
      int zonesInUse) {}

  Counts generate(Connection connection) throws SQLException, IOException {
    try (Statement st = connection.createStatement()) {
      st.execute("SET session_replication_role = replica");
      st.execute(
          "TRUNCATE notifier_deliveries, notifier_user_schedule, notifier_scheduler_state,"
              + " appointment_reminders_sent, sessions, appointments, services, locations,"
              + " clients, user_notification_settings, users, workspaces");
    }
    SplittableRandom random = new SplittableRandom(seed);
    // Workspaces first: their sizes decide the users.
    int[] sizes = new int[users];
    String[] wsZone = new String[users];
    int workspaceCount = 0;
    int assigned = 0;
    while (assigned < users) {
      int size = Math.min(workspaceSize(random), users - assigned);
      sizes[workspaceCount] = size;
      double z = random.nextDouble();
      wsZone[workspaceCount] = z < 0.004 ? null : zones.pick(random);
      workspaceCount++;
      assigned += size;
    }
    UUID[] workspaceIds = new UUID[workspaceCount];
    for (int w = 0; w < workspaceCount; w++) {
      workspaceIds[w] = uuid(random);
    }
    java.util.Set<String> zonesInUse = new java.util.HashSet<>();
    // Settings and workspaces last changed weeks ago (by the database's real clock, which the
    // producer's change tracking reads): most minutes in production see no change either.
    String lastChange =
        DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(
            java.time.OffsetDateTime.now(java.time.Clock.systemUTC()).minusDays(30));
    PGConnection pg = connection.unwrap(PGConnection.class);

    // workspaces
    try (Copy copy =
        new Copy(
            pg, "COPY workspaces (id, name, is_active, status, timezone, updated_at) FROM STDIN")) {
      for (int w = 0; w < workspaceCount; w++) {
        boolean suspended = random.nextDouble() < 0.01;
        zonesInUse.add(wsZone[w] == null ? "" : wsZone[w]);
        copy.row(
            workspaceIds[w].toString(),
            "Practice " + w,
            suspended ? "f" : "t",
            suspended ? "suspended" : "active",
            wsZone[w] == null ? "\\N" : wsZone[w],
            lastChange);
      }
    }

    // users and their settings; user ids kept for sessions
    UUID[] userIds = new UUID[users];
    int[] userWorkspace = new int[users];
    int settingsRows = 0;
    {
      int u = 0;
      for (int w = 0; w < workspaceCount; w++) {
        for (int k = 0; k < sizes[w]; k++) {
          userIds[u] = uuid(random);
          userWorkspace[u] = w;
          u++;
        }
      }
    }
    try (Copy copy =
        new Copy(
            pg, "COPY users (id, workspace_id, email, full_name, role, is_active) FROM STDIN")) {
      for (int u = 0; u < users; u++) {
        int w = userWorkspace[u];
        boolean owner = u == 0 || userWorkspace[u - 1] != w;
        copy.row(
            userIds[u].toString(),
            workspaceIds[w].toString(),
            "therapist" + u + "@bench.pazpaz.test",
            FIRST[random.nextInt(FIRST.length)] + " " + LAST[random.nextInt(LAST.length)],
            owner ? "owner" : "assistant",
            random.nextDouble() < 0.02 ? "f" : "t");
      }
    }
    try (Copy copy =
        new Copy(
            pg,
            "COPY user_notification_settings (id, user_id, workspace_id, email_enabled,"
                + " digest_enabled, digest_time, digest_days, tomorrow_digest_enabled,"
                + " tomorrow_digest_time, tomorrow_digest_days, reminder_enabled,"
                + " reminder_minutes, notes_reminder_enabled, notes_reminder_time, updated_at)"
                + " FROM STDIN")) {
      for (int u = 0; u < users; u++) {
        if (random.nextDouble() < 0.02) {
          continue; // no settings row: PazPaz sends such a user nothing
        }
        settingsRows++;
        int w = userWorkspace[u];
        boolean israel = "Asia/Jerusalem".equals(wsZone[w]);
        double d = random.nextDouble();
        String digestDays = d < 0.1 ? "{0,1,2,3,4,5,6}" : israel ? "{0,1,2,3,4}" : "{1,2,3,4,5}";
        String tomorrowDays = israel ? "{6,0,1,2,3}" : "{0,1,2,3,4}";
        copy.row(
            uuid(random).toString(),
            userIds[u].toString(),
            workspaceIds[w].toString(),
            flag(random, 0.96),
            flag(random, 0.45),
            time(random, "08:00", 6, 10),
            digestDays,
            flag(random, 0.30),
            time(random, "20:00", 17, 22),
            tomorrowDays,
            flag(random, 0.85),
            Integer.toString(reminderMinutes(random)),
            flag(random, 0.85),
            time(random, "18:00", 16, 21),
            lastChange);
      }
    }

    // clients (names from an encrypted pool) and one service per workspace
    ClientNameCipher cipher = new ClientNameCipher(Fixtures.testKeys());
    String[] firstPool = new String[NAME_POOL];
    String[] lastPool = new String[NAME_POOL];
    for (int i = 0; i < NAME_POOL; i++) {
      firstPool[i] = "\\\\x" + hex.formatHex(cipher.encrypt(FIRST[i % FIRST.length]));
      lastPool[i] = "\\\\x" + hex.formatHex(cipher.encrypt(LAST[(i / 3) % LAST.length]));
    }
    UUID[] clientIds = new UUID[workspaceCount * CLIENTS_PER_WORKSPACE];
    UUID[] serviceIds = new UUID[workspaceCount];
    try (Copy copy =
        new Copy(pg, "COPY clients (id, workspace_id, first_name, last_name) FROM STDIN")) {
      for (int w = 0; w < workspaceCount; w++) {
        for (int c = 0; c < CLIENTS_PER_WORKSPACE; c++) {
          UUID id = uuid(random);
          clientIds[w * CLIENTS_PER_WORKSPACE + c] = id;
          copy.row(
              id.toString(),
              workspaceIds[w].toString(),
              firstPool[random.nextInt(NAME_POOL)],
              lastPool[random.nextInt(NAME_POOL)]);
        }
      }
    }
    try (Copy copy = new Copy(pg, "COPY services (id, workspace_id, name) FROM STDIN")) {
      for (int w = 0; w < workspaceCount; w++) {
        serviceIds[w] = uuid(random);
        copy.row(
            serviceIds[w].toString(),
            workspaceIds[w].toString(),
            SERVICES[random.nextInt(SERVICES.length)]);
      }
    }

    // appointments: the benchmark day and the two after it, local working hours
    int appointments = 0;
    DateTimeFormatter ts = DateTimeFormatter.ISO_OFFSET_DATE_TIME;
    try (Copy copy =
        new Copy(
            pg,
            "COPY appointments (id, workspace_id, client_id, service_id, scheduled_start,"
                + " scheduled_end, location_type, location_details, status, updated_at)"
                + " FROM STDIN")) {
      for (int w = 0; w < workspaceCount; w++) {
        ZoneId zone = zone(wsZone[w]);
        for (int offset = 0; offset < 3; offset++) {
          LocalDate date = day.plusDays(offset);
          if (date.getDayOfWeek() == DayOfWeek.SATURDAY) {
            continue;
          }
          int count = 1 + (random.nextDouble() < 0.5 ? 1 : 0) + (sizes[w] > 2 ? 1 : 0);
          for (int a = 0; a < count; a++) {
            LocalTime start =
                LocalTime.of(8 + random.nextInt(11), random.nextDouble() < 0.7 ? 0 : 30);
            Instant begin = LocalDateTime.of(date, start).atZone(zone).toInstant();
            double loc = random.nextDouble();
            copy.row(
                uuid(random).toString(),
                workspaceIds[w].toString(),
                clientIds[w * CLIENTS_PER_WORKSPACE + random.nextInt(CLIENTS_PER_WORKSPACE)]
                    .toString(),
                serviceIds[w].toString(),
                ts.format(begin.atOffset(ZoneOffset.UTC)),
                ts.format(begin.plusSeconds(50 * 60).atOffset(ZoneOffset.UTC)),
                loc < 0.6 ? "clinic" : loc < 0.9 ? "online" : "home",
                loc < 0.6 ? "Room " + (1 + random.nextInt(4)) : "\\N",
                random.nextDouble() < 0.05 ? "cancelled" : "scheduled",
                // Booked weeks ago too: with updated_at = now, a producer's first tick within
                // its change slack (5 minutes) of the population took every appointment for one
                // booked after its reminder was due (254,566 late reminders, a 51 s tick).
                lastChange);
            appointments++;
          }
        }
      }
    }

    // draft session notes: most users have a few left to write
    int drafts = 0;
    try (Copy copy =
        new Copy(
            pg,
            "COPY sessions (id, workspace_id, client_id, created_by_user_id, session_date,"
                + " is_draft) FROM STDIN")) {
      String sessionDate = ts.format(day.minusDays(1).atStartOfDay().atOffset(ZoneOffset.UTC));
      for (int u = 0; u < users; u++) {
        if (random.nextDouble() < 0.4) {
          continue;
        }
        int w = userWorkspace[u];
        int count = 1 + random.nextInt(4);
        for (int k = 0; k < count; k++) {
          copy.row(
              uuid(random).toString(),
              workspaceIds[w].toString(),
              clientIds[w * CLIENTS_PER_WORKSPACE + random.nextInt(CLIENTS_PER_WORKSPACE)]
                  .toString(),
              userIds[u].toString(),
              sessionDate,
              "t");
          drafts++;
        }
      }
    }
    try (Statement st = connection.createStatement()) {
      st.execute("SET session_replication_role = origin");
    }
    return new Counts(
        workspaceCount,
        users,
        settingsRows,
        workspaceCount * CLIENTS_PER_WORKSPACE,
        appointments,
        drafts,
        zonesInUse.size());
  }

  private static int workspaceSize(SplittableRandom random) {
    double d = random.nextDouble();
    if (d < 0.65) {
      return 1;
    }
    if (d < 0.80) {
      return 2;
    }
    if (d < 0.88) {
      return 3;
    }
    if (d < 0.96) {
      return 4 + random.nextInt(3);
    }
    return 7 + random.nextInt(6);
  }

  private static int reminderMinutes(SplittableRandom random) {
    double d = random.nextDouble();
    return d < 0.65 ? 60 : d < 0.75 ? 30 : d < 0.83 ? 15 : d < 0.90 ? 120 : 1440;
  }

  /**
   * A local time: PazPaz's default for most users (few change it); otherwise an hour in [from, to),
   * on the hour mostly, on the half hour often, on another five-minute mark sometimes.
   */
  private static String time(SplittableRandom random, String preset, int from, int to) {
    if (random.nextDouble() < 0.70) {
      return preset;
    }
    int hour = from + random.nextInt(to - from);
    double m = random.nextDouble();
    int minute = m < 0.6 ? 0 : m < 0.85 ? 30 : 5 * (1 + random.nextInt(11));
    return String.format("%02d:%02d", hour, minute);
  }

  private static String flag(SplittableRandom random, double probability) {
    return random.nextDouble() < probability ? "t" : "f";
  }

  private static ZoneId zone(String name) {
    return name == null ? ZoneOffset.UTC : ZoneId.of(name);
  }

  private static UUID uuid(SplittableRandom random) {
    long hi = (random.nextLong() & ~0xF000L) | 0x4000L;
    long lo = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(hi, lo);
  }

  /** One COPY FROM STDIN in PostgreSQL's text format, written in large chunks. */
  private static final class Copy implements AutoCloseable {
    private final CopyIn in;
    private final StringBuilder buffer = new StringBuilder(1 << 20);

    Copy(PGConnection pg, String sql) throws SQLException {
      this.in = pg.getCopyAPI().copyIn(sql);
    }

    /** Values must not contain tabs, newlines or backslashes (except deliberate escapes). */
    void row(String... values) throws SQLException {
      for (int i = 0; i < values.length; i++) {
        if (i > 0) {
          buffer.append('\t');
        }
        buffer.append(values[i]);
      }
      buffer.append('\n');
      if (buffer.length() > (1 << 20)) {
        flush();
      }
    }

    private void flush() throws SQLException {
      byte[] bytes = buffer.toString().getBytes(StandardCharsets.UTF_8);
      in.writeToCopy(bytes, 0, bytes.length);
      buffer.setLength(0);
    }

    @Override
    public void close() throws SQLException {
      flush();
      in.endCopy();
    }
  }
}
