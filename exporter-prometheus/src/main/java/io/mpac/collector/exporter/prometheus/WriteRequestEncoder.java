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
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

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
    /** The series' {@code repeated Label labels = 1} fields, encoded (see {@link #encodeLabels}). */
    byte[] labelBytes;
    // one sample and no exemplars or histograms is the common case: no lists for it
    private Sample first;
    private List<Sample> samples;
    private List<Exemplar> exemplars;
    private List<HistogramSample> histograms;

    SeriesGroup(byte[] labelBytes) {
      this.labelBytes = labelBytes;
    }

    /** Makes a pooled group a new, empty one. */
    SeriesGroup reuse(byte[] labelBytes) {
      this.labelBytes = labelBytes;
      first = null;
      samples = null;
      exemplars = null;
      histograms = null;
      return this;
    }

    void add(Sample s) {
      if (first == null && samples == null) {
        first = s;
        return;
      }
      if (samples == null) {
        samples = new ArrayList<>(4);
        samples.add(first);
        first = null;
      }
      samples.add(s);
    }

    void add(HistogramSample h) {
      if (histograms == null) histograms = new ArrayList<>(2);
      histograms.add(h);
    }

    void addExemplars(List<Exemplar> e) {
      if (exemplars == null) exemplars = new ArrayList<>(e.size());
      exemplars.addAll(e);
    }

    List<Sample> samples() {
      if (samples != null) return samples;
      return first == null ? List.of() : List.of(first);
    }

    List<Exemplar> exemplars() {
      return exemplars == null ? List.of() : exemplars;
    }

    List<HistogramSample> histograms() {
      return histograms == null ? List.of() : histograms;
    }

    void sort() {
      if (samples != null && !sortedSamples(samples)) {
        samples.sort((a, b) -> Long.compare(a.timestampMs(), b.timestampMs()));
      }
      if (histograms != null && histograms.size() > 1) {
        histograms.sort((a, b) -> Long.compare(a.timestampMs(), b.timestampMs()));
      }
      if (exemplars != null && exemplars.size() > 1) {
        exemplars.sort((a, b) -> Long.compare(a.timestampMs(), b.timestampMs()));
      }
    }
  }

  /**
   * UTF-8 length of {@code s}: its length for ASCII (nearly every label), else computed. Cheaper
   * than protobuf's general {@code encodedLength}, which the size pass would call for every string.
   */
  static int utf8Length(String s) {
    int n = s.length();
    for (int i = 0; i < n; i++) {
      if (s.charAt(i) >= 0x80) return s.getBytes(StandardCharsets.UTF_8).length;
    }
    return n;
  }

  /** The {@code Label} fields (field 1) of a label set, as they appear inside a {@code TimeSeries}. */
  static byte[] encodeLabels(Labels labels) {
    byte[] out = new byte[labelsSize(labels)];
    CodedOutputStream cos = CodedOutputStream.newInstance(out);
    try {
      writeLabels(cos, labels);
      cos.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  private static int stringField(int length) {
    return 1 + CodedOutputStream.computeUInt32SizeNoTag(length) + length; // fields 1..15: one-byte tags
  }

  /**
   * Groups entries ({@link Sample}s and {@link HistogramSample}s) by series, keeping time order
   * within a series, and gives each group its encoded wire labels ({@code labelEncoder}, which
   * the caller may cache per series).
   */
  static List<SeriesGroup> group(List<Object> entries, java.util.function.Function<Labels, byte[]> labelEncoder,
      boolean withExemplars) {
    return group(entries, labelEncoder, withExemplars, new GroupTable());
  }

  /** As {@link #group(List, java.util.function.Function, boolean)}, with a table the caller reuses. */
  static List<SeriesGroup> group(List<Object> entries, java.util.function.Function<Labels, byte[]> labelEncoder,
      boolean withExemplars, GroupTable groups) {
    groups.reset(entries.size());
    List<SeriesGroup> out = groups.out;
    int n = entries.size();
    // First the labels of every entry and their hashes, in a loop of its own: the entries and
    // their labels were made long ago on another thread and are rarely in cache, and loads that do
    // not depend on each other can be waited for together.
    Labels[] keys = groups.entryKeys;
    int[] hashes = groups.entryHashes;
    for (int i = 0; i < n; i++) {
      Object e = entries.get(i);
      Labels key = e instanceof Sample s ? s.labels() : ((HistogramSample) e).labels();
      keys[i] = key;
      hashes[i] = key.hashCode();
    }
    for (int i = 0; i < n; i++) {
      Object e = entries.get(i);
      Labels key = keys[i];
      int slot = groups.slot(key, hashes[i]);
      SeriesGroup g = groups.values[slot];
      if (g == null) {
        g = groups.newGroup(labelEncoder.apply(key));
        groups.put(slot, key, hashes[i], g);
        out.add(g);
      }
      if (e instanceof Sample s) {
        g.add(s);
        if (withExemplars && !s.exemplars().isEmpty()) g.addExemplars(s.exemplars());
      } else {
        HistogramSample h = (HistogramSample) e;
        g.add(h);
        if (withExemplars && !h.exemplars().isEmpty()) g.addExemplars(h.exemplars());
      }
    }
    java.util.Arrays.fill(keys, 0, n, null);
    for (int i = 0; i < out.size(); i++) out.get(i).sort();
    return out;
  }

  /**
   * Labels → their group within one request: open addressing over the labels' cached hash, equal
   * labels (not only the same instance) in one group. Reused request after request (one per
   * shard), so grouping allocates no map nodes. Not thread-safe.
   */
  static final class GroupTable {
    private Labels[] keys = new Labels[256];
    private int[] hashes = new int[256];
    /** Per entry of the current request: its labels and their hash. */
    Labels[] entryKeys = new Labels[128];
    int[] entryHashes = new int[128];
    SeriesGroup[] values = new SeriesGroup[256];
    private int size;
    /** The groups of the current request, in order of first appearance (the result of group()). */
    final List<SeriesGroup> out = new ArrayList<>();
    /** Groups of earlier requests, handed out again by {@link #newGroup}. */
    private SeriesGroup[] pool = new SeriesGroup[256];
    private int pooled;

    /** Empties the table and makes room for {@code entries} keys. */
    void reset(int entries) {
      int want = Integer.highestOneBit(Math.max(16, entries) * 2 - 1) * 2; // >= 2 x entries, a power of two
      if (keys.length < want) {
        keys = new Labels[want];
        hashes = new int[want];
        values = new SeriesGroup[want];
      } else if (size > 0) {
        java.util.Arrays.fill(keys, null);
        java.util.Arrays.fill(values, null);
      }
      size = 0;
      out.clear();
      pooled = 0;
      if (entryKeys.length < entries) {
        entryKeys = new Labels[entries];
        entryHashes = new int[entries];
      }
    }

    /** The slot of {@code key}: where it is, or the empty slot where it goes. */
    int slot(Labels key) {
      return slot(key, key.hashCode());
    }

    int slot(Labels key, int h) {
      int mask = keys.length - 1;
      int i = ((h ^ (h >>> 16)) * 0x9E3779B9) >>> 7 & mask;
      while (true) {
        Labels k = keys[i];
        if (k == null || k == key || (hashes[i] == h && k.equals(key))) return i;
        i = (i + 1) & mask;
      }
    }

    SeriesGroup get(Labels key) {
      return values[slot(key)];
    }

    void put(Labels key, SeriesGroup group) {
      put(slot(key), key, key.hashCode(), group);
    }

    void put(int slot, Labels key, int hash, SeriesGroup group) {
      if (2 * (size + 1) > keys.length) throw new IllegalStateException("GroupTable sized for fewer entries");
      if (keys[slot] == null) size++;
      keys[slot] = key;
      hashes[slot] = hash;
      values[slot] = group;
    }

    /** A group for this request: a pooled one when there is one. */
    SeriesGroup newGroup(byte[] labelBytes) {
      if (pooled == pool.length) pool = java.util.Arrays.copyOf(pool, pool.length * 2);
      SeriesGroup g = pool[pooled];
      if (g == null) {
        g = new SeriesGroup(labelBytes);
        pool[pooled] = g;
      } else {
        g.reuse(labelBytes);
      }
      pooled++;
      return g;
    }
  }

  private static boolean sortedSamples(List<Sample> samples) {
    for (int i = 1; i < samples.size(); i++) {
      if (samples.get(i).timestampMs() < samples.get(i - 1).timestampMs()) return false;
    }
    return true;
  }

  /** The encoded {@code WriteRequest}. */
  static byte[] encode(List<SeriesGroup> series, List<Metadata> metadata) {
    byte[][] holder = {null};
    int n = encode(series, metadata, holder);
    return holder[0].length == n ? holder[0] : java.util.Arrays.copyOf(holder[0], n);
  }

  /**
   * Encodes into {@code buffer[0]}, replacing it with a larger array when it is too small (or
   * null); returns the encoded length. Lets a sender reuse one buffer for every request.
   */
  static int encode(List<SeriesGroup> series, List<Metadata> metadata, byte[][] buffer) {
    // One pass: each TimeSeries is sized just before it is written (its label bytes are then
    // read once, while in cache), and the buffer grows when it must (it is reused, so rarely).
    byte[] out = buffer[0];
    if (out == null) out = new byte[64 * 1024];
    int pos = 0;
    for (int i = 0, n = series.size(); i < n; i++) {
      SeriesGroup g = series.get(i);
      int size = timeSeriesSize(g);
      int need = pos + 1 + 5 + size;
      if (need > out.length) out = java.util.Arrays.copyOf(out, Math.max(need, out.length + out.length / 2));
      out[pos++] = (byte) (1 << 3 | LEN);
      pos = writeVarint(out, pos, size);
      if (g.exemplars == null && g.histograms == null) {
        System.arraycopy(g.labelBytes, 0, out, pos, g.labelBytes.length);
        pos += g.labelBytes.length;
        if (g.first != null) {
          pos = writeSample(out, pos, g.first);
        } else if (g.samples != null) {
          for (int k = 0; k < g.samples.size(); k++) pos = writeSample(out, pos, g.samples.get(k));
        }
      } else {
        pos = withCodedStream(out, pos, size, cos -> writeTimeSeries(cos, g));
      }
    }
    for (Metadata m : metadata) {
      int size = metadataSize(m);
      int need = pos + 1 + 5 + size;
      if (need > out.length) out = java.util.Arrays.copyOf(out, Math.max(need, out.length + out.length / 2));
      out[pos++] = (byte) (3 << 3 | LEN);
      pos = writeVarint(out, pos, size);
      pos = withCodedStream(out, pos, size, cos -> writeMetadata(cos, m));
    }
    buffer[0] = out;
    return pos;
  }

  /** A part written with protobuf's {@link CodedOutputStream}, which must fill exactly {@code size} bytes. */
  private interface Part {
    void write(CodedOutputStream cos) throws IOException;
  }

  private static int withCodedStream(byte[] out, int pos, int size, Part part) {
    CodedOutputStream cos = CodedOutputStream.newInstance(out, pos, size);
    try {
      part.write(cos);
      cos.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new UncheckedIOException("encoding WriteRequest", e); // cannot happen with an exact size
    }
    return pos + size;
  }

  private static int writeVarint(byte[] out, int pos, long v) {
    while ((v & ~0x7FL) != 0) {
      out[pos++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    out[pos++] = (byte) v;
    return pos;
  }

  private static final java.lang.invoke.VarHandle LONG_LE = java.lang.invoke.MethodHandles.byteArrayViewVarHandle(
      long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

  /** {@code Sample { double value = 1; int64 timestamp = 2; }} as field 2 of a TimeSeries. */
  private static int writeSample(byte[] out, int pos, Sample s) {
    long bits = Double.doubleToRawLongBits(s.value());
    long ts = s.timestampMs();
    out[pos++] = (byte) (2 << 3 | LEN);
    out[pos++] = (byte) sampleSize(s); // at most 9 + 11 bytes: one varint byte
    if (bits != 0) {
      out[pos++] = (byte) (1 << 3 | WireFormat.WIRETYPE_FIXED64);
      LONG_LE.set(out, pos, bits);
      pos += 8;
    }
    if (ts != 0) {
      out[pos++] = (byte) (2 << 3 | WireFormat.WIRETYPE_VARINT);
      pos = writeVarint(out, pos, ts);
    }
    return pos;
  }

  // ------------------------------------------------------------ sizes

  private static int lenField(int fieldNumber, int size) {
    return CodedOutputStream.computeTagSize(fieldNumber) + CodedOutputStream.computeUInt32SizeNoTag(size) + size;
  }

  private static int labelSize(String name, String value) {
    return stringField(utf8Length(name)) + stringField(utf8Length(value));
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
    int s = g.labelBytes.length;
    if (g.first != null) {
      s += lenField(2, sampleSize(g.first));
    } else if (g.samples != null) {
      for (int i = 0; i < g.samples.size(); i++) s += lenField(2, sampleSize(g.samples.get(i)));
    }
    if (g.exemplars != null) {
      for (int i = 0; i < g.exemplars.size(); i++) s += lenField(3, exemplarSize(g.exemplars.get(i)));
    }
    if (g.histograms != null) {
      for (int i = 0; i < g.histograms.size(); i++) s += lenField(4, histogramSize(g.histograms.get(i).histogram()));
    }
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
      int nl = utf8Length(n);
      int vl = utf8Length(v);
      cos.writeTag(1, LEN);
      cos.writeUInt32NoTag(stringField(nl) + stringField(vl));
      writeString(cos, 1, n, nl);
      writeString(cos, 2, v, vl);
    }
  }

  /** A string field whose UTF-8 length is known: ASCII is copied byte by byte, anything else encoded. */
  private static void writeString(CodedOutputStream cos, int field, String s, int utf8Length) throws IOException {
    cos.writeTag(field, LEN);
    cos.writeUInt32NoTag(utf8Length);
    if (utf8Length == s.length()) {
      for (int i = 0; i < utf8Length; i++) cos.write((byte) s.charAt(i));
    } else {
      cos.writeRawBytes(s.getBytes(StandardCharsets.UTF_8));
    }
  }

  private static void writeTimeSeries(CodedOutputStream cos, SeriesGroup g) throws IOException {
    cos.writeRawBytes(g.labelBytes);
    if (g.first != null) {
      writeSample(cos, g.first);
    } else if (g.samples != null) {
      for (int i = 0; i < g.samples.size(); i++) writeSample(cos, g.samples.get(i));
    }
    if (g.exemplars == null && g.histograms == null) return;
    for (Exemplar e : g.exemplars()) {
      cos.writeTag(3, LEN);
      cos.writeUInt32NoTag(exemplarSize(e));
      writeLabels(cos, e.labels());
      if (Double.doubleToRawLongBits(e.value()) != 0) cos.writeDouble(2, e.value());
      if (e.timestampMs() != 0) cos.writeInt64(3, e.timestampMs());
    }
    for (HistogramSample hs : g.histograms()) {
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

  private static void writeSample(CodedOutputStream cos, Sample s) throws IOException {
    cos.writeTag(2, LEN);
    cos.writeUInt32NoTag(sampleSize(s));
    if (Double.doubleToRawLongBits(s.value()) != 0) cos.writeDouble(1, s.value());
    if (s.timestampMs() != 0) cos.writeInt64(2, s.timestampMs());
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
