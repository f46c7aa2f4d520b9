package io.mpac.collector.kafka.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * A real Apache Kafka broker (the {@code kafka_2.13} artifact, KRaft mode, broker and controller in
 * one node) run as a child JVM from the test class path, on ephemeral loopback ports. No Docker, no
 * download: the jars are test dependencies. Listeners:
 * <ul>
 *   <li>{@link #bootstrap()}: PLAINTEXT;
 *   <li>{@link #saslBootstrap()}: SASL_PLAINTEXT with PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 for user
 *       {@link #USER} / {@link #PASSWORD};
 *   <li>{@link #tlsBootstrap()}: SSL, with a throw-away self-signed certificate for 127.0.0.1 made by the
 *       JDK's keytool ({@link #caPem()} is its PEM, to trust it).
 * </ul>
 * {@link #stop()} and {@link #start()} stop and restart the same broker (same ports, same data).
 */
public final class KafkaBroker implements AutoCloseable {

  public static final String USER = "alice";
  public static final String PASSWORD = "alice-secret";

  private final Path dir;
  private final int port;
  private final int saslPort;
  private final int controllerPort;
  private final int tlsPort;
  private final Path config;
  private Process process;
  private int runs;

  private KafkaBroker(Path dir) throws IOException {
    this.dir = dir;
    this.port = freePort();
    this.saslPort = freePort();
    this.controllerPort = freePort();
    this.tlsPort = freePort();
    this.config = dir.resolve("server.properties");
  }

  /** Formats a new broker in {@code dir} and starts it; returns once it serves metadata. */
  public static KafkaBroker start(Path dir, int partitions) throws Exception {
    Files.createDirectories(dir);
    KafkaBroker b = new KafkaBroker(dir);
    b.makeCertificate();
    b.writeConfig(partitions);
    b.format();
    b.start();
    return b;
  }

  public String bootstrap() {
    return "127.0.0.1:" + port;
  }

  public String saslBootstrap() {
    return "127.0.0.1:" + saslPort;
  }

  public String tlsBootstrap() {
    return "127.0.0.1:" + tlsPort;
  }

  /** The TLS listener's certificate (self-signed, SAN 127.0.0.1), PEM. */
  public Path caPem() {
    return dir.resolve("ca.pem");
  }

  private void makeCertificate() throws Exception {
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    Path ks = dir.resolve("server.p12");
    run(List.of(keytool, "-genkeypair", "-alias", "broker", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
        "CN=localhost", "-ext", "san=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12", "-keystore",
        ks.toString(), "-storepass", "changeit", "-keypass", "changeit"));
    run(List.of(keytool, "-exportcert", "-rfc", "-alias", "broker", "-keystore", ks.toString(), "-storepass",
        "changeit", "-file", caPem().toString()));
  }

  private static void run(List<String> cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IllegalStateException(cmd.get(0) + ": " + out);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private void writeConfig(int partitions) throws IOException {
    String plain = "org.apache.kafka.common.security.plain.PlainLoginModule required user_" + USER + "=\"" + PASSWORD
        + "\";";
    String scram = "org.apache.kafka.common.security.scram.ScramLoginModule required;";
    List<String> lines = List.of(
        "process.roles=broker,controller",
        "node.id=1",
        "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
        "listeners=PLAINTEXT://127.0.0.1:" + port + ",SASL_PLAINTEXT://127.0.0.1:" + saslPort
            + ",SSL://127.0.0.1:" + tlsPort + ",CONTROLLER://127.0.0.1:" + controllerPort,
        "advertised.listeners=PLAINTEXT://127.0.0.1:" + port + ",SASL_PLAINTEXT://127.0.0.1:" + saslPort
            + ",SSL://127.0.0.1:" + tlsPort,
        "listener.name.ssl.ssl.keystore.type=PKCS12",
        "listener.name.ssl.ssl.keystore.location=" + dir.resolve("server.p12").toAbsolutePath(),
        "listener.name.ssl.ssl.keystore.password=changeit",
        "listener.name.ssl.ssl.key.password=changeit",
        "controller.listener.names=CONTROLLER",
        "inter.broker.listener.name=PLAINTEXT",
        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL,CONTROLLER:PLAINTEXT",
        "sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512",
        "listener.name.sasl_plaintext.plain.sasl.jaas.config=" + plain,
        "listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=" + scram,
        "listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=" + scram,
        "log.dirs=" + dir.resolve("data").toAbsolutePath(),
        "num.partitions=" + partitions,
        "auto.create.topics.enable=true",
        "offsets.topic.replication.factor=1",
        "offsets.topic.num.partitions=4",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "share.coordinator.state.topic.replication.factor=1",
        "share.coordinator.state.topic.min.isr=1",
        "group.initial.rebalance.delay.ms=0",
        "log.flush.interval.messages=1", // survive a stop/start with everything acknowledged on disk
        "log.segment.bytes=16777216");
    Files.write(config, lines, StandardCharsets.UTF_8);
  }

  private List<String> java(String mainClass) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ArrayList<>(List.of(java, "-Xmx512m", "-Xms64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), mainClass));
  }

  private void format() throws Exception {
    List<String> cmd = java("kafka.tools.StorageTool");
    cmd.addAll(List.of("format", "-t", Uuid.randomUuid().toString(), "-c", config.toString(), "--add-scram",
        "SCRAM-SHA-256=[name=" + USER + ",password=" + PASSWORD + "]", "--add-scram",
        "SCRAM-SHA-512=[name=" + USER + ",password=" + PASSWORD + "]"));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("format.log").toFile())
        .start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("kafka storage format did not finish: " + log("format.log"));
    }
    if (p.exitValue() != 0) throw new IllegalStateException("kafka storage format failed: " + log("format.log"));
  }

  /** Starts the broker (again) and waits until it answers; at most 90 s. */
  public synchronized void start() throws Exception {
    if (process != null && process.isAlive()) return;
    runs++;
    List<String> cmd = java("kafka.Kafka");
    cmd.add(config.toString());
    Path out = dir.resolve("broker-" + runs + ".log");
    process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    Exception last = null;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) throw new IllegalStateException("broker exited: " + log(out.getFileName().toString()));
      try (Admin admin = admin()) {
        admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
        return;
      } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
        last = e;
        Thread.sleep(200);
      }
    }
    throw new IllegalStateException("broker did not come up in 90 s: " + last + "\n" + log(out.getFileName().toString()));
  }

  /** Stops the broker gracefully (SIGTERM) and waits for it to exit. */
  public synchronized void stop() throws InterruptedException {
    if (process == null) return;
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  public Admin admin() {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000));
  }

  /** Creates a topic (if absent) with {@code partitions} partitions. */
  public void createTopic(String name, int partitions) throws Exception {
    try (Admin admin = admin()) {
      admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) throw e;
    }
  }

  private String log(String name) {
    try {
      String s = Files.readString(dir.resolve(name), StandardCharsets.UTF_8);
      return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
    } catch (IOException e) {
      return "(no log)";
    }
  }

  @Override
  public synchronized void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(20, TimeUnit.SECONDS)) process.destroyForcibly();
    }
  }
}
