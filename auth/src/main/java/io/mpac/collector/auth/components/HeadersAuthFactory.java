package io.mpac.collector.auth.components;

import io.mpac.collector.component.Component;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.ComponentFactory;
import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.DebugMetrics;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.component.schema.Schema.BlockSpec.Cardinality;
import io.mpac.collector.component.schema.Types;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.config.syntax.Diagnostic;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code otelcol.auth.headers}: headers that outgoing requests carry. Client side only (as in
 * Alloy); a receiver that references it refuses it at config time.
 *
 * <p>{@code action}: {@code insert} sets a header only when absent, {@code update} only when
 * present, {@code upsert} always, {@code delete} removes it. {@code from_context} and
 * {@code from_attribute} (values taken from the incoming request's metadata) are refused with a
 * positioned error: this collector does not carry request metadata to exporters' auth yet.
 */
public final class HeadersAuthFactory implements ComponentFactory {

  public static final String NAME = "otelcol.auth.headers";

  static final Schema HEADER = Schema.builder()
      .required("key", Types.STRING, "the header name")
      .optional("value", Types.SECRET, null, "the header value (string or secret)")
      .optional("action", Types.oneOf("insert", "update", "upsert", "delete"), "upsert",
          "insert: only when absent; update: only when present; upsert: always; delete: remove")
      .refused("from_context", Types.STRING, "request metadata is not carried to exporters; set value instead")
      .refused("from_attribute", Types.STRING, "request metadata is not carried to exporters; set value instead")
      .build();

  static final Schema SCHEMA = Schema.builder()
      .block("header", HEADER, Cardinality.REPEATED, "one header to set")
      .block("debug_metrics", DebugMetrics.SCHEMA, Cardinality.OPTIONAL, DebugMetrics.DOC)
      .build();

  private record Header(String key, String value, String action) {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Schema schema() {
    return SCHEMA;
  }

  @Override
  public Component create(ComponentContext context, Args args) throws ConfigException {
    List<Diagnostic> problems = new ArrayList<>();
    List<Header> headers = new ArrayList<>();
    List<Args> blocks = args.blocks("header");
    if (blocks.isEmpty()) problems.add(new Diagnostic(args.position(), "at least one header block is required"));
    for (Args h : blocks) {
      String key = h.string("key").trim().toLowerCase(Locale.ROOT);
      if (key.isEmpty() || !key.chars().allMatch(c -> c > 32 && c < 127 && c != ':')) {
        problems.add(new Diagnostic(h.positionOf("key"), "key must be a header name"));
      }
      String action = h.string("action");
      String value = h.string("value");
      if (value == null && !action.equals("delete")) {
        problems.add(new Diagnostic(h.position(), "value is required unless action = \"delete\""));
      }
      headers.add(new Header(key, value, action));
    }
    if (!problems.isEmpty()) throw new ConfigException(problems);
    List<Header> all = List.copyOf(headers);
    return new AuthComponent(context.id().toString(), null, outgoing -> apply(all, outgoing), () -> {});
  }

  private static void apply(List<Header> headers, Map<String, String> outgoing) {
    for (Header h : headers) {
      switch (h.action) {
        case "insert" -> outgoing.putIfAbsent(h.key, h.value);
        case "update" -> outgoing.computeIfPresent(h.key, (k, v) -> h.value);
        case "delete" -> outgoing.remove(h.key);
        default -> outgoing.put(h.key, h.value);
      }
    }
  }
}
