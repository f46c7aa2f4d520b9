package io.mpac.collector.exporter.prometheus;

import io.mpac.collector.component.schema.Args;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.prometheus.MetricsReceiver;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Arguments of {@code otelcol.exporter.prometheus} (Alloy's names and defaults).
 *
 * @param forwardTo where converted samples go ({@code forward_to}, required)
 * @param includeTargetInfo write {@code target_info} per resource (default true)
 * @param includeScopeInfo write {@code otel_scope_info} per scope (default false)
 * @param includeScopeLabels add {@code otel_scope_name}/{@code otel_scope_version} to every series (default true)
 * @param addMetricSuffixes add unit and type suffixes ({@code _seconds}, {@code _total}) (default true)
 * @param resourceToTelemetryConversion copy every resource attribute onto every series (default false)
 * @param gcFrequency how long an unseen stream is remembered (default 5m)
 * @param keepIdentifyingResourceAttributes keep {@code service.*} identity attributes in {@code target_info} (default false)
 */
public record PrometheusExporterConfig(
    List<MetricsReceiver> forwardTo,
    boolean includeTargetInfo,
    boolean includeScopeInfo,
    boolean includeScopeLabels,
    boolean addMetricSuffixes,
    boolean resourceToTelemetryConversion,
    Duration gcFrequency,
    boolean keepIdentifyingResourceAttributes) {

  public static final Duration DEFAULT_GC_FREQUENCY = Duration.ofMinutes(5);

  public PrometheusExporterConfig {
    forwardTo = List.copyOf(Objects.requireNonNull(forwardTo, "forwardTo"));
    Objects.requireNonNull(gcFrequency, "gcFrequency");
    if (gcFrequency.isNegative() || gcFrequency.isZero()) {
      throw new IllegalArgumentException("gc_frequency must be greater than 0");
    }
  }

  /** Alloy's defaults with the given receivers. */
  public static PrometheusExporterConfig defaults(List<MetricsReceiver> forwardTo) {
    return new PrometheusExporterConfig(forwardTo, true, false, true, true, false, DEFAULT_GC_FREQUENCY, false);
  }

  static PrometheusExporterConfig from(Args args) throws ConfigException {
    Duration gc = args.duration("gc_frequency");
    if (gc.isNegative() || gc.isZero()) {
      throw new ConfigException(args.positionOf("gc_frequency"), "gc_frequency must be greater than 0, got " + gc);
    }
    return new PrometheusExporterConfig(args.list("forward_to"), args.bool("include_target_info"),
        args.bool("include_scope_info"), args.bool("include_scope_labels"), args.bool("add_metric_suffixes"),
        args.bool("resource_to_telemetry_conversion"), gc, args.bool("keep_identifying_resource_attributes"));
  }

  OtlpToPrometheus.Options options() {
    return new OtlpToPrometheus.Options(includeTargetInfo, includeScopeInfo, includeScopeLabels, addMetricSuffixes,
        resourceToTelemetryConversion, keepIdentifyingResourceAttributes);
  }

  /** Builds a config from Alloy's defaults (for tests and embedding). */
  public static final class Builder {
    private final List<MetricsReceiver> forwardTo;
    private boolean includeTargetInfo = true;
    private boolean includeScopeInfo;
    private boolean includeScopeLabels = true;
    private boolean addMetricSuffixes = true;
    private boolean resourceToTelemetry;
    private Duration gcFrequency = DEFAULT_GC_FREQUENCY;
    private boolean keepIdentifying;

    public Builder(List<MetricsReceiver> forwardTo) {
      this.forwardTo = forwardTo;
    }

    public Builder includeTargetInfo(boolean v) {
      includeTargetInfo = v;
      return this;
    }

    public Builder includeScopeInfo(boolean v) {
      includeScopeInfo = v;
      return this;
    }

    public Builder includeScopeLabels(boolean v) {
      includeScopeLabels = v;
      return this;
    }

    public Builder addMetricSuffixes(boolean v) {
      addMetricSuffixes = v;
      return this;
    }

    public Builder resourceToTelemetry(boolean v) {
      resourceToTelemetry = v;
      return this;
    }

    public Builder gcFrequency(Duration v) {
      gcFrequency = v;
      return this;
    }

    public Builder keepIdentifying(boolean v) {
      keepIdentifying = v;
      return this;
    }

    public PrometheusExporterConfig build() {
      return new PrometheusExporterConfig(forwardTo, includeTargetInfo, includeScopeInfo, includeScopeLabels,
          addMetricSuffixes, resourceToTelemetry, gcFrequency, keepIdentifying);
    }
  }
}
