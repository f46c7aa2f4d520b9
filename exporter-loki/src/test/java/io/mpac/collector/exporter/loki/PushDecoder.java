package io.mpac.collector.exporter.loki;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.xerial.snappy.Snappy;

/**
 * Test-only reader of Loki push bodies, written independently of the production encoder from the
 * field numbers of Loki's {@code pkg/push/push.proto}: PushRequest.streams = 1; StreamAdapter.labels
 * = 1, entries = 2; EntryAdapter.timestamp = 1, line = 2, structuredMetadata = 3; LabelPairAdapter
 * name = 1, value = 2; google.protobuf.Timestamp seconds = 1, nanos = 2. Unknown fields are an error.
 */
final class PushDecoder {

  record Entry(long timestampNanos, String line, Map<String, String> metadata) {}

  record Stream(String labels, List<Entry> entries) {
    /** The label text parsed into a map (values are unescaped). */
    Map<String, String> labelMap() {
      return parseLabels(labels);
    }
  }

  private PushDecoder() {}

  static List<Stream> decodeSnappy(byte[] body) throws IOException {
    return decode(Snappy.uncompress(body));
  }

  static List<Stream> decode(byte[] raw) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(raw);
    List<Stream> streams = new ArrayList<>();
    while (!in.isAtEnd()) {
      int tag = in.readTag();
      if (WireFormat.getTagFieldNumber(tag) == 1 && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
        streams.add(stream(in.readBytes().newCodedInput()));
      } else {
        throw new IOException("unexpected PushRequest field " + WireFormat.getTagFieldNumber(tag));
      }
    }
    return streams;
  }

  private static Stream stream(CodedInputStream in) throws IOException {
    String labels = null;
    List<Entry> entries = new ArrayList<>();
    while (!in.isAtEnd()) {
      int tag = in.readTag();
      switch (WireFormat.getTagFieldNumber(tag)) {
        case 1 -> labels = in.readStringRequireUtf8();
        case 2 -> entries.add(entry(in.readBytes().newCodedInput()));
        default -> throw new IOException("unexpected StreamAdapter field " + WireFormat.getTagFieldNumber(tag));
      }
    }
    if (labels == null) throw new IOException("stream without labels");
    return new Stream(labels, entries);
  }

  private static Entry entry(CodedInputStream in) throws IOException {
    long ts = Long.MIN_VALUE;
    String line = "";
    Map<String, String> md = new LinkedHashMap<>();
    while (!in.isAtEnd()) {
      int tag = in.readTag();
      switch (WireFormat.getTagFieldNumber(tag)) {
        case 1 -> {
          CodedInputStream t = in.readBytes().newCodedInput();
          long seconds = 0;
          int nanos = 0;
          while (!t.isAtEnd()) {
            int tt = t.readTag();
            switch (WireFormat.getTagFieldNumber(tt)) {
              case 1 -> seconds = t.readInt64();
              case 2 -> nanos = t.readInt32();
              default -> throw new IOException("unexpected Timestamp field");
            }
          }
          ts = seconds * 1_000_000_000L + nanos;
        }
        case 2 -> line = in.readStringRequireUtf8();
        case 3 -> {
          CodedInputStream p = in.readBytes().newCodedInput();
          String name = "";
          String value = "";
          while (!p.isAtEnd()) {
            int pt = p.readTag();
            switch (WireFormat.getTagFieldNumber(pt)) {
              case 1 -> name = p.readStringRequireUtf8();
              case 2 -> value = p.readStringRequireUtf8();
              default -> throw new IOException("unexpected LabelPairAdapter field");
            }
          }
          md.put(name, value);
        }
        default -> throw new IOException("unexpected EntryAdapter field " + WireFormat.getTagFieldNumber(tag));
      }
    }
    if (ts == Long.MIN_VALUE) throw new IOException("entry without timestamp");
    return new Entry(ts, line, md);
  }

  /** Parses {@code {a="1", b="x\"y"}} (Go escapes) into a map, checking the syntax strictly. */
  static Map<String, String> parseLabels(String text) {
    Map<String, String> out = new LinkedHashMap<>();
    if (!text.startsWith("{") || !text.endsWith("}")) throw new IllegalArgumentException("not a label set: " + text);
    int i = 1;
    int end = text.length() - 1;
    while (i < end) {
      int eq = text.indexOf('=', i);
      String name = text.substring(i, eq);
      if (!name.matches("[a-zA-Z_][a-zA-Z0-9_]*")) throw new IllegalArgumentException("bad label name " + name);
      if (text.charAt(eq + 1) != '"') throw new IllegalArgumentException("unquoted value in " + text);
      StringBuilder v = new StringBuilder();
      int j = eq + 2;
      while (text.charAt(j) != '"') {
        char c = text.charAt(j);
        if (c == '\\') {
          char e = text.charAt(++j);
          switch (e) {
            case 'n' -> v.append('\n');
            case 't' -> v.append('\t');
            case 'r' -> v.append('\r');
            case 'u' -> {
              v.append((char) Integer.parseInt(text.substring(j + 1, j + 5), 16));
              j += 4;
            }
            default -> v.append(e);
          }
        } else {
          v.append(c);
        }
        j++;
      }
      if (out.put(name, v.toString()) != null) throw new IllegalArgumentException("duplicate label " + name);
      i = j + 1;
      if (i < end) {
        if (!text.startsWith(", ", i)) throw new IllegalArgumentException("expected ', ' in " + text);
        i += 2;
      }
    }
    return out;
  }
}
