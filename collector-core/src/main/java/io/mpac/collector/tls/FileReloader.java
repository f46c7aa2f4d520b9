package io.mpac.collector.tls;

import java.io.IOException;
import java.lang.ref.WeakReference;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Re-reads TLS material when its files change ({@code reload_interval}). Every interval the files'
 * bytes are compared with those last seen; when they differ, {@link Loader#load} builds the new
 * material and swaps it in. A load that fails keeps the material in use and is reported once per
 * change of the files (a certificate and key written one after the other fail once, then load).
 *
 * <p>The check holds its owner (what {@link Loader} swaps into) weakly: once the owner is
 * unreachable the check stops by itself, so a client that forgets to {@link #close} leaks nothing.
 * One daemon thread serves every reloader of the process.
 */
public final class FileReloader implements AutoCloseable {

  /** Reads the files again and swaps the result into {@code owner}. */
  public interface Loader<T> {
    void load(T owner) throws IOException, GeneralSecurityException;
  }

  /** Told of each reload; messages name files, never their contents. */
  public interface Listener {
    void reloaded(String what);

    void failed(String what, String message);
  }

  private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "tls-reload");
    t.setDaemon(true);
    return t;
  });

  private final String what;
  private final List<Path> files;
  private final Listener listener;
  private byte[][] seen;
  private volatile ScheduledFuture<?> task;

  private FileReloader(String what, List<Path> files, Listener listener) {
    this.what = what;
    this.files = List.copyOf(files);
    this.listener = listener;
    this.seen = snapshot();
  }

  /**
   * Starts checking {@code files} every {@code interval}; what they hold now is taken as already
   * loaded.
   *
   * @param what what the files are, for messages ("otelcol.receiver.otlp.in: gRPC server certificate")
   */
  public static <T> FileReloader start(String what, List<String> files, Duration interval, T owner, Loader<T> loader,
      Listener listener) {
    Objects.requireNonNull(owner, "owner");
    List<Path> paths = new ArrayList<>();
    for (String f : files) paths.add(Path.of(f));
    FileReloader r = new FileReloader(what, paths, listener);
    WeakReference<T> ref = new WeakReference<>(owner);
    long nanos = Math.max(Duration.ofMillis(10).toNanos(), interval.toNanos());
    r.task = TIMER.scheduleWithFixedDelay(() -> r.check(ref, loader), nanos, nanos, TimeUnit.NANOSECONDS);
    return r;
  }

  private <T> void check(WeakReference<T> ref, Loader<T> loader) {
    T owner = ref.get();
    if (owner == null) {
      close();
      return;
    }
    byte[][] now = snapshot();
    if (Arrays.deepEquals(now, seen)) return;
    seen = now;
    try {
      loader.load(owner);
      listener.reloaded(what);
    } catch (NoSuchFileException e) {
      listener.failed(what, "cannot read " + e.getFile() + ": no such file");
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      listener.failed(what, e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  /** The files' bytes; a file that cannot be read is null (and so differs from any content). */
  private byte[][] snapshot() {
    byte[][] out = new byte[files.size()][];
    for (int i = 0; i < out.length; i++) {
      try {
        out[i] = Files.readAllBytes(files.get(i));
      } catch (IOException e) {
        out[i] = null;
      }
    }
    return out;
  }

  /** Stops checking. */
  @Override
  public void close() {
    ScheduledFuture<?> t = task;
    if (t != null) t.cancel(false);
  }
}
