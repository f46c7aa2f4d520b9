package io.mpac.collector.auth.components;

import io.mpac.collector.auth.Credentials;
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
import java.util.List;
import java.util.Locale;

/**
 * {@code otelcol.auth.bearer}: a token in a header, {@code <scheme> <token>} ({@code token}
 * alone when {@code scheme} is empty). Server side: a request must carry exactly that value in
 * {@code header} (compared in constant time); client side: requests carry it.
 */
public final class BearerAuthFactory implements ComponentFactory {

  public static final String NAME = "otelcol.auth.bearer";

  static final Schema SCHEMA = Schema.builder()
      .required("token", Types.SECRET, "the token")
      .optional("scheme", Types.STRING, "Bearer", "put before the token, separated by a space; \"\" = the token alone")
      .optional("header", Types.STRING, "Authorization", "the header (gRPC: metadata key) that carries it")
      .block("debug_metrics", DebugMetrics.SCHEMA, Cardinality.OPTIONAL, DebugMetrics.DOC)
      .build();

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
    String token = args.string("token");
    String scheme = args.string("scheme");
    String header = args.string("header").trim().toLowerCase(Locale.ROOT);
    if (token.isEmpty()) throw new ConfigException(List.of(new Diagnostic(args.positionOf("token"), "token must not be empty")));
    if (header.isEmpty() || !header.chars().allMatch(c -> c > 32 && c < 127 && c != ':')) {
      throw new ConfigException(List.of(new Diagnostic(args.positionOf("header"), "header must be a header name")));
    }
    String expected = scheme.isEmpty() ? token : scheme + " " + token;
    return new AuthComponent(context.id().toString(),
        h -> Credentials.constantTimeEquals(h.apply(header), expected),
        outgoing -> outgoing.put(header, expected),
        () -> {});
  }
}
