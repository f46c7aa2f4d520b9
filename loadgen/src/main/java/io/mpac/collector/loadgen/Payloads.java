package io.mpac.collector.loadgen;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.mpac.collector.pdata.Signal;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.logs.v1.SeverityNumber;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.HexFormat;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds the requests the generator sends. Built once before the run (not on the hot path); each
 * worker cycles through a few variants with distinct ids. Spans are shaped like the OpenTelemetry
 * Collector testbed's (a name, ids, times, kind and a few small attributes: about 150 bytes).
 */
public final class Payloads {

  /** The shape of each request. */
  public record Shape(Signal signal, int itemsPerRequest, int attributesPerItem, int bodySize) {}

  private static final Pattern BASE64_ID =
      Pattern.compile("\"(traceId|spanId|parentSpanId)\": \"([A-Za-z0-9+/=]*)\"");

  private Payloads() {}

  /** {@code count} encoded protobuf requests of the given shape. */
  public static byte[][] protobuf(Shape shape, int count, long seed) {
    Random random = new Random(seed);
    byte[][] out = new byte[count][];
    for (int i = 0; i < count; i++) out[i] = message(shape, random, i).toByteArray();
    return out;
  }

  /** The positions of the data point times in each encoded metric request (see {@link MetricTimes}). */
  public static MetricTimes[] metricTimes(byte[][] metricRequests) {
    MetricTimes[] out = new MetricTimes[metricRequests.length];
    for (int i = 0; i < metricRequests.length; i++) out[i] = MetricTimes.locate(metricRequests[i]);
    return out;
  }

  /**
   * The positions of the span times in each encoded trace request, so that a sender can stamp the
   * send time into its own copy just before sending (see {@link SpanTimes}).
   */
  public static SpanTimes[] spanTimes(byte[][] traceRequests) {
    SpanTimes[] out = new SpanTimes[traceRequests.length];
    for (int i = 0; i < traceRequests.length; i++) out[i] = SpanTimes.locate(traceRequests[i]);
    return out;
  }

  /** The same requests in the OTLP/JSON mapping (hex ids, lowerCamelCase keys). */
  public static byte[][] json(Shape shape, int count, long seed) {
    Random random = new Random(seed);
    byte[][] out = new byte[count][];
    for (int i = 0; i < count; i++) {
      out[i] = toOtlpJson(message(shape, random, i)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
    return out;
  }

  /** protobuf-java's JSON printer writes bytes as base64; OTLP/JSON wants trace and span ids in hex. */
  static String toOtlpJson(Message message) {
    String json;
    try {
      json = JsonFormat.printer().print(message);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
    Matcher m = BASE64_ID.matcher(json);
    StringBuilder sb = new StringBuilder(json.length());
    while (m.find()) {
      String hex = HexFormat.of().formatHex(java.util.Base64.getDecoder().decode(m.group(2)));
      m.appendReplacement(sb, "\"" + m.group(1) + "\": \"" + hex + "\"");
    }
    m.appendTail(sb);
    return sb.toString();
  }

  static Message message(Shape shape, Random random, int variant) {
    Resource resource = Resource.newBuilder()
        .addAttributes(attr("service.name", "load-generator"))
        .addAttributes(attr("service.instance.id", "gen-" + variant))
        .build();
    InstrumentationScope scope = InstrumentationScope.newBuilder().setName("mpac-loadgen").setVersion("1").build();
    long now = System.currentTimeMillis() * 1_000_000L;
    return switch (shape.signal()) {
      case TRACES -> {
        ScopeSpans.Builder ss = ScopeSpans.newBuilder().setScope(scope);
        ByteString traceId = bytes(random, 16);
        for (int i = 0; i < shape.itemsPerRequest(); i++) {
          Span.Builder s = Span.newBuilder().setTraceId(traceId).setSpanId(bytes(random, 8))
              .setName("load-generator-span").setKind(Span.SpanKind.SPAN_KIND_CLIENT)
              .setStartTimeUnixNano(now).setEndTimeUnixNano(now + 1_000_000L);
          for (int a = 0; a < shape.attributesPerItem(); a++) s.addAttributes(attr("load_generator.attr_" + a, "value-" + a));
          ss.addSpans(s);
        }
        yield ExportTraceServiceRequest.newBuilder()
            .addResourceSpans(ResourceSpans.newBuilder().setResource(resource).addScopeSpans(ss)).build();
      }
      case METRICS -> {
        Gauge.Builder gauge = Gauge.newBuilder();
        for (int i = 0; i < shape.itemsPerRequest(); i++) {
          NumberDataPoint.Builder p = NumberDataPoint.newBuilder().setTimeUnixNano(now).setAsDouble(random.nextDouble() * 100)
              .addAttributes(attr("series", Integer.toString(i)));
          for (int a = 0; a < shape.attributesPerItem(); a++) p.addAttributes(attr("load_generator.attr_" + a, "value-" + a));
          gauge.addDataPoints(p);
        }
        yield ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
            .setResource(resource).addScopeMetrics(ScopeMetrics.newBuilder().setScope(scope)
                .addMetrics(Metric.newBuilder().setName("load_generator.value").setUnit("1").setGauge(gauge)))).build();
      }
      case LOGS -> {
        ScopeLogs.Builder sl = ScopeLogs.newBuilder().setScope(scope);
        ByteString traceId = bytes(random, 16);
        String body = "x".repeat(Math.max(0, shape.bodySize()));
        for (int i = 0; i < shape.itemsPerRequest(); i++) {
          LogRecord.Builder r = LogRecord.newBuilder().setTimeUnixNano(now + i).setObservedTimeUnixNano(now + i)
              .setSeverityNumber(SeverityNumber.SEVERITY_NUMBER_INFO).setSeverityText("INFO")
              .setBody(AnyValue.newBuilder().setStringValue(body))
              .setTraceId(traceId).setSpanId(bytes(random, 8));
          for (int a = 0; a < shape.attributesPerItem(); a++) r.addAttributes(attr("load_generator.attr_" + a, "value-" + a));
          sl.addLogRecords(r);
        }
        yield ExportLogsServiceRequest.newBuilder()
            .addResourceLogs(ResourceLogs.newBuilder().setResource(resource).addScopeLogs(sl)).build();
      }
    };
  }

  private static KeyValue attr(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }

  private static ByteString bytes(Random random, int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    b[0] |= 1; // never all zero: an all-zero id is invalid in OTLP
    return ByteString.copyFrom(b);
  }
}
