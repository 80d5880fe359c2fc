package io.notifier.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HostNameTest {

  @Test
  void theHostnameVariableWinsAsKubernetesAndDockerSetIt() {
    assertThat(HostName.of(Map.of("HOSTNAME", " consumer-7f9c-x2 \n")))
        .isEqualTo("consumer-7f9c-x2");
  }

  @Test
  void withoutTheVariableTheKernelsNameIsUsedWithoutAskingTheResolver() throws Exception {
    Path kernel = Path.of("/proc/sys/kernel/hostname");
    assumeTrue(Files.isReadable(kernel), "Linux only");

    assertThat(HostName.of(Map.of("HOSTNAME", "  ")))
        .isEqualTo(Files.readString(kernel).strip())
        .isNotBlank();
  }

  @Test
  void theJvmsOwnNameIsLookedUpOnceAndNeverBlank() {
    assertThat(HostName.local()).isNotBlank().isSameAs(HostName.local());
  }
}
