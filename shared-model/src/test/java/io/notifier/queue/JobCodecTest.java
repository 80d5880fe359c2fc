package io.notifier.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.notifier.model.DedupKeys;
import io.notifier.model.NotificationJob;
import io.notifier.model.NotificationKind;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class JobCodecTest {

  @Test
  void anAppointmentReminderRoundTrips() {
    UUID appointment = UUID.randomUUID();
    UUID user = UUID.randomUUID();
    Instant start = Instant.parse("2027-03-14T10:00:00Z");
    NotificationJob job =
        new NotificationJob(
            UUID.randomUUID(),
            NotificationKind.APPOINTMENT_REMINDER,
            DedupKeys.appointmentReminder(appointment, user, 60, start),
            user,
            UUID.randomUUID(),
            appointment,
            null,
            60,
            start,
            start.minusSeconds(3600),
            start.minusSeconds(3000),
            3);

    JobCodec.Decoded decoded = JobCodec.decode(JobCodec.encode(job));

    assertThat(decoded.ok()).isTrue();
    assertThat(decoded.job()).isEqualTo(job);
    assertThat(job.dedupKey()).endsWith(":60:" + start.getEpochSecond());
  }

  @Test
  void unknownFieldsAreIgnoredForForwardCompatibility() {
    String json =
        """
        {"v":2,"id":"%s","kind":"daily_digest","dedupKey":"k","userId":"%s","workspaceId":"%s",
         "localDate":"2027-03-14","dueAt":"2027-03-14T06:00:00Z","futureField":[1,2]}"""
            .formatted(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());
    JobCodec.Decoded decoded = JobCodec.decode(json);
    assertThat(decoded.ok()).isTrue();
    assertThat(decoded.job().attempt()).isEqualTo(1);
    assertThat(decoded.job().readyAt()).isEqualTo(decoded.job().dueAt());
  }

  @Test
  void badPayloadsSayWhyAndNeverThrow() {
    assertThat(JobCodec.decode("nope").error()).contains("not valid JSON");
    assertThat(JobCodec.decode("[1]").error()).contains("not a JSON object");
    assertThat(JobCodec.decode(null).error()).isNotBlank();
    String missingUser = "{\"id\":\"" + UUID.randomUUID() + "\",\"kind\":\"daily_digest\"}";
    JobCodec.Decoded decoded = JobCodec.decode(missingUser);
    assertThat(decoded.ok()).isFalse();
    assertThat(decoded.error()).contains("dedupKey");
    assertThat(decoded.jobId()).isNotNull();
    assertThat(JobCodec.decode("{\"id\":\"x\",\"kind\":\"fax\"}").error())
        .contains("unknown kind 'fax'");
  }
}
