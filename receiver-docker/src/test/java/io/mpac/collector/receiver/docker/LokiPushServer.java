package io.mpac.collector.receiver.docker;

import com.google.protobuf.CodedInputStream;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.xerial.snappy.Snappy;

/**
 * A Loki push endpoint for tests ({@code POST /loki/api/v1/push}, snappy-compressed protobuf),
 * with its own reader of {@code logproto.PushRequest}: streams (label text, entries), entries
 * (timestamp, line, structured metadata).
 */
final class LokiPushServer implements AutoCloseable {

  /** One received entry with its stream's labels parsed. */
  record Received(Map<String, String> labels, long timestampNanos, String line, Map<String, String> metadata) {}

  final List<Received> received = Collections.synchronizedList(new ArrayList<>());
  private final HttpServer server;

  LokiPushServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/loki/api/v1/push", ex -> {
      try (ex) {
        byte[] body = ex.getRequestBody().readAllBytes();
        try {
          List<Received> decoded = decode(Snappy.uncompress(body));
          received.addAll(decoded);
          ex.sendResponseHeaders(204, -1);
        } catch (IOException | RuntimeException e) {
          byte[] msg = ("bad push: " + e).getBytes();
          ex.sendResponseHeaders(400, msg.length);
          ex.getResponseBody().write(msg);
        }
      }
    });
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/loki/api/v1/push";
  }

  @Override
  public void close() {
    server.stop(0);
  }

  static List<Received> decode(byte[] push) throws IOException {
    List<Received> out = new ArrayList<>();
    CodedInputStream in = CodedInputStream.newInstance(push);
    int tag;
    while ((tag = in.readTag()) != 0) {
      if (tag != (1 << 3 | 2)) {
        in.skipField(tag);
        continue;
      }
      CodedInputStream stream = CodedInputStream.newInstance(in.readByteArray());
      String labels = null;
      List<byte[]> entries = new ArrayList<>();
      int t;
      while ((t = stream.readTag()) != 0) {
        switch (t >>> 3) {
          case 1 -> labels = stream.readString();
          case 2 -> entries.add(stream.readByteArray());
          default -> stream.skipField(t);
        }
      }
      Map<String, String> parsed = parseLabels(labels);
      for (byte[] e : entries) {
        CodedInputStream entry = CodedInputStream.newInstance(e);
        long seconds = 0;
        long nanos = 0;
        String line = null;
        Map<String, String> metadata = new LinkedHashMap<>();
        int et;
        while ((et = entry.readTag()) != 0) {
          switch (et >>> 3) {
            case 1 -> {
              CodedInputStream ts = CodedInputStream.newInstance(entry.readByteArray());
              int tt;
              while ((tt = ts.readTag()) != 0) {
                if (tt >>> 3 == 1) {
                  seconds = ts.readInt64();
                } else if (tt >>> 3 == 2) {
                  nanos = ts.readInt32();
                } else {
                  ts.skipField(tt);
                }
              }
            }
            case 2 -> line = entry.readString();
            case 3 -> {
              CodedInputStream pair = CodedInputStream.newInstance(entry.readByteArray());
              String name = null;
              String value = "";
              int pt;
              while ((pt = pair.readTag()) != 0) {
                if (pt >>> 3 == 1) {
                  name = pair.readString();
                } else if (pt >>> 3 == 2) {
                  value = pair.readString();
                } else {
                  pair.skipField(pt);
                }
              }
              metadata.put(name, value);
            }
            default -> entry.skipField(et);
          }
        }
        out.add(new Received(parsed, seconds * 1_000_000_000L + nanos, line, metadata));
      }
    }
    return out;
  }

  /** Parses {@code {a="x", b="y\"z"}}. */
  static Map<String, String> parseLabels(String text) {
    Map<String, String> m = new LinkedHashMap<>();
    int i = text.indexOf('{') + 1;
    while (i < text.length()) {
      while (i < text.length() && (text.charAt(i) == ' ' || text.charAt(i) == ',')) i++;
      if (i >= text.length() || text.charAt(i) == '}') break;
      int eq = text.indexOf('=', i);
      String name = text.substring(i, eq).trim();
      i = eq + 2; // past ="
      StringBuilder v = new StringBuilder();
      while (text.charAt(i) != '"') {
        char c = text.charAt(i++);
        if (c == '\\') {
          char e = text.charAt(i++);
          v.append(switch (e) {
            case 'n' -> '\n';
            case 't' -> '\t';
            default -> e;
          });
        } else {
          v.append(c);
        }
      }
      i++;
      m.put(name, v.toString());
    }
    return m;
  }
}
