package io.notifier.ops.health;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.notifier.ops.observe.LastRun;
import io.notifier.ops.observe.WorkerBeat;
import java.time.Duration;
import java.time.Instant;

/** The JSON bodies of the health endpoints. Ids, roles and times only: nothing personal. */
public final class HealthJson {

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private HealthJson() {}

  public static String workers(HealthReport report) {
    ObjectNode root = JSON.createObjectNode();
    root.put("status", report.healthy() ? "ok" : "unhealthy");
    root.put("checkedAt", report.checkedAt().toString());
    ArrayNode problems = root.putArray("problems");
    report.problems().forEach(problems::add);
    ArrayNode notes = root.putArray("notes");
    report.notes().forEach(notes::add);
    ArrayNode workers = root.putArray("workers");
    for (HealthReport.WorkerStatus status : report.workers()) {
      WorkerBeat beat = status.beat();
      ObjectNode w = workers.addObject();
      w.put("id", beat.id());
      w.put("role", beat.role());
      w.put("host", beat.host());
      w.put("pid", beat.pid());
      put(w, "startedAt", beat.startedAt());
      put(w, "lastBeat", beat.lastBeat());
      if (status.silentFor() != null) {
        w.put("secondsSinceBeat", seconds(status.silentFor()));
      }
      w.put("leader", beat.leader());
      w.put("stale", status.stale());
    }
    ObjectNode runs = root.putObject("lastRuns");
    for (LastRun run :
        report.lastRuns().values().stream()
            .sorted(java.util.Comparator.comparing(LastRun::name))
            .toList()) {
      ObjectNode r = runs.putObject(run.name());
      put(r, "at", run.at());
      if (run.at() != null) {
        r.put("secondsAgo", seconds(Duration.between(run.at(), report.checkedAt())));
      }
      r.put("by", run.by());
      r.put("durationMs", run.durationMs());
      r.put("outcome", run.outcome());
    }
    if (report.queues() == null) {
      root.putNull("queues");
    } else {
      ObjectNode q = root.putObject("queues");
      q.put("delayed", report.queues().delayed());
      q.put("ready", report.queues().ready());
      q.put("pending", report.queues().pending());
      q.put("dead", report.queues().dead());
    }
    return write(root);
  }

  public static String check(String name, Check check) {
    ObjectNode root = JSON.createObjectNode();
    root.put("check", name);
    root.put("status", check.ok() ? "ok" : "failing");
    ArrayNode problems = root.putArray("problems");
    check.problems().forEach(problems::add);
    return write(root);
  }

  private static double seconds(Duration d) {
    return d.toMillis() / 1000.0;
  }

  private static void put(ObjectNode node, String field, Instant value) {
    if (value == null) {
      node.putNull(field);
    } else {
      node.put(field, value.toString());
    }
  }

  private static String write(ObjectNode node) {
    try {
      return JSON.writeValueAsString(node) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
