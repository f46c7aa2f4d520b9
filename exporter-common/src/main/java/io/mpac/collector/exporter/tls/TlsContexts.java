package io.mpac.collector.exporter.tls;

import io.mpac.collector.tls.FileReloader;
import io.mpac.collector.tls.Pem;
import io.mpac.collector.tls.ReloadableKeyManager;
import io.mpac.collector.tls.ReloadableTrustManager;
import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Builds what a client needs from {@link TlsSettings}: trust managers (the configured CAs, the
 * system store, or trust-all for {@code insecure_skip_verify}; a {@code server_name} check instead
 * of the URL's host), key managers (the client certificate), an {@link SSLContext} for JDK clients
 * and the {@link SSLParameters} with the enabled protocols. Reads the files named in the settings.
 */
public final class TlsContexts {

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

  /**
   * Trust managers for the settings, or null for the system default (no CA, no name override).
   * With {@link TlsSettings#reloads()} and a {@code caFile}, the CA file is re-read when it changes.
   */
  public static TrustManager[] trustManagers(TlsSettings tls) throws IOException, GeneralSecurityException {
    if (tls.insecureSkipVerify()) return new TrustManager[] {TrustAll.INSTANCE};
    X509TrustManager trust;
    if (tls.hasCa()) {
      String source = tls.caPem().isEmpty() ? tls.caFile() : "ca_pem";
      X509ExtendedTrustManager cas = Pem.trustManager(certificates(pem(tls.caFile(), tls.caPem()), source));
      if (tls.reloads() && tls.caPem().isEmpty()) {
        ReloadableTrustManager reloadable = new ReloadableTrustManager(cas);
        FileReloader.start("TLS CA file " + tls.caFile(), List.of(tls.caFile()), tls.reloadInterval(), reloadable,
            t -> t.set(Pem.trustManager(certificates(Pem.read(tls.caFile()), tls.caFile()))), RELOADS);
        cas = reloadable;
      }
      trust = cas;
    } else if (!tls.serverName().isEmpty()) {
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init((KeyStore) null);
      trust = null;
      for (TrustManager tm : tmf.getTrustManagers()) {
        if (tm instanceof X509TrustManager x) trust = x;
      }
      if (trust == null) throw new GeneralSecurityException("no X.509 trust manager available");
    } else {
      return null;
    }
    return new TrustManager[] {tls.serverName().isEmpty() ? trust : new NameChecking(trust, tls.serverName())};
  }

  /**
   * Key managers for the client certificate, or null when none is configured. With
   * {@link TlsSettings#reloads()} and files, the certificate and key are re-read when they change.
   */
  public static KeyManager[] keyManagers(TlsSettings tls) throws IOException, GeneralSecurityException {
    if (!tls.hasClientCertificate()) return null;
    X509ExtendedKeyManager identity = identity(tls);
    if (tls.reloads() && tls.certPem().isEmpty() && tls.keyPem().isEmpty()) {
      ReloadableKeyManager reloadable = new ReloadableKeyManager(identity);
      FileReloader.start("TLS client certificate " + tls.certFile(), List.of(tls.certFile(), tls.keyFile()),
          tls.reloadInterval(), reloadable, k -> k.set(identity(tls)), RELOADS);
      return new KeyManager[] {reloadable};
    }
    return new KeyManager[] {identity};
  }

  private static X509ExtendedKeyManager identity(TlsSettings tls) throws IOException, GeneralSecurityException {
    Collection<? extends Certificate> chain = certificates(pem(tls.certFile(), tls.certPem()),
        tls.certPem().isEmpty() ? tls.certFile() : "cert_pem");
    String keySource = tls.keyPem().isEmpty() ? tls.keyFile() : "key_pem";
    return Pem.keyManager(chain, privateKey(pem(tls.keyFile(), tls.keyPem()), keySource), keySource);
  }

  private static String pem(String file, String inline) throws IOException {
    return inline.isEmpty() ? Pem.read(file) : inline;
  }

  /**
   * The X.509 certificates in {@code pem}.
   *
   * @param source what to name in the error (a file name or an attribute)
   */
  public static Collection<? extends Certificate> certificates(String pem, String source)
      throws GeneralSecurityException {
    return Pem.certificates(pem, source);
  }

  /**
   * The PKCS#8 private key in {@code pem} (RSA, EC or Ed25519). The message of what it throws never
   * quotes the key.
   */
  public static PrivateKey privateKey(String pem, String source) throws GeneralSecurityException {
    return Pem.privateKey(pem, source);
  }

  /** Reloads that succeeded / failed since the process started (every exporter together). */
  public static long reloadsSucceeded() {
    return RELOADED.get();
  }

  public static long reloadsFailed() {
    return RELOAD_FAILED.get();
  }

  private static final Logger LOG = Logger.getLogger("io.mpac.collector.exporter.tls");
  private static final AtomicLong RELOADED = new AtomicLong();
  private static final AtomicLong RELOAD_FAILED = new AtomicLong();

  /** Logs reloads; names files, never their contents. */
  private static final FileReloader.Listener RELOADS = new FileReloader.Listener() {
    @Override
    public void reloaded(String what) {
      RELOADED.incrementAndGet();
      LOG.info(what + " reloaded; new connections use it");
    }

    @Override
    public void failed(String what, String message) {
      RELOAD_FAILED.incrementAndGet();
      LOG.warning(what + " not reloaded, keeping the one in use: " + message);
    }
  };

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
