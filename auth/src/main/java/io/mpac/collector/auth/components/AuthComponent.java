package io.mpac.collector.auth.components;

import io.mpac.collector.auth.AuthHandler;
import io.mpac.collector.auth.ClientAuthenticator;
import io.mpac.collector.auth.ServerAuthenticator;
import io.mpac.collector.component.Component;
import java.time.Duration;
import java.util.Map;

/**
 * An {@code otelcol.auth.*} component: exports {@code handler} and has nothing to run, except
 * loading what it needs from files at {@link #start()} ({@link #onStart}).
 */
class AuthComponent implements Component, AuthHandler {

  /** Work done at start, e.g. reading an htpasswd file. */
  @FunctionalInterface
  interface Starter {
    void start() throws Exception;
  }

  private final String name;
  private final ServerAuthenticator server;
  private final ClientAuthenticator client;
  private final Starter onStart;

  AuthComponent(String name, ServerAuthenticator server, ClientAuthenticator client, Starter onStart) {
    this.name = name;
    this.server = server;
    this.client = client;
    this.onStart = onStart;
  }

  @Override
  public Map<String, Object> exports() {
    return Map.of("handler", this);
  }

  @Override
  public void start() throws Exception {
    onStart.start();
  }

  @Override
  public void shutdown(Duration timeout) {}

  @Override
  public String componentName() {
    return name;
  }

  @Override
  public ServerAuthenticator server() {
    return server;
  }

  @Override
  public ClientAuthenticator client() {
    return client;
  }

  @Override
  public String toString() {
    return name + ".handler"; // never the credential
  }
}
