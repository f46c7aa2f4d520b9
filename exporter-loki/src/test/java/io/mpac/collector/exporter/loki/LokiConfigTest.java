package io.mpac.collector.exporter.loki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.component.ComponentFactory;
import io.mpac.collector.component.ComponentId;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.config.syntax.Parser;
import io.mpac.collector.pipeline.ComponentRegistry;
import io.mpac.collector.pipeline.Pipeline;
import io.mpac.collector.pipeline.PipelineBuilder;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** Both components built from Alloy syntax through the real parser and pipeline builder. */
class LokiConfigTest {

  private static Pipeline build(String config) throws ConfigException {
    PipelineBuilder b = new PipelineBuilder(new PipelineBuilder.Settings(
        new ComponentRegistry(List.of(new LokiExporterFactory(), new LokiWriteFactory())), Map.of(), Path.of("data"),
        new SimpleMeterRegistry()));
    return b.build(List.of(Parser.parse("test.alloy", config)), null);
  }

  private static String errors(String config) {
    try {
      build(config);
    } catch (ConfigException e) {
      return e.getMessage();
    }
    throw new AssertionError("config was accepted");
  }

  @Test
  void fixtureStyleConfigBuildsWithDefaults() throws Exception {
    Pipeline p = build("""
        otelcol.exporter.loki "default" {
          forward_to = [loki.write.default.receiver]
        }

        loki.write "default" {
          external_labels = { env = "dev" }

          endpoint {
            url                 = "http://loki:3100/loki/api/v1/push"
            batch_wait          = "1s"
            batch_size          = "1MiB"
            min_backoff_period  = "500ms"
            max_backoff_period  = "5m"
            max_backoff_retries = 10
          }
        }
        """);
    LokiWrite w = (LokiWrite) p.node(new ComponentId("loki.write", "default")).component();
    assertThat(w.exports()).containsKey("receiver");
    LokiWriteConfig c = LokiWriteConfig.from(p.node(new ComponentId("loki.write", "default")).args());
    EndpointConfig e = c.endpoints().get(0);
    assertThat(e.url()).isEqualTo(URI.create("http://loki:3100/loki/api/v1/push"));
    assertThat(e.name()).isEqualTo("loki:3100");
    assertThat(e.batchSize()).isEqualTo(1024 * 1024);
    assertThat(e.remoteTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(e.maxBackoff()).isEqualTo(Duration.ofMinutes(5));
    assertThat(e.maxBackoffRetries()).isEqualTo(10);
    assertThat(e.retryOnHttp429()).isTrue();
    assertThat(e.queueCapacity()).isEqualTo(10L * 1024 * 1024);
    assertThat(c.externalLabels()).containsExactly(Map.entry("env", "dev"));
    assertThat(p.node(new ComponentId("otelcol.exporter.loki", "default")).exports()).containsKey("input");
  }

  @Test
  void everyEndpointOptionAndTheExtension() throws Exception {
    Pipeline p = build("""
        otelcol.exporter.loki "x" {
          forward_to = [loki.write.w.receiver]
          structured_metadata {
            enabled    = true
            attributes = ["user.id"]
          }
        }
        loki.write "w" {
          max_streams = 100
          endpoint {
            url       = "https://loki.example:3100/loki/api/v1/push"
            name      = "primary"
            tenant_id = "team-a"
            headers   = { "X-Extra" = "1" }
            retry_on_http_429 = false
            remote_timeout = "3s"
            basic_auth {
              username = "u"
              password = "p"
            }
            tls_config {
              insecure_skip_verify = true
              server_name          = "loki"
            }
            queue_config {
              capacity = "2MiB"
            }
          }
        }
        """);
    LokiWriteConfig c = LokiWriteConfig.from(p.node(new ComponentId("loki.write", "w")).args());
    EndpointConfig e = c.endpoints().get(0);
    assertThat(c.maxStreams()).isEqualTo(100);
    assertThat(e.name()).isEqualTo("primary");
    assertThat(e.tenantId()).isEqualTo("team-a");
    assertThat(e.headers()).containsEntry("X-Extra", "1");
    assertThat(e.retryOnHttp429()).isFalse();
    assertThat(e.basicAuthUsername()).isEqualTo("u");
    assertThat(e.tls()).isEqualTo(io.mpac.collector.exporter.tls.TlsSettings.NONE.withInsecureSkipVerify(true).withServerName("loki")
        .withReloadInterval(io.mpac.collector.exporter.tls.TlsBlocks.TLS_CONFIG_RELOAD_INTERVAL));
    assertThat(e.queueCapacity()).isEqualTo(2L * 1024 * 1024);
    LokiExporterConfig x = LokiExporterConfig.from(p.node(new ComponentId("otelcol.exporter.loki", "x")).args());
    assertThat(x.structuredMetadata()).isEqualTo(new StructuredMetadataConfig(true, List.of("user.id")));
  }

  @Test
  void badValuesAreReportedWithPositions() {
    String msg = errors("""
        loki.write "w" {
          external_labels = { "bad-name" = "x" }
          endpoint {
            url = "loki:3100"
            batch_wait = "0s"
            min_backoff_period = "10s"
            max_backoff_period = "1s"
            headers = { "Host" = "x" }
            bearer_token = "t"
            basic_auth {
              username = "u"
            }
          }
        }
        """);
    assertThat(msg).contains("test.alloy:2:").contains("invalid label name \"bad-name\"");
    assertThat(msg).contains("test.alloy:4:").contains("url must be an http:// or https:// URL");
    assertThat(msg).contains("batch_wait must be greater than 0");
    assertThat(msg).contains("max_backoff_period must not be less than min_backoff_period");
    assertThat(msg).contains("header \"Host\" cannot be set");
    assertThat(msg).contains("at most one of basic_auth, bearer_token");
  }

  @Test
  void walBlockAndQueueOptions() throws Exception {
    Pipeline p = build("""
        loki.write "w" {
          endpoint {
            url = "http://loki:3100/loki/api/v1/push"
            queue_config {
              capacity          = "1MiB"
              block_on_overflow = false
              drain_timeout     = "5s"
            }
          }
          wal {
            enabled            = false
            max_segment_age    = "10m"
            min_read_frequency = "100ms"
            max_read_frequency = "2s"
            drain_timeout      = "7s"
            max_size           = "256MiB"
          }
        }
        """);
    LokiWriteConfig c = LokiWriteConfig.from(p.node(new ComponentId("loki.write", "w")).args());
    assertThat(c.wal()).isEqualTo(new WalConfig(false, Duration.ofMinutes(10), Duration.ofMillis(100),
        Duration.ofSeconds(2), Duration.ofSeconds(7), 256L << 20));
    EndpointConfig e = c.endpoints().get(0);
    assertThat(e.queueCapacity()).isEqualTo(1L << 20);
    assertThat(e.blockOnOverflow()).isFalse();
    assertThat(e.drainTimeout()).isEqualTo(Duration.ofSeconds(5));

    LokiWriteConfig defaults = LokiWriteConfig.from(build("""
        loki.write "d" {
          endpoint {
            url = "http://loki:3100/loki/api/v1/push"
          }
        }
        """).node(new ComponentId("loki.write", "d")).args());
    assertThat(defaults.wal()).isEqualTo(new WalConfig(false, Duration.ofHours(1), Duration.ofMillis(250),
        Duration.ofSeconds(1), Duration.ofSeconds(30), 1L << 30));
    assertThat(defaults.endpoints().get(0).blockOnOverflow()).isTrue();
    assertThat(defaults.endpoints().get(0).drainTimeout()).isEqualTo(Duration.ofSeconds(15));
  }

  @Test
  void badWalAndQueueValuesAreReportedWithPositions() {
    String msg = errors("""
        loki.write "w" {
          endpoint {
            url = "http://a:3100/loki/api/v1/push"
            queue_config {
              drain_timeout = "-1s"
            }
          }
          wal {
            max_segment_age    = "0s"
            min_read_frequency = "2s"
            max_read_frequency = "1s"
            max_size           = 0
          }
        }
        """);
    assertThat(msg).contains("test.alloy:5:").contains("drain_timeout must not be negative");
    assertThat(msg).contains("test.alloy:9:").contains("max_segment_age must be greater than 0");
    assertThat(msg).contains("test.alloy:10:").contains("min_read_frequency must be lower than max_read_frequency");
    assertThat(msg).contains("test.alloy:12:").contains("max_size must be at least 1 byte");

    assertThat(errors("""
        loki.write "w" {
          endpoint {
            url = "http://a:3100/loki/api/v1/push"
            queue_config {
              min_shards = 2
            }
          }
        }
        """)).contains("test.alloy:5:").contains("min_shards");

    assertThat(errors("""
        loki.write "w" {
          endpoint {
            url = "http://a:3100/loki/api/v1/push"
          }
          endpoint {
            url = "http://a:3100/other"
          }
          wal {
            enabled = true
          }
        }
        """)).contains("test.alloy:5:").contains("two endpoints named \"a:3100\"");
  }

  @Test
  void anEnabledWalOpensAFileStoreInTheComponentsStorageDirectory(@org.junit.jupiter.api.io.TempDir Path tmp)
      throws Exception {
    PipelineBuilder b = new PipelineBuilder(new PipelineBuilder.Settings(
        new ComponentRegistry(List.of(new LokiWriteFactory())), Map.of(), tmp, new SimpleMeterRegistry()));
    Pipeline p = b.build(List.of(Parser.parse("test.alloy", """
        loki.write "w" {
          endpoint {
            name = "main"
            url  = "http://127.0.0.1:9/loki/api/v1/push"
          }
          wal {
            enabled = true
          }
        }
        """)), null);
    LokiWrite w = (LokiWrite) p.node(new ComponentId("loki.write", "w")).component();
    w.start();
    try {
      assertThat(tmp.resolve("loki.write.w").resolve("wal").resolve("main")).isDirectory();
      assertThat(w.queueLimits().get(0).maxBytes()).isEqualTo(WalConfig.DEFAULT_MAX_SIZE);
    } finally {
      w.shutdown(Duration.ofSeconds(1));
    }
  }

  @Test
  void tlsConfigTakesInlinePemCheckedWithPositions() {
    String msg = errors("""
        loki.write "w" {
          endpoint {
            url = "https://loki:3100/loki/api/v1/push"
            tls_config {
              ca_pem    = "not a certificate"
              cert_file = "/etc/client.pem"
            }
          }
        }
        """);
    assertThat(msg).contains("test.alloy:5:").contains("ca_pem");
    assertThat(msg).contains("test.alloy:6:").contains("needs both a certificate");
  }

  @Test
  void forwardToMustBeALogsReceiver() {
    assertThat(errors("""
        otelcol.exporter.loki "x" {
          forward_to = [otelcol.exporter.loki.y.input]
        }
        otelcol.exporter.loki "y" {
          forward_to = []
        }
        """)).contains("LogsReceiver");
    assertThatThrownBy(() -> build("otelcol.exporter.loki \"x\" {}\n")).isInstanceOf(ConfigException.class)
        .hasMessageContaining("forward_to");
  }

  @Test
  void bothFactoriesAreRegistered() {
    List<String> names = ServiceLoader.load(ComponentFactory.class).stream().map(pr -> pr.get().name()).toList();
    assertThat(names).contains("otelcol.exporter.loki", "loki.write");
  }
}
