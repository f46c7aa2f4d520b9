/**
 * TLS material from PEM files ({@link io.mpac.collector.tls.Pem}) that can be replaced while in use
 * ({@link io.mpac.collector.tls.ReloadableKeyManager}, {@link io.mpac.collector.tls.ReloadableTrustManager})
 * and the check that replaces it when the files change ({@link io.mpac.collector.tls.FileReloader}):
 * {@code reload_interval} of the receivers' and exporters' TLS blocks.
 */
package io.mpac.collector.tls;
