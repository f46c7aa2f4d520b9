package io.mpac.collector.processor.memorylimiter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpac.collector.component.ComponentContract;
import io.mpac.collector.component.ComponentFactory;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.config.syntax.Diagnostic;
import io.mpac.collector.consumer.OtlpConsumer;
import java.time.Duration;
import java.util.List;
import java.util.ServiceLoader;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** Alloy's argument rules, decoded from Alloy text (the body starts on line 2, column 1). */
class MemoryLimiterConfigTest extends ComponentContract {

  private static final long MIB = 1L << 20;

  @Override
  protected ComponentFactory factory() {
    return new MemoryLimiterFactory();
  }

  @Override
  protected String minimalConfig() {
    return "check_interval = \"1s\"\nlimit = \"100MiB\"\noutput {}";
  }

  private MemoryLimiterConfig config(String body) throws ConfigException {
    return MemoryLimiterConfig.from(decode(body + "\noutput {}"));
  }

  /** The single diagnostic of an invalid body: "line:col: message". */
  private static void fails(ThrowingCallable call, int line, int col, String message) {
    assertThatThrownBy(call).isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.diagnostics())
        .singleElement().satisfies(d -> {
          assertThat(d.position().line() + ":" + d.position().column()).isEqualTo(line + ":" + col);
          assertThat(d.message()).contains(message);
        }));
  }

  @Test
  void limitWithTheDefaultSpikeOfTwentyPercent() throws Exception {
    MemoryLimiterConfig c = config("check_interval = \"1s\"\nlimit = \"50MiB\"");
    assertThat(c.checkInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(c.limitBytes()).isEqualTo(50 * MIB);
    assertThat(c.spikeLimitBytes()).isEqualTo(10 * MIB);
    assertThat(c.hardLimit(1L << 30)).isEqualTo(50 * MIB);
    assertThat(c.softLimit(1L << 30)).isEqualTo(40 * MIB);
  }

  @Test
  void limitsAreRoundedDownToWholeMebibytes() throws Exception {
    MemoryLimiterConfig c = config("check_interval = \"1s\"\nlimit = \"5632KiB\"");
    assertThat(c.limitBytes()).as("5.5 MiB").isEqualTo(5 * MIB);
    assertThat(c.spikeLimitBytes()).as("20%% of 5 MiB, rounded down").isEqualTo(MIB);
    MemoryLimiterConfig d = config("check_interval = \"1s\"\nlimit = \"100.7MiB\"\nspike_limit = \"20.5MiB\"");
    assertThat(d.limitBytes()).isEqualTo(100 * MIB);
    assertThat(d.spikeLimitBytes()).isEqualTo(20 * MIB);
  }

  @Test
  void aLimitOfOneMebibyteHasNoRoomForTheDefaultSpike() {
    fails(() -> config("check_interval = \"1s\"\nlimit = \"1536KiB\""), 3, 1, "set spike_limit");
  }

  @Test
  void aLimitBelowOneMebibyteIsRefused() {
    fails(() -> config("check_interval = \"1s\"\nlimit = \"512KiB\""), 3, 1, "less than 1 MiB");
  }

  @Test
  void percentagesOfTheMaxHeap() throws Exception {
    MemoryLimiterConfig c = config("check_interval = \"250ms\"\nlimit_percentage = 80\nspike_limit_percentage = 20");
    assertThat(c.limitPercentage()).isEqualTo(80);
    assertThat(c.limitBytes()).isZero();
    long heap = 1000 * MIB;
    assertThat(c.hardLimit(heap)).isEqualTo(heap / 100 * 80);
    assertThat(c.softLimit(heap)).isEqualTo(heap / 100 * 60);
  }

  @Test
  void checkIntervalIsRequired() {
    assertThatThrownBy(() -> config("limit = \"50MiB\"")).isInstanceOf(ConfigException.class)
        .hasMessageContaining("check_interval");
  }

  @Test
  void checkIntervalMustBePositive() {
    fails(() -> config("check_interval = \"0s\"\nlimit = \"50MiB\""), 2, 1, "check_interval must be greater than zero");
  }

  @Test
  void limitAndPercentageAreMutuallyExclusive() {
    fails(() -> config("check_interval = \"1s\"\nlimit = \"50MiB\"\nlimit_percentage = 50\nspike_limit_percentage = 10"),
        4, 1, "either limit or limit_percentage must be set, but not both");
  }

  @Test
  void oneOfThemIsNeeded() {
    fails(() -> config("check_interval = \"1s\""), 1, 1, "either limit or limit_percentage must be set to greater than zero");
  }

  @Test
  void spikeMustBeBelowTheLimit() {
    fails(() -> config("check_interval = \"1s\"\nlimit = \"50MiB\"\nspike_limit = \"50MiB\""), 4, 1,
        "spike_limit (50 MiB) must be less than limit (50 MiB)");
  }

  @Test
  void spikePercentageMustBeBelowTheLimitPercentage() {
    fails(() -> config("check_interval = \"1s\"\nlimit_percentage = 50\nspike_limit_percentage = 50"), 4, 1,
        "spike_limit_percentage (50) must be less than limit_percentage (50)");
  }

  @Test
  void limitPercentageNeedsASpikePercentage() {
    fails(() -> config("check_interval = \"1s\"\nlimit_percentage = 80"), 3, 1, "set spike_limit_percentage");
  }

  @Test
  void percentagesAboveOneHundredAreRefused() {
    fails(() -> config("check_interval = \"1s\"\nlimit_percentage = 101\nspike_limit_percentage = 10"), 3, 1,
        "limit_percentage must be between 0 and 100");
  }

  @Test
  void aSpikeInTheOtherFormWouldBeIgnoredSoItIsRefused() {
    fails(() -> config("check_interval = \"1s\"\nlimit = \"50MiB\"\nspike_limit_percentage = 10"), 4, 1,
        "with limit, set spike_limit");
    fails(() -> config("check_interval = \"1s\"\nlimit_percentage = 80\nspike_limit_percentage = 10\nspike_limit = \"5MiB\""),
        5, 1, "with limit_percentage, set spike_limit_percentage");
  }

  @Test
  void independentProblemsAreReportedTogether() {
    assertThatThrownBy(() -> config("check_interval = \"-1s\"\nlimit = \"50MiB\"\nlimit_percentage = 200"))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.diagnostics())
            .extracting(Diagnostic::message).hasSize(2)
            .anySatisfy(m -> assertThat(m).contains("check_interval"))
            .anySatisfy(m -> assertThat(m).contains("limit_percentage must be between 0 and 100")));
  }

  @Test
  void recordRejectsWhatTheArgumentsWould() {
    assertThatThrownBy(() -> new MemoryLimiterConfig(Duration.ofSeconds(1), 50 * MIB, 0, 0, 0, List.of(), List.of(), List.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new MemoryLimiterConfig(Duration.ofSeconds(1), 0, 0, 80, 90, List.of(), List.of(), List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void factoryIsRegisteredAndBuildsWithoutStartingThreads() throws Exception {
    ComponentFactory f = ServiceLoader.load(ComponentFactory.class).stream().map(ServiceLoader.Provider::get)
        .filter(x -> x.name().equals("otelcol.processor.memory_limiter")).findFirst().orElseThrow();
    int threads = Thread.activeCount();
    var c = f.create(context(), decode(minimalConfig()));
    assertThat(c.exports().get("input")).isInstanceOf(OtlpConsumer.class);
    assertThat(Thread.activeCount()).isEqualTo(threads);
    c.shutdown(Duration.ofSeconds(1));
  }
}
