package io.mpac.collector.receiver.docker;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.ComponentId;
import io.mpac.collector.consumer.ConsumeException;
import io.mpac.collector.loki.LogsReceiver;
import io.mpac.collector.loki.LokiEntry;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The process that {@link LokiSourceDockerTest} kills: loki.source.docker following container
 * {@code c1} of a daemon, forwarding to a sink that accepts the first {@code accept} entries
 * (appending each line to {@code acceptedFile} before it returns) and refuses every later one, as
 * a downstream stuck on a full queue would.
 *
 * <pre>PositionsCrashChild DOCKER_HOST STORAGE_DIR ACCEPTED_FILE ACCEPT</pre>
 */
public final class PositionsCrashChild {

  public static void main(String[] args) throws Exception {
    String host = args[0];
    Path storage = Path.of(args[1]);
    int accept = Integer.parseInt(args[3]);
    OutputStream accepted = new FileOutputStream(args[2], true);
    LogsReceiver sink = new LogsReceiver() {
      private int taken;

      @Override
      public synchronized void push(List<LokiEntry> entries) throws ConsumeException {
        if (taken + entries.size() > accept) throw new ConsumeException.Refused("stuck", Duration.ofMillis(20));
        try {
          for (LokiEntry e : entries) accepted.write((e.line() + "\n").getBytes(StandardCharsets.UTF_8));
          accepted.flush();
        } catch (java.io.IOException e) {
          throw new IllegalStateException(e);
        }
        taken += entries.size();
      }
    };
    ComponentContext ctx = new ComponentContext(new ComponentId("loki.source.docker", "crash"), storage,
        new SimpleMeterRegistry(), Logger.getLogger("crash-child"));
    LokiSourceDocker s = new LokiSourceDocker(ctx, new LokiSourceDockerConfig(DockerHost.parse(host),
        List.of(LokiSourceDockerTest.target("c1", "api")), List.of(sink), Map.of(), LokiSourceDockerTest.RULES,
        Duration.ofMillis(200), Duration.ofMillis(50), 4));
    s.start();
    Thread.sleep(60_000); // killed long before
    System.exit(3);
  }
}
