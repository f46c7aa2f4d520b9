package io.mpac.collector.exporter.tls;

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
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Builds what a client needs from {@link TlsSettings}: trust managers (the configured CAs, the
 * system store, or trust-all for {@code insecure_skip_verify}; a {@code server_name} check instead
 * of the URL's host), key managers (the client certificate), an {@link SSLContext} for JDK clients
 * and the {@link SSLParameters} with the enabled protocols. Reads the files named in the settings.
 */
public final class TlsContexts {

  private static final String BEGIN_KEY = "-----BEGIN PRIVATE KEY-----";
  private static final String END_KEY = "-----END PRIVATE KEY-----";

  private TlsContexts() {}

  /** An SSL context for JDK clients; the JDK's default context when nothing is set. */
  public static SSLContext sslContext(TlsSettings tls) throws IOException, GeneralSecurityException {
    if (tls.isDefault()) return SSLContext.getDefault();
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(keyManagers(tls), trustManagers(tls), null);
    return ctx;
  }

  /** The protocols to enable as SSL parameters, or null to keep the client's defaults. */
  public static SSLParameters sslParameters(TlsSettings tls) {
    String[] protocols = tls.protocols();
    if (protocols == null) return null;
    SSLParameters p = new SSLParameters();
    p.setProtocols(protocols);
    return p;
  }

  /** Trust managers for the settings, or null for the system default (no CA, no name override). */
  public static TrustManager[] trustManagers(TlsSettings tls) throws IOException, GeneralSecurityException {
    if (tls.insecureSkipVerify()) return new TrustManager[] {TrustAll.INSTANCE};
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    if (tls.hasCa()) {
      String source = tls.caPem().isEmpty() ? tls.caFile() : "ca_pem";
      KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
      ks.load(null, null);
      int i = 0;
      for (Certificate c : certificates(pem(tls.caFile(), tls.caPem()), source)) ks.setCertificateEntry("ca-" + i++, c);
      tmf.init(ks);
    } else if (!tls.serverName().isEmpty()) {
      tmf.init((KeyStore) null);
    } else {
      return null;
    }
    TrustManager[] trust = tmf.getTrustManagers();
    if (!tls.serverName().isEmpty()) {
      for (int i = 0; i < trust.length; i++) {
        if (trust[i] instanceof X509TrustManager x) trust[i] = new NameChecking(x, tls.serverName());
      }
    }
    return trust;
  }

  /** Key managers for the client certificate, or null when none is configured. */
  public static KeyManager[] keyManagers(TlsSettings tls) throws IOException, GeneralSecurityException {
    if (!tls.hasClientCertificate()) return null;
    Collection<? extends Certificate> chain = certificates(pem(tls.certFile(), tls.certPem()),
        tls.certPem().isEmpty() ? tls.certFile() : "cert_pem");
    PrivateKey key = privateKey(pem(tls.keyFile(), tls.keyPem()), tls.keyPem().isEmpty() ? tls.keyFile() : "key_pem");
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    char[] pass = new char[0];
    ks.setKeyEntry("client", key, pass, chain.toArray(new Certificate[0]));
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, pass);
    return kmf.getKeyManagers();
  }

  private static String pem(String file, String inline) throws IOException {
    return inline.isEmpty() ? Files.readString(Path.of(file), StandardCharsets.US_ASCII) : inline;
  }

  /**
   * The X.509 certificates in {@code pem}.
   *
   * @param source what to name in the error (a file name or an attribute)
   */
  public static Collection<? extends Certificate> certificates(String pem, String source)
      throws GeneralSecurityException {
    Collection<? extends Certificate> certs;
    try {
      certs = CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    } catch (CertificateException e) {
      throw new CertificateException(source + ": not a readable PEM certificate", e);
    }
    if (certs.isEmpty()) throw new CertificateException(source + ": no PEM certificate found");
    return certs;
  }

  /**
   * The PKCS#8 private key in {@code pem} (RSA, EC or Ed25519). The message of what it throws never
   * quotes the key.
   */
  public static PrivateKey privateKey(String pem, String source) throws GeneralSecurityException {
    int a = pem.indexOf(BEGIN_KEY);
    int b = pem.indexOf(END_KEY);
    if (a < 0 || b < a) {
      throw new GeneralSecurityException(source + ": expected a PKCS#8 PEM key (" + BEGIN_KEY + "); convert with"
          + " `openssl pkcs8 -topk8 -nocrypt -in key.pem -out key-pkcs8.pem`");
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(pem.substring(a + BEGIN_KEY.length(), b));
    } catch (IllegalArgumentException e) {
      throw new GeneralSecurityException(source + ": the PEM key is not valid base64");
    }
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    for (String alg : List.of("RSA", "EC", "Ed25519")) {
      try {
        return KeyFactory.getInstance(alg).generatePrivate(spec);
      } catch (GeneralSecurityException e) {
        // the next algorithm
      }
    }
    throw new GeneralSecurityException(source + ": not an RSA, EC or Ed25519 PKCS#8 private key");
  }

  /** {@code insecure_skip_verify}: accepts any certificate and does no host name check. */
  static final class TrustAll extends X509ExtendedTrustManager {
    static final TrustAll INSTANCE = new TrustAll();

    @Override public void checkClientTrusted(X509Certificate[] c, String a, Socket s) {}
    @Override public void checkServerTrusted(X509Certificate[] c, String a, Socket s) {}
    @Override public void checkClientTrusted(X509Certificate[] c, String a, SSLEngine e) {}
    @Override public void checkServerTrusted(X509Certificate[] c, String a, SSLEngine e) {}
    @Override public void checkClientTrusted(X509Certificate[] c, String a) {}
    @Override public void checkServerTrusted(X509Certificate[] c, String a) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }

  /**
   * {@code server_name}: checks the chain with the delegate and the leaf's DNS or IP names against
   * the configured name. Being an extended trust manager that never calls the delegate's
   * engine/socket methods, it replaces the client's check of the URL's host name.
   */
  static final class NameChecking extends X509ExtendedTrustManager {
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
          Object type = san.get(0);
          String value = String.valueOf(san.get(1)).toLowerCase(Locale.ROOT);
          if ((Integer.valueOf(2).equals(type) && matches(value)) || (Integer.valueOf(7).equals(type) && value.equals(name))) {
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
