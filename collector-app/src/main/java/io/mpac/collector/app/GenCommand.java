package io.mpac.collector.app;

import io.mpac.collector.component.schema.Units;
import io.mpac.collector.loadgen.Generator;
import io.mpac.collector.pdata.Signal;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/**
 * {@code gen}: the load generator, like {@code telemetrygen}. Sends OTLP traces, metrics or logs
 * to a collector at a fixed rate for a fixed time and prints the achieved rate, the outcomes by
 * code, and request latency percentiles. Exit 1 when no request was accepted.
 */
final class GenCommand {

  private final PrintStream out;
  private final PrintStream err;

  GenCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  int run(String[] args) {
    Flags f = Flags.parse(args, Set.of("endpoint", "protocol", "signal", "rate", "duration", "items-per-request",
        "workers", "attributes", "body-size"), Set.of());
    if (!f.positional.isEmpty()) throw new UsageException("unexpected argument " + f.positional.get(0));
    Generator.Options options;
    try {
      Generator.Protocol protocol = Generator.Protocol.parse(f.get("protocol", "grpc"));
      Signal signal = Signal.valueOf(f.get("signal", "traces").toUpperCase(Locale.ROOT));
      String rate = f.get("rate", "1000");
      Duration duration = Units.parseDuration(f.get("duration", "10s"));
      String endpoint = f.get("endpoint", protocol == Generator.Protocol.GRPC ? "127.0.0.1:4317" : "127.0.0.1:4318");
      options = new Generator.Options(endpoint, protocol, signal,
          rate.equals("max") ? 0 : Double.parseDouble(rate), duration,
          Integer.parseInt(f.get("items-per-request", "100")), Integer.parseInt(f.get("workers", "4")),
          Integer.parseInt(f.get("attributes", "3")), Integer.parseInt(f.get("body-size", "64")));
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    out.printf(Locale.ROOT, "sending %s over %s to %s at %s items/s for %s (%d per request, %d workers)%n",
        options.signal().lowerName(), options.protocol().flag, options.endpoint(),
        options.itemsPerSecond() <= 0 ? "max" : String.format(Locale.ROOT, "%.0f", options.itemsPerSecond()),
        Units.formatDuration(options.duration()), options.itemsPerRequest(), options.workers());
    try {
      Generator.Result result = new Generator(options).run();
      out.print(result.report());
      if (result.okItems() == 0) {
        err.println("error: no request was accepted");
        return 1;
      }
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
  }
}
