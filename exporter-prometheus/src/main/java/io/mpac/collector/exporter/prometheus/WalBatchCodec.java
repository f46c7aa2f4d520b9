package io.mpac.collector.exporter.prometheus;

import io.mpac.collector.exporter.queue.RecordCodec;
import io.mpac.collector.prometheus.Exemplar;
import io.mpac.collector.prometheus.HistogramSample;
import io.mpac.collector.prometheus.Labels;
import io.mpac.collector.prometheus.Metadata;
import io.mpac.collector.prometheus.MetricType;
import io.mpac.collector.prometheus.NativeHistogram;
import io.mpac.collector.prometheus.Sample;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The bytes of a {@link WalBatch} in the remote-write WAL. Strings and label sets are written once
 * per record and referred to by index, because a batch repeats them (every sample of a series has
 * the same labels, every series of a job the same names).
 *
 * <pre>
 * record   = "RW" version(1) appendedAtMs(8)
 *            strings:   n, n × (len, utf-8)
 *            labelSets: n, n × (pairs, pairs × (nameRef, valueRef))
 *            samples:   n, n × (labelsRef, t(8), value bits(8), exemplars)
 *            histograms:n, n × (labelsRef, zigzag schema, zeroThreshold(8), zeroCount, count, sum(8),
 *                                 spans, deltas, spans, deltas, resetHint(1), t(8), exemplars)
 *            metadata:  n, n × (familyRef, type(1), helpRef, unitRef)
 * exemplars = n, n × (labelsRef, value bits(8), t(8))
 * </pre>
 *
 * Counts, lengths and references are unsigned varints, spans and deltas zigzag varints. Decoding
 * checks every count against the bytes left and every reference against its table, so bytes it
 * did not write give an {@link IOException}, never a huge allocation.
 *
 * <p>Decoding hands out the same {@link String} and {@link Labels} instances for the same content
 * from record to record (two bounded, direct-mapped caches), as the converter does: a shard then
 * finds a series' wire encoding memoised on its labels ({@link Labels#memo}) instead of building
 * it again. One codec per WAL; decoding is serialised on the codec (one reader per WAL).
 */
final class WalBatchCodec implements RecordCodec<WalBatch> {

  /** Entries of each decode cache (a power of two). */
  private static final int CACHE_SIZE = 1 << 16;
  private static final byte VERSION = 1;
  private static final MetricType[] TYPES = MetricType.values();
  private static final NativeHistogram.ResetHint[] HINTS = NativeHistogram.ResetHint.values();

  @Override
  public byte[] encode(WalBatch batch) {
    Tables t = new Tables(batch.items());
    Out body = new Out(256 + 32 * batch.items());
    body.varint(batch.samples().size());
    for (Sample s : batch.samples()) {
      body.varint(t.labels(s.labels()));
      body.fixed64(s.timestampMs());
      body.fixed64(Double.doubleToRawLongBits(s.value()));
      exemplars(body, t, s.exemplars());
    }
    body.varint(batch.histograms().size());
    for (HistogramSample hs : batch.histograms()) {
      NativeHistogram h = hs.histogram();
      body.varint(t.labels(hs.labels()));
      body.varint(zigzag(h.schema()));
      body.fixed64(Double.doubleToRawLongBits(h.zeroThreshold()));
      body.varint(zigzag(h.zeroCount()));
      body.varint(zigzag(h.count()));
      body.fixed64(Double.doubleToRawLongBits(h.sum()));
      spans(body, h.positiveSpans());
      deltas(body, h.positiveDeltas());
      spans(body, h.negativeSpans());
      deltas(body, h.negativeDeltas());
      body.raw(h.resetHint().ordinal());
      body.fixed64(h.timestampMs());
      exemplars(body, t, hs.exemplars());
    }
    body.varint(batch.metadata().size());
    for (Metadata m : batch.metadata()) {
      body.varint(t.string(m.familyName()));
      body.raw(m.type().ordinal());
      body.varint(t.string(m.help()));
      body.varint(t.string(m.unit()));
    }
    Out head = new Out(64 + body.size / 2);
    head.raw('R');
    head.raw('W');
    head.raw(VERSION);
    head.fixed64(batch.appendedAtMs());
    head.varint(t.strings.size());
    for (byte[] s : t.strings) {
      head.varint(s.length);
      head.bytes(s, 0, s.length);
    }
    head.varint(t.labelSets.size());
    for (int[] refs : t.labelSets) {
      head.varint(refs.length / 2);
      for (int r : refs) head.varint(r);
    }
    head.bytes(body.buf, 0, body.size);
    return Arrays.copyOf(head.buf, head.size);
  }

  /** A decoded string with the bytes it came from. */
  private record CachedString(byte[] utf8, String value) {}

  private final CachedString[] stringCache = new CachedString[CACHE_SIZE];
  private final Labels[] labelCache = new Labels[CACHE_SIZE];

  /** The string of {@code buf[off, off + len)}: the cached instance when the bytes match. */
  private String string(byte[] buf, int off, int len) {
    int h = len;
    for (int i = off; i < off + len; i++) h = 31 * h + buf[i];
    int slot = (h ^ (h >>> 16)) & (CACHE_SIZE - 1);
    CachedString c = stringCache[slot];
    if (c != null && Arrays.equals(c.utf8, 0, c.utf8.length, buf, off, off + len)) return c.value;
    String v = new String(buf, off, len, StandardCharsets.UTF_8);
    stringCache[slot] = new CachedString(Arrays.copyOfRange(buf, off, off + len), v);
    return v;
  }

  /** The label set of these (cached, so identity-comparable) names and values. */
  private Labels labels(String[] kv, int pairs) {
    int h = pairs;
    for (int i = 0; i < 2 * pairs; i++) h = 31 * h + kv[i].hashCode();
    int slot = (h ^ (h >>> 16)) & (CACHE_SIZE - 1);
    Labels c = labelCache[slot];
    if (c != null && c.size() == pairs) {
      boolean same = true;
      for (int i = 0; i < pairs && same; i++) same = c.name(i) == kv[2 * i] && c.value(i) == kv[2 * i + 1];
      if (same) return c;
    }
    Labels.Builder b = Labels.builder();
    for (int i = 0; i < pairs; i++) b.set(kv[2 * i], kv[2 * i + 1]);
    Labels l = b.build();
    // only a set that came out as given (sorted, no duplicates or empty values) can be matched later
    if (l.size() == pairs) labelCache[slot] = l;
    return l;
  }

  @Override
  public synchronized WalBatch decode(byte[] buf, int offset, int length) throws IOException {
    if (offset < 0 || length < 0 || offset + length > buf.length) throw new IOException("record out of bounds");
    In in = new In(buf, offset, offset + length);
    try {
      if (in.raw() != 'R' || in.raw() != 'W') throw new IOException("not a remote-write WAL record");
      int version = in.raw();
      if (version != VERSION) throw new IOException("unknown WAL record version " + version);
      long appendedAt = in.fixed64();
      String[] strings = new String[in.count(1)];
      for (int i = 0; i < strings.length; i++) {
        int len = in.count(1);
        strings[i] = string(buf, in.pos, len);
        in.pos += len;
      }
      Labels[] labelSets = new Labels[in.count(1)];
      String[] kv = new String[16];
      for (int i = 0; i < labelSets.length; i++) {
        int pairs = in.count(2);
        if (kv.length < 2 * pairs) kv = new String[2 * pairs];
        for (int p = 0; p < 2 * pairs; p++) kv[p] = strings[in.ref(strings.length)];
        labelSets[i] = labels(kv, pairs);
      }
      int n = in.count(17);
      List<Sample> samples = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        Labels l = labelSets[in.ref(labelSets.length)];
        long t = in.fixed64();
        double v = Double.longBitsToDouble(in.fixed64());
        samples.add(new Sample(l, t, v, exemplars(in, labelSets)));
      }
      n = in.count(30);
      List<HistogramSample> histograms = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        Labels l = labelSets[in.ref(labelSets.length)];
        int schema = (int) unzigzag(in.varint());
        double zt = Double.longBitsToDouble(in.fixed64());
        long zc = unzigzag(in.varint());
        long count = unzigzag(in.varint());
        double sum = Double.longBitsToDouble(in.fixed64());
        int[] ps = spans(in);
        long[] pd = deltas(in);
        int[] ns = spans(in);
        long[] nd = deltas(in);
        int hint = in.raw();
        if (hint >= HINTS.length) throw new IOException("bad reset hint " + hint);
        long t = in.fixed64();
        NativeHistogram h = new NativeHistogram(schema, zt, zc, count, sum, ps, pd, ns, nd, HINTS[hint], t);
        histograms.add(new HistogramSample(l, h, exemplars(in, labelSets)));
      }
      n = in.count(4);
      List<Metadata> metadata = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        String family = strings[in.ref(strings.length)];
        int type = in.raw();
        if (type >= TYPES.length) throw new IOException("bad metric type " + type);
        metadata.add(new Metadata(family, TYPES[type], strings[in.ref(strings.length)], strings[in.ref(strings.length)]));
      }
      if (in.pos != in.end) throw new IOException((in.end - in.pos) + " bytes after the record");
      return new WalBatch(appendedAt, samples, histograms, metadata);
    } catch (RuntimeException e) {
      // a label set or histogram the constructors refuse: not a record we wrote
      throw new IOException("corrupt WAL record: " + e.getMessage(), e);
    }
  }

  // ------------------------------------------------------------------ parts

  private static void exemplars(Out out, Tables t, List<Exemplar> exemplars) {
    out.varint(exemplars.size());
    for (Exemplar e : exemplars) {
      out.varint(t.labels(e.labels()));
      out.fixed64(Double.doubleToRawLongBits(e.value()));
      out.fixed64(e.timestampMs());
    }
  }

  private static List<Exemplar> exemplars(In in, Labels[] labelSets) throws IOException {
    int n = in.count(17);
    if (n == 0) return List.of();
    List<Exemplar> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Labels l = labelSets[in.ref(labelSets.length)];
      double v = Double.longBitsToDouble(in.fixed64());
      out.add(new Exemplar(l, v, in.fixed64()));
    }
    return out;
  }

  private static void spans(Out out, int[] spans) {
    out.varint(spans.length);
    for (int s : spans) out.varint(zigzag(s));
  }

  private static void deltas(Out out, long[] deltas) {
    out.varint(deltas.length);
    for (long d : deltas) out.varint(zigzag(d));
  }

  private static int[] spans(In in) throws IOException {
    int[] out = new int[in.count(1)];
    for (int i = 0; i < out.length; i++) out[i] = (int) unzigzag(in.varint());
    return out;
  }

  private static long[] deltas(In in) throws IOException {
    long[] out = new long[in.count(1)];
    for (int i = 0; i < out.length; i++) out[i] = unzigzag(in.varint());
    return out;
  }

  private static long zigzag(long v) {
    return (v << 1) ^ (v >> 63);
  }

  private static long unzigzag(long v) {
    return (v >>> 1) ^ -(v & 1);
  }

  /**
   * The string and label-set tables of one record being encoded: open-addressing tables (a batch
   * holds hundreds of label sets and thousands of label strings; boxed hash maps cost more than the
   * rest of the encoding). Keys compare by identity first: the converter hands on the same
   * instances from sample to sample.
   */
  private static final class Tables {
    final List<byte[]> strings;
    final List<int[]> labelSets;
    private String[] stringKeys;
    private int[] stringIds;
    private Labels[] labelKeys;
    private int[] labelIds;

    Tables(int expectedLabelSets) {
      int cap = Integer.highestOneBit(Math.max(32, expectedLabelSets) * 4 - 1) << 1;
      strings = new ArrayList<>(cap / 4);
      labelSets = new ArrayList<>(expectedLabelSets);
      stringKeys = new String[cap];
      stringIds = new int[cap];
      labelKeys = new Labels[cap];
      labelIds = new int[cap];
    }

    int string(String s) {
      int mask = stringKeys.length - 1;
      int h = s.hashCode();
      for (int i = (h ^ (h >>> 16)) & mask; ; i = (i + 1) & mask) {
        String k = stringKeys[i];
        if (k == null) {
          int n = strings.size();
          strings.add(s.getBytes(StandardCharsets.UTF_8));
          stringKeys[i] = s;
          stringIds[i] = n;
          if (2 * (n + 1) > stringKeys.length) growStrings();
          return n;
        }
        if (k == s || k.equals(s)) return stringIds[i];
      }
    }

    private void growStrings() {
      String[] oldKeys = stringKeys;
      int[] oldIds = stringIds;
      stringKeys = new String[oldKeys.length * 2];
      stringIds = new int[oldKeys.length * 2];
      int mask = stringKeys.length - 1;
      for (int j = 0; j < oldKeys.length; j++) {
        String k = oldKeys[j];
        if (k == null) continue;
        int h = k.hashCode();
        int i = (h ^ (h >>> 16)) & mask;
        while (stringKeys[i] != null) i = (i + 1) & mask;
        stringKeys[i] = k;
        stringIds[i] = oldIds[j];
      }
    }

    int labels(Labels l) {
      int mask = labelKeys.length - 1;
      int h = l.hashCode();
      for (int i = (h ^ (h >>> 16)) & mask; ; i = (i + 1) & mask) {
        Labels k = labelKeys[i];
        if (k == null) {
          int[] refs = new int[2 * l.size()];
          for (int j = 0; j < l.size(); j++) {
            refs[2 * j] = string(l.name(j));
            refs[2 * j + 1] = string(l.value(j));
          }
          int n = labelSets.size();
          labelSets.add(refs);
          labelKeys[i] = l;
          labelIds[i] = n;
          if (2 * (n + 1) > labelKeys.length) growLabels();
          return n;
        }
        if (k == l || k.equals(l)) return labelIds[i];
      }
    }

    private void growLabels() {
      Labels[] oldKeys = labelKeys;
      int[] oldIds = labelIds;
      labelKeys = new Labels[oldKeys.length * 2];
      labelIds = new int[oldKeys.length * 2];
      int mask = labelKeys.length - 1;
      for (int j = 0; j < oldKeys.length; j++) {
        Labels k = oldKeys[j];
        if (k == null) continue;
        int h = k.hashCode();
        int i = (h ^ (h >>> 16)) & mask;
        while (labelKeys[i] != null) i = (i + 1) & mask;
        labelKeys[i] = k;
        labelIds[i] = oldIds[j];
      }
    }
  }

  /** A growable byte buffer. */
  private static final class Out {
    byte[] buf;
    int size;

    Out(int initial) {
      buf = new byte[Math.max(16, initial)];
    }

    private void room(int n) {
      if (size + n > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + n));
    }

    void raw(int b) {
      room(1);
      buf[size++] = (byte) b;
    }

    void bytes(byte[] b, int off, int len) {
      room(len);
      System.arraycopy(b, off, buf, size, len);
      size += len;
    }

    void varint(long v) {
      room(10);
      while ((v & ~0x7FL) != 0) {
        buf[size++] = (byte) ((v & 0x7F) | 0x80);
        v >>>= 7;
      }
      buf[size++] = (byte) v;
    }

    void fixed64(long v) {
      room(8);
      for (int i = 0; i < 8; i++) buf[size++] = (byte) (v >>> (8 * i));
    }
  }

  /** A bounds-checked reader. */
  private static final class In {
    final byte[] buf;
    int pos;
    final int end;

    In(byte[] buf, int pos, int end) {
      this.buf = buf;
      this.pos = pos;
      this.end = end;
    }

    int raw() throws IOException {
      if (pos >= end) throw new IOException("truncated WAL record");
      return buf[pos++] & 0xFF;
    }

    long fixed64() throws IOException {
      if (end - pos < 8) throw new IOException("truncated WAL record");
      long v = 0;
      for (int i = 0; i < 8; i++) v |= (buf[pos++] & 0xFFL) << (8 * i);
      return v;
    }

    long varint() throws IOException {
      long v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        int b = raw();
        v |= (long) (b & 0x7F) << shift;
        if ((b & 0x80) == 0) return v;
      }
      throw new IOException("malformed varint in WAL record");
    }

    /** A count (or length) of things at least {@code minBytes} each, checked against what is left. */
    int count(int minBytes) throws IOException {
      long n = varint();
      if (n < 0 || n * minBytes > end - pos) throw new IOException("count " + n + " exceeds the record");
      return (int) n;
    }

    int ref(int tableSize) throws IOException {
      long r = varint();
      if (r < 0 || r >= tableSize) throw new IOException("reference " + r + " outside a table of " + tableSize);
      return (int) r;
    }
  }
}
