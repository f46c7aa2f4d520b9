package io.mpac.collector.app;

import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.config.syntax.Diagnostic;
import io.mpac.collector.config.syntax.Formatter;
import io.mpac.collector.config.syntax.Parser;
import io.mpac.collector.pipeline.ConfigSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * {@code fmt}: prints a config in canonical form. {@code --write} rewrites files in place (a
 * directory: each {@code *.alloy} in it); {@code --test} exits 1 when a file is not formatted.
 * Checks syntax only, not component schemas, like {@code alloy fmt}.
 */
final class FmtCommand {

  private final PrintStream out;
  private final PrintStream err;
  private final InputStream in;

  FmtCommand(PrintStream out, PrintStream err, InputStream in) {
    this.out = out;
    this.err = err;
    this.in = in;
  }

  int run(String[] args) {
    Flags flags = Flags.parse(args, Set.of(), Set.of("write", "w", "test", "t"));
    boolean write = flags.bool("write") || flags.bool("w");
    boolean test = flags.bool("test") || flags.bool("t");
    String target = flags.onePositional("file (or - for stdin)");
    try {
      if (target.equals("-")) {
        String source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        String formatted = Formatter.format(Parser.parse("<stdin>", source));
        if (test) return formatted.equals(source) ? 0 : 1;
        out.print(formatted);
        return 0;
      }
      List<Path> files = ConfigSource.files(Path.of(target));
      if (files.size() > 1 && !write && !test) {
        throw new UsageException("a directory needs --write or --test");
      }
      int code = 0;
      for (Path f : files) {
        String source = Files.readString(f, StandardCharsets.UTF_8);
        String formatted = Formatter.format(Parser.parse(f.toString(), source));
        if (test) {
          if (!formatted.equals(source)) {
            err.println(f + ": not formatted");
            code = 1;
          }
        } else if (write) {
          if (!formatted.equals(source)) Files.writeString(f, formatted, StandardCharsets.UTF_8);
        } else {
          out.print(formatted);
        }
      }
      return code;
    } catch (ConfigException e) {
      for (Diagnostic d : e.diagnostics()) err.println(d);
      return 1;
    } catch (IOException e) {
      err.println("error: " + e.getMessage());
      return 1;
    }
  }
}
