package io.mpac.collector.exporter.tls;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How an exporter's client speaks TLS, whatever block it was spelled in (the OTLP exporters'
 * {@code client { tls { } }}, or {@code tls_config { }} of {@code loki.write} and
 * {@code prometheus.remote_write}). Empty strings mean "not set". {@link TlsContexts} turns it into
 * an {@code SSLContext}; files are read there, inline PEM has been checked when the block was decoded.
 *
 * @param caFile PEM file of the CAs to trust instead of the system trust store
 * @param caPem the same, inline
 * @param certFile PEM client certificate (chain) file
 * @param certPem the same, inline
 * @param keyFile PEM PKCS#8 client key file ({@code -----BEGIN PRIVATE KEY-----}; RSA, EC or Ed25519)
 * @param keyPem the same, inline
 * @param insecureSkipVerify accept any server certificate and name
 * @param serverName the name the server's certificate must carry (instead of the URL's host)
 * @param minVersion lowest TLS version, {@code "TLS12"} or {@code "TLS13"} (also {@code "1.2"}, {@code "TLS1.3"}); empty: the JDK's
 * @param maxVersion highest TLS version, spelled as {@code minVersion}; empty: the JDK's
 * @param reloadInterval how often {@code caFile}, {@code certFile} and {@code keyFile} are checked
 *     for changes (new connections then use what they hold now); null: read once
 */
public record TlsSettings(String caFile, String caPem, String certFile, String certPem, String keyFile,
    String keyPem, boolean insecureSkipVerify, String serverName, String minVersion, String maxVersion,
    Duration reloadInterval) {

  /** Nothing set: the system trust store, no client certificate. */
  public static final TlsSettings NONE = new TlsSettings("", "", "", "", "", "", false, "", "", "");

  /** Without reload. */
  public TlsSettings(String caFile, String caPem, String certFile, String certPem, String keyFile, String keyPem,
      boolean insecureSkipVerify, String serverName, String minVersion, String maxVersion) {
    this(caFile, caPem, certFile, certPem, keyFile, keyPem, insecureSkipVerify, serverName, minVersion, maxVersion,
        null);
  }

  /** The protocol names the JDK uses, oldest first. */
  private static final List<String> PROTOCOLS = List.of("TLSv1.2", "TLSv1.3");

  public TlsSettings {
    caFile = nz(caFile);
    caPem = nz(caPem);
    certFile = nz(certFile);
    certPem = nz(certPem);
    keyFile = nz(keyFile);
    keyPem = nz(keyPem);
    serverName = nz(serverName);
    minVersion = nz(minVersion);
    maxVersion = nz(maxVersion);
  }

  public boolean isDefault() {
    return withReloadInterval(null).equals(NONE);
  }

  public boolean hasCa() {
    return !caFile.isEmpty() || !caPem.isEmpty();
  }

  public boolean hasClientCertificate() {
    return !certFile.isEmpty() || !certPem.isEmpty();
  }

  public TlsSettings withCaFile(String file) {
    return new TlsSettings(file, caPem, certFile, certPem, keyFile, keyPem, insecureSkipVerify, serverName,
        minVersion, maxVersion, reloadInterval);
  }

  public TlsSettings withClientCertificateFiles(String cert, String key) {
    return new TlsSettings(caFile, caPem, cert, certPem, key, keyPem, insecureSkipVerify, serverName, minVersion,
        maxVersion, reloadInterval);
  }

  public TlsSettings withInsecureSkipVerify(boolean on) {
    return new TlsSettings(caFile, caPem, certFile, certPem, keyFile, keyPem, on, serverName, minVersion,
        maxVersion, reloadInterval);
  }

  public TlsSettings withServerName(String name) {
    return new TlsSettings(caFile, caPem, certFile, certPem, keyFile, keyPem, insecureSkipVerify, name, minVersion,
        maxVersion, reloadInterval);
  }

  public TlsSettings withVersions(String min, String max) {
    return new TlsSettings(caFile, caPem, certFile, certPem, keyFile, keyPem, insecureSkipVerify, serverName, min,
        max, reloadInterval);
  }

  /** Checks the files every {@code interval} (null: never). */
  public TlsSettings withReloadInterval(Duration interval) {
    return new TlsSettings(caFile, caPem, certFile, certPem, keyFile, keyPem, insecureSkipVerify, serverName,
        minVersion, maxVersion, interval);
  }

  /** True when files are re-read when they change. */
  public boolean reloads() {
    return reloadInterval != null && (!caFile.isEmpty() || !certFile.isEmpty() || !keyFile.isEmpty());
  }

  /**
   * The TLS protocols to enable (JDK names, e.g. {@code TLSv1.3}), or null for the JDK's default.
   *
   * @throws IllegalArgumentException for an unknown version or min above max
   */
  public String[] protocols() {
    if (minVersion.isEmpty() && maxVersion.isEmpty()) return null;
    int lo = minVersion.isEmpty() ? 0 : index(minVersion);
    int hi = maxVersion.isEmpty() ? PROTOCOLS.size() - 1 : index(maxVersion);
    if (lo > hi) throw new IllegalArgumentException("min_version " + minVersion + " is above max_version " + maxVersion);
    return PROTOCOLS.subList(lo, hi + 1).toArray(new String[0]);
  }

  private static int index(String version) {
    String v = version.toUpperCase(Locale.ROOT).replace("V", "").replace("_", "").replace(".", "");
    if (!v.startsWith("TLS")) v = "TLS" + v;
    switch (v) {
      case "TLS12":
        return 0;
      case "TLS13":
        return 1;
      default:
        throw new IllegalArgumentException("unknown TLS version \"" + version + "\" (TLS12 or TLS13)");
    }
  }

  /** Contradictions as (attribute, message) pairs; empty when the settings are usable. */
  public List<String[]> problems() {
    List<String[]> out = new ArrayList<>();
    if (!caFile.isEmpty() && !caPem.isEmpty()) out.add(new String[] {"ca_pem", "ca_file and ca_pem are exclusive"});
    if (!certFile.isEmpty() && !certPem.isEmpty()) {
      out.add(new String[] {"cert_pem", "cert_file and cert_pem are exclusive"});
    }
    if (!keyFile.isEmpty() && !keyPem.isEmpty()) out.add(new String[] {"key_pem", "key_file and key_pem are exclusive"});
    boolean key = !keyFile.isEmpty() || !keyPem.isEmpty();
    if (hasClientCertificate() != key) {
      out.add(new String[] {hasClientCertificate() ? (certFile.isEmpty() ? "cert_pem" : "cert_file")
          : (keyFile.isEmpty() ? "key_pem" : "key_file"),
          "a client certificate needs both a certificate (cert_file/cert_pem) and a key (key_file/key_pem)"});
    }
    try {
      protocols();
    } catch (IllegalArgumentException e) {
      out.add(new String[] {minVersion.isEmpty() ? "max_version" : "min_version", e.getMessage()});
    }
    return out;
  }

  /** Never shows inline PEM (a key is a secret; certificates are long). */
  @Override
  public String toString() {
    return "TlsSettings[caFile=" + caFile + (caPem.isEmpty() ? "" : ", caPem=(set)") + ", certFile=" + certFile
        + (certPem.isEmpty() ? "" : ", certPem=(set)") + ", keyFile=" + keyFile
        + (keyPem.isEmpty() ? "" : ", keyPem=(secret)") + ", insecureSkipVerify=" + insecureSkipVerify
        + ", serverName=" + serverName + ", minVersion=" + minVersion + ", maxVersion=" + maxVersion
        + (reloadInterval == null ? "" : ", reloadInterval=" + reloadInterval) + "]";
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }
}
