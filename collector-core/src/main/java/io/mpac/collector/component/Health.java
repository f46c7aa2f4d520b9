package io.mpac.collector.component;

import java.time.Instant;

/** A component's health as the admin server and {@code /api/v0/components} report it. */
public record Health(State state, String message, Instant updated) {

  public enum State {
    UNKNOWN, HEALTHY, UNHEALTHY, EXITED;

    public String jsonName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public static Health healthy(String message) {
    return new Health(State.HEALTHY, message, Instant.now());
  }

  public static Health unhealthy(String message) {
    return new Health(State.UNHEALTHY, message, Instant.now());
  }

  public static Health unknown(String message) {
    return new Health(State.UNKNOWN, message, Instant.now());
  }

  public boolean isHealthy() {
    return state == State.HEALTHY;
  }
}
