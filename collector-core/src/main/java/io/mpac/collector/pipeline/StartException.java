package io.mpac.collector.pipeline;

/** A component could not start (e.g. its port is taken). The message names the component. */
public final class StartException extends Exception {
  public StartException(String message) {
    super(message, null, false, false);
  }
}
