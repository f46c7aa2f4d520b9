package io.mpac.collector.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Test certificates made by the openssl command in one directory (EC P-256, PKCS#8 keys, valid two
 * days). Missing openssl fails under CI and skips elsewhere ({@link RequiredTool}).
 */
public final class OpenSsl {

  private static final String EC = "ec_paramgen_curve:prime256v1";

  private final Path dir;

  public OpenSsl(Path dir) {
    this.dir = dir;
  }

  /** Runs {@code openssl args} in the directory and asserts it succeeded. */
  public void run(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("openssl"));
    cmd.addAll(List.of(args));
    Process p;
    try {
      p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    } catch (IOException e) {
      RequiredTool.missing("openssl", "it cannot be started: " + e.getMessage());
      return;
    }
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("openssl finished").isTrue();
    assertThat(p.exitValue()).as(out).isZero();
  }

  /** A self-signed CA: {@code name.pem} and {@code name.key}. */
  public void ca(String name) throws Exception {
    run("req", "-x509", "-newkey", "ec", "-pkeyopt", EC, "-nodes", "-keyout", name + ".key", "-out", name + ".pem",
        "-days", "2", "-subj", "/CN=" + name, "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign");
  }

  /**
   * A certificate signed by CA {@code ca} for 127.0.0.1 and localhost: {@code name.pem} and
   * {@code name.key}; usable by a server and a client.
   */
  public void signed(String name, String ca) throws Exception {
    run("req", "-newkey", "ec", "-pkeyopt", EC, "-nodes", "-keyout", name + ".key", "-out", name + ".csr",
        "-subj", "/CN=" + name);
    java.nio.file.Files.writeString(dir.resolve(name + ".ext"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n");
    run("x509", "-req", "-in", name + ".csr", "-CA", ca + ".pem", "-CAkey", ca + ".key", "-CAcreateserial",
        "-out", name + ".pem", "-days", "2", "-extfile", name + ".ext");
  }

  public Path path(String file) {
    return dir.resolve(file);
  }
}
