package io.mpac.collector.receiver.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.component.ComponentId;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.config.syntax.Parser;
import io.mpac.collector.pdata.Signal;
import io.mpac.collector.pipeline.ComponentRegistry;
import io.mpac.collector.pipeline.Node;
import io.mpac.collector.pipeline.Pipeline;
import io.mpac.collector.pipeline.PipelineBuilder;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code auth = otelcol.auth.X.handler} on both servers, built from Alloy text through the real
 * pipeline builder and the real auth components; the real OpenTelemetry SDK is the client.
 */
class AuthReceiverTest {

  private static final String TOKEN = "t0ken-VALUE-never-logged";
  private static final String PASSWORD = "pa55-VALUE-never-logged";

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<String> logged = new ArrayList<>();
  private final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord r) {
      synchronized (logged) {
        logged.add(r.getMessage() + " " + (r.getThrown() == null ? "" : r.getThrown()));
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };
  private Pipeline pipeline;

  @AfterEach
  void stop() {
    Logger.getLogger("").removeHandler(capture);
    if (pipeline == null) return;
    List<Node> nodes = new ArrayList<>(pipeline.nodes());
    java.util.Collections.reverse(nodes);
    for (Node n : nodes) n.component().shutdown(Duration.ofSeconds(2));
  }

  private Pipeline build(String config) throws Exception {
    return new PipelineBuilder(new PipelineBuilder.Settings(ComponentRegistry.fromClassPath(), Map.of(),
        Path.of("target", "auth-test"), registry)).build(List.of(Parser.parse("auth.alloy", config)), null);
  }

  private OtlpReceiver start(String authComponent, String authBody) throws Exception {
    Logger.getLogger("").addHandler(capture);
    pipeline = build(authComponent + " \"creds\" {\n" + authBody + "\n}\n"
        + "otelcol.receiver.otlp \"in\" {\n"
        + "  grpc {\n    endpoint = \"127.0.0.1:0\"\n    auth = " + authComponent + ".creds.handler\n  }\n"
        + "  http {\n    endpoint = \"127.0.0.1:0\"\n    auth = " + authComponent + ".creds.handler\n  }\n"
        + "  output {}\n}\n");
    for (Node n : pipeline.nodes()) n.component().start();
    return (OtlpReceiver) pipeline.node(new ComponentId("otelcol.receiver.otlp", "in")).component();
  }

  private double counter(String name, String transport) {
    Counter c = registry.find(name).tag("transport", transport).counter();
    return c == null ? 0 : c.count();
  }

  private static List<SpanData> spans(int n) {
    List<SpanData> out = new ArrayList<>();
    io.opentelemetry.sdk.trace.SdkTracerProvider p = io.opentelemetry.sdk.trace.SdkTracerProvider.builder()
        .addSpanProcessor(new io.opentelemetry.sdk.trace.SpanProcessor() {
          @Override
          public void onStart(io.opentelemetry.context.Context c, io.opentelemetry.sdk.trace.ReadWriteSpan s) {}

          @Override
          public boolean isStartRequired() {
            return false;
          }

          @Override
          public void onEnd(io.opentelemetry.sdk.trace.ReadableSpan s) {
            out.add(s.toSpanData());
          }

          @Override
          public boolean isEndRequired() {
            return true;
          }
        }).build();
    for (int i = 0; i < n; i++) p.get("auth-test").spanBuilder("s" + i).setAllAttributes(Attributes.empty()).startSpan().end();
    p.shutdown();
    return out;
  }

  /** Exports {@code n} spans with the SDK over both transports, with {@code header} set (or none). */
  private static boolean[] sdkExport(OtlpReceiver r, String headerName, String headerValue, int n) {
    var http = OtlpHttpSpanExporter.builder()
        .setEndpoint("http://127.0.0.1:" + r.httpAddress().getPort() + "/v1/traces").setRetryPolicy(null);
    var grpc = OtlpGrpcSpanExporter.builder()
        .setEndpoint("http://127.0.0.1:" + r.grpcAddress().getPort()).setRetryPolicy(null);
    if (headerName != null) {
      http.addHeader(headerName, headerValue);
      grpc.addHeader(headerName, headerValue);
    }
    boolean[] ok = new boolean[2];
    int i = 0;
    for (SpanExporter e : List.of(http.build(), grpc.build())) {
      CompletableResultCode result = e.export(spans(n)).join(10, TimeUnit.SECONDS);
      ok[i++] = result.isSuccess();
      e.shutdown().join(5, TimeUnit.SECONDS);
    }
    return ok;
  }

  private void assertNothingLeaked(String secret) {
    synchronized (logged) {
      assertThat(logged).noneMatch(l -> l.contains(secret));
    }
    for (Meter m : registry.getMeters()) {
      for (Tag t : m.getId().getTags()) assertThat(t.getValue()).doesNotContain(secret);
    }
  }

  @Test
  void bearerTokenIsRequiredOnBothTransports() throws Exception {
    OtlpReceiver r = start("otelcol.auth.bearer", "  token = \"" + TOKEN + "\"");
    assertThat(sdkExport(r, "Authorization", "Bearer " + TOKEN, 3)).containsExactly(true, true);
    assertThat(registry.find("otelcol.receiver.accepted.spans").tag("transport", "http").counter().count()).isEqualTo(3);
    assertThat(registry.find("otelcol.receiver.accepted.spans").tag("transport", "grpc").counter().count()).isEqualTo(3);

    assertThat(sdkExport(r, "Authorization", "Bearer wrong", 2)).containsExactly(false, false);
    assertThat(sdkExport(r, "Authorization", TOKEN, 2)).as("without the scheme").containsExactly(false, false);
    assertThat(sdkExport(r, null, null, 2)).as("no credential").containsExactly(false, false);
    assertThat(counter("otelcol.receiver.unauthenticated", "http")).isEqualTo(3);
    assertThat(counter("otelcol.receiver.unauthenticated", "grpc")).isEqualTo(3);
    assertThat(registry.find("otelcol.receiver.accepted.spans").tag("transport", "http").counter().count()).isEqualTo(3);

    // The answers themselves: 401 and UNAUTHENTICATED, with nothing of the credential.
    HttpResponse<String> resp = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + r.httpAddress().getPort() + "/v1/traces"))
        .header("Content-Type", "application/x-protobuf").header("Authorization", "Bearer " + TOKEN + "x")
        .POST(HttpRequest.BodyPublishers.ofByteArray(Requests.valid(Signal.TRACES, new Random(1), 1)))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(resp.statusCode()).isEqualTo(401);
    assertThat(resp.body()).doesNotContain(TOKEN);
    ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", r.grpcAddress().getPort()).usePlaintext().build();
    try {
      Metadata md = new Metadata();
      md.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer nope");
      assertThatThrownBy(() -> TraceServiceGrpc.newBlockingStub(ch)
          .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md)).withDeadlineAfter(10, TimeUnit.SECONDS)
          .export(Requests.traces(new Random(2), 1)))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(String.valueOf(e.getStatus().getDescription())).doesNotContain(TOKEN);
          });
    } finally {
      ch.shutdownNow();
    }
    assertNothingLeaked(TOKEN);
  }

  @Test
  void bearerWithCustomHeaderAndNoScheme() throws Exception {
    OtlpReceiver r = start("otelcol.auth.bearer", "  token = \"" + TOKEN + "\"\n  scheme = \"\"\n  header = \"X-Api-Key\"");
    assertThat(sdkExport(r, "x-api-key", TOKEN, 1)).containsExactly(true, true);
    assertThat(sdkExport(r, "Authorization", "Bearer " + TOKEN, 1)).containsExactly(false, false);
  }

  @Test
  void basicAuthUsersFromHtpasswdPlainAndSha() throws Exception {
    String sha = "{SHA}" + Base64.getEncoder().encodeToString(
        MessageDigest.getInstance("SHA-1").digest("hashed-pw".getBytes(StandardCharsets.UTF_8)));
    OtlpReceiver r = start("otelcol.auth.basic",
        "  htpasswd {\n    inline = \"alice:" + PASSWORD + "\\nbob:" + sha + "\\n\"\n  }");
    assertThat(sdkExport(r, "Authorization", basic("alice", PASSWORD), 2)).containsExactly(true, true);
    assertThat(sdkExport(r, "Authorization", basic("bob", "hashed-pw"), 2)).containsExactly(true, true);
    assertThat(sdkExport(r, "Authorization", basic("alice", "hashed-pw"), 2)).containsExactly(false, false);
    assertThat(sdkExport(r, "Authorization", basic("carol", PASSWORD), 2)).containsExactly(false, false);
    assertThat(sdkExport(r, "Authorization", "Basic !!notbase64", 2)).containsExactly(false, false);
    assertThat(counter("otelcol.receiver.unauthenticated", "http")).isEqualTo(3);
    assertThat(counter("otelcol.receiver.unauthenticated", "grpc")).isEqualTo(3);
    assertNothingLeaked(PASSWORD);
  }

  private static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void clientOnlyHandlerOnAReceiverIsAPositionedError() {
    assertThatThrownBy(() -> build("""
        otelcol.auth.headers "h" {
          header {
            key   = "X-Scope-OrgID"
            value = "tenant"
          }
        }
        otelcol.receiver.otlp "in" {
          http {
            endpoint = "127.0.0.1:0"
            auth     = otelcol.auth.headers.h.handler
          }
          output {}
        }
        """))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.diagnostics()).anySatisfy(d -> {
          assertThat(d.toString()).contains("auth.alloy:10:").contains("otelcol.auth.headers.h")
              .contains("does not authenticate incoming requests");
        }));
  }

  @Test
  void aConsumerIsNotAnAuthHandler() {
    assertThatThrownBy(() -> build("""
        otelcol.receiver.otlp "other" {
          output {}
        }
        otelcol.receiver.otlp "in" {
          grpc {
            endpoint = "127.0.0.1:0"
            auth     = "a string"
          }
          output {}
        }
        """)).isInstanceOf(ConfigException.class).hasMessageContaining("auth.alloy:7:");
  }
}
