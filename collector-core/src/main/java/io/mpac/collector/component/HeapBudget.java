package io.mpac.collector.component;

/**
 * Default byte bounds derived from the JVM's max heap ({@code -Xmx}, or the container's
 * {@code MaxRAMPercentage}), so that no config of the shipped examples can queue the process out of
 * memory. Each holder of data on the heap takes a share; the shares of one pipeline add up to well
 * under the whole heap, leaving room for requests being decoded and for the garbage collector.
 *
 * <table>
 *   <caption>Default shares of the max heap</caption>
 *   <tr><td>{@link #EXPORTER_QUEUE}</td><td>one exporter's in-memory sending queue (or one
 *       endpoint's)</td><td>10%</td></tr>
 *   <tr><td>{@link #BATCH_PENDING}</td><td>one batch processor's pending data, per signal</td><td>5%</td></tr>
 *   <tr><td>{@link #RECEIVER_IN_FLIGHT}</td><td>request bodies being received, all receivers</td><td>10%</td></tr>
 * </table>
 */
public final class HeapBudget {

  public static final double EXPORTER_QUEUE = 0.10;
  public static final double BATCH_PENDING = 0.05;
  public static final double RECEIVER_IN_FLIGHT = 0.10;

  /** Never less than this, so a tiny test heap still moves data. */
  public static final long MIN_BYTES = 1L << 20;

  private HeapBudget() {}

  /** The JVM's max heap in bytes. */
  public static long maxHeap() {
    long max = Runtime.getRuntime().maxMemory();
    return max == Long.MAX_VALUE ? Runtime.getRuntime().totalMemory() : max;
  }

  /** {@code fraction} of the max heap, at least {@link #MIN_BYTES}. */
  public static long share(double fraction) {
    if (!(fraction > 0 && fraction <= 1)) throw new IllegalArgumentException("fraction must be in (0, 1]: " + fraction);
    return Math.max(MIN_BYTES, (long) (maxHeap() * fraction));
  }
}
