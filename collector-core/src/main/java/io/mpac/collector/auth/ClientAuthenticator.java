package io.mpac.collector.auth;

import java.util.Map;

/** Adds the headers (HTTP) or metadata (gRPC) an outgoing request carries to authenticate itself. */
@FunctionalInterface
public interface ClientAuthenticator {

  /**
   * Sets, adds or removes headers in {@code outgoing} (lower-case names). Values are credentials
   * and must never be logged.
   */
  void applyTo(Map<String, String> outgoing);
}
