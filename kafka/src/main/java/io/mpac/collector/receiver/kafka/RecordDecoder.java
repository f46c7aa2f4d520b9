package io.mpac.collector.receiver.kafka;

import io.mpac.collector.kafka.Encoding;
import io.mpac.collector.kafka.OtlpJsonCodec;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.OtlpValidator;
import io.mpac.collector.pdata.Signal;
import java.io.IOException;

/**
 * A record's value back into an OTLP request: {@code otlp_proto} is validated and counted as it is
 * (the same streaming check the OTLP receiver runs; no object tree), {@code otlp_json} is converted
 * to protobuf first.
 */
final class RecordDecoder {

  private RecordDecoder() {}

  /** Thrown for a value that is not a valid request of the topic's signal and encoding. */
  static final class Malformed extends Exception {
    Malformed(String message) {
      super(message, null, false, false);
    }
  }

  static OtlpRequest decode(Signal signal, Encoding encoding, byte[] value) throws Malformed {
    if (value == null) throw new Malformed("the record has no value");
    byte[] proto = value;
    if (encoding == Encoding.OTLP_JSON) {
      try {
        proto = OtlpJsonCodec.decode(signal, value);
      } catch (IOException e) {
        throw new Malformed(e.getMessage());
      }
    }
    try {
      int items = OtlpValidator.validateAndCount(signal, proto);
      return new OtlpRequest(signal, proto, items);
    } catch (OtlpValidator.InvalidOtlpException e) {
      throw new Malformed("not a valid OTLP " + signal.lowerName() + " request: " + e.getMessage());
    }
  }
}
