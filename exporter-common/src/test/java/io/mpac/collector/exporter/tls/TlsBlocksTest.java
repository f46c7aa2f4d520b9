package io.mpac.collector.exporter.tls;

import static io.mpac.collector.exporter.ExporterTestArgs.block;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.component.schema.Schema.BlockSpec.Cardinality;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.config.syntax.Diagnostic;
import io.mpac.collector.exporter.ExporterTestArgs;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The two Alloy spellings of client TLS decode to one {@link TlsSettings}; problems carry positions. */
class TlsBlocksTest {

  private static final Schema OTLP_CLIENT = Schema.builder().block("tls", TlsBlocks.OTLP_TLS, Cardinality.OPTIONAL)
      .build();
  private static final Schema ENDPOINT = Schema.builder()
      .block("tls_config", TlsBlocks.TLS_CONFIG, Cardinality.OPTIONAL, "TLS").build();

  private static Map<String, Object> body(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
    return m;
  }

  private static OtlpTls otlp(Map<String, Object> tls) throws ConfigException {
    Args a = ExporterTestArgs.decode("otelcol.exporter.otlp", OTLP_CLIENT, body("tls", block(tls)));
    List<Diagnostic> diags = new ArrayList<>();
    OtlpTls t = TlsBlocks.otlpTls(a.block("tls"), diags);
    if (!diags.isEmpty()) throw new ConfigException(diags);
    return t;
  }

  private static TlsSettings tlsConfig(Map<String, Object> tls, List<Diagnostic> diags) throws ConfigException {
    Args a = ExporterTestArgs.decode("loki.write", ENDPOINT, body("tls_config", block(tls)));
    return TlsBlocks.tlsConfig(a.block("tls_config"), diags);
  }

  @Test
  void bothSpellingsDecodeToTheSameSettings() throws Exception {
    Map<String, Object> common = body("ca_file", "/etc/ca.pem", "cert_file", "/etc/client.pem",
        "key_file", "/etc/client.key", "insecure_skip_verify", true, "server_name", "loki.internal");
    List<Diagnostic> diags = new ArrayList<>();
    TlsSettings fromTlsConfig = tlsConfig(common, diags);
    OtlpTls fromOtlp = otlp(common);
    assertThat(diags).isEmpty();
    assertThat(fromOtlp.insecure()).isFalse();
    assertThat(fromOtlp.settings()).isEqualTo(fromTlsConfig.withReloadInterval(null));
    // tls_config files are checked for changes (as Prometheus re-reads them); OTLP only with reload_interval
    assertThat(fromTlsConfig).isEqualTo(new TlsSettings("/etc/ca.pem", "", "/etc/client.pem", "", "/etc/client.key",
        "", true, "loki.internal", "", "").withReloadInterval(TlsBlocks.TLS_CONFIG_RELOAD_INTERVAL));
    assertThat(fromOtlp.settings().reloads()).isFalse();
  }

  @Test
  void reloadIntervalOfTheOtlpBlock() throws Exception {
    OtlpTls t = otlp(body("ca_file", "/etc/ca.pem", "reload_interval", "30s"));
    assertThat(t.settings().reloadInterval()).isEqualTo(java.time.Duration.ofSeconds(30));
    assertThat(t.settings().reloads()).isTrue();
    assertThat(otlp(body("ca_file", "/etc/ca.pem")).settings().reloadInterval()).isNull();
    assertThatThrownBy(() -> otlp(body("ca_file", "/etc/ca.pem", "reload_interval", "0s")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("reload_interval must be positive");
    assertThat(TlsBlocks.TLS_CONFIG.names()).as("Alloy's tls_config has no reload_interval")
        .doesNotContain("reload_interval");
  }

  @Test
  void noBlockMeansDefaultsAndInsecureIsOnlyTheOtlpSpelling() throws Exception {
    assertThat(TlsBlocks.otlpTls(null, new ArrayList<>())).isEqualTo(OtlpTls.DEFAULTS);
    assertThat(TlsBlocks.tlsConfig(null, new ArrayList<>())).isEqualTo(TlsSettings.NONE);
    assertThat(otlp(body("insecure", true))).isEqualTo(OtlpTls.INSECURE);
    assertThatThrownBy(() -> tlsConfig(body("insecure", true), new ArrayList<>()))
        .isInstanceOf(ConfigException.class);
  }

  @Test
  void aBadInlinePemIsAnErrorAtItsAttribute() {
    // line 1: the component, line 2: the tls block, line 3 onwards: its attributes in order
    assertThatThrownBy(() -> otlp(body("ca_pem", "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n")))
        .isInstanceOfSatisfying(ConfigException.class, e -> {
          assertThat(e.diagnostics()).hasSize(1);
          Diagnostic d = e.diagnostics().get(0);
          assertThat(d.position().file()).isEqualTo("test.alloy");
          assertThat(d.position().line()).isEqualTo(3);
          assertThat(d.message()).contains("ca_pem").contains("certificate");
        });
  }

  @Test
  void aBadInlineKeyIsAPositionedErrorThatDoesNotQuoteTheKey() throws Exception {
    String secretish = "c2VjcmV0LWtleS1tYXRlcmlhbA==";
    List<Diagnostic> diags = new ArrayList<>();
    tlsConfig(body("cert_file", "/etc/client.pem", "key_pem",
        "-----BEGIN PRIVATE KEY-----\n" + secretish + "\n-----END PRIVATE KEY-----\n"), diags);
    assertThat(diags).hasSize(1);
    assertThat(diags.get(0).position().line()).isEqualTo(4);
    assertThat(diags.get(0).message()).contains("key_pem").doesNotContain(secretish);
  }

  @Test
  void contradictionsArePositioned() throws Exception {
    List<Diagnostic> diags = new ArrayList<>();
    tlsConfig(body("ca_file", "/a.pem", "ca_pem", "x", "cert_file", "/c.pem"), diags);
    assertThat(diags).extracting(Diagnostic::message)
        .anyMatch(m -> m.contains("ca_file and ca_pem are exclusive"))
        .anyMatch(m -> m.contains("needs both a certificate"));
    // ca_pem (line 4) is named for the exclusive pair, cert_file (line 5) for the missing key
    assertThat(diags).extracting(d -> d.position().line()).contains(4, 5);
  }

  @Test
  void versionsMapToJdkProtocolNames() {
    assertThat(TlsSettings.NONE.protocols()).isNull();
    assertThat(TlsSettings.NONE.withVersions("TLS12", "").protocols()).containsExactly("TLSv1.2", "TLSv1.3");
    assertThat(TlsSettings.NONE.withVersions("1.3", "").protocols()).containsExactly("TLSv1.3");
    assertThat(TlsSettings.NONE.withVersions("", "TLS1.2").protocols()).containsExactly("TLSv1.2");
    assertThat(TlsSettings.NONE.withVersions("TLS13", "TLS12").problems()).extracting(p -> p[0])
        .containsExactly("min_version");
    assertThat(TlsSettings.NONE.withVersions("SSL3", "").problems()).extracting(p -> p[1])
        .anyMatch(m -> m.contains("unknown TLS version"));
  }

  @Test
  void toStringNeverShowsInlinePem() {
    TlsSettings s = new TlsSettings("", "CA-PEM-TEXT", "", "CERT-PEM-TEXT", "", "KEY-PEM-TEXT", false, "", "", "");
    assertThat(s.toString()).doesNotContain("CA-PEM-TEXT", "CERT-PEM-TEXT", "KEY-PEM-TEXT").contains("(secret)");
  }
}
