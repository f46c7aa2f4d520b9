package io.mpac.collector.receiver.docker;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.ComponentId;
import io.mpac.collector.consumer.ConsumeException;
import io.mpac.collector.loki.Labels;
import io.mpac.collector.loki.LogsReceiver;
import io.mpac.collector.loki.LokiEntry;
import io.mpac.collector.relabel.RelabelAction;
import io.mpac.collector.relabel.RelabelRule;
import io.mpac.collector.relabel.RelabelRules;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** loki.source.docker against the fake daemon. */
class LokiSourceDockerTest {

  @TempDir Path dir;
  FakeDockerDaemon daemon;
  final Sink sink = new Sink();
  final List<LokiSourceDocker> started = new ArrayList<>();

  static final RelabelRules RULES = RelabelRules.of(List.of(
      RelabelRule.replace(List.of("__meta_docker_container_name"), "/(.*)", "container", "$1"),
      RelabelRule.replace(List.of("__meta_docker_container_log_stream"), "(.*)", "stream", "$1")));

  /** Records entries; refuses the first {@code refusals} pushes. */
  static final class Sink implements LogsReceiver {
    final List<LokiEntry> entries = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger refusals = new AtomicInteger();

    @Override
    public void push(List<LokiEntry> list) throws ConsumeException {
      if (refusals.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        throw new ConsumeException.Refused("queue full", Duration.ofMillis(5));
      }
      entries.addAll(list);
    }

    List<String> lines() {
      synchronized (entries) {
        return entries.stream().map(LokiEntry::line).toList();
      }
    }
  }

  @BeforeEach
  void setUp() throws Exception {
    daemon = new FakeDockerDaemon(dir);
  }

  @AfterEach
  void tearDown() throws Exception {
    for (LokiSourceDocker s : started) s.shutdown(Duration.ofSeconds(5));
    daemon.close();
  }

  static Map<String, String> target(String id, String name) {
    return Map.of("__meta_docker_container_id", id, "__meta_docker_container_name", "/" + name,
        "__address__", "172.17.0.2:80", "__meta_docker_network_ip", "172.17.0.2");
  }

  private LokiSourceDocker source(List<Map<String, String>> targets) {
    ComponentContext ctx = new ComponentContext(new ComponentId("loki.source.docker", "t"), dir.resolve("storage"),
        new SimpleMeterRegistry(), Logger.getLogger("test"));
    LokiSourceDocker s = new LokiSourceDocker(ctx, new LokiSourceDockerConfig(DockerHost.parse(daemon.host()), targets,
        List.of(sink), Map.of("source", "docker"), RULES, Duration.ofMillis(200), Duration.ofMillis(50), 16));
    s.start();
    started.add(s);
    return s;
  }

  private void stop(LokiSourceDocker s) {
    s.shutdown(Duration.ofSeconds(5));
    started.remove(s);
  }

  private static void await(String what, BooleanSupplier c) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (!c.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
      Thread.sleep(5);
    }
  }

  @Test
  void followsEveryContainerOnceWithStreamLabels() throws Exception {
    FakeDockerDaemon.Container api = daemon.add("c1", "api", false, Map.of());
    FakeDockerDaemon.Container tty = daemon.add("c2", "console", true, Map.of());
    api.log("stdout", "{\"level\":\"info\"}");
    api.log("stderr", "warning: disk");
    tty.log("stdout", "tty line");
    Map<String, String> second = new java.util.HashMap<>(target("c1", "api"));
    second.put("__address__", "172.17.0.2:8080"); // another port of the same container
    LokiSourceDocker s = source(List.of(target("c1", "api"), second, target("c2", "console"),
        Map.of("no_container_id", "x")));
    assertThat(s.followedContainers()).containsExactlyInAnyOrder("c1", "c2");
    await("3 lines", () -> sink.entries.size() == 3);
    api.log("stdout", "later");
    await("4 lines", () -> sink.entries.size() == 4);
    Map<String, LokiEntry> byLine = new java.util.HashMap<>();
    sink.entries.forEach(e -> byLine.put(e.line(), e));
    assertThat(byLine.get("{\"level\":\"info\"}").labels())
        .isEqualTo(Labels.of("container", "api", "source", "docker", "stream", "stdout"));
    assertThat(byLine.get("{\"level\":\"info\"}").timestampNanos()).isEqualTo(api.log.get(0).ts());
    assertThat(byLine.get("warning: disk").labels())
        .isEqualTo(Labels.of("container", "api", "source", "docker", "stream", "stderr"));
    assertThat(byLine.get("tty line").labels())
        .isEqualTo(Labels.of("container", "console", "source", "docker", "stream", "stdout"));
    assertThat(byLine).containsKey("later");
  }

  @Test
  void aRestartNeitherResendsNorSkipsEvenWithinOneTimestamp() throws Exception {
    FakeDockerDaemon.Container c = daemon.add("c1", "api", false, Map.of());
    long t1 = daemon.nextTs();
    long t2 = daemon.nextTs();
    c.logAt(t1, "stdout", "A");
    c.logAt(t2, "stdout", "B");
    c.logAt(t2, "stderr", "C");
    LokiSourceDocker s = source(List.of(target("c1", "api")));
    await("3 lines", () -> sink.entries.size() == 3);
    stop(s);
    assertThat(Files.readString(dir.resolve("storage").resolve("positions.json"))).contains("\"c1\"").contains("\"count\" : 2");
    c.logAt(t2, "stdout", "D"); // same timestamp as the last two lines read
    c.log("stdout", "E");
    source(List.of(target("c1", "api")));
    await("5 lines", () -> sink.entries.size() == 5);
    Thread.sleep(100); // nothing more may come
    assertThat(sink.lines()).containsExactly("A", "B", "C", "D", "E");
  }

  @Test
  void aStoppedContainerResumesWhereItWasWhenItStartsAgain() throws Exception {
    FakeDockerDaemon.Container c = daemon.add("c1", "api", false, Map.of());
    c.log("stdout", "one");
    LokiSourceDocker s = source(List.of(target("c1", "api")));
    await("one", () -> sink.entries.size() == 1);
    c.log("stdout", "two");
    c.stop();
    await("two", () -> sink.entries.size() == 2);
    // The container left discovery (status=running filter): the runtime rebuilds the source without it.
    stop(s);
    source(List.of());
    // It starts again and comes back; its history is not read again.
    c.start();
    c.log("stdout", "three");
    stop(started.get(0));
    source(List.of(target("c1", "api")));
    await("three", () -> sink.entries.size() == 3);
    Thread.sleep(100);
    assertThat(sink.lines()).containsExactly("one", "two", "three");
  }

  @Test
  void aFollowerPicksUpAContainerThatRestartsWhileFollowed() throws Exception {
    FakeDockerDaemon.Container c = daemon.add("c1", "api", false, Map.of());
    c.log("stdout", "one");
    source(List.of(target("c1", "api")));
    await("one", () -> sink.entries.size() == 1);
    c.stop();
    Thread.sleep(50);
    c.start();
    c.log("stdout", "two");
    await("two", () -> sink.entries.size() == 2);
    assertThat(sink.lines()).containsExactly("one", "two");
  }

  @Test
  void survivesADaemonRestart() throws Exception {
    FakeDockerDaemon.Container c = daemon.add("c1", "api", false, Map.of());
    c.log("stdout", "before");
    source(List.of(target("c1", "api")));
    await("before", () -> sink.entries.size() == 1);
    daemon.stop();
    c.log("stdout", "while down");
    Thread.sleep(300); // a few failed reconnects
    daemon.start();
    c.log("stdout", "after");
    await("all", () -> sink.entries.size() == 3);
    Thread.sleep(100);
    assertThat(sink.lines()).containsExactly("before", "while down", "after");
  }

  @Test
  void backPressureIsRetriedNotDropped() throws Exception {
    FakeDockerDaemon.Container c = daemon.add("c1", "api", false, Map.of());
    sink.refusals.set(5);
    for (int i = 0; i < 20; i++) c.log("stdout", "line " + i);
    source(List.of(target("c1", "api")));
    await("20 lines", () -> sink.entries.size() == 20);
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 20; i++) expected.add("line " + i);
    assertThat(sink.lines()).isEqualTo(expected);
  }

  @Test
  void relabelRulesCanDropAStream() throws Exception {
    FakeDockerDaemon.Container c = daemon.add("c1", "api", false, Map.of());
    c.log("stderr", "noise");
    c.log("stdout", "kept");
    ComponentContext ctx = new ComponentContext(new ComponentId("loki.source.docker", "d"), dir.resolve("s2"),
        new SimpleMeterRegistry(), Logger.getLogger("test"));
    RelabelRules dropStderr = RelabelRules.of(List.of(new RelabelRule(List.of("__meta_docker_container_log_stream"), ";",
        "stderr", "", "$1", RelabelAction.DROP, 0)));
    LokiSourceDocker s = new LokiSourceDocker(ctx, new LokiSourceDockerConfig(DockerHost.parse(daemon.host()),
        List.of(target("c1", "api")), List.of(sink), Map.of(), dropStderr, Duration.ofMillis(200), Duration.ofMillis(50), 4));
    s.start();
    started.add(s);
    await("kept", () -> sink.entries.size() == 1);
    Thread.sleep(100);
    assertThat(sink.lines()).containsExactly("kept");
    assertThat(sink.entries.get(0).labels()).as("only __ labels were there").isEqualTo(Labels.EMPTY);
  }

  @Test
  void positionsAreWrittenAtomicallyAndExpire() throws Exception {
    Clock t0 = Clock.fixed(Instant.parse("2024-05-01T00:00:00Z"), ZoneOffset.UTC);
    Path storage = dir.resolve("pos");
    Positions p = new Positions(storage, t0);
    p.advance("a", 100);
    p.advance("a", 100);
    p.advance("a", 90); // older: ignored
    p.advance("b", 5);
    p.save();
    assertThat(Files.list(storage).map(f -> f.getFileName().toString())).containsExactly("positions.json");
    Positions later = new Positions(storage, Clock.offset(t0, Duration.ofDays(8)));
    later.load();
    assertThat(later.get("a")).isEqualTo(new Positions.Position(100, 2, t0.millis()));
    later.touch("b");
    later.save();
    Positions reread = new Positions(storage, t0);
    reread.load();
    assertThat(reread.get("a")).as("unused for 8 days: expired").isNull();
    assertThat(reread.get("b")).isNotNull();

    Files.writeString(storage.resolve("positions.json"), "{not json");
    Positions corrupt = new Positions(storage, t0);
    org.assertj.core.api.Assertions.assertThatThrownBy(corrupt::load).hasMessageContaining("not valid JSON");
    assertThat(storage.resolve("positions.json.corrupt")).exists();
  }

  /**
   * A crash (SIGKILL of a child process) while the downstream is stuck: the positions file on disk
   * stops at the last accepted line, and a new instance starts exactly at the first line that was
   * in flight: nothing lost, nothing accepted read twice.
   */
  @Test
  void aCrashNeitherLosesNorReReadsAcceptedLines() throws Exception {
    FakeDockerDaemon.Container c = daemon.add("c1", "api", false, Map.of());
    for (int i = 0; i < 200; i++) c.log("stdout", "line " + i);
    Path storage = dir.resolve("crash-storage");
    Path accepted = dir.resolve("accepted.txt");
    Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), PositionsCrashChild.class.getName(), daemon.host(),
        storage.toString(), accepted.toString(), "120")
        .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
    try {
      await("120 lines accepted by the child", () -> lineCount(accepted) == 120);
      // the positions file reaches the last accepted line (sync every 50 ms), and goes no further
      await("positions saved", () -> savedCount(storage, c) == 120);
      Thread.sleep(300);
      assertThat(savedCount(storage, c)).as("the refused line 120 is in flight: its position does not advance")
          .isEqualTo(120);
    } finally {
      child.destroyForcibly(); // SIGKILL: no shutdown hook, no last save
      child.waitFor();
    }
    assertThat(lineCount(accepted)).isEqualTo(120);
    ComponentContext ctx = new ComponentContext(new ComponentId("loki.source.docker", "t"), storage,
        new SimpleMeterRegistry(), Logger.getLogger("test"));
    LokiSourceDocker again = new LokiSourceDocker(ctx, new LokiSourceDockerConfig(DockerHost.parse(daemon.host()),
        List.of(target("c1", "api")), List.of(sink), Map.of(), RULES, Duration.ofMillis(200), Duration.ofMillis(50), 4));
    again.start();
    started.add(again);
    await("the other 80 lines", () -> sink.entries.size() == 80);
    Thread.sleep(200); // nothing more may come
    List<String> all = new ArrayList<>(Files.readAllLines(accepted));
    all.addAll(sink.lines());
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 200; i++) expected.add("line " + i);
    assertThat(all).as("every line once, in order").isEqualTo(expected);
  }

  private static long lineCount(Path file) {
    try {
      return Files.exists(file) ? Files.readAllLines(file).size() : 0;
    } catch (java.io.IOException e) {
      return -1;
    }
  }

  /** Lines the positions file says were handed on (all 200 lines have distinct timestamps). */
  private static long savedCount(Path storage, FakeDockerDaemon.Container c) {
    try {
      Positions p = new Positions(storage, Clock.systemUTC());
      p.load();
      Positions.Position pos = p.get("c1");
      if (pos == null) return 0;
      long n = 0;
      synchronized (c) {
        for (FakeDockerDaemon.Msg line : c.log) if (line.ts() <= pos.timestampNanos()) n++;
      }
      return n;
    } catch (java.io.IOException e) {
      return -1;
    }
  }
}
