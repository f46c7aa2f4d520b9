package io.mpac.collector.receiver.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Engine API client and the log decoder against the fake daemon on a unix socket. */
class DockerClientTest {

  @TempDir Path dir;
  FakeDockerDaemon daemon;
  DockerClient client;

  @BeforeEach
  void setUp() throws IOException {
    daemon = new FakeDockerDaemon(dir);
    client = new DockerClient(DockerHost.parse(daemon.host()), Duration.ofSeconds(5), DockerTimer.get());
  }

  @AfterEach
  void tearDown() throws IOException {
    daemon.close();
  }

  @Test
  void hostsAreParsedWithClearErrors() {
    assertThat(DockerHost.parse("unix:///var/run/docker.sock").socketPath()).isEqualTo(Path.of("/var/run/docker.sock"));
    DockerHost tcp = DockerHost.parse("tcp://127.0.0.1:2375");
    assertThat(tcp.hostName()).isEqualTo("127.0.0.1");
    assertThat(tcp.port()).isEqualTo(2375);
    assertThatThrownBy(() -> DockerHost.parse("unix://relative.sock")).hasMessageContaining("absolute");
    assertThatThrownBy(() -> DockerHost.parse("https://host:2376")).hasMessageContaining("not supported");
    assertThatThrownBy(() -> DockerHost.parse("docker.sock")).hasMessageContaining("expected unix:///path or tcp://host:port");
  }

  @Test
  void negotiatesTheDaemonsVersionWhenOlderThanOurs() throws IOException {
    daemon.apiVersion = "1.43";
    client.listContainers(Map.of());
    assertThat(client.apiVersion()).isEqualTo("1.43");
    assertThat(daemon.requests).containsExactly("/version", "/v1.43/containers/json");
  }

  @Test
  void usesOurNewestVersionWithANewerDaemon() throws IOException {
    daemon.apiVersion = "1.60";
    daemon.minApiVersion = "1.44"; // Docker 29 refuses 1.43 ("client version 1.43 is too old")
    client.listContainers(Map.of());
    assertThat(client.apiVersion()).isEqualTo(DockerClient.MAX_API_VERSION);
  }

  @Test
  void aDaemonThatNeedsANewerClientIsAClearError() {
    daemon.apiVersion = "1.70";
    daemon.minApiVersion = "1.60";
    assertThatThrownBy(() -> client.listContainers(Map.of()))
        .hasMessageContaining("requires API version 1.60 or newer");
  }

  @Test
  void theDaemonsTooOldAnswerIsShown() throws IOException {
    daemon.apiVersion = "1.43";
    client.apiVersion(); // negotiated 1.43
    daemon.minApiVersion = "1.44"; // the daemon was upgraded behind our back
    assertThatThrownBy(() -> client.listContainers(Map.of())).hasMessageContaining("client version 1.43 is too old");
    daemon.apiVersion = "1.47";
    assertThat(client.listContainers(Map.of())).as("a failure forgets the version; the next call negotiates again").isEmpty();
    assertThat(client.apiVersion()).isEqualTo("1.47");
  }

  @Test
  void listsWithFiltersAndInspects() throws IOException {
    daemon.add("c1", "api", false, Map.of("com.docker.compose.service", "api"));
    daemon.add("c2", "db", true, Map.of()).stop();
    assertThat(client.listContainers(Map.of()).size()).isEqualTo(2);
    JsonNode running = client.listContainers(Map.of("status", List.of("running")));
    assertThat(running.size()).isEqualTo(1);
    assertThat(running.get(0).path("Names").get(0).asText()).isEqualTo("/api");
    assertThat(client.listContainers(Map.of("label", List.of("com.docker.compose.service=api"))).size()).isEqualTo(1);
    assertThat(client.inspect("c2").path("Config").path("Tty").asBoolean()).isTrue();
    assertThat(client.inspect("nope")).isNull();
    assertThat(client.listNetworks().size()).isEqualTo(2);
  }

  @Test
  void anUnreachableDaemonIsAClearError() throws IOException {
    daemon.stop();
    assertThatThrownBy(() -> client.listContainers(Map.of())).hasMessageContaining("cannot connect to the Docker daemon at unix://");
  }

  private static List<LogStream.Line> drain(LogStream s) throws IOException {
    List<LogStream.Line> out = new ArrayList<>();
    LogStream.Line l;
    while ((l = s.next()) != null) out.add(l);
    return out;
  }

  @Test
  void demultiplexesStdoutAndStderrWithTimestamps() throws IOException {
    FakeDockerDaemon.Container c = daemon.add("c1", "api", false, Map.of());
    c.log("stdout", "first");
    c.log("stderr", "oops");
    c.log("stdout", "");
    c.log("stdout", "ünïcode ✓");
    c.stop();
    List<LogStream.Line> lines = drain(client.logs("c1", 0, false));
    assertThat(lines).extracting(LogStream.Line::stream, LogStream.Line::text).containsExactly(
        org.assertj.core.groups.Tuple.tuple("stdout", "first"),
        org.assertj.core.groups.Tuple.tuple("stderr", "oops"),
        org.assertj.core.groups.Tuple.tuple("stdout", "ünïcode ✓"));
    assertThat(lines.get(0).timestampNanos()).isEqualTo(c.log.get(0).ts());
    assertThat(lines.get(1).timestampNanos()).isEqualTo(c.log.get(1).ts());
  }

  @Test
  void readsTtyOutputAsStdoutWithoutCarriageReturns() throws IOException {
    FakeDockerDaemon.Container c = daemon.add("t1", "tty", true, Map.of());
    c.log("stdout", "hello");
    c.log("stderr", "world"); // a TTY has one stream
    c.stop();
    assertThat(drain(client.logs("t1", 0, true))).extracting(LogStream.Line::stream, LogStream.Line::text).containsExactly(
        org.assertj.core.groups.Tuple.tuple("stdout", "hello"), org.assertj.core.groups.Tuple.tuple("stdout", "world"));
  }

  @Test
  void rejoinsLinesTheDaemonSplitAt16KiB() throws IOException {
    FakeDockerDaemon.Container c = daemon.add("c1", "api", false, Map.of());
    String longLine = "{\"msg\":\"" + "x".repeat(40_000) + "é\"}";
    c.log("stdout", longLine);
    c.log("stdout", "y".repeat(FakeDockerDaemon.CHUNK)); // exactly one chunk: not split
    c.log("stdout", "after");
    c.stop();
    assertThat(c.log).hasSize(5); // three pieces, then two lines
    List<LogStream.Line> lines = drain(client.logs("c1", 0, false));
    assertThat(lines).extracting(LogStream.Line::text).containsExactly(longLine, "y".repeat(FakeDockerDaemon.CHUNK), "after");
    assertThat(lines.get(0).timestampNanos()).as("the first piece's time").isEqualTo(c.log.get(0).ts());
  }

  @Test
  void sinceSkipsOlderLines() throws IOException {
    FakeDockerDaemon.Container c = daemon.add("c1", "api", false, Map.of());
    for (int i = 0; i < 5; i++) c.log("stdout", "line " + i);
    c.stop();
    assertThat(drain(client.logs("c1", c.log.get(3).ts(), false))).extracting(LogStream.Line::text)
        .containsExactly("line 3", "line 4");
  }

  @Test
  void followStreamsNewLinesUntilTheContainerStops() throws Exception {
    FakeDockerDaemon.Container c = daemon.add("c1", "api", false, Map.of());
    c.log("stdout", "before");
    try (LogStream s = client.logs("c1", 0, false)) {
      assertThat(s.next().text()).isEqualTo("before");
      c.log("stdout", "while following");
      assertThat(s.next().text()).isEqualTo("while following");
      c.stop();
      assertThat(s.next()).isNull();
    }
  }

  @Test
  void closingAStreamUnblocksItsReader() throws Exception {
    daemon.add("c1", "api", false, Map.of());
    LogStream s = client.logs("c1", 0, false);
    Thread reader = new Thread(() -> {
      try {
        s.next();
      } catch (IOException expected) {
        // closed
      }
    });
    reader.start();
    Thread.sleep(50);
    s.close();
    reader.join(5_000);
    assertThat(reader.isAlive()).isFalse();
  }

  @Test
  void decoderHandlesCraftedFrames() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    frame(b, 1, "2024-05-01T10:00:00.5Z part");
    frame(b, 1, "ial\n2024-05-01T10:00:01Z second\n");
    frame(b, 2, "no-timestamp here\n");
    List<LogStream.Line> lines = drain(new LogStream(new ByteArrayInputStream(b.toByteArray()), false));
    assertThat(lines).extracting(LogStream.Line::text).containsExactly("partial", "second", "no-timestamp here");
    assertThat(lines.get(0).timestampNanos()).isEqualTo(1_714_557_600_500_000_000L);

    ByteArrayOutputStream err = new ByteArrayOutputStream();
    frame(err, 3, "container not running");
    assertThatThrownBy(() -> drain(new LogStream(new ByteArrayInputStream(err.toByteArray()), false)))
        .hasMessageContaining("container not running");
    byte[] notFramed = "2024-05-01T10:00:00Z hello\n".getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> drain(new LogStream(new ByteArrayInputStream(notFramed), false)))
        .hasMessageContaining("not multiplexed");
  }

  @Test
  void dockerTimestamps() {
    byte[] t = "2024-05-01T10:00:00.000000123Z".getBytes(StandardCharsets.US_ASCII);
    assertThat(DockerTime.parse(t, 0, t.length)).isEqualTo(1_714_557_600_000_000_123L);
    byte[] o = "2024-05-01T12:00:00+02:00".getBytes(StandardCharsets.US_ASCII);
    assertThat(DockerTime.parse(o, 0, o.length)).isEqualTo(1_714_557_600_000_000_000L);
    byte[] bad = "2024-13-01T10:00:00Z".getBytes(StandardCharsets.US_ASCII);
    assertThat(DockerTime.parse(bad, 0, bad.length)).isEqualTo(Long.MIN_VALUE);
    assertThat(DockerTime.formatSince(1_714_557_600_000_000_123L)).isEqualTo("1714557600.000000123");
    assertThat(DockerTime.format(1_714_557_600_120_000_000L)).isEqualTo("2024-05-01T10:00:00.12Z");
  }

  private static void frame(ByteArrayOutputStream out, int stream, String payload) {
    byte[] p = payload.getBytes(StandardCharsets.UTF_8);
    out.write(stream);
    out.write(0);
    out.write(0);
    out.write(0);
    out.write(p.length >>> 24);
    out.write(p.length >>> 16);
    out.write(p.length >>> 8);
    out.write(p.length);
    out.write(p, 0, p.length);
  }
}
