package io.mpac.collector.bench.e2e;

import java.util.Arrays;
import java.util.List;

/** Min, median and max of a few repetitions (the median of an even count is the mean of the middle two). */
record Stats(double min, double median, double max, int n) {

  static Stats of(List<Double> values) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).filter(d -> !Double.isNaN(d)).toArray();
    if (v.length == 0) return new Stats(Double.NaN, Double.NaN, Double.NaN, 0);
    Arrays.sort(v);
    int m = v.length / 2;
    double median = v.length % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
    return new Stats(v[0], median, v[v.length - 1], v.length);
  }
}
