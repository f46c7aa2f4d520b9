package io.mpac.collector.exporter.otlp;

import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.component.schema.Types;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.config.syntax.Diagnostic;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The {@code client { tls { ... } }} block of the OTLP exporters, as Alloy spells it. TLS is ON
 * unless {@code insecure = true} (as in Alloy, where a plaintext Tempo needs {@code tls { insecure =
 * true }}).
 *
 * <p>{@code ca_file}/{@code ca_pem} replace the system trust store; {@code cert_file}/{@code
 * cert_pem} with {@code key_file}/{@code key_pem} present a client certificate (the key in PKCS#8
 * PEM, {@code -----BEGIN PRIVATE KEY-----}, RSA or EC). Each {@code _file}/{@code _pem} pair is
 * exclusive. Files are read at {@code start()}, not at config time.
 *
 * @param insecure plaintext, no TLS at all
 * @param insecureSkipVerify TLS without checking the server's certificate or name
 * @param serverName the name to verify the server's certificate against (and send as SNI)
 */
public record TlsConfig(
    boolean insecure,
    boolean insecureSkipVerify,
    String caFile,
    String caPem,
    String certFile,
    String certPem,
    String keyFile,
    String keyPem,
    String serverName) {

  /** TLS on, system trust store. */
  public static final TlsConfig DEFAULTS = new TlsConfig(false, false, "", "", "", "", "", "", "");
  /** Plaintext. */
  public static final TlsConfig INSECURE = new TlsConfig(true, false, "", "", "", "", "", "", "");

  public static final Schema SCHEMA = Schema.builder()
      .optional("insecure", Types.BOOL, false, "plaintext: no TLS")
      .optional("insecure_skip_verify", Types.BOOL, false, "do not verify the server certificate")
      .optional("ca_file", Types.STRING, "", "PEM file of CA certificates to trust")
      .optional("ca_pem", Types.SECRET, "", "PEM CA certificates to trust")
      .optional("cert_file", Types.STRING, "", "PEM client certificate file")
      .optional("cert_pem", Types.SECRET, "", "PEM client certificate")
      .optional("key_file", Types.STRING, "", "PEM (PKCS#8) client key file")
      .optional("key_pem", Types.SECRET, "", "PEM (PKCS#8) client key")
      .optional("server_name", Types.STRING, "", "name to verify the server certificate against")
      .build();

  public TlsConfig {
    caFile = nz(caFile);
    caPem = nz(caPem);
    certFile = nz(certFile);
    certPem = nz(certPem);
    keyFile = nz(keyFile);
    keyPem = nz(keyPem);
    serverName = nz(serverName);
  }

  /** Plaintext with a CA, or a cert without its key, and similar contradictions; empty when fine. */
  List<String[]> problems() {
    List<String[]> out = new ArrayList<>();
    if (!caFile.isEmpty() && !caPem.isEmpty()) out.add(new String[] {"ca_pem", "ca_file and ca_pem are exclusive"});
    if (!certFile.isEmpty() && !certPem.isEmpty()) {
      out.add(new String[] {"cert_pem", "cert_file and cert_pem are exclusive"});
    }
    if (!keyFile.isEmpty() && !keyPem.isEmpty()) out.add(new String[] {"key_pem", "key_file and key_pem are exclusive"});
    boolean cert = !certFile.isEmpty() || !certPem.isEmpty();
    boolean key = !keyFile.isEmpty() || !keyPem.isEmpty();
    if (cert != key) {
      out.add(new String[] {cert ? "cert_file" : "key_file",
          "a client certificate needs both a certificate (cert_file/cert_pem) and a key (key_file/key_pem)"});
    }
    return out;
  }

  public static TlsConfig from(Args block) throws ConfigException {
    TlsConfig t = new TlsConfig(block.bool("insecure"), block.bool("insecure_skip_verify"), block.string("ca_file"),
        block.string("ca_pem"), block.string("cert_file"), block.string("cert_pem"), block.string("key_file"),
        block.string("key_pem"), block.string("server_name"));
    List<Diagnostic> diags = new ArrayList<>();
    for (String[] p : t.problems()) diags.add(new Diagnostic(block.positionOf(p[0]), p[1]));
    if (!diags.isEmpty()) throw new ConfigException(diags);
    return t;
  }

  /** True when a CA, client certificate or verification setting was given (meaningless without TLS). */
  public boolean hasTlsSettings() {
    return insecureSkipVerify || !caFile.isEmpty() || !caPem.isEmpty() || !certFile.isEmpty() || !certPem.isEmpty()
        || !serverName.isEmpty();
  }

  /** Trust managers for the configured CA, a trust-all one for skip-verify, or null for the system default. */
  public TrustManager[] trustManagers() throws IOException, GeneralSecurityException {
    if (insecureSkipVerify) return new TrustManager[] {TrustAll.INSTANCE};
    String pem = !caPem.isEmpty() ? caPem : !caFile.isEmpty() ? Files.readString(Path.of(caFile)) : null;
    if (pem == null) return null;
    Collection<? extends Certificate> certs = readCertificates(pem, !caFile.isEmpty() ? caFile : "ca_pem");
    KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
    ks.load(null, null);
    int i = 0;
    for (Certificate c : certs) ks.setCertificateEntry("ca-" + i++, c);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    return tmf.getTrustManagers();
  }

  /** Key managers for the client certificate, or null when none is configured. */
  public KeyManager[] keyManagers() throws IOException, GeneralSecurityException {
    String cert = !certPem.isEmpty() ? certPem : !certFile.isEmpty() ? Files.readString(Path.of(certFile)) : null;
    String key = !keyPem.isEmpty() ? keyPem : !keyFile.isEmpty() ? Files.readString(Path.of(keyFile)) : null;
    if (cert == null || key == null) return null;
    Collection<? extends Certificate> chain = readCertificates(cert, !certFile.isEmpty() ? certFile : "cert_pem");
    PrivateKey pk = readPrivateKey(key, !keyFile.isEmpty() ? keyFile : "key_pem");
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    char[] pass = new char[0];
    ks.setKeyEntry("client", pk, pass, chain.toArray(new Certificate[0]));
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, pass);
    return kmf.getKeyManagers();
  }

  /** An SSL context for JDK clients (the OTLP/HTTP exporter). */
  public SSLContext sslContext() throws IOException, GeneralSecurityException {
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(keyManagers(), trustManagers(), null);
    return ctx;
  }

  private static Collection<? extends Certificate> readCertificates(String pem, String source)
      throws GeneralSecurityException {
    Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509")
        .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    if (certs.isEmpty()) throw new GeneralSecurityException("no PEM certificate found in " + source);
    return certs;
  }

  private static PrivateKey readPrivateKey(String pem, String source) throws GeneralSecurityException {
    String begin = "-----BEGIN PRIVATE KEY-----";
    int a = pem.indexOf(begin);
    int b = pem.indexOf("-----END PRIVATE KEY-----");
    if (a < 0 || b < a) {
      throw new GeneralSecurityException(source + ": expected a PKCS#8 key (-----BEGIN PRIVATE KEY-----); convert with"
          + " `openssl pkcs8 -topk8 -nocrypt -in key.pem -out key-pkcs8.pem`");
    }
    byte[] der = Base64.getMimeDecoder().decode(pem.substring(a + begin.length(), b));
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    GeneralSecurityException last = null;
    for (String alg : new String[] {"RSA", "EC", "Ed25519"}) {
      try {
        return KeyFactory.getInstance(alg).generatePrivate(spec);
      } catch (GeneralSecurityException e) {
        last = e;
      }
    }
    throw new GeneralSecurityException(source + ": unsupported private key", last);
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }

  /** Accepts any server certificate and name: {@code insecure_skip_verify = true}. */
  static final class TrustAll extends X509ExtendedTrustManager {
    static final TrustAll INSTANCE = new TrustAll();

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
