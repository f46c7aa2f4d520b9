package io.mpac.collector.receiver.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.component.ComponentId;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.config.syntax.Parser;
import io.mpac.collector.pipeline.ComponentRegistry;
import io.mpac.collector.pipeline.Pipeline;
import io.mpac.collector.pipeline.PipelineBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The resource-limit and TLS arguments, decoded from Alloy text by the real pipeline builder. */
class ReceiverLimitsConfigTest {

  private static Pipeline build(String config) throws ConfigException {
    return new PipelineBuilder(new PipelineBuilder.Settings(ComponentRegistry.fromClassPath(), Map.of(),
        Path.of("target", "limits-test"), new SimpleMeterRegistry()))
        .build(List.of(Parser.parse("limits.alloy", config)), null);
  }

  private static ReceiverOtlpConfig config(String body) throws ConfigException {
    Pipeline p = build("otelcol.receiver.otlp \"in\" {\n" + body + "\n  output {}\n}\n");
    return ((OtlpReceiver) p.node(new ComponentId("otelcol.receiver.otlp", "in")).component()).config();
  }

  private static List<String> errors(String body) {
    try {
      config(body);
    } catch (ConfigException e) {
      return e.diagnostics().stream().map(Object::toString).toList();
    }
    throw new AssertionError("accepted");
  }

  @Test
  void defaultsAreSafe() throws Exception {
    ReceiverOtlpConfig c = config("  grpc {}\n  http {}");
    assertThat(c.maxInFlightBytes()).isZero();
    assertThat(c.grpc().maxConcurrentStreams()).isEqualTo(100);
    assertThat(c.grpc().limits().maxConnections()).isEqualTo(1000);
    assertThat(c.grpc().limits().readTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.grpc().connectionInFlightLimit()).isEqualTo(8L << 20);
    assertThat(c.grpc().keepalive().minTime()).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.grpc().keepalive().permitWithoutStream()).isFalse();
    assertThat(c.http().limits().readHeaderTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.http().limits().maxConnections()).isEqualTo(1000);
  }

  @Test
  void everyLimitIsSettable() throws Exception {
    ReceiverOtlpConfig c = config("""
          max_in_flight_bytes = "64MiB"
          grpc {
            max_connections                = 50
            read_timeout                   = "5s"
            max_connection_in_flight_bytes = "1MiB"
          }
          http {
            max_connections     = 60
            read_header_timeout = "2s"
            read_timeout        = "20s"
          }""");
    assertThat(c.maxInFlightBytes()).isEqualTo(64L << 20);
    assertThat(c.grpc().limits()).isEqualTo(new ReceiverOtlpConfig.Limits(50, null, Duration.ofSeconds(5), 1L << 20));
    assertThat(c.grpc().connectionInFlightLimit()).isEqualTo(1L << 20);
    assertThat(c.http().limits()).isEqualTo(
        new ReceiverOtlpConfig.Limits(60, Duration.ofSeconds(2), Duration.ofSeconds(20), 0));
  }

  @Test
  void badLimitsArePositioned() {
    assertThat(errors("  grpc {\n    max_connections = 0\n  }")).anySatisfy(e ->
        assertThat(e).contains("limits.alloy:3:").contains("max_connections must be between"));
    assertThat(errors("  http {\n    read_header_timeout = \"0s\"\n  }")).anySatisfy(e ->
        assertThat(e).contains("limits.alloy:3:").contains("read_header_timeout must be positive"));
    assertThat(errors("  grpc {\n    read_timeout = \"-1s\"\n  }")).anySatisfy(e ->
        assertThat(e).contains("limits.alloy:3:").contains("read_timeout must be positive"));
  }

  @Test
  void clientCaFileAndPemTogetherAreRefused() {
    assertThat(errors("  http {\n    tls {\n      cert_file = \"c\"\n      key_file = \"k\"\n"
        + "      client_ca_file = \"ca\"\n      client_ca_pem = \"pem\"\n    }\n  }"))
        .anySatisfy(e -> assertThat(e).contains("limits.alloy:7:").contains("not both"));
  }

  @Test
  void perClientShareAndCertificateReloadDecode() throws Exception {
    ReceiverOtlpConfig c = config("""
          max_in_flight_bytes            = "64MiB"
          max_in_flight_bytes_per_client = "16MiB"
          grpc {
            tls {
              cert_file             = "/tls/server.pem"
              key_file              = "/tls/server.key"
              client_ca_file        = "/tls/clients.pem"
              reload_interval       = "30s"
              client_ca_file_reload = true
            }
          }
          http {
            tls {
              cert_file = "/tls/server.pem"
              key_file  = "/tls/server.key"
            }
          }""");
    assertThat(c.perClientLimit(64L << 20)).isEqualTo(16L << 20);
    assertThat(c.grpc().tls()).isEqualTo(new ReceiverOtlpConfig.Tls("/tls/server.pem", "/tls/server.key",
        "/tls/clients.pem", null, Duration.ofSeconds(30), true));
    assertThat(c.http().tls().reloadInterval()).as("absent: no reload, as in Alloy").isNull();
    assertThat(c.http().tls().clientCaFileReload()).isFalse();
    assertThat(config("  grpc {}").perClientLimit(64L << 20)).as("default: half the budget").isEqualTo(32L << 20);
  }

  @Test
  void badShareAndReloadArePositioned() {
    assertThat(errors("  max_in_flight_bytes = \"1MiB\"\n  max_in_flight_bytes_per_client = \"2MiB\"\n  grpc {}"))
        .anySatisfy(e -> assertThat(e).contains("limits.alloy:3:").contains("is above max_in_flight_bytes"));
    assertThat(errors("  grpc {\n    tls {\n      cert_file = \"a\"\n      key_file = \"b\"\n"
        + "      reload_interval = \"0s\"\n    }\n  }"))
        .anySatisfy(e -> assertThat(e).contains("limits.alloy:6:").contains("reload_interval must be positive"));
    assertThat(errors("  http {\n    tls {\n      cert_file = \"a\"\n      key_file = \"b\"\n"
        + "      client_ca_pem = \"x\"\n      client_ca_file_reload = true\n    }\n  }"))
        .anySatisfy(e -> assertThat(e).contains("limits.alloy:7:").contains("client_ca_file_reload needs client_ca_file"));
  }
}
