package io.mpac.collector.auth.components;

import io.mpac.collector.auth.ClientAuthenticator;
import io.mpac.collector.auth.ServerAuthenticator;
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
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * {@code otelcol.auth.basic}: HTTP Basic authentication ({@code Authorization: Basic
 * base64(user:password)}, also as gRPC metadata).
 *
 * <ul>
 *   <li>Server side: the users of {@code htpasswd} ({@code inline} overrides {@code file} for the
 *       same user) and the deprecated top-level {@code username}/{@code password}.</li>
 *   <li>Client side: {@code client_auth}, else the top-level {@code username}/{@code password}.</li>
 * </ul>
 * The file is read at start (a bad line fails the start, naming the line); until then every
 * request is refused.
 */
public final class BasicAuthFactory implements ComponentFactory {

  public static final String NAME = "otelcol.auth.basic";

  static final Schema SCHEMA = Schema.builder()
      .optional("username", Types.STRING, "", "deprecated: a user for both sides; use client_auth and htpasswd")
      .optional("password", Types.SECRET, "", "deprecated: that user's password")
      .block("client_auth", Schema.builder()
          .required("username", Types.STRING)
          .required("password", Types.SECRET)
          .build(), Cardinality.OPTIONAL, "the credential outgoing requests carry")
      .block("htpasswd", Schema.builder()
          .optional("file", Types.STRING, "", "path of an htpasswd file (plain or {SHA} passwords)")
          .optional("inline", Types.SECRET, "", "htpasswd content; overrides the file for the same user")
          .build(), Cardinality.OPTIONAL, "the users incoming requests may authenticate as")
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
    List<Diagnostic> problems = new ArrayList<>();
    String user = args.string("username");
    String password = args.string("password");
    if (user.indexOf(':') >= 0) problems.add(new Diagnostic(args.positionOf("username"), "username must not contain ':'"));
    Args client = args.block("client_auth");
    Args ht = args.block("htpasswd");
    Htpasswd inline = Htpasswd.EMPTY;
    String file = "";
    if (ht != null) {
      try {
        inline = Htpasswd.parse(ht.string("inline"), "htpasswd.inline");
      } catch (Htpasswd.FormatException e) {
        problems.add(new Diagnostic(ht.positionOf("inline"), e.getMessage()));
      }
      file = ht.string("file");
    }
    if (client != null && client.string("username").indexOf(':') >= 0) {
      problems.add(new Diagnostic(client.positionOf("username"), "username must not contain ':'"));
    }
    if (user.isEmpty() && client == null && ht == null) {
      problems.add(new Diagnostic(args.position(), "set htpasswd (server side), client_auth (client side), or both"));
    }
    if (!problems.isEmpty()) throw new ConfigException(problems);

    Htpasswd base = user.isEmpty() ? Htpasswd.EMPTY : Htpasswd.EMPTY.with(user, password);
    Htpasswd configured = base.with(inline);
    ServerRoster roster = new ServerRoster(file.isEmpty() ? configured : null);
    ServerAuthenticator server = (file.isEmpty() && configured.isEmpty()) ? null : roster;
    ClientAuthenticator clientSide = null;
    if (client != null || !user.isEmpty()) {
      String u = client != null ? client.string("username") : user;
      String p = client != null ? client.string("password") : password;
      String value = "Basic " + Base64.getEncoder().encodeToString((u + ":" + p).getBytes(StandardCharsets.UTF_8));
      clientSide = outgoing -> outgoing.put("authorization", value);
    }
    String path = file;
    Htpasswd inlineUsers = inline;
    return new AuthComponent(context.id().toString(), server, clientSide, () -> {
      if (path.isEmpty()) return;
      String text;
      try {
        text = Files.readString(Path.of(path), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new IOException(context.id() + ": cannot read htpasswd.file " + path + ": " + e.getMessage(), e);
      }
      try {
        roster.users = base.with(Htpasswd.parse(text, path)).with(inlineUsers);
      } catch (Htpasswd.FormatException e) {
        throw new IOException(context.id() + ": " + e.getMessage(), e);
      }
    });
  }

  /** The server side: users known once the component has started. */
  private static final class ServerRoster implements ServerAuthenticator {
    volatile Htpasswd users;

    ServerRoster(Htpasswd users) {
      this.users = users;
    }

    @Override
    public boolean authenticate(java.util.function.Function<String, String> header) {
      Htpasswd u = users;
      String value = header.apply("authorization");
      if (u == null || value == null || value.length() < 6
          || !value.substring(0, 6).toLowerCase(Locale.ROOT).equals("basic ")) {
        return false;
      }
      String decoded;
      try {
        decoded = new String(Base64.getDecoder().decode(value.substring(6).trim()), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return false;
      }
      int colon = decoded.indexOf(':');
      if (colon < 0) return false;
      return u.matches(decoded.substring(0, colon), decoded.substring(colon + 1));
    }
  }
}
