package io.mpac.collector.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpac.collector.loadgen.Generator;
import io.mpac.collector.pdata.Signal;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A collector whose secrets come from literals and {@code sys.env}, with debug logging, traffic
 * through every exporter (to dead endpoints, so they log failures) and a rejected reload: no
 * byte it writes or serves contains a secret. Also checks the self-telemetry Alloy users expect
 * and that the Alloy compatibility flags are logged once.
 */
class SecretCanaryTest {

  static final String LITERAL = "LITERALCANARY9f8e7d";
  static final String FROM_ENV = "ENVCANARY7a6b5c";

  @TempDir Path dir;

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  static String config(int grpc, int http, int dead) {
    return """
        logging {
          level = "debug"
        }

        livedebugging {
          enabled = true
        }

        otelcol.receiver.otlp "in" {
          grpc {
            endpoint = "127.0.0.1:%1$d"
          }
          http {
            endpoint = "127.0.0.1:%2$d"
          }
          output {
            traces  = [otelcol.processor.batch.b.input]
            metrics = [otelcol.processor.batch.b.input]
            logs    = [otelcol.processor.batch.b.input]
          }
        }

        otelcol.processor.batch "b" {
          timeout = "200ms"
          output {
            traces  = [otelcol.exporter.otlp.tempo.input]
            metrics = [otelcol.exporter.prometheus.p.input]
            logs    = [otelcol.exporter.loki.l.input]
          }
        }

        otelcol.exporter.otlp "tempo" {
          client {
            endpoint = "127.0.0.1:%3$d"
            headers  = {
              "Authorization" = "Bearer " + sys.env("MPAC_CANARY"),
              "X-Api-Key"     = "%4$s",
            }
            tls {
              insecure = true
            }
          }
        }

        otelcol.exporter.prometheus "p" {
          forward_to = [prometheus.remote_write.r.receiver]
        }

        prometheus.remote_write "r" {
          endpoint {
            url          = "http://127.0.0.1:%3$d/api/v1/write"
            bearer_token = "%4$s"
            headers      = {
              "X-Scope-OrgID" = sys.env("MPAC_CANARY"),
            }
          }
        }

        otelcol.exporter.loki "l" {
          forward_to = [loki.write.w.receiver]
        }

        loki.write "w" {
          endpoint {
            url = "http://127.0.0.1:%3$d/loki/api/v1/push"
            basic_auth {
              username = "u"
              password = sys.env("MPAC_CANARY")
            }
          }
        }
        """.formatted(grpc, http, dead, LITERAL);
  }

  @Test
  void noOutputContainsASecret() throws Exception {
    int grpc = freePort(), http = freePort(), dead = freePort();
    Path config = Files.writeString(dir.resolve("canary.alloy"), config(grpc, http, dead));
    List<String> served = new ArrayList<>();
    try (RunningCollector c = new RunningCollector(config, dir.resolve("data"), Map.of("MPAC_CANARY", FROM_ENV),
        "--stability.level=generally-available", "--disable-reporting", "--feature.community-components.enabled",
        "--server.http.ui-path-prefix", "/alloy/")) {
      // A live-debugging viewer of the batch processor while traffic flows.
      HttpResponse<InputStream> live = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create(c.base() + "/alloy/api/v0/web/debug/otelcol.processor.batch.b")).build(),
          HttpResponse.BodyHandlers.ofInputStream());
      assertThat(live.statusCode()).isEqualTo(200);

      SdkTracerProvider tracing = SdkTracerProvider.builder().addSpanProcessor(BatchSpanProcessor.builder(
          OtlpGrpcSpanExporter.builder().setEndpoint("http://127.0.0.1:" + grpc).build()).build()).build();
      Tracer tracer = tracing.get("canary-test");
      for (int i = 0; i < 20; i++) tracer.spanBuilder("canary-span-" + i).startSpan().end();
      tracing.forceFlush().join(10, TimeUnit.SECONDS);
      tracing.shutdown().join(10, TimeUnit.SECONDS);
      for (Signal s : List.of(Signal.METRICS, Signal.LOGS)) {
        new Generator(new Generator.Options("127.0.0.1:" + grpc, Generator.Protocol.GRPC, s, 200,
            Duration.ofMillis(500), 10, 1, 3, 64)).run();
      }
      Thread.sleep(1500); // exporters try their dead endpoints and log it

      // Every edge, OTLP, Loki and Prometheus alike, counted what crossed it.
      com.fasterxml.jackson.databind.JsonNode flows = new com.fasterxml.jackson.databind.ObjectMapper()
          .readTree(c.get("/api/v0/web/flows").body());
      Map<String, Long> counted = new java.util.TreeMap<>();
      for (var f : flows) {
        long sum = f.at("/items/traces").asLong() + f.at("/items/metrics").asLong() + f.at("/items/logs").asLong();
        counted.put(f.get("from").asText() + "->" + f.get("to").asText(), sum);
      }
      assertThat(counted).containsKeys("otelcol.receiver.otlp.in->otelcol.processor.batch.b",
          "otelcol.exporter.loki.l->loki.write.w", "otelcol.exporter.prometheus.p->prometheus.remote_write.r");
      assertThat(counted.get("otelcol.receiver.otlp.in->otelcol.processor.batch.b")).isGreaterThanOrEqualTo(20);
      assertThat(counted.get("otelcol.exporter.loki.l->loki.write.w")).isPositive();
      assertThat(counted.get("otelcol.exporter.prometheus.p->prometheus.remote_write.r")).isPositive();

      String liveText = readFor(live.body(), Duration.ofSeconds(3));
      assertThat(liveText).contains("canary-span-").doesNotContain(LITERAL).doesNotContain(FROM_ENV);

      for (String path : List.of("/alloy/", "/alloy/ui/app.js", "/alloy/ui/style.css", "/api/v0/web/components",
          "/alloy/api/v0/web/components", "/api/v0/components", "/api/v0/web/flows", "/-/healthy", "/-/ready",
          "/metrics")) {
        HttpResponse<String> r = c.get(path);
        assertThat(r.statusCode()).as(path).isIn(200, 500);
        served.add(path + "\n" + r.body());
      }
      for (String id : List.of("otelcol.exporter.otlp.tempo", "prometheus.remote_write.r", "loki.write.w",
          "otelcol.processor.batch.b", "otelcol.receiver.otlp.in")) {
        HttpResponse<String> r = c.get("/api/v0/web/components/" + id);
        assertThat(r.statusCode()).as(id).isEqualTo(200);
        served.add(id + "\n" + r.body());
      }
      String tempo = served.get(served.size() - 5);
      assertThat(tempo).contains("\"key\":\"Authorization\",\"value\":{\"type\":\"capsule\",\"value\":\"(secret)\"}");

      // A rejected reload: a secret of the wrong type, and a typo next to secrets.
      Files.writeString(config, config(grpc, http, dead)
          .replace("bearer_token = \"" + LITERAL + "\"", "bearer_token = [\"" + LITERAL + "\", sys.env(\"MPAC_CANARY\")]")
          .replace("password = sys.env(", "passwrd = sys.env("));
      HttpResponse<String> refused = c.post("/-/reload");
      assertThat(refused.statusCode()).isEqualTo(400);
      assertThat(refused.body()).contains("expected secret, got array").contains("unknown attribute \"passwrd\"");
      served.add("reload\n" + refused.body());

      String metrics = c.get("/metrics").body();
      served.add("/metrics after reload\n" + metrics);
      assertThat(metrics).contains("alloy_build_info{", "alloy_config_last_load_successful 0.0",
          "alloy_config_load_failures_total 1.0", "alloy_config_last_load_success_timestamp_seconds ",
          "process_cpu_seconds_total ", "process_resident_memory_bytes ");

      assertThat(c.stop()).isZero();
      String logs = c.output();
      assertThat(logs).contains("level=debug"); // debug logging was on
      assertThat(logs).contains("reload").contains("expected secret, got array");
      for (String note : List.of("--stability.level=generally-available has no effect",
          "--disable-reporting has no effect", "--feature.community-components.enabled has no effect")) {
        assertThat(logs.split(java.util.regex.Pattern.quote(note), -1)).as(note).hasSize(2);
      }
      served.add("logs\n" + logs);
    }
    for (String s : served) {
      assertThat(s).as(s.lines().findFirst().orElse("")).doesNotContain(LITERAL).doesNotContain(FROM_ENV);
    }
  }

  /** Reads what the stream sends within {@code time}. */
  static String readFor(InputStream in, Duration time) throws Exception {
    StringBuilder sb = new StringBuilder();
    byte[] buf = new byte[16384];
    long deadline = System.nanoTime() + time.toNanos();
    while (System.nanoTime() < deadline) {
      if (in.available() > 0) {
        int n = in.read(buf);
        if (n < 0) break;
        sb.append(new String(buf, 0, n, StandardCharsets.UTF_8));
      } else {
        Thread.sleep(50);
      }
    }
    in.close();
    return sb.toString();
  }
}
