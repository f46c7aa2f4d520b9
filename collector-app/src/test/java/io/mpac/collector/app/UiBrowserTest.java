package io.mpac.collector.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mpac.collector.testing.RequiredTool;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The UI in a real browser: headless Chromium driven by Selenium against a collector running a
 * realistic pipeline with OTLP traffic from the OpenTelemetry SDK. Skipped without Chromium only
 * outside CI. Writes screenshots to target/screenshots/ ({@code -Dui.screenshots=docs}: the README's
 * docs/img/).
 */
class UiBrowserTest {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final String SECRET = "BROWSERCANARY31337";

  @TempDir Path dir;

  static String config(int grpc, int http, int dead) {
    return """
        livedebugging {
          enabled = true
        }

        otelcol.receiver.otlp "default" {
          grpc {
            endpoint = "127.0.0.1:%1$d"
          }
          http {
            endpoint = "127.0.0.1:%2$d"
          }
          output {
            traces = [otelcol.processor.batch.default.input]
          }
        }

        otelcol.processor.batch "default" {
          timeout = "100ms"
          output {
            traces = [otelcol.exporter.otlp.tempo.input, otelcol.exporter.debug.console.input]
          }
        }

        otelcol.exporter.otlp "tempo" {
          client {
            endpoint = "127.0.0.1:%3$d"
            headers  = {
              "Authorization" = "Bearer " + sys.env("TEMPO_TOKEN"),
            }
            tls {
              insecure = true
            }
          }
        }

        otelcol.exporter.debug "console" {
          verbosity = "basic"
        }

        discovery.docker "unreachable" {
          host             = "unix://%4$s"
          refresh_interval = "1s"
        }
        """.formatted(grpc, http, dead, "/nonexistent/docker.sock");
  }

  @Test
  void graphComponentPageAndLiveDebuggingInChromium() throws Exception {
    if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
      RequiredTool.missing("chromium", "/usr/bin/chromium or /usr/bin/chromedriver is not installed "
          + "(Debian packages chromium and chromium-driver)");
    }

    int grpc = SecretCanaryTest.freePort(), http = SecretCanaryTest.freePort(), dead = SecretCanaryTest.freePort();
    Path config = Files.writeString(dir.resolve("ui.alloy"), config(grpc, http, dead));
    try (RunningCollector c = new RunningCollector(config, dir.resolve("data"), Map.of("TEMPO_TOKEN", SECRET),
        "--server.http.ui-path-prefix", "/ui-test/")) {
      Traffic traffic = new Traffic(grpc);
      WebDriver browser = browser();
      try {
        String home = c.base() + "/ui-test/";
        JsonNode components = new ObjectMapper().readTree(c.get("/api/v0/web/components").body());
        assertThat(components).hasSize(5);

        // Home: every component with its health, filterable.
        browser.get(home + "#/");
        waitFor("component table", () -> browser.findElements(By.cssSelector("#components tbody tr")).size() == 5);
        browser.findElement(By.id("filter")).sendKeys("exporter");
        waitFor("filtered rows", () -> browser.findElements(By.cssSelector("#components tbody tr")).size() == 2);

        // Graph: every component and edge; rates appear while traffic flows.
        traffic.start();
        browser.get(home + "#/graph");
        waitFor("graph", () -> !browser.findElements(By.cssSelector("#graph g.node")).isEmpty());
        for (JsonNode comp : components) {
          String id = comp.get("localID").asText();
          assertThat(browser.findElements(By.cssSelector("#graph g.node[data-id='" + id + "']"))).as(id).hasSize(1);
          for (JsonNode to : comp.get("dataFlowEdgesTo")) {
            assertThat(browser.findElements(By.cssSelector(
                "#graph g.edge[data-from='" + id + "'][data-to='" + to.asText() + "']"))).as(id + "->" + to).hasSize(1);
          }
        }
        assertThat(browser.findElements(By.cssSelector("#graph g.edge"))).hasSize(3);
        String receiverRate = "#graph g.node[data-id='otelcol.receiver.otlp.default'] text.node-rate";
        waitFor("a rate on the receiver", () -> text(browser, receiverRate).contains("spans"));
        waitFor("a rate on the batch -> debug edge", () -> text(browser,
            "#graph g.edge[data-from='otelcol.processor.batch.default'][data-to='otelcol.exporter.debug.console'] text")
            .contains("spans"));
        waitFor("the unhealthy component marked", () -> browser.findElement(
            By.cssSelector("#graph g.node[data-id='discovery.docker.unreachable']")).getAttribute("class").contains("unhealthy"));
        assertThat(browser.findElement(By.cssSelector("#graph g.node[data-id='otelcol.exporter.debug.console']"))
            .getAttribute("class")).contains("healthy").doesNotContain("unhealthy");
        screenshot(browser, "ui-graph.png");
        // Traffic stops: the rate falls back to nothing.
        traffic.stop();
        waitFor("the rate going back to zero", () -> text(browser, receiverRate).equals("—"));

        // Component page: arguments with the secret masked.
        browser.get(home + "#/component/otelcol.exporter.otlp.tempo");
        waitFor("arguments", () -> text(browser, "#arguments").contains("headers"));
        assertThat(text(browser, "#arguments")).contains("\"Authorization\" = (secret)").doesNotContain(SECRET);
        assertThat(browser.getPageSource()).doesNotContain(SECRET);
        assertThat(text(browser, "#summary")).contains("accepted", "sent", "failed", "queue size");
        screenshot(browser, "ui-component.png");

        // Live debugging: a span sent now shows up on the batch processor's page.
        traffic.start();
        browser.get(home + "#/component/otelcol.processor.batch.default");
        waitFor("live debugging button", () -> !browser.findElements(By.id("live-toggle")).isEmpty());
        // The page refreshes every 2 s until a stream runs: click whichever Start button is current.
        waitFor("the stream to start", () -> {
          if (text(browser, "#live-toggle").equals("Start")) browser.findElement(By.id("live-toggle")).click();
          return text(browser, "#live-toggle").equals("Stop");
        });
        waitFor("the live span", () -> text(browser, "#live").contains(Traffic.SPAN_NAME));
        assertThat(text(browser, "#live")).contains("otelcol.processor.batch.default -> otelcol.exporter");
        screenshot(browser, "ui-live.png");
        traffic.stop();
        assertThat(traffic.sent.get()).isPositive();
      } finally {
        traffic.stop();
        browser.quit();
      }
    }
  }

  private WebDriver browser() throws Exception {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--no-first-run",
        "--user-data-dir=" + Files.createDirectory(dir.resolve("chromium-profile")), "--window-size=1400,1000");
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
    return new ChromeDriver(service, options);
  }

  private static String text(WebDriver browser, String css) {
    List<WebElement> found = browser.findElements(By.cssSelector(css));
    return found.isEmpty() ? "" : found.get(0).getText();
  }

  /** Polls every 200 ms for at most 20 s. */
  private static void waitFor(String what, Supplier<Boolean> condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    RuntimeException last = null;
    while (System.nanoTime() < deadline) {
      try {
        if (condition.get()) return;
      } catch (RuntimeException e) {
        last = e; // the page was being redrawn
      }
      Thread.sleep(200);
    }
    throw new AssertionError("timed out waiting for " + what, last);
  }

  /**
   * Saves a screenshot to target/screenshots/, or, with {@code -Dui.screenshots=docs}, to the
   * repository's docs/img/ (the README's pictures; the module runs with collector-app as its
   * directory), so that an ordinary test run leaves the work tree clean.
   */
  private static void screenshot(WebDriver browser, String name) throws Exception {
    File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
    Path module = Path.of(System.getProperty("user.dir"));
    Path img = "docs".equals(System.getProperty("ui.screenshots"))
        ? module.resolveSibling("docs").resolve("img")
        : module.resolve("target").resolve("screenshots");
    Files.createDirectories(img);
    Files.copy(shot.toPath(), img.resolve(name), StandardCopyOption.REPLACE_EXISTING);
  }

  /** Spans from the OpenTelemetry SDK, 20 every 100 ms while started; at most two minutes in all. */
  static final class Traffic {
    static final String SPAN_NAME = "checkout-from-browser-test";

    final AtomicInteger sent = new AtomicInteger();
    private final SdkTracerProvider provider;
    private final Tracer tracer;
    private final AtomicBoolean running = new AtomicBoolean();
    private final List<Thread> threads = new ArrayList<>();

    Traffic(int grpcPort) {
      provider = SdkTracerProvider.builder().addSpanProcessor(BatchSpanProcessor.builder(
          OtlpGrpcSpanExporter.builder().setEndpoint("http://127.0.0.1:" + grpcPort).build())
          .setScheduleDelay(Duration.ofMillis(100)).build()).build();
      tracer = provider.get("ui-browser-test");
    }

    void start() {
      if (!running.compareAndSet(false, true)) return;
      Thread t = new Thread(() -> {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (running.get() && System.nanoTime() < deadline) {
          for (int i = 0; i < 20; i++) {
            tracer.spanBuilder(SPAN_NAME).setAttribute("order.id", sent.incrementAndGet()).startSpan().end();
          }
          try {
            Thread.sleep(100);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "ui-test-traffic");
      t.setDaemon(true);
      t.start();
      threads.add(t);
    }

    void stop() throws InterruptedException {
      running.set(false);
      for (Thread t : threads) t.join(5000);
      threads.clear();
      provider.forceFlush().join(5, TimeUnit.SECONDS);
    }
  }
}
