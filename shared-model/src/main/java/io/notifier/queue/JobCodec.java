package io.notifier.queue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.notifier.model.NotificationJob;
import io.notifier.model.NotificationKind;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.UUID;

/**
 * The JSON form of a {@link NotificationJob} on Redis. Decoding never throws: a payload that is not
 * JSON, lacks a field or names an unknown kind yields a {@link Decoded} with a reason, which the
 * consumer sends to the dead-letter stream.
 */
public final class JobCodec {

  /** Bumped only for incompatible changes; readers ignore fields they do not know. */
  public static final int VERSION = 1;

  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private JobCodec() {}

  /** A decoded payload: the job, or why there is none. */
  public record Decoded(NotificationJob job, String error, String jobId) {
    public boolean ok() {
      return job != null;
    }
  }

  public static String encode(NotificationJob job) {
    // Streamed rather than through a tree: the producer encodes a busy minute's 100,000 jobs.
    java.io.StringWriter out = new java.io.StringWriter(512);
    try (com.fasterxml.jackson.core.JsonGenerator g = MAPPER.getFactory().createGenerator(out)) {
      g.writeStartObject();
      g.writeNumberField("v", VERSION);
      g.writeStringField("id", job.id().toString());
      g.writeStringField("kind", job.kind().code());
      g.writeStringField("dedupKey", job.dedupKey());
      g.writeStringField("userId", job.userId().toString());
      g.writeStringField("workspaceId", job.workspaceId().toString());
      if (job.appointmentId() != null) {
        g.writeStringField("appointmentId", job.appointmentId().toString());
      }
      if (job.localDate() != null) {
        g.writeStringField("localDate", job.localDate().toString());
      }
      if (job.reminderMinutes() != null) {
        g.writeNumberField("reminderMinutes", job.reminderMinutes());
      }
      if (job.appointmentStart() != null) {
        g.writeStringField("appointmentStart", job.appointmentStart().toString());
      }
      g.writeStringField("dueAt", job.dueAt().toString());
      g.writeStringField("readyAt", job.readyAt().toString());
      g.writeNumberField("attempt", job.attempt());
      g.writeEndObject();
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot encode job " + job.id(), e);
    }
    return out.toString();
  }

  public static Decoded decode(String json) {
    JsonNode node;
    try {
      node = json == null ? null : MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      return new Decoded(null, "payload is not valid JSON", null);
    }
    if (node == null || !node.isObject()) {
      return new Decoded(null, "payload is not a JSON object", null);
    }
    String id = text(node, "id");
    try {
      String kindCode = text(node, "kind");
      NotificationKind kind =
          NotificationKind.fromCode(kindCode)
              .orElseThrow(() -> new IllegalArgumentException("unknown kind '" + kindCode + "'"));
      NotificationJob job =
          new NotificationJob(
              uuid(node, "id"),
              kind,
              required(node, "dedupKey"),
              uuid(node, "userId"),
              uuid(node, "workspaceId"),
              node.hasNonNull("appointmentId") ? uuid(node, "appointmentId") : null,
              node.hasNonNull("localDate") ? LocalDate.parse(text(node, "localDate")) : null,
              node.hasNonNull("reminderMinutes") ? node.get("reminderMinutes").asInt() : null,
              node.hasNonNull("appointmentStart")
                  ? Instant.parse(text(node, "appointmentStart"))
                  : null,
              Instant.parse(required(node, "dueAt")),
              node.hasNonNull("readyAt")
                  ? Instant.parse(text(node, "readyAt"))
                  : Instant.parse(required(node, "dueAt")),
              node.hasNonNull("attempt") ? node.get("attempt").asInt() : 1);
      return new Decoded(job, null, job.id().toString());
    } catch (IllegalArgumentException | NullPointerException | DateTimeParseException e) {
      return new Decoded(null, "invalid payload: " + e.getMessage(), id);
    }
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }

  private static String required(JsonNode node, String field) {
    String value = text(node, field);
    if (value == null) {
      throw new IllegalArgumentException("missing field '" + field + "'");
    }
    return value;
  }

  private static UUID uuid(JsonNode node, String field) {
    String value = required(node, field);
    try {
      return UUID.fromString(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("field '" + field + "' is not a UUID");
    }
  }
}
