package io.mpac.collector.deploy;

import java.util.LinkedHashMap;
import java.util.Map;

/** One small OTLP/JSON request per signal, for pushing traffic through a running collector. */
final class OtlpJson {

  private OtlpJson() {}

  private static final String RESOURCE =
      "\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":{\"stringValue\":\"checkout\"}}]}";
  private static final long NOW = System.currentTimeMillis() * 1_000_000L;

  static final Map<String, String> REQUESTS = new LinkedHashMap<>();

  static {
    REQUESTS.put("/v1/traces", "{\"resourceSpans\":[{" + RESOURCE + ",\"scopeSpans\":[{\"spans\":[{"
        + "\"traceId\":\"4bf92f3577b34da6a3ce929d0e0e4736\",\"spanId\":\"00f067aa0ba902b7\",\"name\":\"GET /pay\","
        + "\"kind\":2,\"startTimeUnixNano\":\"" + (NOW - 1_000_000) + "\",\"endTimeUnixNano\":\"" + NOW + "\"}]}]}]}");
    REQUESTS.put("/v1/metrics", "{\"resourceMetrics\":[{" + RESOURCE + ",\"scopeMetrics\":[{\"metrics\":[{"
        + "\"name\":\"payments\",\"sum\":{\"aggregationTemporality\":2,\"isMonotonic\":true,\"dataPoints\":[{"
        + "\"asInt\":\"3\",\"startTimeUnixNano\":\"" + (NOW - 60_000_000_000L) + "\",\"timeUnixNano\":\"" + NOW + "\"}]}}]}]}]}");
    REQUESTS.put("/v1/logs", "{\"resourceLogs\":[{" + RESOURCE + ",\"scopeLogs\":[{\"logRecords\":[{"
        + "\"timeUnixNano\":\"" + NOW + "\",\"severityNumber\":9,\"severityText\":\"INFO\","
        + "\"body\":{\"stringValue\":\"payment accepted\"},\"traceId\":\"4bf92f3577b34da6a3ce929d0e0e4736\","
        + "\"spanId\":\"00f067aa0ba902b7\"}]}]}]}");
  }
}
