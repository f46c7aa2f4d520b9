package io.mpac.collector.config.value;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Alloy's standard library (docs/alloy.md §1.6): namespaces {@code sys}, {@code constants},
 * {@code array}, {@code convert}, {@code encoding}, {@code string}, {@code file}, the function
 * {@code coalesce}, and the deprecated top-level aliases ({@code env}, {@code concat},
 * {@code format}, ...).
 *
 * <p>Every function is pure. A wrong argument count or type throws an {@link EvalException}
 * whose message starts with the function's name, e.g. {@code string.join: expected 2 arguments,
 * got 1}; the evaluator adds the call's position.
 */
public final class Stdlib {

  /** Built on first use of a JSON function: most configs never call one. */
  private static final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  }

  private Stdlib() {}

  /** The stdlib scope, reading {@code sys.env} from {@code environment}. */
  public static Scope scope(Map<String, String> environment) {
    return scope(environment, Stdlib.class.getPackage().getImplementationVersion());
  }

  /** As {@link #scope(Map)}, with the collector version shown as {@code constants.version}. */
  public static Scope scope(Map<String, String> environment, String version) {
    Map<String, Value> top = identifiers(Map.copyOf(environment), version);
    return top::get;
  }

  /** The top-level identifiers the stdlib defines (namespaces, functions and aliases). */
  public static Set<String> names() {
    return identifiers(Map.of(), null).keySet();
  }

  private static Map<String, Value> identifiers(Map<String, String> env, String version) {
    Map<String, Value> top = new LinkedHashMap<>();

    Value.Function sysEnv = fn("sys.env", 1, a -> Value.of(env.getOrDefault(str("sys.env", a, 0), "")));
    top.put("sys", obj(Map.of("env", sysEnv)));

    Map<String, Value> constants = new LinkedHashMap<>();
    constants.put("hostname", Value.of(hostname()));
    constants.put("os", Value.of(goOs(System.getProperty("os.name", ""))));
    constants.put("arch", Value.of(goArch(System.getProperty("os.arch", ""))));
    constants.put("version", Value.of(normalizeVersion(version)));
    top.put("constants", obj(constants));

    top.put("coalesce", fn("coalesce", -1, Stdlib::coalesce));

    Value.Function concat = fn("array.concat", -1, a -> concat("array.concat", a));
    top.put("array", obj(Map.of("concat", concat)));

    Value.Function nonsensitive =
        fn("convert.nonsensitive", 1, a -> {
          if (a.get(0) instanceof Value.Str s) return Value.of(s.value());
          throw argType("convert.nonsensitive", 0, "secret", a.get(0));
        });
    top.put("convert", obj(Map.of("nonsensitive", nonsensitive)));

    Map<String, Value> encoding = new LinkedHashMap<>();
    Value.Function fromJson = fn("encoding.from_json", 1, a -> fromJson("encoding.from_json", str("encoding.from_json", a, 0)));
    Value.Function fromBase64 =
        fn("encoding.from_base64", 1, a -> decode64("encoding.from_base64", Base64.getDecoder(), str("encoding.from_base64", a, 0)));
    encoding.put("from_json", fromJson);
    encoding.put("to_json", fn("encoding.to_json", 1, Stdlib::toJson));
    encoding.put("from_base64", fromBase64);
    encoding.put("to_base64", fn("encoding.to_base64", 1, a -> Value.of(Base64.getEncoder().encodeToString(bytes(str("encoding.to_base64", a, 0))))));
    encoding.put(
        "from_URLbase64",
        fn("encoding.from_URLbase64", 1, a -> decode64("encoding.from_URLbase64", Base64.getUrlDecoder(), str("encoding.from_URLbase64", a, 0))));
    encoding.put("to_URLbase64", fn("encoding.to_URLbase64", 1, a -> Value.of(Base64.getUrlEncoder().encodeToString(bytes(str("encoding.to_URLbase64", a, 0))))));
    encoding.put("url_encode", fn("encoding.url_encode", 1, a -> Value.of(queryEscape(str("encoding.url_encode", a, 0)))));
    encoding.put("url_decode", fn("encoding.url_decode", 1, a -> {
      try {
        return Value.of(URLDecoder.decode(str("encoding.url_decode", a, 0), StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        throw new EvalException("encoding.url_decode: invalid URL escape");
      }
    }));
    top.put("encoding", obj(encoding));

    Map<String, Value> string = new LinkedHashMap<>();
    string.put("format", fn("string.format", -1, a -> format("string.format", a)));
    string.put("join", fn("string.join", 2, a -> join("string.join", a)));
    string.put("split", fn("string.split", 2, a -> split(str("string.split", a, 0), str("string.split", a, 1))));
    string.put("replace", fn("string.replace", 3, a -> Value.of(GoStringsLib.replaceAll(str("string.replace", a, 0), str("string.replace", a, 1), str("string.replace", a, 2)))));
    string.put("to_lower", fn("string.to_lower", 1, a -> Value.of(str("string.to_lower", a, 0).toLowerCase(Locale.ROOT))));
    string.put("to_upper", fn("string.to_upper", 1, a -> Value.of(str("string.to_upper", a, 0).toUpperCase(Locale.ROOT))));
    string.put("trim", fn("string.trim", 2, a -> Value.of(GoStringsLib.trim(str("string.trim", a, 0), str("string.trim", a, 1)))));
    string.put("trim_prefix", fn("string.trim_prefix", 2, a -> {
      String s = str("string.trim_prefix", a, 0);
      String p = str("string.trim_prefix", a, 1);
      return Value.of(s.startsWith(p) ? s.substring(p.length()) : s);
    }));
    string.put("trim_suffix", fn("string.trim_suffix", 2, a -> {
      String s = str("string.trim_suffix", a, 0);
      String p = str("string.trim_suffix", a, 1);
      return Value.of(s.endsWith(p) ? s.substring(0, s.length() - p.length()) : s);
    }));
    string.put("trim_space", fn("string.trim_space", 1, a -> Value.of(GoStringsLib.trimSpace(str("string.trim_space", a, 0)))));
    top.put("string", obj(string));

    top.put("file", obj(Map.of("path_join", fn("file.path_join", -1, a -> {
      List<String> parts = new ArrayList<>();
      for (int i = 0; i < a.size(); i++) parts.add(str("file.path_join", a, i));
      return Value.of(GoStringsLib.pathJoin(parts));
    }))));

    // Deprecated top-level aliases: still accepted, as in Alloy. Each reports errors under its
    // own name, which is the name the user wrote.
    top.put("env", fn("env", 1, a -> Value.of(env.getOrDefault(str("env", a, 0), ""))));
    top.put("nonsensitive", rename("nonsensitive", nonsensitive));
    top.put("concat", fn("concat", -1, a -> concat("concat", a)));
    top.put("json_decode", fn("json_decode", 1, a -> fromJson("json_decode", str("json_decode", a, 0))));
    top.put("base64_decode", fn("base64_decode", 1, a -> decode64("base64_decode", Base64.getDecoder(), str("base64_decode", a, 0))));
    top.put("format", fn("format", -1, a -> format("format", a)));
    for (String alias :
        List.of("join", "split", "replace", "to_lower", "to_upper", "trim", "trim_prefix", "trim_suffix", "trim_space")) {
      top.put(alias, rename(alias, (Value.Function) string.get(alias)));
    }
    return Collections.unmodifiableMap(top);
  }

  // ---- function plumbing ----

  @FunctionalInterface
  private interface Body {
    Value apply(List<Value> args) throws EvalException;
  }

  /** A function that checks its argument count ({@code arity < 0}: any) before running. */
  private static Value.Function fn(String name, int arity, Body body) {
    return new Value.Function(name, args -> {
      if (arity >= 0 && args.size() != arity) {
        throw new EvalException(
            name + ": expected " + arity + (arity == 1 ? " argument" : " arguments") + ", got " + args.size());
      }
      return body.apply(args);
    });
  }

  /** The same function under another name, with messages naming it as the user wrote it. */
  private static Value.Function rename(String alias, Value.Function f) {
    return new Value.Function(alias, args -> {
      try {
        return f.body().call(args);
      } catch (EvalException e) {
        String msg = e.getMessage();
        if (msg.startsWith(f.name() + ":")) msg = alias + msg.substring(f.name().length());
        throw new EvalException(msg);
      }
    });
  }

  private static Value obj(Map<String, Value> fields) {
    return new Value.Obj(new LinkedHashMap<>(fields));
  }

  /** Argument {@code i} as a plain string; numbers are accepted and written in decimal. */
  private static String str(String fn, List<Value> args, int i) throws EvalException {
    Value v = args.get(i);
    if (v instanceof Value.Str s && !s.secret()) return s.value();
    if (v instanceof Value.Num n) return n.toString();
    throw argType(fn, i, "string", v);
  }

  private static EvalException argType(String fn, int i, String expected, Value got) {
    return new EvalException(
        fn + ": argument " + (i + 1) + ": expected " + expected + ", got " + got.typeName());
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  // ---- implementations ----

  /** The first argument that is not null, "", 0, false, [] or {} (Alloy skips Go zero values). */
  private static Value coalesce(List<Value> args) {
    if (args.isEmpty()) return Value.NULL;
    for (Value v : args) {
      if (v instanceof Value.Null) continue;
      if (v instanceof Value.Str s && s.value().isEmpty()) continue;
      if (v instanceof Value.Num n && n.doubleValue() == 0) continue;
      if (v instanceof Value.Bool b && !b.value()) continue;
      if (v instanceof Value.Array a && a.elements().isEmpty()) continue;
      if (v instanceof Value.Obj o && o.fields().isEmpty()) continue;
      return v;
    }
    return args.get(args.size() - 1);
  }

  private static Value concat(String name, List<Value> args) throws EvalException {
    List<Value> out = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      if (!(args.get(i) instanceof Value.Array a)) throw argType(name, i, "array", args.get(i));
      out.addAll(a.elements());
    }
    return new Value.Array(out);
  }

  private static Value fromJson(String name, String text) throws EvalException {
    try {
      JsonNode node = Json.MAPPER.readTree(text);
      if (node == null || node.isMissingNode()) {
        throw new EvalException(name + ": unexpected end of JSON input");
      }
      return Values.fromJson(node);
    } catch (JsonProcessingException e) {
      throw new EvalException(name + ": invalid JSON: " + e.getOriginalMessage());
    }
  }

  private static Value toJson(List<Value> args) throws EvalException {
    if (!(args.get(0) instanceof Value.Obj)) throw argType("encoding.to_json", 0, "object", args.get(0));
    StringBuilder b = new StringBuilder();
    GoJson.write(args.get(0), b);
    return Value.of(b.toString());
  }

  private static Value decode64(String name, Base64.Decoder decoder, String text) throws EvalException {
    try {
      return Value.of(new String(decoder.decode(text), StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw new EvalException(name + ": illegal base64 data");
    }
  }

  private static String queryEscape(String s) {
    // Go's url.QueryEscape leaves '~' alone and escapes '*', unlike URLEncoder.
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("*", "%2A").replace("%7E", "~");
  }

  private static Value format(String name, List<Value> args) throws EvalException {
    if (args.isEmpty()) throw new EvalException(name + ": expected at least 1 argument, got 0");
    String spec = str(name, args, 0);
    return Value.of(GoFormat.sprintf(spec, args.subList(1, args.size())));
  }

  private static Value join(String name, List<Value> args) throws EvalException {
    if (!(args.get(0) instanceof Value.Array a)) throw argType(name, 0, "array", args.get(0));
    List<String> parts = new ArrayList<>();
    for (Value el : a.elements()) {
      if (!(el instanceof Value.Str s) || s.secret()) {
        throw new EvalException(name + ": argument 1: expected array of strings, found " + el.typeName());
      }
      parts.add(s.value());
    }
    return Value.of(String.join(str(name, args, 1), parts));
  }

  private static Value split(String s, String sep) {
    List<Value> out = new ArrayList<>();
    for (String part : GoStringsLib.split(s, sep)) out.add(Value.of(part));
    return new Value.Array(out);
  }

  // ---- constants ----

  private static String hostname() {
    try {
      Path p = Path.of("/proc/sys/kernel/hostname");
      if (Files.isReadable(p)) return Files.readString(p).trim();
    } catch (Exception ignored) {
      // fall through to the JDK's view
    }
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      return "";
    }
  }

  static String goOs(String osName) {
    String n = osName.toLowerCase(Locale.ROOT);
    if (n.startsWith("linux")) return "linux";
    if (n.startsWith("mac") || n.startsWith("darwin")) return "darwin";
    if (n.startsWith("windows")) return "windows";
    if (n.contains("freebsd")) return "freebsd";
    return n.replace(" ", "");
  }

  static String goArch(String osArch) {
    return switch (osArch.toLowerCase(Locale.ROOT)) {
      case "amd64", "x86_64" -> "amd64";
      case "aarch64", "arm64" -> "arm64";
      case "x86", "i386", "i486", "i586", "i686" -> "386";
      case "arm" -> "arm";
      case "ppc64le" -> "ppc64le";
      case "s390x" -> "s390x";
      default -> osArch;
    };
  }

  /** Like Alloy: "v" + semantic version, "v0.0.0" when unknown. */
  static String normalizeVersion(String version) {
    if (version == null || version.isBlank()) return "v0.0.0";
    String v = version.trim();
    return v.startsWith("v") ? v : "v" + v;
  }
}
