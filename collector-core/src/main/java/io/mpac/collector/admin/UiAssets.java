package io.mpac.collector.admin;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The UI's files, read from the jar ({@code /ui/} on the class path). Only the names listed here
 * are served: a request can never reach another resource. The page needs nothing from the network.
 */
final class UiAssets {

  record Asset(String contentType, byte[] bytes) {}

  private static final Map<String, String> FILES = Map.of(
      "index.html", "text/html; charset=utf-8",
      "app.js", "text/javascript; charset=utf-8",
      "style.css", "text/css; charset=utf-8");

  private UiAssets() {}

  /** The file, or null when it is not a UI file. {@code index.html} gets the path prefix. */
  static Asset get(String name, String prefix) throws IOException {
    String type = FILES.get(name);
    if (type == null) return null;
    try (InputStream in = UiAssets.class.getResourceAsStream("/ui/" + name)) {
      if (in == null) return null;
      byte[] bytes = in.readAllBytes();
      if (name.equals("index.html")) {
        String html = new String(bytes, StandardCharsets.UTF_8).replace("{{PREFIX}}", escapeAttribute(prefix));
        bytes = html.getBytes(StandardCharsets.UTF_8);
      }
      return new Asset(type, bytes);
    }
  }

  private static String escapeAttribute(String s) {
    return s.replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
