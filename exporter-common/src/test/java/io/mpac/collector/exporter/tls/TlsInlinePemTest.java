package io.mpac.collector.exporter.tls;

import static io.mpac.collector.exporter.ExporterTestArgs.block;
import static org.assertj.core.api.Assertions.assertThat;

import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.config.syntax.Diagnostic;
import io.mpac.collector.exporter.ExporterTestArgs;
import io.mpac.collector.testing.RequiredTool;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.X509KeyManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cert_pem} with {@code key_pem}, the inline client identity of both TLS blocks
 * ({@code tls_config} and OTLP's {@code tls}): decoded by name, it is the certificate chain and
 * key the client's key manager presents, the same as the files would give.
 */
class TlsInlinePemTest {

  @TempDir
  static Path dir;
  static String certPem;
  static String keyPem;

  @BeforeAll
  static void makeCertificate() throws Exception {
    List<String> cmd = List.of("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
        "-nodes", "-keyout", dir.resolve("client.key").toString(), "-out", dir.resolve("client.pem").toString(),
        "-days", "2", "-subj", "/CN=inline-client");
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    } catch (IOException e) {
      RequiredTool.missing("openssl", "it cannot be started: " + e.getMessage());
      return;
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) throw new AssertionError("openssl failed: " + out);
    certPem = Files.readString(dir.resolve("client.pem"));
    keyPem = Files.readString(dir.resolve("client.key"));
  }

  private static X509Certificate presented(TlsSettings s) throws Exception {
    for (KeyManager km : TlsContexts.keyManagers(s)) {
      if (km instanceof X509KeyManager x) {
        for (String alias : x.getClientAliases("EC", null)) {
          X509Certificate[] chain = x.getCertificateChain(alias);
          assertThat(x.getPrivateKey(alias)).isNotNull();
          return chain[0];
        }
      }
    }
    throw new AssertionError("no client certificate");
  }

  @Test
  void tlsConfigCertPemAndKeyPemAreTheClientIdentity() throws Exception {
    Schema endpoint = Schema.builder().block("tls_config", TlsBlocks.TLS_CONFIG, Schema.BlockSpec.Cardinality.OPTIONAL)
        .build();
    Args a = ExporterTestArgs.decode("loki.write", endpoint,
        Map.of("tls_config", block(Map.of("cert_pem", certPem, "key_pem", keyPem))));
    List<Diagnostic> diags = new ArrayList<>();
    TlsSettings s = TlsBlocks.tlsConfig(a.block("tls_config"), diags);
    assertThat(diags).isEmpty();
    TlsSettings fromFiles = TlsSettings.NONE.withClientCertificateFiles(dir.resolve("client.pem").toString(),
        dir.resolve("client.key").toString());
    assertThat(presented(s)).isEqualTo(presented(fromFiles));
    assertThat(presented(s).getSubjectX500Principal().getName()).isEqualTo("CN=inline-client");
  }

  @Test
  void otlpTlsCertPemAndKeyPemAreTheClientIdentity() throws Exception {
    Schema client = Schema.builder().block("tls", TlsBlocks.OTLP_TLS, Schema.BlockSpec.Cardinality.OPTIONAL).build();
    Args a = ExporterTestArgs.decode("otelcol.exporter.otlp", client,
        Map.of("tls", block(Map.of("cert_pem", certPem, "key_pem", keyPem))));
    List<Diagnostic> diags = new ArrayList<>();
    OtlpTls t = TlsBlocks.otlpTls(a.block("tls"), diags);
    assertThat(diags).isEmpty();
    assertThat(presented(t.settings()).getSubjectX500Principal().getName()).isEqualTo("CN=inline-client");
  }
}
