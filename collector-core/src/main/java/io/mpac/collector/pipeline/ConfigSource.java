package io.mpac.collector.pipeline;

import io.mpac.collector.config.ast.ConfigFile;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.config.syntax.Diagnostic;
import io.mpac.collector.config.syntax.Parser;
import io.mpac.collector.config.syntax.Position;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads a configuration: one {@code .alloy} file, or every {@code *.alloy} file directly inside a
 * directory (not recursing), which together form one config, as with {@code alloy run DIR}.
 */
public final class ConfigSource {

  private ConfigSource() {}

  /** Parses every file; throws with the syntax errors of all files together. */
  public static List<ConfigFile> load(Path path) throws ConfigException {
    List<Path> files = files(path);
    List<ConfigFile> parsed = new ArrayList<>();
    List<Diagnostic> diagnostics = new ArrayList<>();
    for (Path f : files) {
      String source;
      try {
        source = Files.readString(f, StandardCharsets.UTF_8);
      } catch (IOException | java.io.UncheckedIOException e) {
        diagnostics.add(new Diagnostic(new Position(f.toString(), 0, 0), "cannot read file: " + describe(e)));
        continue;
      }
      try {
        parsed.add(Parser.parse(f.toString(), source));
      } catch (ConfigException e) {
        diagnostics.addAll(e.diagnostics());
      }
    }
    if (!diagnostics.isEmpty()) throw new ConfigException(diagnostics);
    return parsed;
  }

  /** The files a path stands for: itself, or the sorted {@code *.alloy} files in the directory. */
  public static List<Path> files(Path path) throws ConfigException {
    Position here = new Position(path.toString(), 0, 0);
    if (!Files.exists(path)) throw new ConfigException(here, "no such file or directory");
    if (!Files.isDirectory(path)) return List.of(path);
    try (Stream<Path> s = Files.list(path)) {
      List<Path> files = s.filter(p -> p.getFileName().toString().endsWith(".alloy"))
          .filter(Files::isRegularFile).sorted().toList();
      if (files.isEmpty()) throw new ConfigException(here, "directory has no .alloy files");
      return files;
    } catch (IOException e) {
      throw new ConfigException(here, "cannot list directory: " + describe(e));
    }
  }

  private static String describe(Exception e) {
    Throwable t = e instanceof java.io.UncheckedIOException u ? u.getCause() : e;
    String kind = t instanceof java.nio.file.NoSuchFileException ? "no such file"
        : t instanceof java.nio.file.AccessDeniedException ? "permission denied"
        : t instanceof java.nio.charset.MalformedInputException ? "not valid UTF-8" : t.getMessage();
    return kind;
  }
}
