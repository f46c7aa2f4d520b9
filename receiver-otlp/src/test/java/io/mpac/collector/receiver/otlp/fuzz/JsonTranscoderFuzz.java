package io.mpac.collector.receiver.otlp.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpac.collector.pdata.OtlpValidator;
import io.mpac.collector.pdata.Signal;
import io.mpac.collector.receiver.otlp.internal.OtlpJsonTranscoder;
import io.mpac.collector.testing.Fuzz;
import io.mpac.collector.testing.Mutator;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes {@link OtlpJsonTranscoder} with mutations of the real SDK's JSON requests. Whatever the
 * bytes, it either converts or throws {@code JsonException}, nothing else; what it produces is
 * well-formed protobuf (protobuf-java parses it); and the unmutated SDK JSON converts to exactly
 * the SDK's own protobuf encoding's content.
 */
class JsonTranscoderFuzz {

  @Test
  void sdkJsonConvertsToTheSdkProtobufContent() throws Exception {
    for (Signal s : Signal.values()) {
      for (int i = 0; i < SdkSeeds.json(s).size(); i++) {
        byte[] converted = OtlpJsonTranscoder.toProtobuf(s, SdkSeeds.json(s).get(i));
        assertThat(parse(s, converted)).as(s + " seed " + i).isEqualTo(parse(s, SdkSeeds.protobuf(s).get(i)));
      }
    }
  }

  private static Object parse(Signal s, byte[] b) throws Exception {
    return switch (s) {
      case TRACES -> io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest.parseFrom(b);
      case METRICS -> io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest.parseFrom(b);
      case LOGS -> io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest.parseFrom(b);
    };
  }

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

  @Test
  void deepNesting() throws Exception {
    for (String open : new String[] {"[", "{\"a\":", "{\"resourceSpans\":["}) {
      byte[] deep = open.repeat(100_000).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      try {
        OtlpJsonTranscoder.toProtobuf(Signal.TRACES, deep);
      } catch (OtlpJsonTranscoder.JsonException expected) {
        assertThat(expected.getMessage()).isNotBlank();
      }
    }
  }

  private static void fuzz(Signal signal) {
    Fuzz.run("json-" + signal.lowerName(), seed -> Mutator.mutate(SdkSeeds.json(signal), seed), input -> {
      byte[] out;
      try {
        out = OtlpJsonTranscoder.toProtobuf(signal, input);
      } catch (OtlpJsonTranscoder.JsonException refused) {
        assertThat(refused.getMessage()).isNotBlank();
        return;
      }
      parse(signal, out); // well-formed protobuf
      try {
        OtlpValidator.validateAndCount(signal, out);
      } catch (OtlpValidator.InvalidOtlpException e) {
        // allowed (e.g. a 5-byte trace id in the JSON); the receiver answers 400
        assertThat(e.getMessage()).isNotBlank();
      }
    });
  }
}
