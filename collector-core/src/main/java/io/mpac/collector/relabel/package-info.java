/**
 * Prometheus relabelling ({@code relabel_configs}, Alloy's {@code rule} blocks): {@link
 * io.mpac.collector.relabel.RelabelRule} (one validated rule), {@link
 * io.mpac.collector.relabel.Relabeler} (applies rules to a label map with RE2 regexes, Go template
 * expansion and MD5 hashmod, as Prometheus does) and {@link io.mpac.collector.relabel.RelabelRules},
 * the capsule {@code discovery.relabel} exports as {@code rules}.
 */
package io.mpac.collector.relabel;
