package io.mpac.collector.receiver.otlp.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.OtlpValidator;
import io.mpac.collector.pdata.Signal;
import io.mpac.collector.pdata.batching.OtlpMerger;
import io.mpac.collector.pdata.batching.OtlpSplitter;
import io.mpac.collector.testing.Fuzz;
import io.mpac.collector.testing.Mutator;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.metrics.v1.Metric;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes {@link OtlpSplitter} and {@link OtlpMerger} (collector-core) over every input the
 * validator accepts: the SDK's requests, merges of several, and mutations of them. For a random
 * limit, every part holds at most that many items, the counts add up, every part is valid OTLP,
 * and the items with their resource, scope (and metric) are exactly the input's, as protobuf-java
 * reads them; merging the parts back gives the same items again.
 */
class SplitMergeFuzz {

  @Test
  void traces() {
    fuzz(Signal.TRACES);
  }

  @Test
  void metrics() {
    fuzz(Signal.METRICS);
  }

  @Test
  void logs() {
    fuzz(Signal.LOGS);
  }

  private static byte[] input(Signal s, long seed) {
    Random r = new Random(seed);
    List<byte[]> seeds = SdkSeeds.protobuf(s);
    if (r.nextInt(4) == 0) return Mutator.mutate(seeds, seed);
    List<OtlpRequest> parts = new ArrayList<>();
    for (int i = 0, n = 1 + r.nextInt(4); i < n; i++) {
      byte[] b = seeds.get(r.nextInt(seeds.size()));
      parts.add(new OtlpRequest(s, b, OtlpSplitter.countItems(s, b)));
    }
    return OtlpMerger.merge(parts).bytes();
  }

  private static void fuzz(Signal signal) {
    Fuzz.run("split-merge-" + signal.lowerName(), seed -> input(signal, seed), input -> {
      int items;
      try {
        items = OtlpValidator.validateAndCount(signal, input);
      } catch (OtlpValidator.InvalidOtlpException refused) {
        return; // the splitter only ever sees validated requests
      }
      int max = 1 + new Random(input.length * 31L + items).nextInt(Math.max(1, items + 1));
      OtlpRequest request = new OtlpRequest(signal, input, items);
      List<OtlpRequest> parts = OtlpSplitter.split(request, max);
      int total = 0;
      List<ByteString> fromParts = new ArrayList<>();
      for (OtlpRequest p : parts) {
        assertThat(p.itemCount()).isLessThanOrEqualTo(Math.max(max, items <= max ? items : 0));
        assertThat(OtlpValidator.validateAndCount(signal, p.bytes())).isEqualTo(p.itemCount());
        total += p.itemCount();
        fromParts.addAll(flatten(signal, p.bytes()));
      }
      assertThat(total).isEqualTo(items);
      Map<ByteString, Integer> expected = bag(flatten(signal, input));
      assertThat(bag(fromParts)).isEqualTo(expected);
      OtlpRequest merged = OtlpMerger.merge(parts);
      assertThat(merged.itemCount()).isEqualTo(items);
      assertThat(bag(flatten(signal, merged.bytes()))).isEqualTo(expected);
    });
  }

  private static Map<ByteString, Integer> bag(List<ByteString> items) {
    Map<ByteString, Integer> m = new HashMap<>();
    for (ByteString b : items) m.merge(b, 1, Integer::sum);
    return m;
  }

  /** Every item as (resource, scope, [metric header,] item) bytes, via protobuf-java. */
  static List<ByteString> flatten(Signal s, byte[] b) throws Exception {
    List<ByteString> out = new ArrayList<>();
    switch (s) {
      case TRACES -> {
        for (var rs : ExportTraceServiceRequest.parseFrom(b).getResourceSpansList()) {
          ByteString res = rs.getResource().toByteString().concat(ByteString.copyFromUtf8(rs.getSchemaUrl()));
          for (var ss : rs.getScopeSpansList()) {
            ByteString scope = ss.getScope().toByteString().concat(ByteString.copyFromUtf8(ss.getSchemaUrl()));
            for (var span : ss.getSpansList()) out.add(key(res, scope, span.toByteString()));
          }
        }
      }
      case LOGS -> {
        for (var rl : ExportLogsServiceRequest.parseFrom(b).getResourceLogsList()) {
          ByteString res = rl.getResource().toByteString().concat(ByteString.copyFromUtf8(rl.getSchemaUrl()));
          for (var sl : rl.getScopeLogsList()) {
            ByteString scope = sl.getScope().toByteString().concat(ByteString.copyFromUtf8(sl.getSchemaUrl()));
            for (var log : sl.getLogRecordsList()) out.add(key(res, scope, log.toByteString()));
          }
        }
      }
      case METRICS -> {
        for (var rm : ExportMetricsServiceRequest.parseFrom(b).getResourceMetricsList()) {
          ByteString res = rm.getResource().toByteString().concat(ByteString.copyFromUtf8(rm.getSchemaUrl()));
          for (var sm : rm.getScopeMetricsList()) {
            ByteString scope = sm.getScope().toByteString().concat(ByteString.copyFromUtf8(sm.getSchemaUrl()));
            for (Metric m : sm.getMetricsList()) {
              for (var point : points(m)) out.add(key(res, scope, header(m).concat(point)));
            }
          }
        }
      }
    }
    return out;
  }

  private static ByteString key(ByteString res, ByteString scope, ByteString item) {
    return ByteString.copyFromUtf8(res.size() + ":" + scope.size() + ":").concat(res).concat(scope).concat(item);
  }

  private static ByteString header(Metric m) {
    Metric.Builder h = m.toBuilder();
    switch (m.getDataCase()) {
      case GAUGE -> h.setGauge(m.getGauge().toBuilder().clearDataPoints());
      case SUM -> h.setSum(m.getSum().toBuilder().clearDataPoints());
      case HISTOGRAM -> h.setHistogram(m.getHistogram().toBuilder().clearDataPoints());
      case EXPONENTIAL_HISTOGRAM -> h.setExponentialHistogram(m.getExponentialHistogram().toBuilder().clearDataPoints());
      case SUMMARY -> h.setSummary(m.getSummary().toBuilder().clearDataPoints());
      default -> { }
    }
    ByteString hb = h.build().toByteString();
    return ByteString.copyFromUtf8(hb.size() + ":").concat(hb);
  }

  private static List<ByteString> points(Metric m) {
    List<ByteString> out = new ArrayList<>();
    switch (m.getDataCase()) {
      case GAUGE -> m.getGauge().getDataPointsList().forEach(p -> out.add(p.toByteString()));
      case SUM -> m.getSum().getDataPointsList().forEach(p -> out.add(p.toByteString()));
      case HISTOGRAM -> m.getHistogram().getDataPointsList().forEach(p -> out.add(p.toByteString()));
      case EXPONENTIAL_HISTOGRAM -> m.getExponentialHistogram().getDataPointsList().forEach(p -> out.add(p.toByteString()));
      case SUMMARY -> m.getSummary().getDataPointsList().forEach(p -> out.add(p.toByteString()));
      default -> { }
    }
    return out;
  }
}
