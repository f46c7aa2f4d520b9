package io.mpac.collector.receiver.otlp.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import io.mpac.collector.pdata.OtlpValidator;
import io.mpac.collector.pdata.Signal;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Converts an OTLP/JSON request body into the protobuf encoding of the same request, in one
 * streaming pass (Jackson's token stream in, protobuf wire format out; no object tree).
 *
 * <p>The OTLP/JSON mapping it accepts (lenient, as the OpenTelemetry Collector is):
 * <ul>
 *   <li>keys in lowerCamelCase ({@code traceId}) or the proto's snake_case ({@code trace_id});
 *       unknown keys are skipped, whatever their value; {@code null} means "not set";
 *   <li>{@code traceId}, {@code spanId}, {@code parentSpanId} (on spans, links, log records,
 *       exemplars) are hex, any case; every other {@code bytes} field is base64 (standard or
 *       URL-safe, padding optional);
 *   <li>64-bit integers as JSON numbers or decimal strings; enums as integers or value names
 *       (an unknown name leaves the field unset); doubles as numbers or {@code "NaN"},
 *       {@code "Infinity"}, {@code "-Infinity"}.
 * </ul>
 *
 * <p>Why not {@code JsonFormat} from protobuf-java-util: it builds the object tree (and a Gson
 * tree), then the tree is serialised again, and the hex ids would need a rewriting pass before
 * it; this does one pass and allocates only the output buffer and Jackson's token text. The
 * tables are derived once from the generated descriptors, so the field set is the protos', not a
 * hand-kept copy. Tests check the output against {@code JsonFormat} on the same documents.
 *
 * <p>The output is not yet validated (id lengths, counts): the receiver runs {@link
 * OtlpValidator} on it like on any protobuf body. Thread-safe.
 */
public final class OtlpJsonTranscoder {

  /** A JSON body that cannot be converted; the message names the place. No stack trace. */
  public static final class JsonException extends Exception {
    private final String problem;
    private final Deque<String> path = new ArrayDeque<>();

    JsonException(String problem) {
      super(problem, null, false, false);
      this.problem = problem;
    }

    JsonException under(String segment) {
      if (!path.isEmpty() && path.peekFirst().startsWith("[")) {
        path.addFirst(segment + path.removeFirst());
      } else {
        path.addFirst(segment);
      }
      return this;
    }

    @Override
    public String getMessage() {
      return path.isEmpty() ? problem : String.join(".", path) + ": " + problem;
    }
  }

  private static final JsonFactory JSON = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder()
          .maxNestingDepth(2 * OtlpValidator.MAX_DEPTH + 8).build())
      .build();

  private static final int WIRE_VARINT = 0;
  private static final int WIRE_FIXED64 = 1;
  private static final int WIRE_LEN = 2;
  private static final int WIRE_FIXED32 = 5;

  /** One field of a message, as the converter needs it. */
  private static final class Field {
    final FieldDescriptor fd;
    final int number;
    final FieldDescriptor.Type type;
    final boolean repeated;
    final boolean packed;
    /** Written even when it holds the default value (oneof members, proto3 {@code optional}). */
    final boolean presence;
    final boolean hexId;
    Msg message;

    Field(FieldDescriptor fd, boolean hexId) {
      this.fd = fd;
      this.number = fd.getNumber();
      this.type = fd.getType();
      this.repeated = fd.isRepeated();
      this.packed = fd.isPacked();
      this.presence = fd.hasPresence();
      this.hexId = hexId;
    }
  }

  /** A message: its fields by JSON name and by proto name. */
  private static final class Msg {
    final Map<String, Field> byName = new HashMap<>();
  }

  private static final Msg TRACES = table(ExportTraceServiceRequest.getDescriptor(), new IdentityHashMap<>());
  private static final Msg METRICS = table(ExportMetricsServiceRequest.getDescriptor(), new IdentityHashMap<>());
  private static final Msg LOGS = table(ExportLogsServiceRequest.getDescriptor(), new IdentityHashMap<>());

  private static Msg table(Descriptor d, Map<Descriptor, Msg> done) {
    Msg existing = done.get(d);
    if (existing != null) return existing;
    Msg m = new Msg();
    done.put(d, m);
    boolean idOwner = switch (d.getFullName()) {
      case "opentelemetry.proto.trace.v1.Span", "opentelemetry.proto.trace.v1.Span.Link",
          "opentelemetry.proto.logs.v1.LogRecord", "opentelemetry.proto.metrics.v1.Exemplar" -> true;
      default -> false;
    };
    for (FieldDescriptor fd : d.getFields()) {
      boolean hexId = idOwner && fd.getType() == FieldDescriptor.Type.BYTES
          && (fd.getName().equals("trace_id") || fd.getName().equals("span_id")
              || fd.getName().equals("parent_span_id"));
      Field f = new Field(fd, hexId);
      if (fd.getType() == FieldDescriptor.Type.MESSAGE) f.message = table(fd.getMessageType(), done);
      m.byName.put(fd.getJsonName(), f);
      m.byName.put(fd.getName(), f);
    }
    return m;
  }

  private OtlpJsonTranscoder() {}

  /** Converts {@code json[offset, offset+length)} to the protobuf encoding of the request. */
  public static byte[] toProtobuf(Signal signal, byte[] json, int offset, int length) throws JsonException {
    Msg root = switch (signal) {
      case TRACES -> TRACES;
      case METRICS -> METRICS;
      case LOGS -> LOGS;
    };
    WireBuffer out = new WireBuffer(length / 2 + 16);
    try (JsonParser p = JSON.createParser(json, offset, length)) {
      JsonToken t = p.nextToken();
      if (t != JsonToken.START_OBJECT) {
        throw new JsonException(t == null ? "empty JSON document" : "expected a JSON object, got " + describe(t));
      }
      message(p, root, out, 0);
      if (p.nextToken() != null) throw new JsonException("unexpected data after the JSON object");
    } catch (JsonProcessingException e) {
      String why = String.valueOf(e.getOriginalMessage());
      int cut = why.indexOf(" (start marker");
      if (cut > 0) why = why.substring(0, cut);
      cut = why.indexOf('\n');
      if (cut > 0) why = why.substring(0, cut);
      String where = e.getLocation() == null ? ""
          : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
      throw new JsonException("invalid JSON: " + why + where);
    } catch (IOException e) {
      throw new JsonException("invalid JSON: " + e.getMessage());
    }
    return out.toByteArray();
  }

  public static byte[] toProtobuf(Signal signal, byte[] json) throws JsonException {
    return toProtobuf(signal, json, 0, json.length);
  }

  /** Reads an object (the parser is on its START_OBJECT) into {@code out}. */
  private static void message(JsonParser p, Msg m, WireBuffer out, int depth) throws IOException, JsonException {
    if (depth > OtlpValidator.MAX_DEPTH) {
      throw new JsonException("messages nested deeper than " + OtlpValidator.MAX_DEPTH);
    }
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      Field f = m.byName.get(name);
      JsonToken v = p.nextToken();
      if (f == null) {
        p.skipChildren();
        continue;
      }
      if (v == JsonToken.VALUE_NULL) continue;
      try {
        if (f.repeated) {
          repeated(p, f, v, out, depth, name);
        } else {
          value(p, f, v, out, depth, false);
        }
      } catch (JsonException e) {
        throw e.under(name);
      }
    }
    if (t != JsonToken.END_OBJECT) throw new JsonException("unexpected " + describe(t));
  }

  private static void repeated(JsonParser p, Field f, JsonToken v, WireBuffer out, int depth, String name)
      throws IOException, JsonException {
    if (v != JsonToken.START_ARRAY) throw new JsonException("expected an array, got " + describe(v));
    boolean packed = f.packed;
    int tagStart = out.position();
    int mark = -1;
    if (packed) {
      out.tag(f.number, WIRE_LEN);
      mark = out.beginLength();
    }
    int index = 0;
    JsonToken e;
    while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
      if (e == null) throw new JsonException("unterminated array");
      try {
        if (e == JsonToken.VALUE_NULL) {
          throw new JsonException("null in a repeated field");
        }
        value(p, f, e, out, depth, packed);
      } catch (JsonException ex) {
        throw ex.under("[" + index + "]");
      }
      index++;
    }
    if (packed) {
      if (index == 0) out.truncate(tagStart); else out.endLength(mark);
    }
  }

  /**
   * Writes one value of {@code f}. With {@code bare} (inside a packed array) no tag is written
   * and defaults are kept.
   */
  private static void value(JsonParser p, Field f, JsonToken v, WireBuffer out, int depth, boolean bare)
      throws IOException, JsonException {
    boolean keepDefault = bare || f.presence || f.repeated;
    switch (f.type) {
      case MESSAGE -> {
        if (v != JsonToken.START_OBJECT) throw new JsonException("expected an object, got " + describe(v));
        out.tag(f.number, WIRE_LEN);
        int mark = out.beginLength();
        message(p, f.message, out, depth + 1);
        out.endLength(mark);
      }
      case STRING -> {
        if (v != JsonToken.VALUE_STRING) throw new JsonException("expected a string, got " + describe(v));
        String s = p.getText();
        if (s.isEmpty() && !keepDefault) return;
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.tag(f.number, WIRE_LEN);
        out.bytes(b, 0, b.length);
      }
      case BYTES -> {
        if (v != JsonToken.VALUE_STRING) throw new JsonException("expected a string, got " + describe(v));
        byte[] b = f.hexId ? hex(p.getText()) : base64(p.getText());
        if (b.length == 0 && !keepDefault) return;
        out.tag(f.number, WIRE_LEN);
        out.bytes(b, 0, b.length);
      }
      case BOOL -> {
        boolean b;
        if (v == JsonToken.VALUE_TRUE) b = true;
        else if (v == JsonToken.VALUE_FALSE) b = false;
        else if (v == JsonToken.VALUE_STRING && p.getText().equals("true")) b = true;
        else if (v == JsonToken.VALUE_STRING && p.getText().equals("false")) b = false;
        else throw new JsonException("expected true or false, got " + describe(v));
        if (!b && !keepDefault) return;
        if (!bare) out.tag(f.number, WIRE_VARINT);
        out.varint(b ? 1 : 0);
      }
      case DOUBLE -> {
        double d = floating(p, v);
        long bits = Double.doubleToRawLongBits(d);
        if (bits == 0 && !keepDefault) return;
        if (!bare) out.tag(f.number, WIRE_FIXED64);
        out.fixed64(bits);
      }
      case FLOAT -> {
        double d = floating(p, v);
        float fl = (float) d;
        if (Double.isFinite(d) && Float.isInfinite(fl)) throw new JsonException("out of range for float");
        int bits = Float.floatToRawIntBits(fl);
        if (bits == 0 && !keepDefault) return;
        if (!bare) out.tag(f.number, WIRE_FIXED32);
        out.fixed32(bits);
      }
      case ENUM -> {
        int n;
        if (v == JsonToken.VALUE_NUMBER_INT) {
          n = (int) integer(p, v, Integer.MIN_VALUE, Integer.MAX_VALUE, false);
        } else if (v == JsonToken.VALUE_STRING) {
          EnumValueDescriptor e = f.fd.getEnumType().findValueByName(p.getText());
          if (e == null) {
            // An integer written as a string, or an unknown name: the latter leaves the field unset.
            String text = p.getText();
            if (text.isEmpty() || !(Character.isDigit(text.charAt(0)) || text.charAt(0) == '-')) return;
            n = (int) integer(p, v, Integer.MIN_VALUE, Integer.MAX_VALUE, false);
          } else {
            n = e.getNumber();
          }
        } else {
          throw new JsonException("expected an enum name or number, got " + describe(v));
        }
        if (n == 0 && !keepDefault) return;
        if (!bare) out.tag(f.number, WIRE_VARINT);
        out.varint(n); // int32 semantics: negative values sign-extend to 10 bytes
      }
      case INT32, SINT32, SFIXED32 -> {
        int n = (int) integer(p, v, Integer.MIN_VALUE, Integer.MAX_VALUE, false);
        if (n == 0 && !keepDefault) return;
        switch (f.type) {
          case INT32 -> {
            if (!bare) out.tag(f.number, WIRE_VARINT);
            out.varint(n);
          }
          case SINT32 -> {
            if (!bare) out.tag(f.number, WIRE_VARINT);
            out.varint(((n << 1) ^ (n >> 31)) & 0xFFFFFFFFL);
          }
          default -> {
            if (!bare) out.tag(f.number, WIRE_FIXED32);
            out.fixed32(n);
          }
        }
      }
      case UINT32, FIXED32 -> {
        int n = (int) integer(p, v, 0, 0xFFFFFFFFL, false);
        if (n == 0 && !keepDefault) return;
        if (f.type == FieldDescriptor.Type.UINT32) {
          if (!bare) out.tag(f.number, WIRE_VARINT);
          out.varint(n & 0xFFFFFFFFL);
        } else {
          if (!bare) out.tag(f.number, WIRE_FIXED32);
          out.fixed32(n);
        }
      }
      case INT64, SINT64, SFIXED64 -> {
        long n = integer(p, v, Long.MIN_VALUE, Long.MAX_VALUE, false);
        if (n == 0 && !keepDefault) return;
        switch (f.type) {
          case INT64 -> {
            if (!bare) out.tag(f.number, WIRE_VARINT);
            out.varint(n);
          }
          case SINT64 -> {
            if (!bare) out.tag(f.number, WIRE_VARINT);
            out.varint((n << 1) ^ (n >> 63));
          }
          default -> {
            if (!bare) out.tag(f.number, WIRE_FIXED64);
            out.fixed64(n);
          }
        }
      }
      case UINT64, FIXED64 -> {
        long n = integer(p, v, 0, 0, true);
        if (n == 0 && !keepDefault) return;
        if (f.type == FieldDescriptor.Type.UINT64) {
          if (!bare) out.tag(f.number, WIRE_VARINT);
          out.varint(n);
        } else {
          if (!bare) out.tag(f.number, WIRE_FIXED64);
          out.fixed64(n);
        }
      }
      default -> throw new JsonException("unsupported field type " + f.type);
    }
  }

  private static final BigInteger UINT64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
  /** More integer digits than 2^64 - 1 has: out of range for every integer field. */
  private static final int MAX_INTEGER_DIGITS = 20;

  /**
   * The integer a decimal text such as {@code "1.5e3"} or {@code "1e2"} stands for. Judged from
   * precision and scale before any conversion: {@code "1e999999999"} would otherwise be expanded to
   * a billion digits (seconds of CPU and a message of megabytes).
   */
  private static BigInteger exactInteger(String text, JsonParser p) throws IOException, JsonException {
    BigDecimal d;
    try {
      d = new BigDecimal(text);
    } catch (NumberFormatException e) {
      throw new JsonException("expected an integer, got " + quote(shortened(p.getText())));
    }
    if (d.signum() == 0) return BigInteger.ZERO;
    if ((long) d.precision() - d.scale() > MAX_INTEGER_DIGITS) {
      throw new JsonException("integer out of range: " + shortened(text));
    }
    d = d.stripTrailingZeros();
    if (d.scale() > 0) throw new JsonException("expected an integer, got " + quote(shortened(p.getText())));
    return d.toBigIntegerExact();
  }

  /** At most 64 characters of a value, for error messages. */
  private static String shortened(String s) {
    return s.length() <= 64 ? s : s.substring(0, 64) + "… (" + s.length() + " characters)";
  }

  /**
   * An integer from a JSON number or a decimal string, checked against {@code [min, max]}; with
   * {@code unsigned64} the range is 0..2^64-1 and the result is the value's low 64 bits.
   */
  private static long integer(JsonParser p, JsonToken v, long min, long max, boolean unsigned64)
      throws IOException, JsonException {
    BigInteger value;
    if (v == JsonToken.VALUE_NUMBER_INT) {
      if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
        value = p.getBigIntegerValue();
      } else {
        long l = p.getLongValue();
        if (!unsigned64 && l >= min && l <= max) return l;
        value = BigInteger.valueOf(l);
      }
    } else if (v == JsonToken.VALUE_NUMBER_FLOAT || v == JsonToken.VALUE_STRING) {
      String text = p.getText().trim();
      if (v == JsonToken.VALUE_STRING) {
        // Fast path for the usual "1700000000000000000".
        long l = parseLongOrMin(text);
        if (l != Long.MIN_VALUE && !unsigned64 && l >= min && l <= max) return l;
        if (l != Long.MIN_VALUE && unsigned64 && l >= 0) return l;
      }
      value = exactInteger(text, p);
    } else {
      throw new JsonException("expected an integer, got " + describe(v));
    }
    if (unsigned64) {
      if (value.signum() < 0 || value.compareTo(UINT64_MAX) > 0) {
        throw new JsonException("integer out of range: " + value);
      }
      return value.longValue();
    }
    if (value.compareTo(BigInteger.valueOf(min)) < 0 || value.compareTo(BigInteger.valueOf(max)) > 0) {
      throw new JsonException("integer out of range: " + value);
    }
    return value.longValue();
  }

  /** Parses a plain decimal long; Long.MIN_VALUE when the text is anything else (or that value). */
  private static long parseLongOrMin(String s) {
    int n = s.length();
    if (n == 0 || n > 18) return Long.MIN_VALUE;
    int i = 0;
    boolean neg = false;
    if (s.charAt(0) == '-') {
      neg = true;
      i = 1;
      if (n == 1) return Long.MIN_VALUE;
    }
    long v = 0;
    for (; i < n; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') return Long.MIN_VALUE;
      v = v * 10 + (c - '0');
    }
    return neg ? -v : v;
  }

  private static double floating(JsonParser p, JsonToken v) throws IOException, JsonException {
    if (v == JsonToken.VALUE_NUMBER_INT || v == JsonToken.VALUE_NUMBER_FLOAT) return p.getDoubleValue();
    if (v == JsonToken.VALUE_STRING) {
      String s = p.getText();
      switch (s) {
        case "NaN" -> {
          return Double.NaN;
        }
        case "Infinity" -> {
          return Double.POSITIVE_INFINITY;
        }
        case "-Infinity" -> {
          return Double.NEGATIVE_INFINITY;
        }
        default -> {
          try {
            double d = Double.parseDouble(s.trim());
            if (Double.isNaN(d) || Double.isInfinite(d)) throw new NumberFormatException();
            return d;
          } catch (NumberFormatException e) {
            throw new JsonException("expected a number, got " + quote(s));
          }
        }
      }
    }
    throw new JsonException("expected a number, got " + describe(v));
  }

  private static byte[] hex(String s) throws JsonException {
    int n = s.length();
    if ((n & 1) != 0) throw new JsonException("invalid hex id " + quote(s) + " (odd length)");
    byte[] b = new byte[n / 2];
    for (int i = 0; i < n; i += 2) {
      int hi = Character.digit(s.charAt(i), 16);
      int lo = Character.digit(s.charAt(i + 1), 16);
      if (hi < 0 || lo < 0) throw new JsonException("invalid hex id " + quote(s));
      b[i / 2] = (byte) ((hi << 4) | lo);
    }
    return b;
  }

  private static byte[] base64(String s) throws JsonException {
    try {
      boolean url = s.indexOf('-') >= 0 || s.indexOf('_') >= 0;
      return (url ? Base64.getUrlDecoder() : Base64.getDecoder()).decode(s);
    } catch (IllegalArgumentException e) {
      throw new JsonException("invalid base64 " + quote(s));
    }
  }

  private static String describe(JsonToken t) {
    if (t == null) return "end of input";
    return switch (t) {
      case START_OBJECT -> "an object";
      case START_ARRAY -> "an array";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> t.asString() == null ? t.name() : t.asString();
    };
  }

  private static String quote(String s) {
    return '"' + (s.length() > 64 ? s.substring(0, 64) + "…" : s) + '"';
  }
}
