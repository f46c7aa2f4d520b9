package io.mpac.collector.exporter.loki;

import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.component.schema.Types;
import java.util.List;

/**
 * The {@code structured_metadata} block of {@code otelcol.exporter.loki}, an extension beyond
 * Alloy: Loki 3's trace↔log correlation convention. When enabled, each entry also carries
 * {@code trace_id} and {@code span_id} (lower-case hex, when the record has them) and the listed
 * attributes (record first, then resource; names sanitised like labels) as structured metadata, and
 * a {@code service_name} label from {@code service.name}. Off by default: Loki 2.x, or Loki 3
 * without {@code allow_structured_metadata}, rejects entries with structured metadata.
 *
 * @param enabled attach structured metadata and the {@code service_name} label
 * @param attributes attribute names (dotted paths reach into maps) to attach as well
 */
public record StructuredMetadataConfig(boolean enabled, List<String> attributes) {

  public static final StructuredMetadataConfig DISABLED = new StructuredMetadataConfig(false, List.of());

  static final Schema SCHEMA = Schema.builder()
      .optional("enabled", Types.BOOL, false,
          "attach trace_id and span_id (and the listed attributes) as structured metadata, plus a service_name label")
      .optional("attributes", Types.STRING_LIST, List.of(),
          "record or resource attributes to attach as structured metadata as well")
      .build();

  public StructuredMetadataConfig {
    attributes = List.copyOf(attributes);
  }

  static StructuredMetadataConfig from(Args block) {
    return new StructuredMetadataConfig(block.bool("enabled"), block.list("attributes"));
  }
}
