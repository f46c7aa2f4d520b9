package io.mpac.collector.exporter.tls;

import java.util.Objects;

/**
 * The OTLP exporters' {@code client { tls { } }} block: {@link TlsSettings} plus Alloy's
 * {@code insecure} switch. TLS is on unless {@code insecure = true} (a plaintext Tempo needs
 * {@code tls { insecure = true }}).
 *
 * @param insecure plaintext, no TLS at all
 * @param settings how to speak TLS when it is on
 */
public record OtlpTls(boolean insecure, TlsSettings settings) {

  /** TLS on, system trust store. */
  public static final OtlpTls DEFAULTS = new OtlpTls(false, TlsSettings.NONE);
  /** Plaintext. */
  public static final OtlpTls INSECURE = new OtlpTls(true, TlsSettings.NONE);

  public OtlpTls {
    Objects.requireNonNull(settings, "settings");
  }

  /** True when a CA, client certificate, name or verification setting was given (meaningless without TLS). */
  public boolean hasTlsSettings() {
    return settings.insecureSkipVerify() || settings.hasCa() || settings.hasClientCertificate()
        || !settings.serverName().isEmpty();
  }
}
