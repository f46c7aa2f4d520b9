package io.mpac.collector.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import io.opentelemetry.exporter.otlp.logs.OtlpGrpcLogRecordExporter;
import io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.export.SimpleLogRecordProcessor;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.ComposeContainer;
import org.testcontainers.containers.wait.strategy.Wait;

/**
 * The local stack of {@code docker/docker-compose.yml}, for real: the collector image is built
 * from {@code docker/Dockerfile}, the stack starts (collector, Prometheus, Loki, Tempo, Grafana),
 * the OpenTelemetry SDK sends one span, one log record inside that span and one counter to the
 * collector over OTLP/gRPC, and each backend is asked through its own HTTP API for what arrived:
 * the trace in Tempo by its id, the log in Loki by the trace id, the counter in Prometheus by a
 * label unique to this run, and Grafana's health check of each provisioned datasource.
 *
 * <p>Runs only with {@code -Pdocker} (tag {@code docker}). Without a Docker engine it is skipped
 * with one line saying why. docs/DEPLOY.md, "Smoke test".
 */
@Tag("docker")
@Timeout(value = 30, unit = TimeUnit.MINUTES)
class ComposeStackSmokeTest {

  private static final Duration FIND_WITHIN = Duration.ofSeconds(120);
  private static final Duration POLL = Duration.ofSeconds(2);
  private static final String SERVICE = "mpac-smoke";
  private static final String NAMESPACE = "smoke";
  private static final String SPAN_NAME = "smoke-span";
  private static final String METRIC = "mpac.smoke.requests";
  /** {@link #METRIC} as Prometheus names it: dots to underscores, a monotonic sum gets {@code _total}. */
  private static final String PROMETHEUS_METRIC = "mpac_smoke_requests_total";
  /** The datasource uids of docker/grafana/provisioning/datasources/datasources.yaml. */
  private static final List<String> DATASOURCES = List.of("prometheus", "loki", "tempo");

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static ComposeContainer stack;
  /** Unique per run, so that a stack reused by hand never answers with an older run's data. */
  private static final String RUN = UUID.randomUUID().toString();
  private static String traceId;
  private static Instant sentAt;

  @BeforeAll
  static void startTheStackAndSend() {
    Optional<String> absent = DockerEngine.absentBecause();
    if (absent.isEmpty() && !DockerClientFactory.instance().isDockerAvailable()) {
      absent = Optional.of("no Docker engine: Testcontainers found none at DOCKER_HOST=" + System.getenv("DOCKER_HOST"));
    }
    if (absent.isPresent()) {
      System.out.println("ComposeStackSmokeTest skipped: " + absent.get());
      Assumptions.abort(absent.get());
    }

    stack = new ComposeContainer("mpac-smoke-" + RUN.substring(0, 8), Repo.path("docker/docker-compose.yml").toFile())
        .withBuild(true)
        // Compose pulls what it lacks on `up`; a separate pull would try to pull the collector image it builds.
        .withPull(false)
        .withEnv("DOCKER_GID", DockerEngine.socketGroup())
        .withStartupTimeout(Duration.ofMinutes(5))
        .withExposedService("collector", 4317)
        .withExposedService("collector", 12345, Wait.forHttp("/-/ready").forPort(12345).forStatusCode(200))
        .withExposedService("prometheus", 9090, Wait.forHttp("/-/ready").forPort(9090).forStatusCode(200))
        .withExposedService("loki", 3100, Wait.forHttp("/ready").forPort(3100).forStatusCode(200))
        .withExposedService("tempo", 3200, Wait.forHttp("/ready").forPort(3200).forStatusCode(200))
        .withExposedService("grafana", 3000, Wait.forHttp("/api/health").forPort(3000).forStatusCode(200));
    stack.start();
    send("http://" + stack.getServiceHost("collector", 4317) + ":" + stack.getServicePort("collector", 4317));
  }

  @AfterAll
  static void stopTheStack() {
    if (stack != null) stack.stop(); // docker compose down -v: containers, network and volumes
  }

  /** One span, one log record emitted inside it (so it carries the span's trace id), one counter. */
  private static void send(String endpoint) {
    Resource resource = Resource.getDefault().merge(Resource.create(Attributes.of(
        AttributeKey.stringKey("service.name"), SERVICE, AttributeKey.stringKey("service.namespace"), NAMESPACE)));
    SdkTracerProvider tracing = SdkTracerProvider.builder().setResource(resource)
        .addSpanProcessor(SimpleSpanProcessor.create(OtlpGrpcSpanExporter.builder().setEndpoint(endpoint).build()))
        .build();
    SdkLoggerProvider logging = SdkLoggerProvider.builder().setResource(resource)
        .addLogRecordProcessor(SimpleLogRecordProcessor.create(OtlpGrpcLogRecordExporter.builder().setEndpoint(endpoint).build()))
        .build();
    SdkMeterProvider metering = SdkMeterProvider.builder().setResource(resource)
        .registerMetricReader(PeriodicMetricReader.builder(OtlpGrpcMetricExporter.builder().setEndpoint(endpoint).build())
            .setInterval(Duration.ofSeconds(5)).build())
        .build();
    try {
      sentAt = Instant.now();
      Span span = tracing.get(SERVICE).spanBuilder(SPAN_NAME).setAttribute("smoke.run", RUN).startSpan();
      try (Scope ignored = span.makeCurrent()) {
        logging.get(SERVICE).logRecordBuilder().setSeverity(Severity.INFO).setBody("smoke log of run " + RUN).emit();
      } finally {
        span.end();
      }
      traceId = span.getSpanContext().getTraceId();
      metering.get(SERVICE).counterBuilder(METRIC).build().add(1, Attributes.of(AttributeKey.stringKey("smoke_run"), RUN));
      flushed("spans", tracing.forceFlush());
      flushed("logs", logging.forceFlush());
      flushed("metrics", metering.forceFlush());
    } finally {
      tracing.close();
      logging.close();
      metering.close();
    }
  }

  private static void flushed(String what, CompletableResultCode result) {
    assertThat(result.join(30, TimeUnit.SECONDS).isSuccess()).as("the SDK exported the %s to the collector", what).isTrue();
  }

  @Test
  void theTraceIsInTempoByItsId() throws Exception {
    // Tempo's trace-by-id API answers 404 until the trace is in an ingester; its JSON carries the
    // span's name and attributes (ids there are base64, so the run's attribute identifies it).
    String body = poll("Tempo GET /api/traces/" + traceId, url("tempo", 3200, "/api/traces/" + traceId),
        r -> r.statusCode() == 200 && r.body().contains(SPAN_NAME));
    assertThat(body).contains(SPAN_NAME).contains(RUN).contains(SERVICE);
  }

  @Test
  void theLogIsInLokiByTheTraceId() throws Exception {
    // otelcol.exporter.loki labels OTLP logs exporter="OTLP" and writes the trace id into the line.
    String query = "{exporter=\"OTLP\"} |= \"" + traceId + "\"";
    long start = sentAt.minus(Duration.ofMinutes(10)).toEpochMilli() * 1_000_000L;
    long end = Instant.now().plus(Duration.ofMinutes(10)).toEpochMilli() * 1_000_000L;
    String path = "/loki/api/v1/query_range?query=" + enc(query) + "&start=" + start + "&end=" + end + "&limit=10";
    String body = poll("Loki query_range " + query, url("loki", 3100, path),
        r -> r.statusCode() == 200 && json(r.body()).path("data").path("result").size() > 0);
    JsonNode stream = json(body).path("data").path("result").get(0);
    assertThat(stream.path("values").get(0).get(1).asText()).contains(traceId).contains(RUN);
    assertThat(stream.path("stream").path("job").asText()).isEqualTo(NAMESPACE + "/" + SERVICE);
  }

  @Test
  void theCounterIsInPrometheus() throws Exception {
    String query = PROMETHEUS_METRIC + "{smoke_run=\"" + RUN + "\"}";
    String body = poll("Prometheus query " + query, url("prometheus", 9090, "/api/v1/query?query=" + enc(query)),
        r -> r.statusCode() == 200 && json(r.body()).path("data").path("result").size() > 0);
    JsonNode sample = json(body).path("data").path("result").get(0);
    assertThat(sample.path("metric").path("job").asText()).isEqualTo(NAMESPACE + "/" + SERVICE);
    assertThat(sample.path("value").get(1).asText()).isEqualTo("1");
  }

  @Test
  void grafanaFindsEveryDatasourceHealthy() throws Exception {
    for (String uid : DATASOURCES) {
      // Anonymous admin (docker-compose.yml): no login. The check asks the backend itself.
      String body = poll("Grafana health of datasource " + uid, url("grafana", 3000, "/api/datasources/uid/" + uid + "/health"),
          r -> r.statusCode() == 200 && "OK".equals(json(r.body()).path("status").asText()));
      assertThat(json(body).path("status").asText()).as("datasource %s: %s", uid, body).isEqualTo("OK");
    }
  }

  private static URI url(String service, int port, String pathAndQuery) {
    return URI.create("http://" + stack.getServiceHost(service, port) + ":" + stack.getServicePort(service, port) + pathAndQuery);
  }

  /**
   * GETs {@code uri} every {@link #POLL} until {@code found} holds, at most {@link #FIND_WITHIN};
   * fails with the last answer otherwise.
   */
  private static String poll(String what, URI uri, Predicate<HttpResponse<String>> found) throws InterruptedException {
    long deadline = System.nanoTime() + FIND_WITHIN.toNanos();
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (found.test(r)) return r.body();
        last = r.statusCode() + " " + abbreviate(r.body());
      } catch (IOException e) {
        last = e.toString();
      }
      Thread.sleep(POLL.toMillis());
    }
    throw new AssertionError(what + ": not found within " + FIND_WITHIN.toSeconds() + " s; last answer: " + last);
  }

  private static JsonNode json(String body) {
    try {
      return Repo.JSON.readTree(body);
    } catch (IOException e) {
      return Repo.JSON.missingNode();
    }
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String abbreviate(String s) {
    return s.length() <= 300 ? s : s.substring(0, 300) + "…";
  }
}
