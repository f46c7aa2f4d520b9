package io.mpac.collector.exporter.loki;

import io.mpac.collector.exporter.queue.RecordCodec;
import io.mpac.collector.loki.Labels;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The WAL record of an {@link EntryChunk}. The entries of a push share a few label sets and
 * tenants, so each is written once in a table and entries refer to it by index:
 *
 * <pre>
 *  'L' 'W' version=1
 *  writtenAtMillis                    fixed 8 bytes
 *  n labelSets  { n pairs { name value } }
 *  n tenants    { tenant }            (entries use 0 for "none", i+1 for tenants[i])
 *  n entries    { labelSet tenant timestampNanos(fixed 8) line(bytes) n metadata { name value } }
 *  counts and lengths are unsigned varints; strings are varint length + UTF-8
 * </pre>
 *
 * <p>Decoding checks every count and length against the bytes left before allocating, and
 * rejects anything it did not write with {@link IOException}.
 */
final class EntryChunkCodec implements RecordCodec<EntryChunk> {

  private static final byte MAGIC_0 = 'L';
  private static final byte MAGIC_1 = 'W';
  private static final byte VERSION = 1;

  @Override
  public byte[] encode(EntryChunk chunk) {
    Out out = new Out((int) Math.min(Integer.MAX_VALUE - 64, chunk.bytes() + 64L * chunk.size() + 64));
    out.b(MAGIC_0);
    out.b(MAGIC_1);
    out.b(VERSION);
    out.fixed64(chunk.writtenAtMillis());
    Map<Labels, Integer> labelIndex = new IdentityHashMap<>();
    Map<String, Integer> tenantIndex = new LinkedHashMap<>();
    for (QueuedEntry q : chunk.entries()) {
      labelIndex.putIfAbsent(q.stream(), labelIndex.size());
      if (q.tenant() != null) tenantIndex.putIfAbsent(q.tenant(), tenantIndex.size() + 1);
    }
    Labels[] sets = new Labels[labelIndex.size()];
    labelIndex.forEach((l, i) -> sets[i] = l);
    out.varint(sets.length);
    for (Labels l : sets) {
      out.varint(l.size());
      for (int i = 0; i < l.size(); i++) {
        out.string(l.name(i));
        out.string(l.value(i));
      }
    }
    out.varint(tenantIndex.size());
    for (String t : tenantIndex.keySet()) out.string(t);
    out.varint(chunk.size());
    for (QueuedEntry q : chunk.entries()) {
      out.varint(labelIndex.get(q.stream()));
      out.varint(q.tenant() == null ? 0 : tenantIndex.get(q.tenant()));
      out.fixed64(q.timestampNanos());
      out.bytes(q.line());
      out.varint(q.structuredMetadata().size());
      for (Map.Entry<String, String> m : q.structuredMetadata().entrySet()) {
        out.string(m.getKey());
        out.string(m.getValue());
      }
    }
    return out.toArray();
  }

  @Override
  public EntryChunk decode(byte[] buf, int offset, int length) throws IOException {
    if (offset < 0 || length < 0 || offset > buf.length - length) throw new IOException("record out of bounds");
    In in = new In(buf, offset, offset + length);
    if (in.b() != MAGIC_0 || in.b() != MAGIC_1) throw new IOException("not a loki.write WAL record");
    int version = in.b();
    if (version != VERSION) throw new IOException("unknown loki.write WAL record version " + version);
    long writtenAt = in.fixed64();
    Labels[] sets = new Labels[in.count(1)];
    for (int s = 0; s < sets.length; s++) {
      int pairs = in.count(2);
      Labels.Builder b = Labels.builder();
      for (int p = 0; p < pairs; p++) b.put(in.string(), in.string());
      sets[s] = b.build();
    }
    String[] tenants = new String[in.count(1)];
    for (int t = 0; t < tenants.length; t++) tenants[t] = in.string();
    int n = in.count(12);
    if (n == 0) throw new IOException("chunk without entries");
    QueuedEntry[] entries = new QueuedEntry[n];
    for (int e = 0; e < n; e++) {
      Labels stream = sets[in.index(sets.length)];
      int t = in.index(tenants.length + 1);
      String tenant = t == 0 ? null : tenants[t - 1];
      long ts = in.fixed64();
      byte[] line = in.bytes();
      int m = in.count(2);
      Map<String, String> metadata;
      if (m == 0) {
        metadata = Map.of();
      } else {
        Map<String, String> md = new LinkedHashMap<>();
        for (int i = 0; i < m; i++) md.put(in.string(), in.string());
        metadata = Collections.unmodifiableMap(md);
      }
      entries[e] = new QueuedEntry(stream, tenant, ts, line, metadata, QueuedEntry.sizeOf(line.length, metadata));
    }
    if (in.pos != in.end) throw new IOException((in.end - in.pos) + " bytes after the last entry");
    return EntryChunk.of(entries, writtenAt);
  }

  /** A growable output buffer. */
  private static final class Out {
    private byte[] buf;
    private int pos;

    Out(int initial) {
      buf = new byte[Math.max(64, initial)];
    }

    private void ensure(int n) {
      if (buf.length - pos < n) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
    }

    void b(int v) {
      ensure(1);
      buf[pos++] = (byte) v;
    }

    void varint(long v) {
      ensure(10);
      while ((v & ~0x7FL) != 0) {
        buf[pos++] = (byte) ((v & 0x7F) | 0x80);
        v >>>= 7;
      }
      buf[pos++] = (byte) v;
    }

    void fixed64(long v) {
      ensure(8);
      for (int i = 0; i < 8; i++) buf[pos++] = (byte) (v >>> (8 * i));
    }

    void bytes(byte[] b) {
      varint(b.length);
      ensure(b.length);
      System.arraycopy(b, 0, buf, pos, b.length);
      pos += b.length;
    }

    void string(String s) {
      bytes(s.getBytes(StandardCharsets.UTF_8));
    }

    byte[] toArray() {
      return Arrays.copyOf(buf, pos);
    }
  }

  /** A bounds-checked reader over one record. */
  private static final class In {
    private final byte[] buf;
    private final int end;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private int pos;

    In(byte[] buf, int pos, int end) {
      this.buf = buf;
      this.pos = pos;
      this.end = end;
    }

    int b() throws IOException {
      if (pos >= end) throw new IOException("record truncated");
      return buf[pos++];
    }

    long varint() throws IOException {
      long v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        int x = b();
        v |= (long) (x & 0x7F) << shift;
        if ((x & 0x80) == 0) return v;
      }
      throw new IOException("malformed varint");
    }

    /** A count of things each taking at least {@code minBytes}: never more than the bytes left allow. */
    int count(int minBytes) throws IOException {
      long n = varint();
      if (n < 0 || n > (long) (end - pos) / minBytes) throw new IOException("count " + n + " exceeds the record");
      return (int) n;
    }

    int index(int size) throws IOException {
      long i = varint();
      if (i < 0 || i >= size) throw new IOException("index " + i + " out of range " + size);
      return (int) i;
    }

    long fixed64() throws IOException {
      if (end - pos < 8) throw new IOException("record truncated");
      long v = 0;
      for (int i = 0; i < 8; i++) v |= (buf[pos++] & 0xFFL) << (8 * i);
      return v;
    }

    byte[] bytes() throws IOException {
      int n = count(1);
      byte[] b = Arrays.copyOfRange(buf, pos, pos + n);
      pos += n;
      return b;
    }

    String string() throws IOException {
      int n = count(1);
      try {
        String s = utf8.decode(java.nio.ByteBuffer.wrap(buf, pos, n)).toString();
        pos += n;
        return s;
      } catch (CharacterCodingException e) {
        throw new IOException("invalid UTF-8 in record", e);
      }
    }
  }
}
