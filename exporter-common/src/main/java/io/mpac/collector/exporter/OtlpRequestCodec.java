package io.mpac.collector.exporter;

import io.mpac.collector.exporter.queue.RecordCodec;
import io.mpac.collector.pdata.ClientMetadata;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How an OTLP exporter's persistent queue stores an {@link OtlpRequest}: everything the request
 * carries, so that what comes back after a restart is the request that was accepted.
 *
 * <pre>
 *  byte   format version (1)
 *  byte   signal: 1 traces, 2 metrics, 3 logs
 *  int    item count (spans, data points, log records)
 *  int    metadata keys, then per key: string key, int value count, string values
 *  int    request length, then the encoded Export*ServiceRequest as received
 *  (string = int byte length + UTF-8; all integers big-endian; nothing may follow)
 * </pre>
 *
 * The request bytes are not looked into: they were validated by the receiver, and the store's
 * checksum guards them on disk. Decoding checks every length against what is left before it
 * allocates, so a damaged record costs an {@link IOException}, never a large allocation.
 */
public final class OtlpRequestCodec implements RecordCodec<OtlpRequest> {

  public static final OtlpRequestCodec INSTANCE = new OtlpRequestCodec();

  static final byte VERSION = 1;

  private OtlpRequestCodec() {}

  @Override
  public byte[] encode(OtlpRequest r) {
    ByteBuffer out = ByteBuffer.allocate(encodedLength(r));
    encodeInto(r, out);
    return out.array();
  }

  @Override
  public int encodedLength(OtlpRequest r) {
    int size = 1 + 1 + 4 + 4 + 4 + r.bytes().length;
    for (Map.Entry<String, List<String>> e : r.metadata().values().entrySet()) {
      size += 4 + utf8Length(e.getKey()) + 4;
      for (String v : e.getValue()) size += 4 + utf8Length(v);
    }
    return size;
  }

  @Override
  public void encodeInto(OtlpRequest r, ByteBuffer out) {
    Map<String, List<String>> meta = r.metadata().values();
    out.put(VERSION).put(signalCode(r.signal())).putInt(r.itemCount()).putInt(meta.size());
    for (Map.Entry<String, List<String>> e : meta.entrySet()) {
      putString(out, e.getKey().getBytes(StandardCharsets.UTF_8));
      out.putInt(e.getValue().size());
      for (String v : e.getValue()) putString(out, v.getBytes(StandardCharsets.UTF_8));
    }
    out.putInt(r.bytes().length).put(r.bytes());
  }

  /** The UTF-8 length of {@code s} (metadata is small: encoding it twice is cheap). */
  private static int utf8Length(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  private static void putString(ByteBuffer out, byte[] b) {
    out.putInt(b.length).put(b);
  }

  @Override
  public OtlpRequest decode(byte[] buf, int offset, int length) throws IOException {
    if (offset < 0 || length < 0 || offset > buf.length - length) {
      throw new IOException("record range " + offset + "+" + length + " is outside a buffer of " + buf.length);
    }
    ByteBuffer in = ByteBuffer.wrap(buf, offset, length);
    need(in, 10, "header");
    byte version = in.get();
    if (version != VERSION) throw new IOException("unknown OTLP record version " + version);
    Signal signal = signalOf(in.get());
    int items = in.getInt();
    if (items < 0) throw new IOException("negative item count " + items);
    int keys = in.getInt();
    // every key takes at least 8 bytes (its length and its value count)
    if (keys < 0 || keys > in.remaining() / 8) throw new IOException("impossible metadata key count " + keys);
    Map<String, List<String>> meta = new LinkedHashMap<>();
    for (int k = 0; k < keys; k++) {
      String key = getString(in);
      need(in, 4, "metadata value count");
      int n = in.getInt();
      if (n < 0 || n > in.remaining() / 4) throw new IOException("impossible metadata value count " + n);
      List<String> values = new ArrayList<>(n);
      for (int i = 0; i < n; i++) values.add(getString(in));
      if (meta.put(key, values) != null) throw new IOException("metadata key \"" + key + "\" appears twice");
    }
    need(in, 4, "request length");
    int len = in.getInt();
    if (len != in.remaining()) {
      throw new IOException("request length " + len + " does not match the " + in.remaining() + " bytes left");
    }
    byte[] request = new byte[len];
    in.get(request);
    return new OtlpRequest(signal, request, items, meta.isEmpty() ? ClientMetadata.EMPTY : new ClientMetadata(meta));
  }

  private static String getString(ByteBuffer in) throws IOException {
    need(in, 4, "string length");
    int n = in.getInt();
    if (n < 0 || n > in.remaining()) throw new IOException("string length " + n + " exceeds the " + in.remaining()
        + " bytes left");
    ByteBuffer slice = in.slice();
    slice.limit(n);
    in.position(in.position() + n);
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(slice).toString();
    } catch (CharacterCodingException e) {
      throw new IOException("metadata string is not UTF-8", e);
    }
  }

  private static void need(ByteBuffer in, int n, String what) throws IOException {
    if (in.remaining() < n) throw new IOException("record ends inside its " + what);
  }

  private static byte signalCode(Signal s) {
    return switch (s) {
      case TRACES -> 1;
      case METRICS -> 2;
      case LOGS -> 3;
    };
  }

  private static Signal signalOf(byte code) throws IOException {
    return switch (code) {
      case 1 -> Signal.TRACES;
      case 2 -> Signal.METRICS;
      case 3 -> Signal.LOGS;
      default -> throw new IOException("unknown signal code " + code);
    };
  }
}
