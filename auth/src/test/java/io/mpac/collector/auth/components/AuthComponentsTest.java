package io.mpac.collector.auth.components;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.auth.AuthHandler;
import io.mpac.collector.auth.Credentials;
import io.mpac.collector.component.ComponentId;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.config.syntax.Parser;
import io.mpac.collector.pipeline.ComponentRegistry;
import io.mpac.collector.pipeline.Pipeline;
import io.mpac.collector.pipeline.PipelineBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The three auth components built from Alloy text through the real pipeline builder. */
class AuthComponentsTest {

  @TempDir Path dir;

  private Pipeline build(String config) throws ConfigException {
    return new PipelineBuilder(new PipelineBuilder.Settings(ComponentRegistry.fromClassPath(), Map.of(), dir,
        new SimpleMeterRegistry())).build(List.of(Parser.parse("auth.alloy", config)), null);
  }

  private AuthHandler handler(Pipeline p, String name, String label) throws Exception {
    var component = p.node(new ComponentId(name, label)).component();
    component.start();
    return (AuthHandler) component.exports().get("handler");
  }

  private static List<String> errors(ThrowableCheck c) {
    try {
      c.run();
    } catch (ConfigException e) {
      return e.diagnostics().stream().map(Object::toString).toList();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("config was accepted");
  }

  @FunctionalInterface
  interface ThrowableCheck {
    void run() throws Exception;
  }

  private static Map<String, String> headers(String... kv) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
    return m;
  }

  @Test
  void bearerChecksAndSendsSchemeAndToken() throws Exception {
    AuthHandler h = handler(build("otelcol.auth.bearer \"b\" {\n  token = \"abc\"\n}\n"), "otelcol.auth.bearer", "b");
    assertThat(h.server().authenticate(headers("authorization", "Bearer abc")::get)).isTrue();
    assertThat(h.server().authenticate(headers("authorization", "Bearer abd")::get)).isFalse();
    assertThat(h.server().authenticate(headers("authorization", "abc")::get)).isFalse();
    assertThat(h.server().authenticate(headers()::get)).isFalse();
    Map<String, String> out = new HashMap<>();
    h.client().applyTo(out);
    assertThat(out).containsExactly(Map.entry("authorization", "Bearer abc"));
    assertThat(h.toString()).doesNotContain("abc");
  }

  @Test
  void basicServerFromFileAndInlineClientFromClientAuth() throws Exception {
    Path file = Files.writeString(dir.resolve("users"), "# users\nann:one\nben:two\n");
    Pipeline p = build("""
        otelcol.auth.basic "u" {
          client_auth {
            username = "me"
            password = "mine"
          }
          htpasswd {
            file   = "%s"
            inline = "ben:three"
          }
        }
        """.formatted(file));
    var component = p.node(new ComponentId("otelcol.auth.basic", "u")).component();
    AuthHandler h = (AuthHandler) component.exports().get("handler");
    assertThat(h.server().authenticate(headers("authorization", basic("ann", "one"))::get))
        .as("refused until the file is read at start").isFalse();
    component.start();
    assertThat(h.server().authenticate(headers("authorization", basic("ann", "one"))::get)).isTrue();
    assertThat(h.server().authenticate(headers("authorization", "basic " + basic("ann", "one").substring(6))::get))
        .as("scheme is case-insensitive").isTrue();
    assertThat(h.server().authenticate(headers("authorization", basic("ben", "two"))::get))
        .as("inline overrides the file").isFalse();
    assertThat(h.server().authenticate(headers("authorization", basic("ben", "three"))::get)).isTrue();
    assertThat(h.server().authenticate(headers("authorization", basic("ann", "one:more"))::get)).isFalse();
    Map<String, String> out = new HashMap<>();
    h.client().applyTo(out);
    assertThat(out).containsExactly(Map.entry("authorization", basic("me", "mine")));
  }

  @Test
  void deprecatedTopLevelUserWorksForBothSides() throws Exception {
    AuthHandler h = handler(build("otelcol.auth.basic \"u\" {\n  username = \"a\"\n  password = \"b\"\n}\n"),
        "otelcol.auth.basic", "u");
    assertThat(h.server().authenticate(headers("authorization", basic("a", "b"))::get)).isTrue();
    Map<String, String> out = new HashMap<>();
    h.client().applyTo(out);
    assertThat(out.get("authorization")).isEqualTo(basic("a", "b"));
  }

  @Test
  void clientOnlyBasicHasNoServerSide() throws Exception {
    AuthHandler h = handler(build("otelcol.auth.basic \"u\" {\n  client_auth {\n    username = \"a\"\n"
        + "    password = \"b\"\n  }\n}\n"), "otelcol.auth.basic", "u");
    assertThat(h.server()).isNull();
    assertThat(h.client()).isNotNull();
  }

  @Test
  void badHtpasswdIsRefusedNamingTheLineNotTheSecret() throws Exception {
    assertThat(errors(() -> build("otelcol.auth.basic \"u\" {\n  htpasswd {\n"
        + "    inline = \"ok:fine\\nbcrypted:$2y$05$abcdefSECRET\"\n  }\n}\n")))
        .singleElement().satisfies(e -> assertThat(e).contains("auth.alloy:3:").contains("line 2")
            .contains("unsupported password hash").doesNotContain("SECRET"));
    Path file = Files.writeString(dir.resolve("bad"), "nocolon\n");
    var component = build("otelcol.auth.basic \"u\" {\n  htpasswd {\n    file = \"" + file + "\"\n  }\n}\n")
        .node(new ComponentId("otelcol.auth.basic", "u")).component();
    assertThatThrownBy(component::start).hasMessageContaining("line 1").hasMessageContaining("user:password");
    var missing = build("otelcol.auth.basic \"u\" {\n  htpasswd {\n    file = \"" + dir.resolve("none") + "\"\n  }\n}\n")
        .node(new ComponentId("otelcol.auth.basic", "u")).component();
    assertThatThrownBy(missing::start).hasMessageContaining("cannot read htpasswd.file");
  }

  @Test
  void basicNeedsSomething() {
    assertThat(errors(() -> build("otelcol.auth.basic \"u\" {\n}\n")))
        .singleElement().satisfies(e -> assertThat(e).contains("auth.alloy:1:").contains("htpasswd"));
  }

  @Test
  void headersActions() throws Exception {
    AuthHandler h = handler(build("""
        otelcol.auth.headers "h" {
          header {
            key   = "X-Scope-OrgID"
            value = "tenant-a"
          }
          header {
            key    = "X-Only-If-Absent"
            value  = "new"
            action = "insert"
          }
          header {
            key    = "X-Only-If-Present"
            value  = "updated"
            action = "update"
          }
          header {
            key    = "X-Drop"
            action = "delete"
          }
        }
        """), "otelcol.auth.headers", "h");
    assertThat(h.server()).isNull();
    Map<String, String> out = headers("x-only-if-absent", "old", "x-drop", "v", "x-scope-orgid", "was");
    h.client().applyTo(out);
    assertThat(out).containsOnly(Map.entry("x-scope-orgid", "tenant-a"), Map.entry("x-only-if-absent", "old"));
    Map<String, String> empty = new HashMap<>();
    h.client().applyTo(empty);
    assertThat(empty).containsOnly(Map.entry("x-scope-orgid", "tenant-a"), Map.entry("x-only-if-absent", "new"));
  }

  @Test
  void headersFromContextIsRefusedWithPosition() {
    assertThat(errors(() -> build("otelcol.auth.headers \"h\" {\n  header {\n    key = \"a\"\n"
        + "    from_context = \"tenant\"\n  }\n}\n")))
        .anySatisfy(e -> assertThat(e).contains("auth.alloy:4:").contains("attribute \"from_context\" in header is not supported by mpac-collector"));
    assertThat(errors(() -> build("otelcol.auth.headers \"h\" {\n  header {\n    key = \"a\"\n  }\n}\n")))
        .anySatisfy(e -> assertThat(e).contains("value is required"));
    assertThat(errors(() -> build("otelcol.auth.bearer \"b\" {\n  token = \"\"\n}\n")))
        .anySatisfy(e -> assertThat(e).contains("auth.alloy:2:").contains("token must not be empty"));
  }

  @Test
  void constantTimeEqualsIsEquality() {
    assertThat(Credentials.constantTimeEquals("a", "a")).isTrue();
    assertThat(Credentials.constantTimeEquals("a", "b")).isFalse();
    assertThat(Credentials.constantTimeEquals("a", "aa")).isFalse();
    assertThat(Credentials.constantTimeEquals(null, "a")).isFalse();
    assertThat(Credentials.constantTimeEquals("", "")).isTrue();
  }

  private static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }
}
