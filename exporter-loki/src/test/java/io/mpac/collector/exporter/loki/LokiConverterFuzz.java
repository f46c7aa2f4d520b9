package io.mpac.collector.exporter.loki;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import io.mpac.collector.loki.LokiEntry;
import io.mpac.collector.testing.Fuzz;
import io.mpac.collector.testing.Mutator;
import io.mpac.collector.testing.TimeBound;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.Value;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.exporter.internal.otlp.logs.LogsRequestMarshaler;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.export.SimpleLogRecordProcessor;
import io.opentelemetry.sdk.resources.Resource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the Loki converter ({@link LogsConverter#convert(byte[], List)}, the streaming {@link
 * WireLogsConverter} with its hand-overs): OTLP log requests the real SDK encoded (plain, with
 * {@code loki.*} hints, logfmt and raw formats, map and array bodies, trace context) and byte-level
 * mutations of them. Property, per input and within a time bound: when protobuf-java refuses the
 * bytes, the converter throws {@link InvalidProtocolBufferException} with the same message (no other
 * exception); when it parses them, the converter gives exactly the tree path's entries and counts
 * ({@link LogsConverter#convertTree}), converted + failed equals the request's records, and every
 * entry has labels and a timestamp; then the entries encode as a Loki push request that an
 * independent reader ({@link PushDecoder}) reads back entry for entry.
 */
class LokiConverterFuzz {

  private static final long NOW = 1_700_000_000_123_456_789L;
  private static final List<byte[]> SEEDS = seeds();

  @Test
  void converter() {
    fuzz("loki-converter", StructuredMetadataConfig.DISABLED);
  }

  @Test
  void converterWithStructuredMetadata() {
    fuzz("loki-converter-metadata", new StructuredMetadataConfig(true, List.of("user.id", "order.id")));
  }

  private static void fuzz(String target, StructuredMetadataConfig md) {
    // one streaming converter for the whole run: its resource cache carries over between inputs
    LogsConverter wire = new LogsConverter(md, () -> NOW);
    Fuzz.run(target, seed -> Mutator.mutate(SEEDS, seed), TimeBound.of(Duration.ofSeconds(10), input -> {
      ExportLogsServiceRequest parsed;
      try {
        parsed = ExportLogsServiceRequest.parseFrom(input);
      } catch (InvalidProtocolBufferException refused) {
        try {
          wire.convert(input, new ArrayList<>());
        } catch (InvalidProtocolBufferException e) {
          assertThat(e).hasMessage(refused.getMessage());
          return;
        }
        throw new AssertionError("converted what protobuf-java refuses: " + refused.getMessage());
      }
      List<LokiEntry> expected = new ArrayList<>();
      LogsConverter.Result want = new LogsConverter(md, () -> NOW).convertTree(parsed, expected);
      List<LokiEntry> actual = new ArrayList<>();
      LogsConverter.Result got = wire.convert(input, actual);
      assertThat(got).isEqualTo(want);
      assertThat(actual).hasSize(expected.size()).hasSize(got.converted());
      int records = 0;
      for (ResourceLogs rl : parsed.getResourceLogsList()) {
        for (ScopeLogs sl : rl.getScopeLogsList()) records += sl.getLogRecordsCount();
      }
      assertThat(got.converted() + got.failed()).as("every record converted or counted as failed").isEqualTo(records);
      for (int i = 0; i < expected.size(); i++) {
        LokiEntry x = expected.get(i);
        LokiEntry a = actual.get(i);
        assertThat(a.line()).as("line %d", i).isEqualTo(x.line());
        assertThat(a.labels()).as("labels %d", i).isEqualTo(x.labels());
        assertThat(a.timestampNanos()).as("timestamp %d", i).isEqualTo(x.timestampNanos());
        assertThat(a.structuredMetadata()).as("metadata %d", i).containsExactlyEntriesOf(x.structuredMetadata());
      }
      pushRoundTrip(actual);
    }));
  }

  /** The entries as one push request (one stream per label set), read back independently. */
  private static void pushRoundTrip(List<LokiEntry> entries) throws IOException {
    if (entries.isEmpty()) return;
    Map<String, List<QueuedEntry>> byLabels = new java.util.LinkedHashMap<>();
    for (LokiEntry e : entries) {
      byLabels.computeIfAbsent(e.labels().toString(), k -> new ArrayList<>()).add(QueuedEntry.of(e.labels(), null, e));
    }
    List<PushEncoder.Stream> streams = new ArrayList<>();
    byLabels.forEach((labels, list) -> streams.add(new PushEncoder.Stream(labels, list)));
    List<PushDecoder.Stream> decoded = PushDecoder.decode(PushEncoder.encodeToArray(streams));
    assertThat(decoded).hasSameSizeAs(streams);
    for (int s = 0; s < streams.size(); s++) {
      PushEncoder.Stream sent = streams.get(s);
      PushDecoder.Stream got = decoded.get(s);
      assertThat(got.labels()).isEqualTo(sent.labels());
      assertThat(got.entries()).hasSameSizeAs(sent.entries());
      for (int i = 0; i < sent.entries().size(); i++) {
        QueuedEntry q = sent.entries().get(i);
        assertThat(got.entries().get(i).line()).isEqualTo(new String(q.line(), java.nio.charset.StandardCharsets.UTF_8));
        assertThat(got.entries().get(i).timestampNanos()).isEqualTo(q.timestampNanos());
      }
    }
  }

  // ---- seeds: what the real SDK's OTLP marshaler sends ----

  private static List<byte[]> seeds() {
    List<byte[]> out = new ArrayList<>();
    Resource plain = Resource.getDefault().merge(Resource.create(Attributes.of(
        AttributeKey.stringKey("service.name"), "checkout", AttributeKey.stringKey("service.namespace"), "shop",
        AttributeKey.stringKey("service.instance.id"), "i-1")));
    Resource hinted = plain.merge(Resource.create(Attributes.of(
        AttributeKey.stringKey("k8s.pod.name"), "pod-7", AttributeKey.stringKey(LogsConverter.HINT_RESOURCES),
        "k8s.pod.name, service.name", AttributeKey.stringKey("tenant"), "team-a",
        AttributeKey.stringKey(LogsConverter.HINT_TENANT), "tenant")));
    Resource logfmt = plain.merge(Resource.create(Attributes.of(
        AttributeKey.stringKey(LogsConverter.HINT_FORMAT), "logfmt")));
    Resource raw = plain.merge(Resource.create(Attributes.of(AttributeKey.stringKey(LogsConverter.HINT_FORMAT), "raw")));
    for (Resource r : List.of(plain, hinted, logfmt, raw)) {
      out.add(sdk(r, logger -> {
        Severity[] sev = {Severity.INFO, Severity.WARN, Severity.ERROR, Severity.UNDEFINED_SEVERITY_NUMBER};
        for (int i = 0; i < 6; i++) {
          var b = logger.logRecordBuilder().setSeverity(sev[i % sev.length]).setSeverityText(sev[i % sev.length].name())
              .setTimestamp(Instant.parse("2026-01-02T03:04:05Z").plusMillis(i))
              .setAllAttributes(Attributes.builder().put("user.id", "u" + i).put("order.id", 1000L + i)
                  .put("ratio", i / 3.0).put("ok", i % 2 == 0).put("tags", "a", "b")
                  .put("http.route", "/cart/\"" + i + "\"\n").build());
          if (i == 1) b.setAttribute(AttributeKey.stringKey(LogsConverter.HINT_ATTRIBUTES), "user.id,http.route");
          if (i == 2) b.setAttribute(AttributeKey.stringKey("level"), "warning");
          switch (i % 3) {
            case 0 -> b.setBody("order " + i + " processed ünïcödé 😀");
            case 1 -> b.setBody(Value.of(Map.of("msg", Value.of("structured"), "n", Value.of(42L),
                "list", Value.of(Value.of(1.5), Value.of(true), Value.of("x")))));
            default -> b.setBody(Value.of(Value.of("a"), Value.of(7L)));
          }
          b.emit();
        }
      }));
    }
    // the same through the builders: several resources and scopes, no scope, empty records
    ExportLogsServiceRequest.Builder req = ExportLogsServiceRequest.newBuilder();
    try {
      for (byte[] s : out) req.mergeFrom(s);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
    req.addResourceLogs(ResourceLogs.newBuilder().addScopeLogs(ScopeLogs.newBuilder()
        .addLogRecords(io.opentelemetry.proto.logs.v1.LogRecord.getDefaultInstance())));
    out.add(req.build().toByteArray());
    return List.copyOf(out);
  }

  private static byte[] sdk(Resource resource, java.util.function.Consumer<Logger> emit) {
    SdkEndToEndTest.Collecting sink = new SdkEndToEndTest.Collecting();
    try (SdkLoggerProvider logging = SdkLoggerProvider.builder().setResource(resource)
        .addLogRecordProcessor(SimpleLogRecordProcessor.create(sink)).build()) {
      emit.accept(logging.loggerBuilder("com.shop.checkout").setInstrumentationVersion("1.2.3").build());
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      LogsRequestMarshaler.create(sink.records).writeBinaryTo(bytes);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return bytes.toByteArray();
  }
}
