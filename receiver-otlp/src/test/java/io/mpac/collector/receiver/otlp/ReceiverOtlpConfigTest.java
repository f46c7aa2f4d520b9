package io.mpac.collector.receiver.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpac.collector.component.ComponentFactory;
import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.ArgsDecoder;
import io.mpac.collector.config.ast.Attribute;
import io.mpac.collector.config.ast.Block;
import io.mpac.collector.config.ast.Expr;
import io.mpac.collector.config.ast.Statement;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.config.syntax.Diagnostic;
import io.mpac.collector.config.syntax.Position;
import io.mpac.collector.config.value.Value;
import io.mpac.collector.consumer.NoopConsumer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** Decoding real (hand-built) config blocks through the schema, as the pipeline will. */
class ReceiverOtlpConfigTest {

  static int line = 1;

  static Position pos() {
    return new Position("test.alloy", line++, 3);
  }

  static Attribute attr(String name, Object v) {
    return new Attribute(pos(), name, expr(v));
  }

  static Expr expr(Object v) {
    if (v instanceof List<?> l) {
      return new Expr.ArrayLiteral(pos(), l.stream().map(ReceiverOtlpConfigTest::expr).toList());
    }
    Value value = v instanceof String s ? Value.of(s) : v instanceof Boolean b ? Value.of(b) : Value.of((Long) v);
    return new Expr.Literal(pos(), String.valueOf(v), value);
  }

  static Block block(String name, Statement... body) {
    return new Block(pos(), Arrays.asList(name.split("\\.")), null, null, List.of(body), pos());
  }

  static Value eval(Expr e) {
    if (e instanceof Expr.Literal l) return l.value();
    List<Value> out = new ArrayList<>();
    for (Expr x : ((Expr.ArrayLiteral) e).elements()) out.add(eval(x));
    return new Value.Array(out);
  }

  static ReceiverOtlpConfig decode(Statement... body) throws ConfigException {
    List<Diagnostic> diags = new ArrayList<>();
    Block b = new Block(pos(), List.of("otelcol", "receiver", "otlp"), "default", pos(), List.of(body), pos());
    Args args = new ArgsDecoder(ReceiverOtlpConfigTest::eval, e -> false, diags).decode(b, ReceiverOtlpConfig.SCHEMA);
    if (!diags.isEmpty()) throw new ConfigException(diags);
    return ReceiverOtlpConfig.from(args);
  }

  @Test
  void defaultsOfEmptyBlocks() throws Exception {
    ReceiverOtlpConfig c = decode(block("grpc"), block("http"), block("output"));
    assertThat(c.grpc().host()).isEqualTo("0.0.0.0");
    assertThat(c.grpc().port()).isEqualTo(4317);
    assertThat(c.grpc().maxRecvMsgSize()).isEqualTo(4L << 20);
    assertThat(c.grpc().keepalive().maxConnectionAge()).isNull();
    assertThat(c.grpc().keepalive().minTime()).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.http().port()).isEqualTo(4318);
    assertThat(c.http().maxRequestBodySize()).isEqualTo(20L << 20);
    assertThat(c.http().tracesUrlPath()).isEqualTo("/v1/traces");
    assertThat(c.http().cors().enabled()).isFalse();
    assertThat(c.traces()).isSameAs(NoopConsumer.INSTANCE);
  }

  @Test
  void missingBlockTurnsTheServerOff() throws Exception {
    ReceiverOtlpConfig c = decode(block("http"), block("output"));
    assertThat(c.grpc()).isNull();
    assertThat(c.http()).isNotNull();
  }

  @Test
  void everyArgumentIsRead() throws Exception {
    ReceiverOtlpConfig c = decode(
        block("grpc", attr("endpoint", "[::1]:5317"), attr("max_recv_msg_size", "8MiB"),
            attr("max_concurrent_streams", 50L), attr("include_metadata", true),
            block("keepalive", block("server_parameters", attr("max_connection_age", "5m"),
                attr("max_connection_age_grace", "30s")), block("enforcement_policy", attr("min_time", "10s")))),
        block("http", attr("endpoint", ":5318"), attr("max_request_body_size", "1MiB"),
            attr("logs_url_path", "/otlp/v1/logs"),
            block("cors", attr("allowed_origins", List.of("https://a.example")), attr("max_age", 7200L))),
        block("output"));
    assertThat(c.grpc().host()).isEqualTo("::1");
    assertThat(c.grpc().endpoint()).isEqualTo("[::1]:5317");
    assertThat(c.grpc().maxRecvMsgSize()).isEqualTo(8L << 20);
    assertThat(c.grpc().maxConcurrentStreams()).isEqualTo(50);
    assertThat(c.grpc().includeMetadata()).isTrue();
    assertThat(c.grpc().keepalive().maxConnectionAge()).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.grpc().keepalive().maxConnectionAgeGrace()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.grpc().keepalive().minTime()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.http().host()).isEqualTo("0.0.0.0");
    assertThat(c.http().port()).isEqualTo(5318);
    assertThat(c.http().maxRequestBodySize()).isEqualTo(1L << 20);
    assertThat(c.http().logsUrlPath()).isEqualTo("/otlp/v1/logs");
    assertThat(c.http().cors().allowedOrigins()).containsExactly("https://a.example");
    assertThat(c.http().cors().maxAge()).isEqualTo(7200);
  }

  @Test
  void semanticErrorsAreAllReportedWithPositions() {
    assertThatThrownBy(() -> decode(
        block("grpc", attr("endpoint", "localhost"), attr("max_recv_msg_size", "0")),
        block("http", attr("traces_url_path", "v1/traces"), attr("logs_url_path", "/v1/metrics"),
            block("cors", attr("allowed_origins", List.of("*")))),
        block("output")))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).diagnostics()).hasSize(5))
        .hasMessageContaining("test.alloy:")
        .hasMessageContaining("invalid endpoint \"localhost\": expected host:port")
        .hasMessageContaining("max_recv_msg_size must be positive")
        .hasMessageContaining("traces_url_path must start with \"/\"")
        .hasMessageContaining("logs_url_path \"/v1/metrics\" is already used by another signal")
        .hasMessageContaining("allowed_origins cannot contain \"*\"");
  }

  @Test
  void samePortForBothServersIsRefused() {
    assertThatThrownBy(() -> decode(block("grpc", attr("endpoint", "0.0.0.0:4317")),
        block("http", attr("endpoint", "127.0.0.1:4317")), block("output")))
        .hasMessageContaining("uses the same port as the grpc endpoint");
  }

  @Test
  void factoryIsFoundByServiceLoader() {
    ComponentFactory f = ServiceLoader.load(ComponentFactory.class).stream().map(ServiceLoader.Provider::get)
        .filter(x -> x.name().equals("otelcol.receiver.otlp")).findFirst().orElseThrow();
    assertThat(f).isInstanceOf(ReceiverOtlpFactory.class);
    assertThat(f.schema().blocks()).containsKeys("grpc", "http", "output");
  }
}
