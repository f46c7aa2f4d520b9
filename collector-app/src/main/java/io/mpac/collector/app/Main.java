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
    String help = commandHelp(args[0]);
    if (help != null && Arrays.stream(rest).anyMatch(a -> a.equals("--help") || a.equals("-h"))) {
      out.print(help);
      return 0;
    }
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

  /** The help of one command, or null when there is no such command. */
  static String commandHelp(String command) {
    return switch (command) {
      case "run" -> """
          Usage: mpac-collector run [flags] CONFIG_FILE_OR_DIR

          Runs the pipeline until SIGTERM or SIGINT; SIGHUP or POST /-/reload reloads the config.

          Flags:
            --server.http.listen-addr ADDR       admin server and UI (default 127.0.0.1:12345)
            --server.http.ui-path-prefix PATH    where the UI is served (default /)
            --storage.path DIR                   where components keep state (default data/)
            --shutdown.timeout DURATION          time allowed for a graceful stop (default 30s)
          Accepted for Alloy compatibility, without effect (logged once):
            --stability.level LEVEL              generally-available, public-preview or experimental
            --disable-reporting                  we never report usage anyway
            --feature.community-components.enabled
          Refused: --cluster.enabled=true (clustering does not exist here).
          """;
      case "validate" -> """
          Usage: mpac-collector validate [--stability.level LEVEL] CONFIG_FILE_OR_DIR

          Checks a config without running it; exit 1 with every problem (file:line:col) on stderr.
          --stability.level is accepted for Alloy compatibility and has no effect.
          """;
      case "fmt" -> """
          Usage: mpac-collector fmt [--write|-w] [--test|-t] FILE|-

          Prints the file in canonical format. --write rewrites it in place; --test exits 1 when it
          is not formatted (and prints nothing).
          """;
      case "health" -> """
          Usage: mpac-collector health [--addr HOST:PORT] [--timeout DURATION]

          Exits 0 when the collector at HOST:PORT (default 127.0.0.1:12345) answers /-/ready with 200.
          """;
      case "gen" -> """
          Usage: mpac-collector gen [flags]

          Sends OTLP load and reports the achieved rate, outcomes and latency percentiles.
            --endpoint HOST:PORT      default 127.0.0.1:4317 (grpc) or 127.0.0.1:4318 (http)
            --protocol P              grpc (default), http/protobuf, http/json
            --signal S                traces (default), metrics, logs
            --rate N|max              items per second (default 1000)
            --duration D              how long to send (default 10s)
            --items-per-request N     spans, data points or log records per request (default 100)
            --workers N               concurrent senders (default 4)
            --attributes N            attributes per item (default 3)
            --body-size N             log body length in bytes (default 64)
          """;
      case "reference" -> """
          Usage: mpac-collector reference

          Prints the configuration reference (every supported component's arguments) as Markdown.
          """;
      default -> null;
    };
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

        Every command takes --help.

        Flags of run:
          --server.http.listen-addr ADDR   admin server and UI (/, /metrics, /-/ready, /-/healthy,
                                           /-/reload, /api/v0/web/) (default 127.0.0.1:12345)
          --server.http.ui-path-prefix P   where the UI is served (default /)
          --storage.path DIR               where components keep state (default data/)
          --shutdown.timeout DURATION      time allowed for a graceful stop (default 30s)
          --stability.level, --disable-reporting, --feature.community-components.enabled:
                                           accepted for Alloy compatibility, no effect (logged)

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
