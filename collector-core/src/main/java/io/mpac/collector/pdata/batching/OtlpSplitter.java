package io.mpac.collector.pdata.batching;

import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits an encoded request at item boundaries, on the wire format (no protobuf object tree).
 *
 * <p>The walk goes down the request's nesting ({@link OtlpShape}: resource → scope → [metric →
 * data] → item). A child whose items all fit in the part being filled is copied as one byte range,
 * whatever it holds; only a child that straddles a part boundary is opened and re-framed: each
 * part gets its own copy of the child's header fields (resource, scope, schema_url; for metrics
 * the metric's name, description, unit, metadata and the data message's aggregation temporality
 * and monotonicity) followed by the items that fall into that part, with length prefixes
 * recomputed. Consecutive items are copied as one range. Containers without items (an empty
 * resource, scope or metric) travel with the part being filled, so nothing is lost or duplicated.
 *
 * <p>Parts are filled to the limit: the first part takes up to {@code firstMax} items and every
 * later part up to {@code max}. Field order inside a re-framed message changes (headers first),
 * which protobuf does not observe; the order of repeated elements is preserved.
 *
 * <p>Malformed input (truncated, bad tags, a child that is not a message) raises
 * {@link IllegalArgumentException} naming the offset.
 */
public final class OtlpSplitter {

  private OtlpSplitter() {}

  /** Items (spans, metric data points, log records) in an encoded request, counted by a tag walk. */
  public static int countItems(Signal signal, byte[] bytes) {
    return OtlpShape.of(signal).count(bytes, 0, bytes.length);
  }

  /** Splits {@code request} into parts of at most {@code max} items each. */
  public static List<OtlpRequest> split(OtlpRequest request, int max) {
    return split(request, max, max);
  }

  /**
   * Splits {@code request}: the first part holds at most {@code firstMax} items, the others at most
   * {@code max}. A request whose {@link OtlpRequest#itemCount()} is within {@code firstMax} is
   * returned as it is (the producer's count is trusted). Every part carries the request's metadata.
   */
  public static List<OtlpRequest> split(OtlpRequest request, int firstMax, int max) {
    if (firstMax < 1 || max < 1) throw new IllegalArgumentException("split limits must be >= 1");
    if (request.itemCount() <= firstMax) return List.of(request);
    return new Walk(request, firstMax, max).run();
  }

  /** A piece of a part's encoding: a byte range of the input, or a re-framed message. */
  private abstract static class Piece {}

  private static final class Raw extends Piece {
    final int start;
    int end;

    Raw(int start, int end) {
      this.start = start;
      this.end = end;
    }
  }

  private static final class Frame extends Piece {
    final int fieldNumber; // 0 for the request itself (no tag, no length)
    final ArrayList<Piece> pieces = new ArrayList<>(4);
    int bodySize;

    Frame(int fieldNumber) {
      this.fieldNumber = fieldNumber;
    }

    void addRaw(int start, int end) {
      if (!pieces.isEmpty() && pieces.get(pieces.size() - 1) instanceof Raw last && last.end == start) {
        last.end = end;
      } else {
        pieces.add(new Raw(start, end));
      }
    }

    /** Computes body sizes bottom-up; returns the encoded size of this frame in its parent. */
    int size() {
      int body = 0;
      for (Piece p : pieces) {
        body += p instanceof Raw r ? r.end - r.start : ((Frame) p).size();
      }
      bodySize = body;
      if (fieldNumber == 0) return body;
      return ProtoCursor.varintSize(fieldNumber << 3 | ProtoCursor.WIRE_LEN) + ProtoCursor.varintSize(body) + body;
    }

    int write(byte[] in, byte[] out, int pos) {
      if (fieldNumber != 0) {
        pos = ProtoCursor.writeVarint(out, pos, fieldNumber << 3 | ProtoCursor.WIRE_LEN);
        pos = ProtoCursor.writeVarint(out, pos, bodySize);
      }
      for (Piece p : pieces) {
        if (p instanceof Raw r) {
          System.arraycopy(in, r.start, out, pos, r.end - r.start);
          pos += r.end - r.start;
        } else {
          pos = ((Frame) p).write(in, out, pos);
        }
      }
      return pos;
    }
  }

  /** A message on the path from the request to the current position. */
  private static final class Open {
    int fieldNumber;
    int[] headers = new int[8]; // start, end pairs
    int headerCount;
    Frame frame; // its frame in the current part, or null until something is added there

    void reset(int fieldNumber) {
      this.fieldNumber = fieldNumber;
      headerCount = 0;
      frame = null;
    }

    void addHeader(int start, int end) {
      if (headerCount > 0 && headers[2 * headerCount - 1] == start) {
        headers[2 * headerCount - 1] = end;
        return;
      }
      if (2 * headerCount + 2 > headers.length) headers = java.util.Arrays.copyOf(headers, headers.length * 2);
      headers[2 * headerCount] = start;
      headers[2 * headerCount + 1] = end;
      headerCount++;
    }
  }

  private static final class Walk {
    private final OtlpRequest request;
    private final byte[] in;
    private final int max;
    private final Open[] path = new Open[6];
    private final List<OtlpRequest> parts = new ArrayList<>();
    private int limit;
    private int items;

    Walk(OtlpRequest request, int firstMax, int max) {
      this.request = request;
      this.in = request.bytes();
      this.max = max;
      this.limit = firstMax;
      for (int i = 0; i < path.length; i++) path[i] = new Open();
    }

    List<OtlpRequest> run() {
      path[0].reset(0);
      walk(OtlpShape.of(request.signal()), 0, in.length, 0);
      if (path[0].frame != null) finishPart();
      if (parts.isEmpty()) { // no items at all, whatever the producer counted
        parts.add(new OtlpRequest(request.signal(), in, 0, request.metadata()));
      }
      return parts;
    }

    private void walk(OtlpShape shape, int start, int end, int depth) {
      Open open = path[depth];
      ProtoCursor c = new ProtoCursor(in, start, end, shape.name);
      while (c.next()) {
        if (!shape.isChild(c.fieldNumber)) open.addHeader(c.fieldStart, c.fieldEnd());
      }
      c = new ProtoCursor(in, start, end, shape.name);
      while (c.next()) {
        if (!shape.isChild(c.fieldNumber)) continue;
        if (c.wireType != ProtoCursor.WIRE_LEN) throw c.malformed("field " + c.fieldNumber + " is not a message");
        if (shape.child == null) { // an item
          if (items >= limit) finishPart();
          append(depth, c.fieldStart, c.fieldEnd());
          items++;
          continue;
        }
        int n = shape.child.count(in, c.valueStart, c.valueEnd);
        if (n > 0 && items >= limit) finishPart();
        if (items + n <= limit) {
          append(depth, c.fieldStart, c.fieldEnd());
          items += n;
        } else {
          path[depth + 1].reset(c.fieldNumber);
          walk(shape.child, c.valueStart, c.valueEnd, depth + 1);
        }
      }
    }

    /** Appends an input range to the message at {@code depth}, opening its frames in this part. */
    private void append(int depth, int start, int end) {
      materialize(depth).addRaw(start, end);
    }

    private Frame materialize(int depth) {
      Open open = path[depth];
      if (open.frame == null) {
        Frame f = new Frame(open.fieldNumber);
        for (int i = 0; i < open.headerCount; i++) f.addRaw(open.headers[2 * i], open.headers[2 * i + 1]);
        // a fresh Raw per part: addRaw may extend the last piece in place
        if (depth > 0) materialize(depth - 1).pieces.add(f);
        open.frame = f;
      }
      return open.frame;
    }

    private void finishPart() {
      Frame root = path[0].frame;
      byte[] out = new byte[root.size()];
      int written = root.write(in, out, 0);
      if (written != out.length) throw new IllegalStateException("split size mismatch " + written + " != " + out.length);
      parts.add(new OtlpRequest(request.signal(), out, items, request.metadata()));
      for (Open o : path) o.frame = null;
      items = 0;
      limit = max;
    }
  }
}
