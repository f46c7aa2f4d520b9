package io.mpac.collector.prometheus;

import java.util.Objects;

/**
 * What a metric family is: its type, help text and unit, keyed by the family name (the metric name
 * without {@code _bucket}/{@code _sum}/{@code _count}).
 *
 * @param familyName e.g. {@code http_server_duration_seconds}
 * @param type the family's type
 * @param help description, may be empty
 * @param unit Prometheus unit (e.g. {@code seconds}), may be empty
 */
public record Metadata(String familyName, MetricType type, String help, String unit) {
  public Metadata {
    Objects.requireNonNull(familyName, "familyName");
    Objects.requireNonNull(type, "type");
    help = help == null ? "" : help;
    unit = unit == null ? "" : unit;
  }
}
