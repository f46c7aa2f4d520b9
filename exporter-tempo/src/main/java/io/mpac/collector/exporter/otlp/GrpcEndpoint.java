package io.mpac.collector.exporter.otlp;

import java.util.Locale;

/**
 * A gRPC {@code endpoint}: {@code host:port}, or {@code http://host:port} / {@code
 * https://host:port} as users often write it. The scheme, when present, decides TLS
 * ({@code http} plaintext, {@code https} TLS), which avoids the classic "first record does not look
 * like a TLS handshake" trap; without a scheme {@code tls { insecure }} decides, as in Alloy.
 *
 * @param host host name or IP literal (IPv6 without brackets)
 * @param port TCP port
 * @param scheme "http", "https" or "" when none was written
 */
public record GrpcEndpoint(String host, int port, String scheme) {

  /** The grpc-java target, {@code dns:///host:port}. */
  public String target() {
    String h = host.contains(":") ? "[" + host + "]" : host;
    return "dns:///" + h + ":" + port;
  }

  public String hostPort() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  /**
   * Parses an endpoint.
   *
   * @throws IllegalArgumentException with a message for the user
   */
  public static GrpcEndpoint parse(String endpoint) {
    String e = endpoint == null ? "" : endpoint.trim();
    if (e.isEmpty()) throw new IllegalArgumentException("endpoint must not be empty; expected host:port");
    String scheme = "";
    String lower = e.toLowerCase(Locale.ROOT);
    if (lower.startsWith("http://")) {
      scheme = "http";
      e = e.substring(7);
    } else if (lower.startsWith("https://")) {
      scheme = "https";
      e = e.substring(8);
    } else if (lower.startsWith("dns:///")) {
      e = e.substring(7);
    } else if (lower.contains("://")) {
      throw new IllegalArgumentException("unsupported endpoint scheme in \"" + endpoint + "\"; expected host:port");
    }
    if (e.endsWith("/")) e = e.substring(0, e.length() - 1);
    if (e.contains("/")) {
      throw new IllegalArgumentException("endpoint \"" + endpoint + "\" has a path; otelcol.exporter.otlp speaks gRPC"
          + " and takes host:port (for an OTLP/HTTP URL such as http://tempo:4318/v1/traces use"
          + " otelcol.exporter.otlphttp)");
    }
    String host;
    String portText;
    if (e.startsWith("[")) {
      int close = e.indexOf(']');
      if (close < 0) throw new IllegalArgumentException("invalid IPv6 endpoint \"" + endpoint + "\"");
      host = e.substring(1, close);
      portText = e.length() > close + 1 && e.charAt(close + 1) == ':' ? e.substring(close + 2) : "";
    } else {
      int colon = e.lastIndexOf(':');
      host = colon < 0 ? e : e.substring(0, colon);
      portText = colon < 0 ? "" : e.substring(colon + 1);
    }
    if (host.isEmpty()) throw new IllegalArgumentException("endpoint \"" + endpoint + "\" has no host");
    int port;
    if (portText.isEmpty()) {
      if (scheme.equals("https")) {
        port = 443;
      } else if (scheme.equals("http")) {
        port = 80;
      } else {
        throw new IllegalArgumentException("endpoint \"" + endpoint + "\" has no port; expected host:port,"
            + " e.g. tempo:4317");
      }
    } else {
      try {
        port = Integer.parseInt(portText);
      } catch (NumberFormatException ex) {
        throw new IllegalArgumentException("invalid port in endpoint \"" + endpoint + "\"");
      }
      if (port < 1 || port > 65535) throw new IllegalArgumentException("port out of range in \"" + endpoint + "\"");
    }
    return new GrpcEndpoint(host, port, scheme);
  }
}
