package io.mpac.collector.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The repository's files, as the tests read them. */
final class Repo {

  static final ObjectMapper JSON = new ObjectMapper();
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private Repo() {}

  /** The repository root: the first parent of the working directory that holds {@code mvnw}. */
  static Path root() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("mvnw"))) p = p.getParent();
    if (p == null) throw new IllegalStateException("repository root not found from " + Path.of("").toAbsolutePath());
    return p;
  }

  static Path path(String relative) {
    return root().resolve(relative);
  }

  static String read(String relative) {
    try {
      return Files.readString(path(relative));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode yaml(String relative) {
    try {
      return YAML.readTree(path(relative).toFile());
    } catch (IOException e) {
      throw new AssertionError(relative + " is not valid YAML: " + e.getMessage(), e);
    }
  }

  static JsonNode json(String relative) {
    try {
      return JSON.readTree(path(relative).toFile());
    } catch (IOException e) {
      throw new AssertionError(relative + " is not valid JSON: " + e.getMessage(), e);
    }
  }

  /** Files under a directory (relative to the root) whose name ends with one of the suffixes, sorted. */
  static List<Path> files(String dir, String... suffixes) {
    try (Stream<Path> s = Files.walk(path(dir))) {
      return s.filter(Files::isRegularFile)
          .filter(p -> Stream.of(suffixes).anyMatch(x -> p.getFileName().toString().endsWith(x)))
          .sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every text value in a JSON/YAML tree, with its field name ("" for array items). */
  static List<String[]> textFields(JsonNode node) {
    List<String[]> out = new ArrayList<>();
    collect(node, "", out);
    return out;
  }

  private static void collect(JsonNode node, String name, List<String[]> out) {
    if (node.isObject()) {
      node.fields().forEachRemaining(e -> collect(e.getValue(), e.getKey(), out));
    } else if (node.isArray()) {
      for (JsonNode n : node) collect(n, name, out);
    } else if (node.isTextual()) {
      out.add(new String[] {name, node.asText()});
    }
  }

  /** Every object node in a tree (the root included), depth first. */
  static List<JsonNode> objects(JsonNode node) {
    List<JsonNode> out = new ArrayList<>();
    walk(node, out);
    return out;
  }

  private static void walk(JsonNode node, List<JsonNode> out) {
    if (node.isObject()) {
      out.add(node);
      node.elements().forEachRemaining(n -> walk(n, out));
    } else if (node.isArray()) {
      node.elements().forEachRemaining(n -> walk(n, out));
    }
  }
}
