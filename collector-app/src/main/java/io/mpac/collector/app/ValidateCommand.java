package io.mpac.collector.app;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.config.syntax.Diagnostic;
import io.mpac.collector.pipeline.ComponentRegistry;
import io.mpac.collector.pipeline.ConfigSource;
import io.mpac.collector.pipeline.PipelineBuilder;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Set;

/**
 * {@code validate}: builds the pipeline exactly as {@code run} would, without starting anything,
 * and prints every problem as {@code file:line:col: message}. Exit 0 when valid, 1 otherwise.
 */
final class ValidateCommand {

  private final PrintStream out;
  private final PrintStream err;

  ValidateCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  int run(String[] args) {
    Flags flags = Flags.parse(args, AlloyCompatFlags.valued(Set.of()), AlloyCompatFlags.booleans(Set.of()));
    for (String note : AlloyCompatFlags.check(flags)) err.println("note: " + note);
    Path config = Path.of(flags.onePositional("config file or directory"));
    PipelineBuilder builder = new PipelineBuilder(new PipelineBuilder.Settings(
        ComponentRegistry.fromClassPath(), System.getenv(), Path.of("data"), new SimpleMeterRegistry()));
    try {
      builder.build(ConfigSource.load(config), null);
      return 0;
    } catch (ConfigException e) {
      for (Diagnostic d : e.diagnostics()) err.println(d);
      return 1;
    }
  }
}
