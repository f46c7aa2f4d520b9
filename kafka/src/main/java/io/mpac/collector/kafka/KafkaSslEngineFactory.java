package io.mpac.collector.kafka;

import io.mpac.collector.exporter.tls.TlsContexts;
import io.mpac.collector.exporter.tls.TlsSettings;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.security.auth.SslEngineFactory;

/**
 * Client TLS for kafka-clients built from exporter-common's {@link TlsSettings} (the same CA, client
 * certificate, {@code insecure_skip_verify}, {@code server_name} and version handling as the OTLP
 * exporters). kafka-clients creates it by class name ({@code ssl.engine.factory.class}) and passes
 * the settings object under {@link #SETTINGS_KEY}.
 */
public final class KafkaSslEngineFactory implements SslEngineFactory {

  /** The client property holding the {@link TlsSettings}. */
  public static final String SETTINGS_KEY = "mpac.tls.settings";

  private TlsSettings settings;
  private SSLContext context;

  @Override
  public void configure(Map<String, ?> configs) {
    Object s = configs.get(SETTINGS_KEY);
    if (!(s instanceof TlsSettings t)) throw new KafkaException("no TLS settings given to " + getClass().getName());
    settings = t;
    try {
      context = TlsContexts.sslContext(t);
    } catch (IOException | GeneralSecurityException e) {
      throw new KafkaException("TLS to the brokers: " + e.getMessage(), e);
    }
  }

  @Override
  public SSLEngine createClientSslEngine(String peerHost, int peerPort, String endpointIdentification) {
    SSLEngine engine = context.createSSLEngine(peerHost, peerPort);
    engine.setUseClientMode(true);
    SSLParameters p = engine.getSSLParameters();
    // server_name is checked by the trust manager; otherwise the broker's host name is
    if (!settings.insecureSkipVerify() && settings.serverName().isEmpty()) p.setEndpointIdentificationAlgorithm("HTTPS");
    String[] protocols = settings.protocols();
    if (protocols != null) p.setProtocols(protocols);
    engine.setSSLParameters(p);
    return engine;
  }

  @Override
  public SSLEngine createServerSslEngine(String peerHost, int peerPort) {
    throw new UnsupportedOperationException("client side only");
  }

  @Override
  public boolean shouldBeRebuilt(Map<String, Object> nextConfigs) {
    return !settings.equals(nextConfigs.get(SETTINGS_KEY));
  }

  @Override
  public Set<String> reconfigurableConfigs() {
    return Set.of();
  }

  @Override
  public KeyStore keystore() {
    return null;
  }

  @Override
  public KeyStore truststore() {
    return null;
  }

  @Override
  public void close() {
    context = null;
  }
}
