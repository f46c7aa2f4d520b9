package io.mpac.collector.exporter.prometheus;

import java.io.ByteArrayInputStream;
import java.io.IOException;
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
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/** Builds an {@link SSLContext} from a {@code tls_config} block (PEM certificates, PKCS#8 keys). */
final class TlsContexts {

  private TlsContexts() {}

  /** The context for the settings, or null for the JDK's default (system trust store). */
  static SSLContext create(RemoteWriteConfig.TlsSettings tls) throws IOException, GeneralSecurityException {
    if (tls.isDefault()) return null;
    TrustManager[] trust = null;
    if (tls.insecureSkipVerify()) {
      trust = new TrustManager[] {new TrustAll()};
    } else {
      String ca = pem(tls.caFile(), tls.caPem());
      if (ca != null) {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        int i = 0;
        for (Certificate c : certificates(ca)) ks.setCertificateEntry("ca" + i++, c);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        trust = tmf.getTrustManagers();
      }
    }
    javax.net.ssl.KeyManager[] keys = null;
    String cert = pem(tls.certFile(), tls.certPem());
    String key = pem(tls.keyFile(), tls.keyPem());
    if (cert != null && key != null) {
      KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
      ks.load(null, null);
      char[] pw = new char[0];
      ks.setKeyEntry("client", privateKey(key), pw, certificates(cert).toArray(new Certificate[0]));
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, pw);
      keys = kmf.getKeyManagers();
    }
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(keys, trust, null);
    return ctx;
  }

  private static String pem(String file, String inline) throws IOException {
    if (file != null && !file.isEmpty()) return Files.readString(Path.of(file), StandardCharsets.US_ASCII);
    if (inline != null && !inline.isEmpty()) return inline;
    return null;
  }

  private static Collection<? extends Certificate> certificates(String pem) throws GeneralSecurityException {
    Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509")
        .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    if (certs.isEmpty()) throw new GeneralSecurityException("no certificate found in PEM");
    return certs;
  }

  private static PrivateKey privateKey(String pem) throws GeneralSecurityException {
    if (!pem.contains("-----BEGIN PRIVATE KEY-----")) {
      throw new GeneralSecurityException("client key must be PEM PKCS#8 (-----BEGIN PRIVATE KEY-----); convert with "
          + "'openssl pkcs8 -topk8 -nocrypt'");
    }
    String body = pem.substring(pem.indexOf("-----BEGIN PRIVATE KEY-----") + 27, pem.indexOf("-----END PRIVATE KEY-----"))
        .replaceAll("\\s", "");
    byte[] der = Base64.getDecoder().decode(body);
    List<String> tried = new ArrayList<>();
    for (String alg : List.of("RSA", "EC", "Ed25519")) {
      try {
        return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        tried.add(alg);
      }
    }
    throw new GeneralSecurityException("cannot read client key as " + tried);
  }

  /** {@code insecure_skip_verify}: accepts every server certificate. */
  private static final class TrustAll implements X509TrustManager {
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
