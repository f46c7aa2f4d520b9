package io.mpac.collector.exporter.tls;

import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.component.schema.Type;
import io.mpac.collector.component.schema.Types;
import io.mpac.collector.config.syntax.Diagnostic;
import java.security.GeneralSecurityException;
import java.time.Duration;
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
 * and parses inline PEM, so a bad one is an error at its position; files are read at start and,
 * with the OTLP block's {@code reload_interval}, again when they change. {@code tls_config} files
 * are checked every {@link #TLS_CONFIG_RELOAD_INTERVAL} (Prometheus re-reads them when they change;
 * its block has no such attribute).
 */
public final class TlsBlocks {

  public static final Schema OTLP_TLS = pemFiles(Schema.builder()
      .optional("insecure", Types.BOOL, false, "plaintext: no TLS")
      .optional("insecure_skip_verify", Types.BOOL, false, "do not verify the server certificate"), Types.SECRET)
      .optional("server_name", Types.STRING, "", "name to verify the server certificate against")
      .optional("reload_interval", Types.DURATION, null,
          "check ca_file, cert_file and key_file this often; new connections use changed files; unset = read once")
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

  /** How often {@code tls_config}'s files are checked for changes. */
  public static final Duration TLS_CONFIG_RELOAD_INTERVAL = Duration.ofSeconds(10);

  private TlsBlocks() {}

  /**
   * Decodes an OTLP {@code tls} block, adding problems to {@code diags}; null (no block) gives
   * {@link OtlpTls#DEFAULTS}.
   */
  public static OtlpTls otlpTls(Args block, List<Diagnostic> diags) {
    if (block == null) return OtlpTls.DEFAULTS;
    Duration reload = block.duration("reload_interval");
    if (reload != null && (reload.isZero() || reload.isNegative())) {
      diags.add(new Diagnostic(block.positionOf("reload_interval"), "reload_interval must be positive"));
      reload = null;
    }
    return new OtlpTls(block.bool("insecure"), decode(block, diags).withReloadInterval(reload));
  }

  /**
   * Decodes a {@code tls_config} block, adding problems to {@code diags}; null (no block) gives
   * {@link TlsSettings#NONE}.
   */
  public static TlsSettings tlsConfig(Args block, List<Diagnostic> diags) {
    return block == null ? TlsSettings.NONE : decode(block, diags).withReloadInterval(TLS_CONFIG_RELOAD_INTERVAL);
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
