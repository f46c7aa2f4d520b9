package io.mpac.collector.loadgen;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.util.Arrays;

/**
 * Send-time stamps in encoded OTLP metric requests. The generator reuses 16 prebuilt requests per
 * worker; without a fresh time each resend would repeat its data points' timestamps, which a
 * Prometheus-bound pipeline rightly drops as out of order or duplicate. {@link #locate} finds every
 * gauge or sum data point's {@code time_unix_nano} (NumberDataPoint field 3, fixed64) once;
 * {@link #stamp} overwrites them with the send time (8 byte writes per point, no encoding).
 *
 * <p>Field numbers: ExportMetricsServiceRequest.resource_metrics = 1, ResourceMetrics.scope_metrics = 2,
 * ScopeMetrics.metrics = 2, Metric.gauge = 5 / Metric.sum = 7, Gauge/Sum.data_points = 1.
 */
public final class MetricTimes implements SendStamp {

  private static final int TIME_TAG = (3 << 3) | WireFormat.WIRETYPE_FIXED64;

  private final int[] offsets;

  private MetricTimes(int[] offsets) {
    this.offsets = offsets;
  }

  /**
   * Finds the time field of every gauge and sum data point in an encoded {@code ExportMetricsServiceRequest}.
   *
   * @throws IllegalArgumentException if the bytes are not a well-formed request, or a point has no
   *     time on the wire (a zero time is not encoded, so there is nothing to overwrite)
   */
  public static MetricTimes locate(byte[] request) {
    int[] found = new int[16];
    int n = 0;
    try {
      CodedInputStream in = CodedInputStream.newInstance(request);
      for (int rm : new Walk(in, 1)) {
        for (int sm : new Walk(in, 2)) {
          for (int m : new Walk(in, 2)) {
            for (int data : new Walk(in, 5, 7)) {
              for (int point : new Walk(in, 1)) {
                int offset = -1;
                while (!in.isAtEnd()) {
                  int tag = in.readTag();
                  if (tag == TIME_TAG) offset = in.getTotalBytesRead();
                  in.skipField(tag);
                }
                if (offset < 0) throw new IllegalArgumentException("data point " + n + " has no time_unix_nano to stamp");
                if (n == found.length) found = Arrays.copyOf(found, n * 2);
                found[n++] = offset;
              }
            }
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof IllegalArgumentException iae && iae.getMessage().startsWith("data point")) throw iae;
      throw new IllegalArgumentException("not a well-formed ExportMetricsServiceRequest: " + e.getMessage(), e);
    }
    return new MetricTimes(Arrays.copyOf(found, n));
  }

  /** The number of data points found. */
  public int points() {
    return offsets.length;
  }

  @Override
  public void stamp(byte[] request, long epochNanos) {
    for (int offset : offsets) {
      for (int i = 0; i < 8; i++) request[offset + i] = (byte) (epochNanos >>> (8 * i)); // little-endian
    }
  }

  /**
   * Iterates over the length-delimited occurrences of the given fields at the current level,
   * skipping other fields; inside the loop body the stream is limited to the occurrence.
   */
  private static final class Walk implements Iterable<Integer> {
    private final CodedInputStream in;
    private final int[] fields;

    Walk(CodedInputStream in, int... fields) {
      this.in = in;
      this.fields = fields;
    }

    @Override
    public java.util.Iterator<Integer> iterator() {
      return new java.util.Iterator<>() {
        private int openLimit = -1;

        @Override
        public boolean hasNext() {
          try {
            if (openLimit >= 0) {
              in.skipRawBytes(in.getBytesUntilLimit());
              in.popLimit(openLimit);
              openLimit = -1;
            }
            while (!in.isAtEnd()) {
              int tag = in.readTag();
              if (WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED
                  && Arrays.stream(fields).anyMatch(f -> f == WireFormat.getTagFieldNumber(tag))) {
                openLimit = in.pushLimit(in.readRawVarint32());
                return true;
              }
              in.skipField(tag);
            }
            return false;
          } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
          }
        }

        @Override
        public Integer next() {
          return openLimit;
        }
      };
    }
  }
}
