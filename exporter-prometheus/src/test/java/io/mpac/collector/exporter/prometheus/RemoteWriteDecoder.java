package io.mpac.collector.exporter.prometheus;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.xerial.snappy.Snappy;

/**
 * The tests' own reader of remote write 1.0 bodies (snappy block + {@code prometheus.WriteRequest}),
 * written from the .proto independently of the production encoder. Unknown fields are an error, so
 * a stray field in the encoding fails the test.
 */
final class RemoteWriteDecoder {

  record Label(String name, String value) {}

  record Sample(double value, long timestamp) {}

  record Exemplar(Map<String, String> labels, double value, long timestamp) {}

  record Span(int offset, int length) {}

  record Histogram(long count, double sum, int schema, double zeroThreshold, long zeroCount,
      List<Span> negativeSpans, List<Long> negativeDeltas, List<Span> positiveSpans, List<Long> positiveDeltas,
      int resetHint, long timestamp) {}

  record TimeSeries(List<Label> labels, List<Sample> samples, List<Exemplar> exemplars, List<Histogram> histograms) {
    /** Labels as an ordered map (the test checks sorting separately). */
    Map<String, String> labelMap() {
      Map<String, String> m = new LinkedHashMap<>();
      for (Label l : labels) m.put(l.name(), l.value());
      return m;
    }

    String name() {
      return labelMap().get("__name__");
    }
  }

  record Metadata(int type, String family, String help, String unit) {}

  record WriteRequest(List<TimeSeries> timeseries, List<Metadata> metadata) {}

  private RemoteWriteDecoder() {}

  static WriteRequest decodeSnappy(byte[] body) throws IOException {
    return decode(Snappy.uncompress(body));
  }

  static WriteRequest decode(byte[] bytes) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(bytes);
    List<TimeSeries> ts = new ArrayList<>();
    List<Metadata> md = new ArrayList<>();
    while (!in.isAtEnd()) {
      int tag = in.readTag();
      switch (WireFormat.getTagFieldNumber(tag)) {
        case 1 -> ts.add(timeSeries(sub(in)));
        case 3 -> md.add(metadata(sub(in)));
        default -> throw new IOException("unexpected WriteRequest field " + WireFormat.getTagFieldNumber(tag));
      }
    }
    return new WriteRequest(ts, md);
  }

  private static CodedInputStream sub(CodedInputStream in) throws IOException {
    return CodedInputStream.newInstance(in.readByteArray());
  }

  private static TimeSeries timeSeries(CodedInputStream in) throws IOException {
    List<Label> labels = new ArrayList<>();
    List<Sample> samples = new ArrayList<>();
    List<Exemplar> exemplars = new ArrayList<>();
    List<Histogram> histograms = new ArrayList<>();
    while (!in.isAtEnd()) {
      int tag = in.readTag();
      switch (WireFormat.getTagFieldNumber(tag)) {
        case 1 -> labels.add(label(sub(in)));
        case 2 -> samples.add(sample(sub(in)));
        case 3 -> exemplars.add(exemplar(sub(in)));
        case 4 -> histograms.add(histogram(sub(in)));
        default -> throw new IOException("unexpected TimeSeries field " + WireFormat.getTagFieldNumber(tag));
      }
    }
    return new TimeSeries(labels, samples, exemplars, histograms);
  }

  private static Label label(CodedInputStream in) throws IOException {
    String name = "";
    String value = "";
    while (!in.isAtEnd()) {
      int tag = in.readTag();
      switch (WireFormat.getTagFieldNumber(tag)) {
        case 1 -> name = in.readString();
        case 2 -> value = in.readString();
        default -> throw new IOException("unexpected Label field");
      }
    }
    return new Label(name, value);
  }

  private static Sample sample(CodedInputStream in) throws IOException {
    double v = 0;
    long t = 0;
    while (!in.isAtEnd()) {
      int tag = in.readTag();
      switch (WireFormat.getTagFieldNumber(tag)) {
        case 1 -> v = in.readDouble();
        case 2 -> t = in.readInt64();
        default -> throw new IOException("unexpected Sample field");
      }
    }
    return new Sample(v, t);
  }

  private static Exemplar exemplar(CodedInputStream in) throws IOException {
    Map<String, String> labels = new LinkedHashMap<>();
    double v = 0;
    long t = 0;
    while (!in.isAtEnd()) {
      int tag = in.readTag();
      switch (WireFormat.getTagFieldNumber(tag)) {
        case 1 -> {
          Label l = label(sub(in));
          labels.put(l.name(), l.value());
        }
        case 2 -> v = in.readDouble();
        case 3 -> t = in.readInt64();
        default -> throw new IOException("unexpected Exemplar field");
      }
    }
    return new Exemplar(labels, v, t);
  }

  private static Span span(CodedInputStream in) throws IOException {
    int offset = 0;
    int length = 0;
    while (!in.isAtEnd()) {
      int tag = in.readTag();
      switch (WireFormat.getTagFieldNumber(tag)) {
        case 1 -> offset = in.readSInt32();
        case 2 -> length = in.readUInt32();
        default -> throw new IOException("unexpected BucketSpan field");
      }
    }
    return new Span(offset, length);
  }

  private static List<Long> packedSInt64(CodedInputStream in) throws IOException {
    List<Long> out = new ArrayList<>();
    CodedInputStream p = sub(in);
    while (!p.isAtEnd()) out.add(p.readSInt64());
    return out;
  }

  private static Histogram histogram(CodedInputStream in) throws IOException {
    long count = 0;
    double sum = 0;
    int schema = 0;
    double zt = 0;
    long zc = 0;
    List<Span> ns = new ArrayList<>();
    List<Long> nd = new ArrayList<>();
    List<Span> ps = new ArrayList<>();
    List<Long> pd = new ArrayList<>();
    int hint = 0;
    long ts = 0;
    while (!in.isAtEnd()) {
      int tag = in.readTag();
      switch (WireFormat.getTagFieldNumber(tag)) {
        case 1 -> count = in.readUInt64();
        case 3 -> sum = in.readDouble();
        case 4 -> schema = in.readSInt32();
        case 5 -> zt = in.readDouble();
        case 6 -> zc = in.readUInt64();
        case 8 -> ns.add(span(sub(in)));
        case 9 -> nd.addAll(packedSInt64(in));
        case 11 -> ps.add(span(sub(in)));
        case 12 -> pd.addAll(packedSInt64(in));
        case 14 -> hint = in.readEnum();
        case 15 -> ts = in.readInt64();
        default -> throw new IOException("unexpected Histogram field " + WireFormat.getTagFieldNumber(tag));
      }
    }
    return new Histogram(count, sum, schema, zt, zc, ns, nd, ps, pd, hint, ts);
  }

  private static Metadata metadata(CodedInputStream in) throws IOException {
    int type = 0;
    String family = "";
    String help = "";
    String unit = "";
    while (!in.isAtEnd()) {
      int tag = in.readTag();
      switch (WireFormat.getTagFieldNumber(tag)) {
        case 1 -> type = in.readEnum();
        case 2 -> family = in.readString();
        case 4 -> help = in.readString();
        case 5 -> unit = in.readString();
        default -> throw new IOException("unexpected MetricMetadata field");
      }
    }
    return new Metadata(type, family, help, unit);
  }
}
