package io.mpac.collector.bench.e2e;

import java.util.Locale;

/** What the load goes through on its way to the null sink. */
enum Target {
  /** The floor: {@code io.mpac.collector.loadgen.GrpcRelay}, which forwards each request's bytes unchanged. */
  RELAY,
  /** mpac-collector: {@code otelcol.receiver.otlp} (gRPC) → {@code otelcol.processor.batch} → {@code otelcol.exporter.otlp}. */
  COLLECTOR,
  /**
   * The same collector with a persistent sending queue
   * ({@code sending_queue { storage = otelcol.storage.file.queue.handler }}, fsync off as by default),
   * its queue under {@code --storage.path} in the work directory.
   */
  COLLECTOR_PERSISTENT,
  /**
   * The in-memory collector of {@link #COLLECTOR}, identical config and JVM flags, started with
   * another JDK ({@code --other-jdk JAVA_HOME}): the runtime image's JDK against the build's.
   */
  COLLECTOR_OTHER_JDK;

  String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  static Target parse(String s) {
    for (Target t : values()) {
      if (t.label().equals(s.trim())) return t;
    }
    throw new IllegalArgumentException("unknown target \"" + s + "\" (relay, collector, collector-persistent, collector-other-jdk)");
  }
}
