/**
 * Client TLS for every exporter: one {@link io.mpac.collector.exporter.tls.TlsSettings} value,
 * the JDK objects built from it ({@link io.mpac.collector.exporter.tls.TlsContexts}), and the
 * schema pieces of the Alloy spellings we accept ({@link io.mpac.collector.exporter.tls.TlsBlocks}).
 */
package io.mpac.collector.exporter.tls;
