package io.mpac.collector.pdata;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Validates an encoded {@code Export{Traces,Metrics,Logs}ServiceRequest} in one streaming pass
 * over the protobuf wire format, and counts its items (spans, metric data points, log records).
 * No object tree is built and nothing is allocated on success.
 *
 * <p>A request is accepted only if every consumer that decodes it with protobuf-java (the
 * {@code io.opentelemetry.proto} classes, default recursion limit) will succeed, and if the ids
 * have their OTLP lengths. Checked:
 * <ul>
 *   <li>tags (field number &gt; 0, wire types 0, 1, 2, 5; groups only in unknown fields, balanced),
 *       varints at most 10 bytes, lengths non-negative and inside the enclosing message, no
 *       truncated value, packed fixed-size arrays a whole number of elements;
 *   <li>known fields carry their declared wire type (repeated scalars packed or not); unknown
 *       fields are skipped, as the protobuf rules for forward compatibility require;
 *   <li>{@code string} fields are valid UTF-8 (protobuf-java refuses proto3 strings that are not);
 *   <li>nesting at most {@value #MAX_DEPTH} messages deep (protobuf-java's recursion limit);
 *   <li>{@code Span.trace_id} 16 bytes and {@code Span.span_id} 8, likewise on {@code Span.Link};
 *       {@code Span.parent_span_id}, and the ids of {@code LogRecord} and {@code Exemplar}, empty
 *       or 16/8 bytes. Where a field occurs twice the last occurrence counts, as in protobuf.
 * </ul>
 *
 * <p>Counting follows protobuf's merge rules too: a {@code Metric} whose {@code data} oneof occurs
 * several times holds the data points of the last member (merged if the same member repeats).
 *
 * <p>The error names the place and the problem, e.g. {@code
 * resource_spans[0].scope_spans[1].spans[3].trace_id: expected 16 bytes, got 5}. The path is
 * built only when a request fails, by re-scanning the already validated prefix.
 *
 * <p>Thread-safe and stateless.
 */
public final class OtlpValidator {

  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  /** Deepest accepted message nesting below the request (protobuf-java's default limit). */
  public static final int MAX_DEPTH = 100;

  // Field kinds.
  private static final byte UNKNOWN = 0;
  private static final byte VARINT = 1;
  private static final byte FIXED64 = 2;
  private static final byte FIXED32 = 3;
  private static final byte STRING = 4;
  private static final byte BYTES = 5;
  private static final byte MESSAGE = 6;
  private static final byte PACKED_VARINT = 7; // repeated uint64: wire type 0 or packed 2
  private static final byte PACKED_FIXED64 = 8; // repeated fixed64/double: wire type 1 or packed 2
  private static final byte ID = 9;

  // How a message field contributes to the item count.
  private static final byte SUM = 0; // add the child's count
  private static final byte ITEM = 1; // each occurrence is one item
  private static final byte ONEOF_DATA = 2; // Metric.data: last member wins, same member merges

  private static final int WIRE_VARINT = 0;
  private static final int WIRE_FIXED64 = 1;
  private static final int WIRE_LEN = 2;
  private static final int WIRE_START_GROUP = 3;
  private static final int WIRE_END_GROUP = 4;
  private static final int WIRE_FIXED32 = 5;

  /** The schema of one message: a table indexed by field number. */
  private static final class Msg {
    final String name;
    byte[] kinds = new byte[0];
    Msg[] children = new Msg[0];
    String[] names = new String[0];
    boolean[] repeated = new boolean[0];
    byte[] counting = new byte[0];
    /** For ID fields: the id's length and its slot (0..2) for the last-occurrence check. */
    byte[] idLength = new byte[0];
    byte[] idSlot = new byte[0];
    boolean[] idOptional = new boolean[0];
    int idSlots;
    /** Slot → field number, to name the field in errors. */
    final int[] slotField = new int[3];

    Msg(String name) {
      this.name = name;
    }

    private void ensure(int field) {
      if (field >= kinds.length) {
        int n = field + 1;
        kinds = java.util.Arrays.copyOf(kinds, n);
        children = java.util.Arrays.copyOf(children, n);
        names = java.util.Arrays.copyOf(names, n);
        repeated = java.util.Arrays.copyOf(repeated, n);
        counting = java.util.Arrays.copyOf(counting, n);
        idLength = java.util.Arrays.copyOf(idLength, n);
        idSlot = java.util.Arrays.copyOf(idSlot, n);
        idOptional = java.util.Arrays.copyOf(idOptional, n);
      }
    }

    Msg scalar(int field, String name, byte kind) {
      ensure(field);
      kinds[field] = kind;
      names[field] = name;
      repeated[field] = kind == PACKED_VARINT || kind == PACKED_FIXED64;
      return this;
    }

    Msg repeatedString(int field, String name) {
      scalar(field, name, STRING);
      repeated[field] = true;
      return this;
    }

    Msg message(int field, String name, Msg child) {
      return message(field, name, child, false, SUM);
    }

    Msg messages(int field, String name, Msg child) {
      return message(field, name, child, true, SUM);
    }

    Msg message(int field, String name, Msg child, boolean rep, byte count) {
      ensure(field);
      kinds[field] = MESSAGE;
      names[field] = name;
      children[field] = child;
      repeated[field] = rep;
      counting[field] = count;
      return this;
    }

    Msg id(int field, String name, int length, boolean optional) {
      ensure(field);
      kinds[field] = ID;
      names[field] = name;
      idLength[field] = (byte) length;
      idOptional[field] = optional;
      idSlot[field] = (byte) idSlots;
      slotField[idSlots++] = field;
      return this;
    }
  }

  private static final Msg TRACES_REQUEST;
  private static final Msg METRICS_REQUEST;
  private static final Msg LOGS_REQUEST;

  static {
    Msg anyValue = new Msg("AnyValue");
    Msg keyValue = new Msg("KeyValue");
    Msg arrayValue = new Msg("ArrayValue").messages(1, "values", anyValue);
    Msg kvList = new Msg("KeyValueList").messages(1, "values", keyValue);
    anyValue.scalar(1, "string_value", STRING).scalar(2, "bool_value", VARINT)
        .scalar(3, "int_value", VARINT).scalar(4, "double_value", FIXED64)
        .message(5, "array_value", arrayValue).message(6, "kvlist_value", kvList)
        .scalar(7, "bytes_value", BYTES).scalar(8, "string_value_strindex", VARINT);
    keyValue.scalar(1, "key", STRING).message(2, "value", anyValue).scalar(3, "key_strindex", VARINT);
    Msg entityRef = new Msg("EntityRef").scalar(1, "schema_url", STRING).scalar(2, "type", STRING)
        .repeatedString(3, "id_keys").repeatedString(4, "description_keys");
    Msg resource = new Msg("Resource").messages(1, "attributes", keyValue)
        .scalar(2, "dropped_attributes_count", VARINT).messages(3, "entity_refs", entityRef);
    Msg scope = new Msg("InstrumentationScope").scalar(1, "name", STRING).scalar(2, "version", STRING)
        .messages(3, "attributes", keyValue).scalar(4, "dropped_attributes_count", VARINT);

    // Traces.
    Msg event = new Msg("Span.Event").scalar(1, "time_unix_nano", FIXED64).scalar(2, "name", STRING)
        .messages(3, "attributes", keyValue).scalar(4, "dropped_attributes_count", VARINT);
    Msg link = new Msg("Span.Link").id(1, "trace_id", 16, false).id(2, "span_id", 8, false)
        .scalar(3, "trace_state", STRING).messages(4, "attributes", keyValue)
        .scalar(5, "dropped_attributes_count", VARINT).scalar(6, "flags", FIXED32);
    Msg status = new Msg("Status").scalar(2, "message", STRING).scalar(3, "code", VARINT);
    Msg span = new Msg("Span").id(1, "trace_id", 16, false).id(2, "span_id", 8, false)
        .scalar(3, "trace_state", STRING).id(4, "parent_span_id", 8, true).scalar(5, "name", STRING)
        .scalar(6, "kind", VARINT).scalar(7, "start_time_unix_nano", FIXED64)
        .scalar(8, "end_time_unix_nano", FIXED64).messages(9, "attributes", keyValue)
        .scalar(10, "dropped_attributes_count", VARINT).messages(11, "events", event)
        .scalar(12, "dropped_events_count", VARINT).messages(13, "links", link)
        .scalar(14, "dropped_links_count", VARINT).message(15, "status", status)
        .scalar(16, "flags", FIXED32);
    Msg scopeSpans = new Msg("ScopeSpans").message(1, "scope", scope)
        .message(2, "spans", span, true, ITEM).scalar(3, "schema_url", STRING);
    Msg resourceSpans = new Msg("ResourceSpans").message(1, "resource", resource)
        .messages(2, "scope_spans", scopeSpans).scalar(3, "schema_url", STRING);
    TRACES_REQUEST = new Msg("ExportTraceServiceRequest").messages(1, "resource_spans", resourceSpans);

    // Metrics.
    Msg exemplar = new Msg("Exemplar").messages(7, "filtered_attributes", keyValue)
        .scalar(2, "time_unix_nano", FIXED64).scalar(3, "as_double", FIXED64)
        .scalar(6, "as_int", FIXED64).id(5, "trace_id", 16, true).id(4, "span_id", 8, true);
    Msg number = new Msg("NumberDataPoint").messages(7, "attributes", keyValue)
        .scalar(2, "start_time_unix_nano", FIXED64).scalar(3, "time_unix_nano", FIXED64)
        .scalar(4, "as_double", FIXED64).scalar(6, "as_int", FIXED64)
        .messages(5, "exemplars", exemplar).scalar(8, "flags", VARINT);
    Msg histogramPoint = new Msg("HistogramDataPoint").messages(9, "attributes", keyValue)
        .scalar(2, "start_time_unix_nano", FIXED64).scalar(3, "time_unix_nano", FIXED64)
        .scalar(4, "count", FIXED64).scalar(5, "sum", FIXED64)
        .scalar(6, "bucket_counts", PACKED_FIXED64).scalar(7, "explicit_bounds", PACKED_FIXED64)
        .messages(8, "exemplars", exemplar).scalar(10, "flags", VARINT)
        .scalar(11, "min", FIXED64).scalar(12, "max", FIXED64);
    Msg buckets = new Msg("ExponentialHistogramDataPoint.Buckets").scalar(1, "offset", VARINT)
        .scalar(2, "bucket_counts", PACKED_VARINT);
    Msg expPoint = new Msg("ExponentialHistogramDataPoint").messages(1, "attributes", keyValue)
        .scalar(2, "start_time_unix_nano", FIXED64).scalar(3, "time_unix_nano", FIXED64)
        .scalar(4, "count", FIXED64).scalar(5, "sum", FIXED64).scalar(6, "scale", VARINT)
        .scalar(7, "zero_count", FIXED64).message(8, "positive", buckets)
        .message(9, "negative", buckets).scalar(10, "flags", VARINT)
        .messages(11, "exemplars", exemplar).scalar(12, "min", FIXED64).scalar(13, "max", FIXED64)
        .scalar(14, "zero_threshold", FIXED64);
    Msg quantile = new Msg("SummaryDataPoint.ValueAtQuantile").scalar(1, "quantile", FIXED64)
        .scalar(2, "value", FIXED64);
    Msg summaryPoint = new Msg("SummaryDataPoint").messages(7, "attributes", keyValue)
        .scalar(2, "start_time_unix_nano", FIXED64).scalar(3, "time_unix_nano", FIXED64)
        .scalar(4, "count", FIXED64).scalar(5, "sum", FIXED64)
        .messages(6, "quantile_values", quantile).scalar(8, "flags", VARINT);
    Msg gauge = new Msg("Gauge").message(1, "data_points", number, true, ITEM);
    Msg sum = new Msg("Sum").message(1, "data_points", number, true, ITEM)
        .scalar(2, "aggregation_temporality", VARINT).scalar(3, "is_monotonic", VARINT);
    Msg histogram = new Msg("Histogram").message(1, "data_points", histogramPoint, true, ITEM)
        .scalar(2, "aggregation_temporality", VARINT);
    Msg expHistogram = new Msg("ExponentialHistogram").message(1, "data_points", expPoint, true, ITEM)
        .scalar(2, "aggregation_temporality", VARINT);
    Msg summary = new Msg("Summary").message(1, "data_points", summaryPoint, true, ITEM);
    Msg metric = new Msg("Metric").scalar(1, "name", STRING).scalar(2, "description", STRING)
        .scalar(3, "unit", STRING).message(5, "gauge", gauge, false, ONEOF_DATA)
        .message(7, "sum", sum, false, ONEOF_DATA).message(9, "histogram", histogram, false, ONEOF_DATA)
        .message(10, "exponential_histogram", expHistogram, false, ONEOF_DATA)
        .message(11, "summary", summary, false, ONEOF_DATA).messages(12, "metadata", keyValue);
    Msg scopeMetrics = new Msg("ScopeMetrics").message(1, "scope", scope)
        .messages(2, "metrics", metric).scalar(3, "schema_url", STRING);
    Msg resourceMetrics = new Msg("ResourceMetrics").message(1, "resource", resource)
        .messages(2, "scope_metrics", scopeMetrics).scalar(3, "schema_url", STRING);
    METRICS_REQUEST = new Msg("ExportMetricsServiceRequest").messages(1, "resource_metrics", resourceMetrics);

    // Logs.
    Msg logRecord = new Msg("LogRecord").scalar(1, "time_unix_nano", FIXED64)
        .scalar(11, "observed_time_unix_nano", FIXED64).scalar(2, "severity_number", VARINT)
        .scalar(3, "severity_text", STRING).message(5, "body", anyValue)
        .messages(6, "attributes", keyValue).scalar(7, "dropped_attributes_count", VARINT)
        .scalar(8, "flags", FIXED32).id(9, "trace_id", 16, true).id(10, "span_id", 8, true)
        .scalar(12, "event_name", STRING);
    Msg scopeLogs = new Msg("ScopeLogs").message(1, "scope", scope)
        .message(2, "log_records", logRecord, true, ITEM).scalar(3, "schema_url", STRING);
    Msg resourceLogs = new Msg("ResourceLogs").message(1, "resource", resource)
        .messages(2, "scope_logs", scopeLogs).scalar(3, "schema_url", STRING);
    LOGS_REQUEST = new Msg("ExportLogsServiceRequest").messages(1, "resource_logs", resourceLogs);
  }

  private OtlpValidator() {}

  /**
   * Validates {@code bytes} as the export request of {@code signal} and returns its item count.
   *
   * @throws InvalidOtlpException naming the first problem found
   */
  public static int validateAndCount(Signal signal, byte[] bytes) throws InvalidOtlpException {
    return validateAndCount(signal, bytes, 0, bytes.length);
  }

  /** As {@link #validateAndCount(Signal, byte[])} for {@code bytes[offset, offset+length)}. */
  public static int validateAndCount(Signal signal, byte[] bytes, int offset, int length)
      throws InvalidOtlpException {
    if (offset < 0 || length < 0 || offset + length > bytes.length || offset + length < 0) {
      throw new IndexOutOfBoundsException("offset " + offset + ", length " + length + ", size " + bytes.length);
    }
    Msg root = switch (signal) {
      case TRACES -> TRACES_REQUEST;
      case METRICS -> METRICS_REQUEST;
      case LOGS -> LOGS_REQUEST;
    };
    return walk(root, bytes, offset, offset + length, 0);
  }

  /** Walks one message in {@code b[pos, end)} at nesting {@code depth}; returns its item count. */
  private static int walk(Msg m, byte[] b, int start, int end, int depth) throws InvalidOtlpException {
    int pos = start;
    int items = 0;
    int dataCase = 0;
    int id0 = -1;
    int id1 = -1;
    int id2 = -1;
    byte[] kinds = m.kinds;
    while (pos < end) {
      int tagPos = pos;
      int tag = b[pos];
      if (tag >= 0) { // one-byte tag: fields 1..15, the common case
        pos++;
      } else {
        tag = (int) varint(b, pos, end);
        pos = varintEnd(b, pos);
      }
      int field = tag >>> 3;
      int wire = tag & 7;
      if (field == 0) throw new InvalidOtlpException(tagPos, "invalid tag (field number 0)");
      byte kind = field < kinds.length ? kinds[field] : UNKNOWN;
      try {
        switch (kind) {
          case UNKNOWN -> pos = skip(b, pos, end, field, wire, depth);
          case VARINT -> {
            expectWire(wire, WIRE_VARINT, tagPos);
            pos = skipVarint(b, pos, end);
          }
          case FIXED64 -> {
            expectWire(wire, WIRE_FIXED64, tagPos);
            pos = fixed(pos, end, 8, tagPos);
          }
          case FIXED32 -> {
            expectWire(wire, WIRE_FIXED32, tagPos);
            pos = fixed(pos, end, 4, tagPos);
          }
          case STRING -> {
            expectWire(wire, WIRE_LEN, tagPos);
            long r = delimited(b, pos, end, tagPos);
            int from = (int) (r >>> 32);
            int stop = from + (int) r;
            if (!isValidUtf8(b, from, stop)) throw new InvalidOtlpException(tagPos, "invalid UTF-8");
            pos = stop;
          }
          case BYTES -> {
            expectWire(wire, WIRE_LEN, tagPos);
            long r = delimited(b, pos, end, tagPos);
            pos = (int) (r >>> 32) + (int) r;
          }
          case ID -> {
            expectWire(wire, WIRE_LEN, tagPos);
            long r = delimited(b, pos, end, tagPos);
            int len = (int) r;
            pos = (int) (r >>> 32) + len;
            switch (m.idSlot[field]) {
              case 0 -> id0 = len;
              case 1 -> id1 = len;
              default -> id2 = len;
            }
          }
          case PACKED_VARINT -> {
            if (wire == WIRE_VARINT) {
              varint(b, pos, end);
              pos = varintEnd(b, pos);
            } else {
              expectWire(wire, WIRE_LEN, tagPos);
              int len = length(b, pos, end, tagPos);
              int from = varintEnd(b, pos);
              int stop = from + len;
              for (int p = from; p < stop; p = varintEnd(b, p)) varint(b, p, stop);
              pos = stop;
            }
          }
          case PACKED_FIXED64 -> {
            if (wire == WIRE_FIXED64) {
              pos = fixed(pos, end, 8, tagPos);
            } else {
              expectWire(wire, WIRE_LEN, tagPos);
              int len = length(b, pos, end, tagPos);
              if ((len & 7) != 0) {
                throw new InvalidOtlpException(tagPos, "packed array of 8-byte values has length " + len);
              }
              pos = varintEnd(b, pos) + len;
            }
          }
          case MESSAGE -> {
            expectWire(wire, WIRE_LEN, tagPos);
            long r = delimited(b, pos, end, tagPos);
            int from = (int) (r >>> 32);
            int stop = from + (int) r;
            if (depth >= MAX_DEPTH) {
              throw new InvalidOtlpException(tagPos, "messages nested deeper than " + MAX_DEPTH);
            }
            int n = walk(m.children[field], b, from, stop, depth + 1);
            switch (m.counting[field]) {
              case ITEM -> items++;
              case ONEOF_DATA -> {
                if (field == dataCase) {
                  items += n;
                } else {
                  dataCase = field;
                  items = n;
                }
              }
              default -> items += n;
            }
            pos = stop;
          }
          default -> throw new AssertionError(kind);
        }
      } catch (InvalidOtlpException e) {
        throw e.under(fieldLabel(m, b, start, tagPos, field));
      }
    }
    if (m.idSlots > 0) {
      checkId(m, 0, id0);
      if (m.idSlots > 1) checkId(m, 1, id1);
      if (m.idSlots > 2) checkId(m, 2, id2);
    }
    return items;
  }

  /** Names a field for an error path; a repeated field gets its index, found by re-scanning. */
  private static String fieldLabel(Msg m, byte[] b, int messageStart, int tagPos, int field) {
    String name = field < m.names.length && m.names[field] != null ? m.names[field] : "field " + field;
    if (field < m.repeated.length && m.repeated[field]) {
      return name + "[" + occurrencesBefore(b, messageStart, tagPos, field) + "]";
    }
    return name;
  }

  private static void checkId(Msg m, int slot, int len) throws InvalidOtlpException {
    int field = m.slotField[slot];
    int want = m.idLength[field];
    if (len == want || (len <= 0 && m.idOptional[field])) return;
    String problem = len < 0 ? "missing (expected " + want + " bytes)" : "expected " + want + " bytes, got " + len;
    throw new InvalidOtlpException(-1, problem).under(m.names[field]);
  }

  private static void expectWire(int wire, int expected, int tagPos) throws InvalidOtlpException {
    if (wire != expected) {
      throw new InvalidOtlpException(tagPos, "wire type " + wire + " where " + expected + " is declared");
    }
  }

  private static int fixed(int pos, int end, int size, int tagPos) throws InvalidOtlpException {
    if (end - pos < size) throw new InvalidOtlpException(tagPos, "truncated " + size + "-byte value");
    return pos + size;
  }

  /** Skips an unknown field's value; returns the position after it. */
  private static int skip(byte[] b, int pos, int end, int field, int wire, int depth)
      throws InvalidOtlpException {
    switch (wire) {
      case WIRE_VARINT -> {
        varint(b, pos, end);
        return varintEnd(b, pos);
      }
      case WIRE_FIXED64 -> {
        return fixed(pos, end, 8, pos);
      }
      case WIRE_FIXED32 -> {
        return fixed(pos, end, 4, pos);
      }
      case WIRE_LEN -> {
        int len = length(b, pos, end, pos);
        return varintEnd(b, pos) + len;
      }
      case WIRE_START_GROUP -> {
        if (depth >= MAX_DEPTH) throw new InvalidOtlpException(pos, "groups nested deeper than " + MAX_DEPTH);
        while (true) {
          if (pos >= end) throw new InvalidOtlpException(pos, "unterminated group");
          int tag = (int) varint(b, pos, end);
          pos = varintEnd(b, pos);
          int f = tag >>> 3;
          int w = tag & 7;
          if (f == 0) throw new InvalidOtlpException(pos, "invalid tag (field number 0)");
          if (w == WIRE_END_GROUP) {
            if (f != field) throw new InvalidOtlpException(pos, "end-group tag does not match its start");
            return pos;
          }
          pos = skip(b, pos, end, f, w, depth + 1);
        }
      }
      case WIRE_END_GROUP -> throw new InvalidOtlpException(pos, "end-group tag without a start");
      default -> throw new InvalidOtlpException(pos, "invalid wire type " + wire);
    }
  }

  /** The position after a valid varint at {@code pos}; a one-byte varint (the common case) without a loop. */
  private static int skipVarint(byte[] b, int pos, int end) throws InvalidOtlpException {
    if (pos < end && b[pos] >= 0) return pos + 1;
    varint(b, pos, end);
    return varintEnd(b, pos);
  }

  /**
   * Reads a length prefix at {@code pos} and checks the value fits before {@code end}; returns the
   * value's start in the high 32 bits and its length in the low 32. A one-byte prefix (lengths up
   * to 127, most strings and ids) takes the short path.
   */
  private static long delimited(byte[] b, int pos, int end, int tagPos) throws InvalidOtlpException {
    if (pos < end) {
      int len = b[pos];
      if (len >= 0) {
        int start = pos + 1;
        if (len > end - start) {
          throw new InvalidOtlpException(tagPos, "truncated (length " + len + " exceeds the " + (end - start)
              + " bytes left)");
        }
        return ((long) start << 32) | len;
      }
    }
    int len = length(b, pos, end, tagPos);
    return ((long) varintEnd(b, pos) << 32) | len;
  }

  /** Reads a varint at {@code pos}; protobuf accepts up to 10 bytes. */
  private static long varint(byte[] b, int pos, int end) throws InvalidOtlpException {
    long result = 0;
    for (int shift = 0, i = pos; shift < 70; shift += 7, i++) {
      if (i >= end) throw new InvalidOtlpException(pos, "truncated varint");
      byte x = b[i];
      result |= (long) (x & 0x7f) << shift;
      if (x >= 0) return result;
    }
    throw new InvalidOtlpException(pos, "varint longer than 10 bytes");
  }

  /** The position after a varint already read successfully by {@link #varint}. */
  private static int varintEnd(byte[] b, int pos) {
    while (b[pos] < 0) pos++;
    return pos + 1;
  }

  /** Reads the length prefix at {@code pos} and checks it fits before {@code end}. */
  private static int length(byte[] b, int pos, int end, int tagPos) throws InvalidOtlpException {
    int len = (int) varint(b, pos, end);
    int start = varintEnd(b, pos);
    if (len < 0) throw new InvalidOtlpException(tagPos, "negative length " + len);
    if (len > end - start) {
      throw new InvalidOtlpException(tagPos, "truncated (length " + len + " exceeds the " + (end - start)
          + " bytes left)");
    }
    return len;
  }

  /** How many fields numbered {@code field} occur in {@code b[start, stop)} (already validated). */
  private static int occurrencesBefore(byte[] b, int start, int stop, int field) {
    int n = 0;
    int pos = start;
    try {
      while (pos < stop) {
        int tag = (int) varint(b, pos, stop);
        pos = varintEnd(b, pos);
        int f = tag >>> 3;
        if (f == field) n++;
        pos = skip(b, pos, stop, f, tag & 7, 0);
      }
    } catch (InvalidOtlpException e) {
      // The prefix was validated; cannot happen.
    }
    return n;
  }

  /**
   * True when {@code b[from, to)} is well-formed UTF-8 (no overlong forms, no surrogates, nothing
   * above U+10FFFF), the rule protobuf-java applies to proto3 strings.
   */
  public static boolean isValidUtf8(byte[] b, int from, int to) {
    int i = from;
    // ASCII, eight bytes at a time: no byte has its top bit set.
    while (to - i >= 8 && ((long) LONGS.get(b, i) & 0x8080808080808080L) == 0) i += 8;
    while (i < to && b[i] >= 0) i++;
    while (i < to) {
      int c = b[i++];
      if (c >= 0) continue;
      if (c < (byte) 0xE0) { // two bytes: C2..DF 80..BF
        if (i >= to || c < (byte) 0xC2 || b[i++] > (byte) 0xBF) return false;
      } else if (c < (byte) 0xF0) { // three bytes
        if (i + 1 >= to) return false;
        int c2 = b[i++];
        if (c2 > (byte) 0xBF
            || (c == (byte) 0xE0 && c2 < (byte) 0xA0)
            || (c == (byte) 0xED && c2 >= (byte) 0xA0)
            || b[i++] > (byte) 0xBF) {
          return false;
        }
      } else { // four bytes
        if (i + 2 >= to) return false;
        int c2 = b[i++];
        if (c2 > (byte) 0xBF
            || (((c << 28) + (c2 - (byte) 0x90)) >> 30) != 0
            || b[i++] > (byte) 0xBF
            || b[i++] > (byte) 0xBF) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * A request is not well-formed OTLP. {@link #getMessage()} is {@code path: problem}; no stack
   * trace (this is flow control on a hot path).
   */
  public static final class InvalidOtlpException extends Exception {
    private final String problem;
    private final int offset;
    private final Deque<String> path = new ArrayDeque<>();

    InvalidOtlpException(int offset, String problem) {
      super(problem, null, false, false);
      this.problem = problem;
      this.offset = offset;
    }

    /** The byte offset of the offending tag or value, or -1 (e.g. for a missing id). */
    public int offset() {
      return offset;
    }

    InvalidOtlpException under(String segment) {
      path.addFirst(segment);
      return this;
    }

    /** The problem without the path, e.g. {@code expected 16 bytes, got 5}. */
    public String problem() {
      return problem;
    }

    /** Where, e.g. {@code resource_spans[0].scope_spans[1].spans[3].trace_id}; empty at the top. */
    public String path() {
      return String.join(".", path);
    }

    @Override
    public String getMessage() {
      return path.isEmpty() ? problem : path() + ": " + problem;
    }
  }
}
