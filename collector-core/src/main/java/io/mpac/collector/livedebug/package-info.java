/**
 * Data-flow edges between components and live debugging. Every OTLP output a component is given
 * is wrapped in a {@link io.mpac.collector.livedebug.TappedConsumer} that counts items per
 * {@link io.mpac.collector.livedebug.Edge} (the graph's rates) and, only while somebody watches,
 * hands requests to that viewer's bounded {@link io.mpac.collector.livedebug.Subscription}.
 * Nobody watching costs one volatile read per request.
 */
package io.mpac.collector.livedebug;
