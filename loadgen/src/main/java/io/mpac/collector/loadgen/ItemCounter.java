package io.mpac.collector.loadgen;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import io.mpac.collector.pdata.Signal;
import java.io.IOException;

/**
 * Counts the items of an encoded OTLP export request by walking its tags: spans, metric data
 * points or log records. Never decodes a message; used by the null sink, whose cost must stay near
 * zero so that benchmarks measure the collector, not the sink.
 */
public final class ItemCounter {

  private ItemCounter() {}

  /** The number of items, or -1 if the bytes are not a well-formed request. */
  public static int count(Signal signal, byte[] request) {
    try {
      CodedInputStream in = CodedInputStream.newInstance(request);
      int items = 0;
      // Export*ServiceRequest.resource_* (1) -> Resource*.scope_* (2) -> Scope*: spans/log_records (2) or metrics (2).
      while (!in.isAtEnd()) {
        int tag = in.readTag();
        if (WireFormat.getTagFieldNumber(tag) != 1 || WireFormat.getTagWireType(tag) != WireFormat.WIRETYPE_LENGTH_DELIMITED) {
          in.skipField(tag);
          continue;
        }
        int limit = in.pushLimit(in.readRawVarint32());
        items += countInResource(in, signal);
        in.popLimit(limit);
      }
      return items;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  private static int countInResource(CodedInputStream in, Signal signal) throws IOException {
    int items = 0;
    while (!in.isAtEnd()) {
      int tag = in.readTag();
      if (WireFormat.getTagFieldNumber(tag) != 2) {
        in.skipField(tag);
        continue;
      }
      int limit = in.pushLimit(in.readRawVarint32());
      items += countInScope(in, signal);
      in.popLimit(limit);
    }
    return items;
  }

  private static int countInScope(CodedInputStream in, Signal signal) throws IOException {
    int items = 0;
    while (!in.isAtEnd()) {
      int tag = in.readTag();
      if (WireFormat.getTagFieldNumber(tag) != 2) {
        in.skipField(tag);
        continue;
      }
      if (signal != Signal.METRICS) {
        in.skipField(tag);
        items++;
        continue;
      }
      int limit = in.pushLimit(in.readRawVarint32());
      items += countInMetric(in);
      in.popLimit(limit);
    }
    return items;
  }

  /** Metric: gauge (5), sum (7), histogram (9), exponential_histogram (10), summary (11); points are field 1 of each. */
  private static int countInMetric(CodedInputStream in) throws IOException {
    int points = 0;
    while (!in.isAtEnd()) {
      int tag = in.readTag();
      int field = WireFormat.getTagFieldNumber(tag);
      if (field != 5 && field != 7 && field != 9 && field != 10 && field != 11) {
        in.skipField(tag);
        continue;
      }
      int limit = in.pushLimit(in.readRawVarint32());
      while (!in.isAtEnd()) {
        int t = in.readTag();
        if (WireFormat.getTagFieldNumber(t) == 1) points++;
        in.skipField(t);
      }
      in.popLimit(limit);
    }
    return points;
  }
}
