package io.mpac.collector.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.LongFunction;

/**
 * A small property-based fuzz driver: input {@code i} of a run is {@code generator.apply(seed + i)}
 * (so any input is replayed from its number), the property must hold for every input, and the
 * first failure is shrunk (chunks removed while it still fails) and saved under
 * {@code target/fuzz-failures/} before the test fails with the seed that reproduces it.
 *
 * <p>The normal suite runs {@code fuzz.inputs} inputs per target (default {@value #DEFAULT_INPUTS},
 * a few seconds); the long run ({@code scripts/fuzz-long.sh}) sets it to 1,000,000 and more.
 * {@code fuzz.seed} changes the seed (default {@value #DEFAULT_SEED}). Each run prints its rate.
 */
public final class Fuzz {

  public static final int DEFAULT_INPUTS = 2000;
  public static final long DEFAULT_SEED = 15;

  /** A property over one input; any exception or assertion error is a finding. */
  @FunctionalInterface
  public interface Property {
    void check(byte[] input) throws Exception;
  }

  /** What a run did. */
  public record Run(String target, long inputs, double seconds) {
    public double perSecond() {
      return inputs / Math.max(seconds, 1e-9);
    }
  }

  private Fuzz() {}

  public static long inputs() {
    return Long.getLong("fuzz.inputs", DEFAULT_INPUTS);
  }

  /** Runs {@link #inputs()} inputs of {@code generator} through {@code property}. */
  public static Run run(String target, LongFunction<byte[]> generator, Property property) {
    long n = inputs();
    long seed = Long.getLong("fuzz.seed", DEFAULT_SEED);
    long t0 = System.nanoTime();
    long slowest = 0;
    long slowestSeed = seed;
    for (long i = 0; i < n; i++) {
      byte[] input = generator.apply(seed + i);
      long start = System.nanoTime();
      Throwable failure = failure(property, input);
      long took = System.nanoTime() - start;
      if (took > slowest) {
        slowest = took;
        slowestSeed = seed + i;
      }
      if (failure != null) {
        byte[] small = shrink(property, input);
        Path saved = save(target, seed + i, small);
        AssertionError e = new AssertionError(target + ": property failed for input seed " + (seed + i)
            + " (replay with -Dfuzz.seed=" + (seed + i) + " -Dfuzz.inputs=1); shrunk input of " + small.length
            + " bytes saved to " + saved + ": " + failure, failure);
        throw e;
      }
    }
    Run run = new Run(target, n, (System.nanoTime() - t0) / 1e9);
    System.out.println(String.format(Locale.ROOT,
        "fuzz %s: %,d inputs in %.1f s = %,.0f inputs/s, 0 findings; slowest input %.1f ms (seed %d)",
        target, run.inputs, run.seconds, run.perSecond(), slowest / 1e6, slowestSeed));
    return run;
  }

  private static Throwable failure(Property property, byte[] input) {
    try {
      property.check(input);
      return null;
    } catch (Exception | AssertionError | StackOverflowError | OutOfMemoryError e) {
      return e;
    }
  }

  /** Removes ever smaller chunks while the property still fails (bounded: at most 2,000 tries). */
  static byte[] shrink(Property property, byte[] input) {
    byte[] best = input;
    int tries = 0;
    for (int chunk = Math.max(1, best.length / 2); chunk >= 1 && tries < 2000; chunk /= 2) {
      for (int at = 0; at + chunk <= best.length && tries < 2000; ) {
        byte[] candidate = new byte[best.length - chunk];
        System.arraycopy(best, 0, candidate, 0, at);
        System.arraycopy(best, at + chunk, candidate, at, best.length - at - chunk);
        tries++;
        if (failure(property, candidate) != null) best = candidate; else at += chunk;
      }
    }
    return best;
  }

  private static Path save(String target, long seed, byte[] input) {
    try {
      Path dir = Files.createDirectories(Path.of("target", "fuzz-failures"));
      return Files.write(dir.resolve(target + "-" + seed + ".bin"), input);
    } catch (IOException e) {
      return Path.of("(not saved: " + e.getMessage() + ") " + Arrays.toString(Arrays.copyOf(input, 64)));
    }
  }
}
