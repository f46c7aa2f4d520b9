package io.mpac.collector.exporter.tls;

import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.component.schema.Type;
import io.mpac.collector.component.schema.Types;
import io.mpac.collector.config.syntax.Diagnostic;
import java.security.GeneralSecurityException;
import java.util.List;

/**
 * The two Alloy spellings of client TLS we accept, both decoding to {@link TlsSettings}:
 * <ul>
 *   <li>{@link #OTLP_TLS}: {@code otelcol.exporter.otlp}/{@code otlphttp}'s {@code client { tls { } }},
 *       with {@code insecure} and the PEM attributes as secrets;
 *   <li>{@link #TLS_CONFIG}: {@code tls_config { }} of {@code loki.write} and
 *       {@code prometheus.remote_write} (Prometheus' common HTTP client config).
 * </ul>
 * Decoding checks contradictions (a {@code _file} and its {@code _pem}, a certificate without a key)
 * and parses inline PEM, so a bad one is an error at its position; files are read at start.
 */
public final class TlsBlocks {

  public static final Schema OTLP_TLS = pemFiles(Schema.builder()
      .optional("insecure", Types.BOOL, false, "plaintext: no TLS")
      .optional("insecure_skip_verify", Types.BOOL, false, "do not verify the server certificate"), Types.SECRET)
      .optional("server_name", Types.STRING, "", "name to verify the server certificate against")
      .build();

  public static final Schema TLS_CONFIG = pemFiles(Schema.builder(), Types.STRING)
      .optional("insecure_skip_verify", Types.BOOL, false, "trust any server certificate (testing only)")
      .optional("server_name", Types.STRING, "",
          "name to verify the server certificate against instead of the URL's host")
      .build();

  /** The CA, certificate and key attributes; inline certificates are {@code certType}, the key always secret. */
  private static Schema.Builder pemFiles(Schema.Builder b, Type certType) {
    return b.optional("ca_file", Types.STRING, "", "PEM file of CA certificates to trust")
        .optional("ca_pem", certType, "", "PEM CA certificates to trust")
        .optional("cert_file", Types.STRING, "", "PEM client certificate file")
        .optional("cert_pem", certType, "", "PEM client certificate")
        .optional("key_file", Types.STRING, "", "PEM (PKCS#8) client key file")
        .optional("key_pem", Types.SECRET, "", "PEM (PKCS#8) client key");
  }

  private TlsBlocks() {}

  /**
   * Decodes an OTLP {@code tls} block, adding problems to {@code diags}; null (no block) gives
   * {@link OtlpTls#DEFAULTS}.
   */
  public static OtlpTls otlpTls(Args block, List<Diagnostic> diags) {
    return block == null ? OtlpTls.DEFAULTS : new OtlpTls(block.bool("insecure"), decode(block, diags));
  }

  /**
   * Decodes a {@code tls_config} block, adding problems to {@code diags}; null (no block) gives
   * {@link TlsSettings#NONE}.
   */
  public static TlsSettings tlsConfig(Args block, List<Diagnostic> diags) {
    return block == null ? TlsSettings.NONE : decode(block, diags);
  }

  private static TlsSettings decode(Args b, List<Diagnostic> diags) {
    TlsSettings s = new TlsSettings(b.string("ca_file"), b.string("ca_pem"), b.string("cert_file"),
        b.string("cert_pem"), b.string("key_file"), b.string("key_pem"), b.bool("insecure_skip_verify"),
        b.string("server_name"), "", "");
    for (String[] p : s.problems()) diags.add(new Diagnostic(b.positionOf(p[0]), p[1]));
    try {
      if (!s.caPem().isEmpty()) TlsContexts.certificates(s.caPem(), "ca_pem");
    } catch (GeneralSecurityException e) {
      diags.add(new Diagnostic(b.positionOf("ca_pem"), e.getMessage()));
    }
    try {
      if (!s.certPem().isEmpty()) TlsContexts.certificates(s.certPem(), "cert_pem");
    } catch (GeneralSecurityException e) {
      diags.add(new Diagnostic(b.positionOf("cert_pem"), e.getMessage()));
    }
    try {
      if (!s.keyPem().isEmpty()) TlsContexts.privateKey(s.keyPem(), "key_pem");
    } catch (GeneralSecurityException e) {
      diags.add(new Diagnostic(b.positionOf("key_pem"), e.getMessage()));
    }
    return s;
  }
}
