package io.mpac.collector.auth;

import java.util.function.Function;

/**
 * Decides whether an incoming request carries an accepted credential. Implementations compare in
 * constant time ({@link Credentials#constantTimeEquals}) and never put any part of a credential
 * into a message, a log line or a metric. Thread-safe; called on event loops, so it must not block.
 */
@FunctionalInterface
public interface ServerAuthenticator {

  /**
   * @param header the request's first value of a header by lower-case name (HTTP header or gRPC
   *     metadata), or null when absent
   * @return true when the request may proceed
   */
  boolean authenticate(Function<String, String> header);
}
