package io.mpac.collector.auth;

import io.mpac.collector.component.Handle;
import io.mpac.collector.component.schema.Type;
import io.mpac.collector.component.schema.Types;

/**
 * What an {@code otelcol.auth.*} component exports as {@code handler}: the server side (checks
 * the credential of an incoming request) and/or the client side (the headers an outgoing request
 * carries). A component that does not support one side returns null for it, and a component that
 * references the handler for that side refuses it at config time.
 */
public interface AuthHandler extends Handle {

  /** The capsule type, as Alloy names it. */
  String KIND = "otelcol.Handler";

  /** The argument type {@code auth = otelcol.auth.X.handler}. */
  Type TYPE = Types.handle(KIND, AuthHandler.class);

  @Override
  default String handleKind() {
    return KIND;
  }

  /** The component that exported this handler, e.g. {@code otelcol.auth.basic.creds}, for messages. */
  String componentName();

  /** Checks incoming requests, or null when the component does only client authentication. */
  ServerAuthenticator server();

  /** Credentials for outgoing requests, or null when the component does only server authentication. */
  ClientAuthenticator client();
}
