package io.mpac.collector.pdata.batching;

import static io.mpac.collector.pdata.batching.OtlpTestRequests.flatten;
import static io.mpac.collector.pdata.batching.OtlpTestRequests.parse;
import static io.mpac.collector.pdata.batching.OtlpTestRequests.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Message;
import io.mpac.collector.pdata.ClientMetadata;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import io.mpac.collector.pdata.batching.OtlpTestRequests.Row;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class OtlpMergerTest {

  @ParameterizedTest
  @EnumSource(Signal.class)
  void mergedRequestHoldsEveryInputInOrder(Signal signal) {
    for (int seed = 0; seed < 100; seed++) {
      Random rnd = new Random(seed);
      int n = 1 + rnd.nextInt(5);
      List<OtlpRequest> inputs = new ArrayList<>();
      List<Row> expected = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Message m = OtlpTestRequests.random(signal, rnd);
        inputs.add(request(signal, m));
        expected.addAll(flatten(signal, m));
      }
      OtlpRequest merged = OtlpMerger.merge(inputs);
      assertThat(flatten(signal, parse(signal, merged.bytes()))).isEqualTo(expected);
      assertThat(merged.itemCount()).isEqualTo(OtlpTestRequests.items(expected))
          .isEqualTo(OtlpSplitter.countItems(signal, merged.bytes()));
      // and split undoes nothing it should not: merge then split keeps every row
      if (merged.itemCount() > 0) {
        assertThat(OtlpTestRequests.flattenAll(signal, OtlpSplitter.split(merged, 1 + rnd.nextInt(7)))).isEqualTo(expected);
      }
    }
  }

  @Test
  void mergeSetsTheGivenMetadataAndRefusesMixedSignals() {
    ClientMetadata md = new ClientMetadata(Map.of("x-scope-orgid", List.of("a")));
    OtlpRequest a = new OtlpRequest(Signal.TRACES, new byte[] {0x0A, 0x00}, 0);
    OtlpRequest b = new OtlpRequest(Signal.TRACES, new byte[] {0x0A, 0x00}, 0);
    OtlpRequest merged = OtlpMerger.merge(List.of(a, b), md);
    assertThat(merged.metadata()).isEqualTo(md);
    assertThat(merged.bytes()).containsExactly(0x0A, 0x00, 0x0A, 0x00);
    assertThat(OtlpMerger.merge(List.of(a), md).metadata()).isEqualTo(md);
    assertThat(OtlpMerger.merge(List.of(a))).isSameAs(a);
    OtlpRequest logs = new OtlpRequest(Signal.LOGS, new byte[0], 0);
    assertThatThrownBy(() -> OtlpMerger.merge(List.of(a, logs))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> OtlpMerger.merge(List.of())).isInstanceOf(IllegalArgumentException.class);
  }
}
