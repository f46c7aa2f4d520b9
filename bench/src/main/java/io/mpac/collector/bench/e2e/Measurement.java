package io.mpac.collector.bench.e2e;

import java.util.Map;

/**
 * What one scenario measured on one target in one repetition.
 *
 * @param acceptedItems items in requests the generator saw answered OK
 * @param receivedItems items the null sink counted, after the last batch flushed
 * @param generatorNanos how long the generator sent (the denominator of the throughput)
 * @param windowNanos the CPU measurement window: from the generator's start until the sink was quiet
 * @param sutCpuTicks utime + stime of the target's process over the window
 * @param loadCpuTicks utime + stime of the benchmark's own JVM (generator and sink) over the window
 * @param rssAtStartKiB VmRSS of the target when the window started (after the warm-up)
 * @param peakRssKiB VmHWM of the target at the end of the window
 * @param peakRssPerPhase whether the peak was reset before the window (else it is the peak since the target started)
 * @param settled whether the sink's count came to rest within the bound after the generator stopped
 */
record Measurement(int repetition, Target target, String scenario, long requests, long sentItems, long acceptedItems,
    long receivedItems, long malformed, long generatorNanos, long windowNanos, long sutCpuTicks, long loadCpuTicks,
    long clockTicksPerSecond, long rssAtStartKiB, long peakRssKiB, boolean peakRssPerPhase, long latencySamples, long latencyP50Micros,
    long latencyP99Micros, long requestP99Micros, Map<String, Long> outcomes, double loadAverageAtStart,
    boolean settled) {

  double itemsPerSecond() {
    return receivedItems / (generatorNanos / 1e9);
  }

  double cpuSeconds() {
    return (double) sutCpuTicks / clockTicksPerSecond;
  }

  /** Target CPU time per delivered item, in microseconds (NaN if nothing was delivered). */
  double cpuMicrosPerItem() {
    return receivedItems == 0 ? Double.NaN : cpuSeconds() * 1e6 / receivedItems;
  }

  /** Target CPU as a percentage of one core over the window. */
  double cpuPercentOfCore() {
    return cpuSeconds() / (windowNanos / 1e9) * 100;
  }

  double loadCpuPercentOfCore() {
    return (double) loadCpuTicks / clockTicksPerSecond / (windowNanos / 1e9) * 100;
  }

  double rssAtStartMiB() {
    return rssAtStartKiB / 1024.0;
  }

  double peakRssMiB() {
    return peakRssKiB / 1024.0;
  }

  long lost() {
    return Math.max(0, acceptedItems - receivedItems);
  }

  long duplicated() {
    return Math.max(0, receivedItems - acceptedItems);
  }

  /** Items the target refused (the generator does not retry them). */
  long refused() {
    return sentItems - acceptedItems;
  }
}
