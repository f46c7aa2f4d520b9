package io.mpac.collector.kafka;

import io.mpac.collector.component.schema.Args;
import io.mpac.collector.config.syntax.Diagnostic;
import io.mpac.collector.exporter.tls.OtlpTls;
import io.mpac.collector.exporter.tls.TlsBlocks;
import io.mpac.collector.exporter.tls.TlsSettings;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.config.types.Password;

/**
 * Transport security and authentication to the brokers: plaintext, TLS (exporter-common's
 * {@link TlsSettings}, used through {@link KafkaSslEngineFactory}), SASL PLAIN or SCRAM-SHA-256/512,
 * and SASL over TLS.
 *
 * @param tls TLS settings, or null for plaintext
 * @param sasl SASL credentials, or null for none
 */
public record KafkaSecurity(TlsSettings tls, Sasl sasl) {

  /** Plaintext, no authentication. */
  public static final KafkaSecurity NONE = new KafkaSecurity(null, null);

  /** The SASL mechanisms implemented. */
  public static final List<String> MECHANISMS = List.of("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512");

  /**
   * SASL credentials.
   *
   * @param mechanism one of {@link #MECHANISMS}
   * @param username the user
   * @param password the password (never printed)
   */
  public record Sasl(String mechanism, String username, String password) {
    public Sasl {
      Objects.requireNonNull(mechanism, "mechanism");
      Objects.requireNonNull(username, "username");
      Objects.requireNonNull(password, "password");
    }

    @Override
    public String toString() {
      return "Sasl[" + mechanism + ", username=" + username + "]";
    }
  }

  /** Kafka's {@code security.protocol} for these settings. */
  public String protocol() {
    if (sasl == null) return tls == null ? "PLAINTEXT" : "SSL";
    return tls == null ? "SASL_PLAINTEXT" : "SASL_SSL";
  }

  static KafkaSecurity from(Args authentication, Args tlsBlock, List<Diagnostic> diags) {
    TlsSettings tls = tls(tlsBlock, diags);
    Sasl sasl = null;
    if (authentication != null) {
      Args plaintext = authentication.block("plaintext");
      Args s = authentication.block("sasl");
      Args authTls = authentication.block("tls");
      if (plaintext != null && s != null) {
        diags.add(new Diagnostic(plaintext.position(), "set authentication.plaintext or authentication.sasl, not both"));
      }
      if (plaintext != null) sasl = new Sasl("PLAIN", plaintext.string("username"), plaintext.string("password"));
      if (s != null) {
        String mechanism = s.string("mechanism");
        if (!MECHANISMS.contains(mechanism)) {
          diags.add(new Diagnostic(s.positionOf("mechanism"), "SASL mechanism \"" + mechanism
              + "\" is not supported; use one of " + MECHANISMS));
        }
        long version = s.integer("version");
        if (version != 0 && version != 1) {
          diags.add(new Diagnostic(s.positionOf("version"), "SASL version must be 0 or 1"));
        }
        sasl = new Sasl(mechanism, s.string("username"), s.string("password"));
      }
      if (authTls != null) {
        if (tlsBlock != null) {
          diags.add(new Diagnostic(authTls.position(), "set tls or authentication.tls (deprecated), not both"));
        }
        tls = tls(authTls, diags);
      }
    }
    return new KafkaSecurity(tls, sasl);
  }

  /** A tls block: absent or {@code insecure = true} means plaintext. */
  private static TlsSettings tls(Args block, List<Diagnostic> diags) {
    if (block == null) return null;
    if (block.isSet("reload_interval")) { // kafka-clients builds its TLS context once per client
      diags.add(new Diagnostic(block.positionOf("reload_interval"),
          "reload_interval is not supported for Kafka: the client reads its TLS files once, at start"));
    }
    OtlpTls t = TlsBlocks.otlpTls(block, diags);
    return t.insecure() ? null : t.settings();
  }

  /** The kafka-clients properties for these settings. */
  public Map<String, Object> clientProperties() {
    Map<String, Object> p = new HashMap<>();
    p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, protocol());
    if (tls != null) {
      p.put(SslConfigs.SSL_ENGINE_FACTORY_CLASS_CONFIG, KafkaSslEngineFactory.class);
      p.put(KafkaSslEngineFactory.SETTINGS_KEY, tls);
    }
    if (sasl != null) {
      p.put(SaslConfigs.SASL_MECHANISM, sasl.mechanism());
      String module = sasl.mechanism().equals("PLAIN") ? "org.apache.kafka.common.security.plain.PlainLoginModule"
          : "org.apache.kafka.common.security.scram.ScramLoginModule";
      p.put(SaslConfigs.SASL_JAAS_CONFIG, new Password(module + " required username=\"" + jaasEscape(sasl.username())
          + "\" password=\"" + jaasEscape(sasl.password()) + "\";"));
    }
    return p;
  }

  /** JAAS quoted strings: backslash and quote escaped. */
  static String jaasEscape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  /** For log lines: protocol and mechanism, no credentials. */
  public String describe() {
    return protocol() + (sasl == null ? "" : " " + sasl.mechanism() + " as " + sasl.username());
  }

  @Override
  public String toString() {
    return "KafkaSecurity[" + describe() + (tls == null ? "" : ", " + tls) + "]";
  }

}
