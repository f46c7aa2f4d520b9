package io.mpac.collector.exporter.loadbalancing;

import static io.mpac.collector.exporter.ExporterTestArgs.block;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.config.syntax.Diagnostic;
import io.mpac.collector.exporter.ExporterTestArgs;
import io.mpac.collector.exporter.otlp.Compression;
import io.mpac.collector.pdata.Signal;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LoadBalancingConfigTest {

  /** A map keeping insertion order, so each statement's line is known (line 1 is the component). */
  private static Map<String, Object> body(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
    return m;
  }

  private static LoadBalancingConfig parse(Map<String, Object> body) throws ConfigException {
    return LoadBalancingConfig.from(ExporterTestArgs.decode(LoadBalancingExporterFactory.NAME,
        LoadBalancingConfig.SCHEMA, body));
  }

  private static List<Diagnostic> errors(Map<String, Object> body) {
    try {
      parse(body);
    } catch (ConfigException e) {
      return e.diagnostics();
    }
    throw new AssertionError("expected a config error");
  }

  @Test
  void staticResolverWithAlloyDefaults() throws Exception {
    LoadBalancingConfig c = parse(body("resolver", block(body("static",
        block(body("hostnames", List.of("writer-1:4317", "10.0.0.2:4317")))))));
    assertThat(c.routingKey()).isEqualTo(RoutingKey.TRACE_ID);
    assertThat(c.routingKey().signals()).containsExactlyInAnyOrder(Signal.TRACES, Signal.LOGS);
    assertThat(c.resolver()).isEqualTo(new ResolverConfig.Static(List.of("writer-1:4317", "10.0.0.2:4317")));
    assertThat(c.otlp().timeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.otlp().client().compression()).isEqualTo(Compression.GZIP);
    assertThat(c.otlp().client().useTls()).as("TLS on by default, as otelcol.exporter.otlp").isTrue();
  }

  @Test
  void dnsResolverAndProtocolOtlpAreRead() throws Exception {
    LoadBalancingConfig c = parse(body(
        "routing_key", "service",
        "resolver", block(body("dns", block(body("hostname", "writer.collector.local", "port", "34621",
            "interval", "2s", "timeout", "500ms")))),
        "protocol", block(body("otlp", block(body(
            "timeout", "3s",
            "client", block(body("compression", "none", "tls", block(body("insecure", true)))),
            "queue", block(body("queue_size", 50, "num_consumers", 2)),
            "retry", block(body("max_elapsed_time", "1m"))))))));
    assertThat(c.routingKey()).isEqualTo(RoutingKey.SERVICE);
    assertThat(c.resolver()).isEqualTo(new ResolverConfig.Dns("writer.collector.local", 34621,
        Duration.ofSeconds(2), Duration.ofMillis(500)));
    assertThat(c.otlp().timeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(c.otlp().client().useTls()).isFalse();
    assertThat(c.otlp().client().compression()).isEqualTo(Compression.NONE);
    assertThat(c.otlp().queue().queueSize()).isEqualTo(50);
    assertThat(c.otlp().queue().numConsumers()).isEqualTo(2);
    assertThat(c.otlp().retry().maxElapsedTime()).isEqualTo(Duration.ofMinutes(1));
  }

  @Test
  void everyMetricRoutingKeyIsAccepted() throws Exception {
    for (String k : List.of("resource", "metric", "streamID")) {
      LoadBalancingConfig c = parse(body("routing_key", k,
          "resolver", block(body("static", block(body("hostnames", List.of("a:1")))))));
      assertThat(c.routingKey().configName()).isEqualTo(k);
      assertThat(c.routingKey().signals()).containsExactly(Signal.METRICS);
    }
  }

  @Test
  void unsupportedResolversAreRefusedWhereTheyAre() {
    List<Diagnostic> d = errors(body("resolver", block(body(
        "kubernetes", block(body("service", "lb-svc")),
        "aws_cloud_map", block(body("namespace", "ns", "service_name", "writer"))))));
    assertThat(d).extracting(x -> x.position().line()).containsExactly(3, 5);
    assertThat(d.get(0).message()).contains("block \"kubernetes\" in resolver is not supported");
    assertThat(d.get(1).message()).contains("block \"aws_cloud_map\" in resolver is not supported").contains("dns");
  }

  @Test
  void staticAndDnsTogetherIsAnError() {
    List<Diagnostic> d = errors(body("resolver", block(body(
        "static", block(body("hostnames", List.of("a:1"))),
        "dns", block(body("hostname", "writers"))))));
    assertThat(d).singleElement().satisfies(x -> {
      assertThat(x.position().line()).isEqualTo(5);
      assertThat(x.message()).contains("both static and dns");
    });
  }

  @Test
  void badHostnamesPortsAndDurationsArePositioned() {
    assertThat(errors(body("resolver", block(body("static", block(body("hostnames",
        List.of("a:1", "http://b:2", "c", "a:1"))))))))
        .extracting(Diagnostic::message)
        .anySatisfy(m -> assertThat(m).contains("has a scheme"))
        .anySatisfy(m -> assertThat(m).contains("has no port"))
        .anySatisfy(m -> assertThat(m).contains("listed twice"));
    assertThat(errors(body("resolver", block(body("static", block(body("hostnames", List.of()))))))).singleElement()
        .satisfies(x -> assertThat(x.message()).contains("must not be empty"));
    List<Diagnostic> d = errors(body("resolver", block(body("dns", block(body(
        "hostname", "writers:4317", "port", "http", "interval", "0s", "timeout", "-1s"))))));
    assertThat(d).extracting(x -> x.position().line()).containsExactly(4, 5, 6, 7);
  }

  @Test
  void topLevelTimeoutQueueAndRetryAreRefused() {
    List<Diagnostic> d = errors(body(
        "timeout", "10s",
        "queue", block(body("queue_size", 10)),
        "retry", block(body("enabled", false)),
        "resolver", block(body("static", block(body("hostnames", List.of("a:1")))))));
    assertThat(d).extracting(x -> x.position().line()).containsExactly(2, 3, 5);
    assertThat(d).allSatisfy(x -> assertThat(x.message()).contains("not supported"));
  }

  @Test
  void theClientBlockHasNoEndpoint() {
    assertThatThrownBy(() -> parse(body(
        "resolver", block(body("static", block(body("hostnames", List.of("a:1"))))),
        "protocol", block(body("otlp", block(body("client", block(body("endpoint", "x:1")))))))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("unknown attribute \"endpoint\"");
  }
}
