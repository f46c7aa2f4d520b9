package io.mpac.collector.receiver.otlp.internal;

import io.mpac.collector.receiver.otlp.ReceiverOtlpConfig;
import io.mpac.collector.tls.FileReloader;
import io.mpac.collector.tls.Pem;
import io.mpac.collector.tls.ReloadableKeyManager;
import io.mpac.collector.tls.ReloadableTrustManager;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * One server's TLS material, read from the {@code tls} block's files: the server certificate and
 * key, and for mutual TLS the client CAs. With {@code reload_interval} the certificate and key are
 * re-read when their files change; with {@code client_ca_file_reload} the client CA file is (every
 * {@code reload_interval}, or every {@link #DEFAULT_CLIENT_CA_CHECK}). New connections get the new
 * material; a file that does not load keeps the old one and is reported to the listener.
 */
final class ServerTls implements AutoCloseable {

  static final Duration DEFAULT_CLIENT_CA_CHECK = Duration.ofSeconds(5);

  final ReloadableKeyManager keys;
  /** Null unless client certificates are required. */
  final ReloadableTrustManager clientCas;
  private final List<FileReloader> reloaders = new ArrayList<>();

  private ServerTls(ReloadableKeyManager keys, ReloadableTrustManager clientCas) {
    this.keys = keys;
    this.clientCas = clientCas;
  }

  /**
   * Reads the files and starts the reload checks.
   *
   * @param what the server, for messages ("gRPC", "HTTP")
   */
  static ServerTls start(ReceiverOtlpConfig.Tls tls, String what, FileReloader.Listener listener)
      throws IOException, GeneralSecurityException {
    ReloadableKeyManager keys = new ReloadableKeyManager(identity(tls));
    ReloadableTrustManager cas = null;
    if (tls.clientCaFile() != null) cas = new ReloadableTrustManager(clientCas(Pem.read(tls.clientCaFile()), tls.clientCaFile()));
    else if (tls.clientCaPem() != null) cas = new ReloadableTrustManager(clientCas(tls.clientCaPem(), "client_ca_pem"));
    ServerTls s = new ServerTls(keys, cas);
    if (tls.reloadInterval() != null) {
      s.reloaders.add(FileReloader.start(what + " server certificate", List.of(tls.certFile(), tls.keyFile()),
          tls.reloadInterval(), keys, k -> k.set(identity(tls)), listener));
    }
    if (tls.clientCaFileReload() && tls.clientCaFile() != null) {
      s.reloaders.add(FileReloader.start(what + " client CA", List.of(tls.clientCaFile()),
          tls.reloadInterval() != null ? tls.reloadInterval() : DEFAULT_CLIENT_CA_CHECK, cas,
          t -> t.set(clientCas(Pem.read(tls.clientCaFile()), tls.clientCaFile())), listener));
    }
    return s;
  }

  private static X509ExtendedKeyManager identity(ReceiverOtlpConfig.Tls tls) throws IOException, GeneralSecurityException {
    Collection<? extends Certificate> chain = Pem.certificates(Pem.read(tls.certFile()), tls.certFile());
    return Pem.keyManager(chain, Pem.privateKey(Pem.read(tls.keyFile()), tls.keyFile()), tls.keyFile());
  }

  private static X509ExtendedTrustManager clientCas(String pem, String source) throws GeneralSecurityException {
    return Pem.trustManager(Pem.certificates(pem, source));
  }

  @Override
  public void close() {
    for (FileReloader r : reloaders) r.close();
  }
}
