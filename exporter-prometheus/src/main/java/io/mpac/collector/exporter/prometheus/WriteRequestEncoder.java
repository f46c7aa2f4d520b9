package io.mpac.collector.exporter.prometheus;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.mpac.collector.prometheus.Exemplar;
import io.mpac.collector.prometheus.HistogramSample;
import io.mpac.collector.prometheus.Labels;
import io.mpac.collector.prometheus.Metadata;
import io.mpac.collector.prometheus.NativeHistogram;
import io.mpac.collector.prometheus.Sample;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Encodes remote write 1.0's {@code prometheus.WriteRequest} by hand (there is no maintained Java
 * artifact for {@code prompb}): sizes are computed first, then the message is written into one
 * exactly-sized array.
 *
 * <pre>
 * WriteRequest  { repeated TimeSeries timeseries = 1; repeated MetricMetadata metadata = 3; }
 * TimeSeries    { repeated Label labels = 1; repeated Sample samples = 2;
 *                 repeated Exemplar exemplars = 3; repeated Histogram histograms = 4; }
 * Label         { string name = 1; string value = 2; }
 * Sample        { double value = 1; int64 timestamp = 2; }
 * Exemplar      { repeated Label labels = 1; double value = 2; int64 timestamp = 3; }
 * Histogram     { uint64 count_int = 1; double sum = 3; sint32 schema = 4; double zero_threshold = 5;
 *                 uint64 zero_count_int = 6; repeated BucketSpan negative_spans = 8;
 *                 repeated sint64 negative_deltas = 9; repeated BucketSpan positive_spans = 11;
 *                 repeated sint64 positive_deltas = 12; ResetHint reset_hint = 14; int64 timestamp = 15; }
 * BucketSpan    { sint32 offset = 1; uint32 length = 2; }
 * MetricMetadata{ MetricType type = 1; string metric_family_name = 2; string help = 4; string unit = 5; }
 * </pre>
 *
 * Zero scalars are left out (proto3), except the {@code oneof} counts of a histogram.
 */
final class WriteRequestEncoder {

  private static final int LEN = WireFormat.WIRETYPE_LENGTH_DELIMITED;

  private WriteRequestEncoder() {}

  /** Samples, exemplars and histograms of one series, in time order. */
  static final class SeriesGroup {
    final Labels labels;
    final List<Sample> samples = new ArrayList<>(2);
    final List<Exemplar> exemplars = new ArrayList<>(0);
    final List<HistogramSample> histograms = new ArrayList<>(0);

    SeriesGroup(Labels labels) {
      this.labels = labels;
    }
  }

  /**
   * Groups entries ({@link Sample}s and {@link HistogramSample}s) by series, keeping time order
   * within a series, and gives each group its wire labels ({@code labelMapper}).
   */
  static List<SeriesGroup> group(List<Object> entries, java.util.function.UnaryOperator<Labels> labelMapper,
      boolean withExemplars) {
    Map<Labels, SeriesGroup> groups = new LinkedHashMap<>(entries.size() * 2);
    for (Object e : entries) {
      if (e instanceof Sample s) {
        SeriesGroup g = groups.computeIfAbsent(s.labels(), k -> new SeriesGroup(labelMapper.apply(k)));
        g.samples.add(s);
        if (withExemplars && !s.exemplars().isEmpty()) g.exemplars.addAll(s.exemplars());
      } else if (e instanceof HistogramSample h) {
        SeriesGroup g = groups.computeIfAbsent(h.labels(), k -> new SeriesGroup(labelMapper.apply(k)));
        g.histograms.add(h);
        if (withExemplars && !h.exemplars().isEmpty()) g.exemplars.addAll(h.exemplars());
      }
    }
    List<SeriesGroup> out = new ArrayList<>(groups.values());
    for (SeriesGroup g : out) {
      if (!sortedSamples(g.samples)) g.samples.sort((a, b) -> Long.compare(a.timestampMs(), b.timestampMs()));
      if (g.histograms.size() > 1) g.histograms.sort((a, b) -> Long.compare(a.timestampMs(), b.timestampMs()));
      if (g.exemplars.size() > 1) g.exemplars.sort((a, b) -> Long.compare(a.timestampMs(), b.timestampMs()));
    }
    return out;
  }

  private static boolean sortedSamples(List<Sample> samples) {
    for (int i = 1; i < samples.size(); i++) {
      if (samples.get(i).timestampMs() < samples.get(i - 1).timestampMs()) return false;
    }
    return true;
  }

  /** The encoded {@code WriteRequest}. */
  static byte[] encode(List<SeriesGroup> series, List<Metadata> metadata) {
    int[] sizes = new int[series.size()];
    int total = 0;
    for (int i = 0; i < sizes.length; i++) {
      int s = timeSeriesSize(series.get(i));
      sizes[i] = s;
      total += 1 + CodedOutputStream.computeUInt32SizeNoTag(s) + s;
    }
    for (Metadata m : metadata) {
      int s = metadataSize(m);
      total += 1 + CodedOutputStream.computeUInt32SizeNoTag(s) + s;
    }
    byte[] out = new byte[total];
    CodedOutputStream cos = CodedOutputStream.newInstance(out);
    try {
      for (int i = 0; i < sizes.length; i++) {
        cos.writeTag(1, LEN);
        cos.writeUInt32NoTag(sizes[i]);
        writeTimeSeries(cos, series.get(i));
      }
      for (Metadata m : metadata) {
        cos.writeTag(3, LEN);
        cos.writeUInt32NoTag(metadataSize(m));
        writeMetadata(cos, m);
      }
      cos.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new UncheckedIOException("encoding WriteRequest", e); // cannot happen with an exact-size array
    }
    return out;
  }

  // ------------------------------------------------------------ sizes

  private static int lenField(int fieldNumber, int size) {
    return CodedOutputStream.computeTagSize(fieldNumber) + CodedOutputStream.computeUInt32SizeNoTag(size) + size;
  }

  private static int labelSize(String name, String value) {
    return CodedOutputStream.computeStringSize(1, name) + CodedOutputStream.computeStringSize(2, value);
  }

  private static int labelsSize(Labels labels) {
    int s = 0;
    for (int i = 0; i < labels.size(); i++) s += lenField(1, labelSize(labels.name(i), labels.value(i)));
    return s;
  }

  private static int sampleSize(Sample s) {
    int size = 0;
    if (Double.doubleToRawLongBits(s.value()) != 0) size += 9;
    if (s.timestampMs() != 0) size += CodedOutputStream.computeInt64Size(2, s.timestampMs());
    return size;
  }

  private static int exemplarSize(Exemplar e) {
    int size = labelsSize(e.labels());
    if (Double.doubleToRawLongBits(e.value()) != 0) size += 9;
    if (e.timestampMs() != 0) size += CodedOutputStream.computeInt64Size(3, e.timestampMs());
    return size;
  }

  private static int spansSize(int[] spans, int fieldNumber) {
    int s = 0;
    for (int i = 0; i < spans.length; i += 2) s += lenField(fieldNumber, spanSize(spans[i], spans[i + 1]));
    return s;
  }

  private static int spanSize(int offset, int length) {
    int s = 0;
    if (offset != 0) s += CodedOutputStream.computeSInt32Size(1, offset);
    if (length != 0) s += CodedOutputStream.computeUInt32Size(2, length);
    return s;
  }

  private static int packedSInt64Size(long[] values) {
    int s = 0;
    for (long v : values) s += CodedOutputStream.computeSInt64SizeNoTag(v);
    return s;
  }

  private static int histogramSize(NativeHistogram h) {
    int s = CodedOutputStream.computeUInt64Size(1, h.count());
    if (Double.doubleToRawLongBits(h.sum()) != 0) s += 9;
    if (h.schema() != 0) s += CodedOutputStream.computeSInt32Size(4, h.schema());
    if (Double.doubleToRawLongBits(h.zeroThreshold()) != 0) s += 9;
    s += CodedOutputStream.computeUInt64Size(6, h.zeroCount());
    s += spansSize(h.negativeSpans(), 8);
    if (h.negativeDeltas().length > 0) s += lenField(9, packedSInt64Size(h.negativeDeltas()));
    s += spansSize(h.positiveSpans(), 11);
    if (h.positiveDeltas().length > 0) s += lenField(12, packedSInt64Size(h.positiveDeltas()));
    if (h.resetHint().protoNumber() != 0) s += CodedOutputStream.computeEnumSize(14, h.resetHint().protoNumber());
    if (h.timestampMs() != 0) s += CodedOutputStream.computeInt64Size(15, h.timestampMs());
    return s;
  }

  private static int timeSeriesSize(SeriesGroup g) {
    int s = labelsSize(g.labels);
    for (Sample x : g.samples) s += lenField(2, sampleSize(x));
    for (Exemplar e : g.exemplars) s += lenField(3, exemplarSize(e));
    for (HistogramSample h : g.histograms) s += lenField(4, histogramSize(h.histogram()));
    return s;
  }

  private static int metadataSize(Metadata m) {
    int s = 0;
    if (m.type().protoNumber() != 0) s += CodedOutputStream.computeEnumSize(1, m.type().protoNumber());
    if (!m.familyName().isEmpty()) s += CodedOutputStream.computeStringSize(2, m.familyName());
    if (!m.help().isEmpty()) s += CodedOutputStream.computeStringSize(4, m.help());
    if (!m.unit().isEmpty()) s += CodedOutputStream.computeStringSize(5, m.unit());
    return s;
  }

  // ------------------------------------------------------------ writing

  private static void writeLabels(CodedOutputStream cos, Labels labels) throws IOException {
    for (int i = 0; i < labels.size(); i++) {
      String n = labels.name(i);
      String v = labels.value(i);
      cos.writeTag(1, LEN);
      cos.writeUInt32NoTag(labelSize(n, v));
      cos.writeString(1, n);
      cos.writeString(2, v);
    }
  }

  private static void writeTimeSeries(CodedOutputStream cos, SeriesGroup g) throws IOException {
    writeLabels(cos, g.labels);
    for (Sample s : g.samples) {
      cos.writeTag(2, LEN);
      cos.writeUInt32NoTag(sampleSize(s));
      if (Double.doubleToRawLongBits(s.value()) != 0) cos.writeDouble(1, s.value());
      if (s.timestampMs() != 0) cos.writeInt64(2, s.timestampMs());
    }
    for (Exemplar e : g.exemplars) {
      cos.writeTag(3, LEN);
      cos.writeUInt32NoTag(exemplarSize(e));
      writeLabels(cos, e.labels());
      if (Double.doubleToRawLongBits(e.value()) != 0) cos.writeDouble(2, e.value());
      if (e.timestampMs() != 0) cos.writeInt64(3, e.timestampMs());
    }
    for (HistogramSample hs : g.histograms) {
      NativeHistogram h = hs.histogram();
      cos.writeTag(4, LEN);
      cos.writeUInt32NoTag(histogramSize(h));
      cos.writeUInt64(1, h.count());
      if (Double.doubleToRawLongBits(h.sum()) != 0) cos.writeDouble(3, h.sum());
      if (h.schema() != 0) cos.writeSInt32(4, h.schema());
      if (Double.doubleToRawLongBits(h.zeroThreshold()) != 0) cos.writeDouble(5, h.zeroThreshold());
      cos.writeUInt64(6, h.zeroCount());
      writeSpans(cos, h.negativeSpans(), 8);
      writePacked(cos, h.negativeDeltas(), 9);
      writeSpans(cos, h.positiveSpans(), 11);
      writePacked(cos, h.positiveDeltas(), 12);
      if (h.resetHint().protoNumber() != 0) cos.writeEnum(14, h.resetHint().protoNumber());
      if (h.timestampMs() != 0) cos.writeInt64(15, h.timestampMs());
    }
  }

  private static void writeSpans(CodedOutputStream cos, int[] spans, int fieldNumber) throws IOException {
    for (int i = 0; i < spans.length; i += 2) {
      cos.writeTag(fieldNumber, LEN);
      cos.writeUInt32NoTag(spanSize(spans[i], spans[i + 1]));
      if (spans[i] != 0) cos.writeSInt32(1, spans[i]);
      if (spans[i + 1] != 0) cos.writeUInt32(2, spans[i + 1]);
    }
  }

  private static void writePacked(CodedOutputStream cos, long[] values, int fieldNumber) throws IOException {
    if (values.length == 0) return;
    cos.writeTag(fieldNumber, LEN);
    cos.writeUInt32NoTag(packedSInt64Size(values));
    for (long v : values) cos.writeSInt64NoTag(v);
  }

  private static void writeMetadata(CodedOutputStream cos, Metadata m) throws IOException {
    if (m.type().protoNumber() != 0) cos.writeEnum(1, m.type().protoNumber());
    if (!m.familyName().isEmpty()) cos.writeString(2, m.familyName());
    if (!m.help().isEmpty()) cos.writeString(4, m.help());
    if (!m.unit().isEmpty()) cos.writeString(5, m.unit());
  }
}
