package io.mpac.collector.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpac.collector.kafka.testing.KafkaBroker;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrokerSmokeTest {
  @TempDir Path dir;

  @Test
  void starts() throws Exception {
    try (KafkaBroker b = KafkaBroker.start(dir, 4)) {
      b.createTopic("t", 3);
      try (var a = b.admin()) {
        assertThat(a.listTopics().names().get()).contains("t");
      }
    }
  }
}
