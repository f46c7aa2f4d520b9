package io.mpac.collector.exporter.otlp;

import static io.mpac.collector.exporter.ExporterTestArgs.block;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.component.Component;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.ComponentFactory;
import io.mpac.collector.component.ComponentId;
import io.mpac.collector.component.schema.Args;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.consumer.OtlpConsumer;
import io.mpac.collector.exporter.ExporterTestArgs;
import io.mpac.collector.exporter.QueueConfig;
import io.mpac.collector.exporter.RetryConfig;
import io.mpac.collector.pdata.Signal;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class OtlpExporterConfigTest {

  private static Args grpcArgs(Map<String, Object> client, Map<String, Object> top) throws ConfigException {
    Map<String, Object> body = new LinkedHashMap<>(top);
    body.put("client", block(client));
    return ExporterTestArgs.decode("otelcol.exporter.otlp", OtlpGrpcExporterConfig.SCHEMA, body);
  }

  private static OtlpGrpcExporterConfig grpc(Map<String, Object> client) throws ConfigException {
    return OtlpGrpcExporterConfig.from(grpcArgs(client, Map.of()));
  }

  @Test
  void grpcDefaultsAreAlloys() throws Exception {
    OtlpGrpcExporterConfig c = grpc(Map.of("endpoint", "tempo:4317"));
    assertThat(c.timeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.client().endpoint()).isEqualTo(new GrpcEndpoint("tempo", 4317, ""));
    assertThat(c.client().useTls()).isTrue(); // TLS on unless tls { insecure = true }
    assertThat(c.client().compression()).isEqualTo(Compression.GZIP);
    assertThat(c.client().balancerName()).isEqualTo("round_robin");
    assertThat(c.client().waitForReady()).isFalse();
    assertThat(c.client().keepalive()).isNull();
    assertThat(c.queue()).isEqualTo(QueueConfig.DEFAULTS);
    assertThat(c.retry()).isEqualTo(RetryConfig.DEFAULTS);
  }

  @Test
  void grpcClientSettingsAreRead() throws Exception {
    Map<String, Object> client = new LinkedHashMap<>();
    client.put("endpoint", "tempo:4317");
    client.put("compression", "none");
    client.put("headers", Map.of("X-Scope-OrgID", "team-a"));
    client.put("tls", block(Map.of("insecure", true)));
    client.put("keepalive", block(Map.of("ping_wait", "30s", "ping_response_timeout", "5s")));
    client.put("wait_for_ready", true);
    client.put("balancer_name", "pick_first");
    OtlpGrpcExporterConfig c = OtlpGrpcExporterConfig.from(grpcArgs(client, Map.of("timeout", "2s",
        "sending_queue", block(Map.of("num_consumers", 2)))));
    assertThat(c.timeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.client().useTls()).isFalse();
    assertThat(c.client().compression()).isEqualTo(Compression.NONE);
    assertThat(c.client().headers()).isEqualTo(Map.of("x-scope-orgid", "team-a"));
    assertThat(c.client().keepalive()).isEqualTo(new KeepaliveConfig(Duration.ofSeconds(30), Duration.ofSeconds(5),
        false));
    assertThat(c.client().waitForReady()).isTrue();
    assertThat(c.client().balancerName()).isEqualTo("pick_first");
    assertThat(c.queue().numConsumers()).isEqualTo(2);
  }

  @Test
  void httpSchemeMeansPlaintextAndHttpsMeansTls() throws Exception {
    assertThat(grpc(Map.of("endpoint", "http://tempo:4317")).client().useTls()).isFalse();
    assertThat(grpc(Map.of("endpoint", "https://tempo.example.com")).client().endpoint())
        .isEqualTo(new GrpcEndpoint("tempo.example.com", 443, "https"));
    assertThat(grpc(Map.of("endpoint", "https://tempo:4317")).client().useTls()).isTrue();
    assertThat(grpc(Map.of("endpoint", "[::1]:4317")).client().endpoint().target()).isEqualTo("dns:///[::1]:4317");
  }

  @Test
  void grpcConfigErrorsAreClearAndPositioned() {
    Map<String, Object> zstd = new LinkedHashMap<>();
    zstd.put("endpoint", "tempo:4317"); // line 3 (component line 1, client block line 2)
    zstd.put("compression", "zstd"); // line 4
    assertThatThrownBy(() -> grpc(zstd))
        .isInstanceOf(ConfigException.class).hasMessageContaining("test.alloy:4:3")
        .hasMessageContaining("compression \"zstd\" is not supported");
    assertThatThrownBy(() -> grpc(Map.of("endpoint", "http://tempo:4318/v1/traces")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("otelcol.exporter.otlphttp");
    assertThatThrownBy(() -> grpc(Map.of("endpoint", "tempo"))).isInstanceOf(ConfigException.class)
        .hasMessageContaining("has no port");
    assertThatThrownBy(() -> grpc(Map.of("endpoint", "tempo:99999"))).isInstanceOf(ConfigException.class)
        .hasMessageContaining("out of range");
    assertThatThrownBy(() -> grpc(Map.of("endpoint", "http://tempo:4317", "tls", block(Map.of("ca_file", "/ca.pem")))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("http:// (plaintext)");
    assertThatThrownBy(() -> grpc(Map.of("endpoint", "tempo:4317", "headers", Map.of("x-id-bin", "a"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("binary header");
    assertThatThrownBy(() -> grpc(Map.of("endpoint", "tempo:4317", "tls", block(Map.of("cert_file", "/c.pem")))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("needs both");
    assertThatThrownBy(() -> ExporterTestArgs.decode("otelcol.exporter.otlp", OtlpGrpcExporterConfig.SCHEMA,
        Map.of("timeout", "5s"))).isInstanceOf(ConfigException.class)
        .hasMessageContaining("missing required block \"client\"");
  }

  @Test
  void httpDefaultsAndEndpoints() throws Exception {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("client", block(Map.of("endpoint", "http://loki:3100/otlp/")));
    body.put("traces_endpoint", "https://tempo:4318/custom/traces");
    OtlpHttpExporterConfig c = OtlpHttpExporterConfig.from(
        ExporterTestArgs.decode("otelcol.exporter.otlphttp", OtlpHttpExporterConfig.SCHEMA, body));
    assertThat(c.url(Signal.LOGS)).isEqualTo(URI.create("http://loki:3100/otlp/v1/logs"));
    assertThat(c.url(Signal.METRICS)).isEqualTo(URI.create("http://loki:3100/otlp/v1/metrics"));
    assertThat(c.url(Signal.TRACES)).isEqualTo(URI.create("https://tempo:4318/custom/traces"));
    assertThat(c.timeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.encoding()).isEqualTo(OtlpHttpExporterConfig.Encoding.PROTO);
    assertThat(c.compression()).isEqualTo(Compression.GZIP);
  }

  @Test
  void httpTakesTheCommonTlsBlockIncludingServerName() throws Exception {
    OtlpHttpExporterConfig c = OtlpHttpExporterConfig.from(ExporterTestArgs.decode("otelcol.exporter.otlphttp",
        OtlpHttpExporterConfig.SCHEMA, Map.of("client", block(Map.of("endpoint", "https://10.0.0.5:4318",
            "tls", block(Map.of("ca_file", "/ca.pem", "server_name", "tempo.internal")))))));
    assertThat(c.tls()).isEqualTo(new io.mpac.collector.exporter.tls.OtlpTls(false,
        io.mpac.collector.exporter.tls.TlsSettings.NONE.withCaFile("/ca.pem").withServerName("tempo.internal")));
  }

  @Test
  void httpConfigErrors() {
    assertThatThrownBy(() -> OtlpHttpExporterConfig.from(ExporterTestArgs.decode("otelcol.exporter.otlphttp",
        OtlpHttpExporterConfig.SCHEMA, Map.of("client", block(Map.of("endpoint", "tempo:4318"))))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("must be an http:// or https:// URL");
    assertThatThrownBy(() -> OtlpHttpExporterConfig.from(ExporterTestArgs.decode("otelcol.exporter.otlphttp",
        OtlpHttpExporterConfig.SCHEMA, Map.of("client", block(Map.of("endpoint", "http://t:4318",
            "headers", Map.of("Host", "x")))))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("set by the exporter itself");
    assertThatThrownBy(() -> ExporterTestArgs.decode("otelcol.exporter.otlphttp", OtlpHttpExporterConfig.SCHEMA,
        Map.of("encoding", "xml", "client", block(Map.of("endpoint", "http://t:4318")))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("\"xml\" is not one of");
  }

  @Test
  void bothFactoriesAreRegisteredAndCreateWithoutIo() throws Exception {
    Map<String, ComponentFactory> byName = new LinkedHashMap<>();
    for (ComponentFactory f : ServiceLoader.load(ComponentFactory.class)) byName.put(f.name(), f);
    assertThat(byName).containsKeys("otelcol.exporter.otlp", "otelcol.exporter.otlphttp");
    ComponentContext ctx = new ComponentContext(new ComponentId("otelcol.exporter.otlp", "x"), Path.of("unused"),
        new SimpleMeterRegistry(), Logger.getLogger("x"));
    // an unreachable endpoint: create must not connect
    Component c = byName.get("otelcol.exporter.otlp").create(ctx, grpcArgs(Map.of("endpoint", "nowhere.invalid:4317"),
        Map.of()));
    assertThat(c.exports().get("input")).isInstanceOf(OtlpConsumer.class);
    c.shutdown(Duration.ofMillis(100)); // without start
    c.shutdown(Duration.ofMillis(100)); // twice
  }
}
