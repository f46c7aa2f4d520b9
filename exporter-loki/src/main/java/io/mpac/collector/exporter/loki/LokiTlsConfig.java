package io.mpac.collector.exporter.loki;

import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.component.schema.Types;
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
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The {@code endpoint { tls_config { ... } }} block of {@code loki.write}. Applies to {@code https}
 * URLs. {@code ca_file} replaces the system trust store; {@code cert_file} with {@code key_file}
 * (PEM, PKCS#8 {@code BEGIN PRIVATE KEY}, RSA or EC) presents a client certificate;
 * {@code insecure_skip_verify} accepts any server certificate; {@code server_name} checks the
 * server's certificate against that name instead of the URL's host. Files are read at start.
 */
public record LokiTlsConfig(String caFile, String certFile, String keyFile, boolean insecureSkipVerify,
    String serverName) {

  public static final LokiTlsConfig DEFAULTS = new LokiTlsConfig("", "", "", false, "");

  static final Schema SCHEMA = Schema.builder()
      .optional("ca_file", Types.STRING, "", "PEM file of the CAs that sign the server's certificate")
      .optional("cert_file", Types.STRING, "", "PEM client certificate file")
      .optional("key_file", Types.STRING, "", "PEM (PKCS#8) client key file")
      .optional("insecure_skip_verify", Types.BOOL, false, "accept any server certificate (testing only)")
      .optional("server_name", Types.STRING, "", "name to check the server's certificate against")
      .build();

  static LokiTlsConfig from(Args block) {
    return new LokiTlsConfig(block.string("ca_file"), block.string("cert_file"), block.string("key_file"),
        block.bool("insecure_skip_verify"), block.string("server_name"));
  }

  boolean isDefault() {
    return equals(DEFAULTS);
  }

  /** Builds the SSL context (reads the files). */
  SSLContext sslContext() throws IOException, GeneralSecurityException {
    TrustManager[] trust;
    if (insecureSkipVerify) {
      trust = new TrustManager[] {new TrustAll()};
    } else {
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      if (caFile.isEmpty()) {
        tmf.init((KeyStore) null);
      } else {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        int i = 0;
        for (Certificate c : certificates(Path.of(caFile))) ks.setCertificateEntry("ca" + i++, c);
        tmf.init(ks);
      }
      trust = tmf.getTrustManagers();
      if (!serverName.isEmpty()) {
        for (int i = 0; i < trust.length; i++) {
          if (trust[i] instanceof X509TrustManager x) trust[i] = new NameChecking(x, serverName);
        }
      }
    }
    javax.net.ssl.KeyManager[] keys = null;
    if (!certFile.isEmpty()) {
      Collection<? extends Certificate> chain = certificates(Path.of(certFile));
      PrivateKey key = privateKey(Path.of(keyFile));
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("client", key, new char[0], chain.toArray(new Certificate[0]));
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, new char[0]);
      keys = kmf.getKeyManagers();
    }
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(keys, trust, null);
    return ctx;
  }

  private static Collection<? extends Certificate> certificates(Path file) throws IOException, GeneralSecurityException {
    byte[] pem = Files.readAllBytes(file);
    Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509")
        .generateCertificates(new ByteArrayInputStream(pem));
    if (certs.isEmpty()) throw new CertificateException("no certificate in " + file);
    return certs;
  }

  private static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
    String pem = Files.readString(file, StandardCharsets.US_ASCII);
    int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
    int end = pem.indexOf("-----END PRIVATE KEY-----");
    if (begin < 0 || end < begin) {
      throw new GeneralSecurityException(file + ": expected a PKCS#8 PEM key (-----BEGIN PRIVATE KEY-----)");
    }
    byte[] der = Base64.getMimeDecoder().decode(pem.substring(begin + 27, end));
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    for (String alg : List.of("RSA", "EC", "Ed25519")) {
      try {
        return KeyFactory.getInstance(alg).generatePrivate(spec);
      } catch (GeneralSecurityException e) {
        // try the next algorithm
      }
    }
    throw new GeneralSecurityException(file + ": unsupported private key algorithm");
  }

  /** Accepts every certificate and does no host name check (insecure_skip_verify). */
  private static final class TrustAll extends X509ExtendedTrustManager {
    @Override public void checkClientTrusted(X509Certificate[] c, String a, Socket s) {}
    @Override public void checkServerTrusted(X509Certificate[] c, String a, Socket s) {}
    @Override public void checkClientTrusted(X509Certificate[] c, String a, SSLEngine e) {}
    @Override public void checkServerTrusted(X509Certificate[] c, String a, SSLEngine e) {}
    @Override public void checkClientTrusted(X509Certificate[] c, String a) {}
    @Override public void checkServerTrusted(X509Certificate[] c, String a) {}
    @Override public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }

  /** Checks the chain with the delegate, and the leaf's DNS names against a fixed server name. */
  private static final class NameChecking extends X509ExtendedTrustManager {
    private final X509TrustManager delegate;
    private final String name;

    NameChecking(X509TrustManager delegate, String name) {
      this.delegate = delegate;
      this.name = name.toLowerCase(Locale.ROOT);
    }

    private void check(X509Certificate[] chain, String authType) throws CertificateException {
      delegate.checkServerTrusted(chain, authType);
      Collection<List<?>> sans = chain[0].getSubjectAlternativeNames();
      if (sans != null) {
        for (List<?> san : sans) {
          if (Integer.valueOf(2).equals(san.get(0)) && matches(String.valueOf(san.get(1)).toLowerCase(Locale.ROOT))) {
            return;
          }
        }
      }
      throw new CertificateException("server certificate does not match server_name " + name);
    }

    private boolean matches(String pattern) {
      if (pattern.startsWith("*.")) {
        int dot = name.indexOf('.');
        return dot > 0 && name.substring(dot).equals(pattern.substring(1));
      }
      return pattern.equals(name);
    }

    @Override public void checkClientTrusted(X509Certificate[] c, String a, Socket s) throws CertificateException {
      delegate.checkClientTrusted(c, a);
    }
    @Override public void checkServerTrusted(X509Certificate[] c, String a, Socket s) throws CertificateException {
      check(c, a);
    }
    @Override public void checkClientTrusted(X509Certificate[] c, String a, SSLEngine e) throws CertificateException {
      delegate.checkClientTrusted(c, a);
    }
    @Override public void checkServerTrusted(X509Certificate[] c, String a, SSLEngine e) throws CertificateException {
      check(c, a);
    }
    @Override public void checkClientTrusted(X509Certificate[] c, String a) throws CertificateException {
      delegate.checkClientTrusted(c, a);
    }
    @Override public void checkServerTrusted(X509Certificate[] c, String a) throws CertificateException {
      check(c, a);
    }
    @Override public X509Certificate[] getAcceptedIssuers() {
      return delegate.getAcceptedIssuers();
    }
  }
}
