package io.mpac.collector.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * PEM certificates and PKCS#8 keys, and the JDK key and trust managers made of them. Used by the
 * receivers' server TLS and the exporters' client TLS. No message of what it throws quotes a key.
 */
public final class Pem {

  /** The alias of the one entry of the key managers made here. */
  public static final String ALIAS = "identity";

  private static final String BEGIN_KEY = "-----BEGIN PRIVATE KEY-----";
  private static final String END_KEY = "-----END PRIVATE KEY-----";

  private Pem() {}

  /** The text of a PEM file. */
  public static String read(String file) throws IOException {
    return Files.readString(Path.of(file), StandardCharsets.US_ASCII);
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
      throw new CertificateException(source + ": not a readable PEM certificate");
    }
    if (certs.isEmpty()) throw new CertificateException(source + ": no PEM certificate found");
    return certs;
  }

  /** The PKCS#8 private key in {@code pem} (RSA, EC or Ed25519). */
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

  /**
   * A key manager for one certificate chain and its key; refuses a key that does not belong to the
   * chain's first certificate (a half-replaced pair).
   */
  public static X509ExtendedKeyManager keyManager(Collection<? extends Certificate> chain, PrivateKey key,
      String source) throws GeneralSecurityException {
    Certificate leaf = chain.iterator().next();
    if (!matches(key, leaf.getPublicKey())) {
      throw new GeneralSecurityException(source + ": the private key does not belong to the certificate");
    }
    KeyStore ks;
    try {
      ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
    } catch (IOException e) {
      throw new GeneralSecurityException(e.getMessage());
    }
    char[] pass = new char[0];
    ks.setKeyEntry(ALIAS, key, pass, chain.toArray(new Certificate[0]));
    // SunX509 names its entries by their key store alias, which ReloadableKeyManager relies on
    KeyManagerFactory kmf = KeyManagerFactory.getInstance("SunX509");
    kmf.init(ks, pass);
    for (KeyManager km : kmf.getKeyManagers()) {
      if (km instanceof X509ExtendedKeyManager x) return x;
    }
    throw new GeneralSecurityException("no X.509 key manager available");
  }

  /** A trust manager for the given CA certificates only. */
  public static X509ExtendedTrustManager trustManager(Collection<? extends Certificate> cas)
      throws GeneralSecurityException {
    KeyStore ks;
    try {
      ks = KeyStore.getInstance(KeyStore.getDefaultType());
      ks.load(null, null);
    } catch (IOException e) {
      throw new GeneralSecurityException(e.getMessage());
    }
    int i = 0;
    for (Certificate c : cas) ks.setCertificateEntry("ca-" + i++, c);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    for (TrustManager tm : tmf.getTrustManagers()) {
      if (tm instanceof X509ExtendedTrustManager x) return x;
    }
    throw new GeneralSecurityException("no X.509 trust manager available");
  }

  /** True when {@code key} signs what {@code pub} verifies. */
  private static boolean matches(PrivateKey key, PublicKey pub) {
    String alg = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      default -> null;
    };
    if (alg == null) return true; // nothing to check with; the handshake will tell
    try {
      byte[] probe = "mpac-collector key check".getBytes(StandardCharsets.US_ASCII);
      Signature s = Signature.getInstance(alg);
      s.initSign(key);
      s.update(probe);
      byte[] sig = s.sign();
      Signature v = Signature.getInstance(alg);
      v.initVerify(pub);
      v.update(probe);
      return v.verify(sig);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }
}
