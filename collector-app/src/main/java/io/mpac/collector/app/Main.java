package io.mpac.collector.app;

import java.io.PrintStream;
import java.util.Arrays;

/**
 * {@code mpac-collector}: the command line, shaped like Alloy's.
 *
 * <pre>
 * mpac-collector run [flags] CONFIG_FILE_OR_DIR   run the pipeline
 * mpac-collector validate CONFIG_FILE_OR_DIR      check a config, print every problem
 * mpac-collector fmt [--write] [--test] FILE|-    print (or rewrite) a file in canonical form
 * mpac-collector health [--addr HOST:PORT]        probe /-/ready (for container health checks)
 * mpac-collector gen [flags]                      send OTLP load and report rate and latency
 * mpac-collector reference                        print the configuration reference
 * mpac-collector --version | --help
 * </pre>
 */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    int code = run(args, System.out, System.err);
    System.exit(code);
  }

  /** Runs a command and returns its exit code; {@code run} returns only once the collector stopped. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0) {
      err.print(usage());
      return 2;
    }
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    try {
      return switch (args[0]) {
        case "run" -> new RunCommand(out, err).run(rest);
        case "validate" -> new ValidateCommand(out, err).run(rest);
        case "fmt" -> new FmtCommand(out, err, System.in).run(rest);
        case "health" -> new HealthCommand(out, err).run(rest);
        case "gen" -> new GenCommand(out, err).run(rest);
        case "reference" -> {
          out.print(ConfigReference.markdown(io.mpac.collector.pipeline.ComponentRegistry.fromClassPath()));
          yield 0;
        }
        case "--version", "-v", "version" -> {
          out.println("mpac-collector " + version());
          yield 0;
        }
        case "--help", "-h", "help" -> {
          out.print(usage());
          yield 0;
        }
        default -> {
          err.println("error: unknown command \"" + args[0] + "\"");
          err.print(usage());
          yield 2;
        }
      };
    } catch (UsageException e) {
      err.println("error: " + e.getMessage());
      err.print(usage());
      return 2;
    }
  }

  static String version() {
    String v = Main.class.getPackage().getImplementationVersion();
    return v != null ? v : "dev";
  }

  static String usage() {
    return """
        Usage: mpac-collector COMMAND [flags] [args]

        An OpenTelemetry (OTLP) collector configured in Grafana Alloy's syntax.

        Commands:
          run [flags] CONFIG_FILE_OR_DIR   run the pipeline (a directory: every *.alloy file in it)
          validate CONFIG_FILE_OR_DIR      check a config; exit 1 with every problem on stderr
          fmt [--write] [--test] FILE|-    print a file in canonical format (--write: rewrite it;
                                           --test: exit 1 if it is not formatted)
          health [--addr HOST:PORT]        exit 0 if the collector at HOST:PORT is ready
          gen [flags]                      send OTLP load (see "Load generator" in README.md)
          reference                        print the configuration reference (Markdown)
          --version                        print the version
          --help                           print this help

        Flags of run:
          --server.http.listen-addr ADDR   admin server (/metrics, /-/ready, /-/healthy, /-/reload)
                                           (default 127.0.0.1:12345)
          --storage.path DIR               where components keep state (default data/)
          --shutdown.timeout DURATION      time allowed for a graceful stop (default 30s)

        Flags of gen:
          --endpoint HOST:PORT             default 127.0.0.1:4317 (grpc) or 127.0.0.1:4318 (http)
          --protocol P                     grpc (default), http/protobuf, http/json
          --signal S                       traces (default), metrics, logs
          --rate N|max                     items per second (default 1000)
          --duration D                     how long to send (default 10s)
          --items-per-request N            spans, data points or log records per request (default 100)
          --workers N                      concurrent senders (default 4)
          --attributes N                   attributes per item (default 3)
          --body-size N                    log body length in bytes (default 64)

        Signals: SIGTERM/SIGINT stop gracefully (exit 0); SIGHUP reloads the config.
        """;
  }
}
