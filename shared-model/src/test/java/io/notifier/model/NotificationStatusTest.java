package io.notifier.model;

import static io.notifier.model.NotificationStatus.DEAD;
import static io.notifier.model.NotificationStatus.PENDING;
import static io.notifier.model.NotificationStatus.RETRY_WAIT;
import static io.notifier.model.NotificationStatus.SENDING;
import static io.notifier.model.NotificationStatus.SENT;
import static io.notifier.model.NotificationStatus.SKIPPED;
import static io.notifier.model.NotificationStatus.UNCERTAIN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NotificationStatusTest {

  @Test
  void sentAndSkippedAreTerminal() {
    assertThat(EnumSet.allOf(NotificationStatus.class))
        .filteredOn(NotificationStatus::isTerminal)
        .containsExactlyInAnyOrder(SENT, SKIPPED);
  }

  @Test
  void onlyAClaimLeadsToSendingAndOnlySendingLeadsToSent() {
    assertThat(NotificationStatus.sourcesOf(SENDING))
        .containsExactlyInAnyOrder(PENDING, RETRY_WAIT, SENDING);
    assertThat(NotificationStatus.sourcesOf(SENT)).containsExactly(SENDING);
  }

  @Test
  void onlyDeadAndUncertainRowsCanBeReplayed() {
    assertThat(NotificationStatus.sourcesOf(PENDING)).containsExactlyInAnyOrder(DEAD, UNCERTAIN);
  }

  @Test
  void everyStatusIsReachableFromPending() {
    Set<NotificationStatus> reached = EnumSet.of(PENDING);
    boolean grew = true;
    while (grew) {
      grew = false;
      for (NotificationStatus s : EnumSet.copyOf(reached)) {
        grew |= reached.addAll(s.successors());
      }
    }
    assertThat(reached).containsExactlyInAnyOrder(NotificationStatus.values());
  }

  @Test
  void aMoveOutsideTheTableIsRefused() {
    assertThatThrownBy(() -> NotificationStatus.requireTransition(SENT, RETRY_WAIT))
        .isInstanceOf(NotificationStatus.IllegalTransitionException.class)
        .hasMessageContaining("sent")
        .hasMessageContaining("retry_wait");
    NotificationStatus.requireTransition(SENDING, SENT);
  }

  @Test
  void codesRoundTripAndParseLeniently() {
    for (NotificationStatus s : NotificationStatus.values()) {
      assertThat(NotificationStatus.fromCode(s.code())).contains(s);
    }
    assertThat(NotificationStatus.parse(" Retry-Wait ")).contains(RETRY_WAIT);
    assertThat(NotificationStatus.parse("bogus")).isEmpty();
    assertThat(NotificationKind.parse("DAILY-DIGEST")).contains(NotificationKind.DAILY_DIGEST);
    assertThat(NotificationKind.parse("sms")).isEmpty();
  }
}
