/**
 * The exporters' one HTTP client: {@link io.mpac.collector.exporter.http.HttpTransport} POSTs a
 * body and answers an {@link io.mpac.collector.exporter.http.HttpResult}; plain {@code http://}
 * runs on a small HTTP/1.1 client of its own ({@code Http1Client}), everything else on the JDK's.
 */
package io.mpac.collector.exporter.http;
