package io.mpac.collector.testing;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * What a test does when a tool it needs (openssl, keytool, promtool, chromium) is missing: under CI
 * ({@code CI=true}, set by {@code .ci/run}) that is a failure, since CI installs every tool; on a
 * developer's machine the test is skipped with the reason.
 */
public final class RequiredTool {

  private RequiredTool() {}

  /** True when running under CI. */
  public static boolean underCi() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  /** Fails under CI, skips elsewhere; never returns normally. */
  public static void missing(String tool, String why) {
    String msg = tool + " is required by this test but " + why;
    if (underCi()) Assertions.fail(msg + " (CI=true: a missing tool is a failure, not a skip)");
    Assumptions.abort(msg);
  }
}
