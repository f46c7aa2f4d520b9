package io.mpac.collector.exporter.http;

import io.mpac.collector.exporter.HttpOutcomes;
import io.mpac.collector.exporter.tls.TlsContexts;
import io.mpac.collector.exporter.tls.TlsSettings;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * The one HTTP client of the exporters: POSTs a body to one URL with fixed headers (plus a few per
 * request, such as Loki's tenant), bounded by a timeout, and answers an {@link HttpResult}. Sends
 * on the calling thread (exporter workers are dedicated threads; nothing here runs on an event loop).
 *
 * <p>Two clients behind it. Plain {@code http://} without HTTP/2 or a proxy goes through
 * {@link Http1Client}: persistent connections, no thread hand-offs, the caller's body array written
 * as is (see docs/BENCHMARKS.md, remote write). Everything else goes through the JDK's
 * {@link HttpClient}: {@code https://} (with the {@link TlsSettings}), HTTP/2, a proxy, and a
 * redirect answered on the plain path when redirects are followed.
 *
 * <p>Body reuse: the caller may reuse the body array once {@link #post} returns an answer; after an
 * error without one (timeout, abort) the JDK client may still be reading it.
 *
 * <p>Secrets: values given as {@link Builder#secrets} (credentials, secret headers) are replaced by
 * {@code (secret)} in the error texts and in the bodies of failed answers, since servers and
 * proxies sometimes quote a request's headers back.
 */
public final class HttpTransport implements AutoCloseable {

  /** Sent unless the caller's headers name another. */
  public static final String USER_AGENT = "mpac-collector/0.1";
  private static final int DEFAULT_MAX_BODY = 4096;
  /** A response body longer than this is not read to its end (the connection is given up instead). */
  private static final long MAX_DRAIN = 1 << 20;
  private static final byte[] REDACTED = "(secret)".getBytes(StandardCharsets.UTF_8);

  /** One daemon thread for every transport's timeouts (they only close sockets or interrupt). */
  private static final ScheduledExecutorService WATCHDOG;

  static {
    ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1, r -> {
      Thread th = new Thread(r, "http-transport-timeouts");
      th.setDaemon(true);
      return th;
    });
    e.setRemoveOnCancelPolicy(true);
    WATCHDOG = e;
  }

  private final URI url;
  private final String[] headers;
  private final Duration connectTimeout;
  private final TlsSettings tls;
  private final boolean http2;
  private final boolean followRedirects;
  private final InetSocketAddress proxy;
  private final int maxBody;
  private final List<byte[]> secrets;
  /** Plain http:// (not HTTP/2, no proxy); null otherwise. */
  private final Http1Client plain;
  /** The JDK client, made when first needed (https is made at build time, to report TLS problems early). */
  private volatile HttpClient jdk;
  private final Set<Exchange> inFlight = ConcurrentHashMap.newKeySet();
  private volatile boolean aborted;

  private HttpTransport(Builder b) throws IOException, GeneralSecurityException {
    this.url = b.url;
    this.headers = b.headers.toArray(new String[0]);
    this.connectTimeout = b.connectTimeout;
    this.tls = b.tls;
    this.http2 = b.http2;
    this.followRedirects = b.followRedirects;
    this.proxy = b.proxy;
    this.maxBody = b.maxBody;
    List<byte[]> s = new ArrayList<>();
    for (String v : b.secrets) {
      if (v != null && v.length() >= 3) s.add(v.getBytes(StandardCharsets.UTF_8));
    }
    this.secrets = List.copyOf(s);
    boolean onPlain = "http".equalsIgnoreCase(url.getScheme()) && !http2 && proxy == null;
    this.plain = onPlain ? new Http1Client(url, headers,
        (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()), WATCHDOG, maxBody) : null;
    if (!onPlain) this.jdk = jdkClient();
  }

  public static Builder builder(URI url) {
    return new Builder(url);
  }

  public URI url() {
    return url;
  }

  /** What to set on a transport; {@link #build()} reads the TLS files. */
  public static final class Builder {
    private final URI url;
    private final List<String> headers = new ArrayList<>();
    private final List<String> secrets = new ArrayList<>();
    private Duration connectTimeout = Duration.ofSeconds(30);
    private TlsSettings tls = TlsSettings.NONE;
    private boolean http2;
    private boolean followRedirects;
    private InetSocketAddress proxy;
    private int maxBody = DEFAULT_MAX_BODY;
    private boolean userAgent;

    private Builder(URI url) {
      this.url = Objects.requireNonNull(url, "url");
      String scheme = url.getScheme();
      if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
          || url.getHost() == null) {
        throw new IllegalArgumentException("not an absolute http:// or https:// URL: " + url);
      }
    }

    /** A header sent with every request (in this order, after none of the transport's own). */
    public Builder header(String name, String value) {
      if (name.equalsIgnoreCase("user-agent")) userAgent = true;
      headers.add(name);
      headers.add(value);
      return this;
    }

    /** A header whose value must never show in errors or logs. */
    public Builder secretHeader(String name, String value) {
      secrets.add(value);
      return header(name, value);
    }

    /** Values to keep out of error texts (credentials from which a header was made, and the like). */
    public Builder secrets(String... values) {
      secrets.addAll(List.of(values));
      return this;
    }

    public Builder connectTimeout(Duration d) {
      this.connectTimeout = Objects.requireNonNull(d);
      return this;
    }

    public Builder tls(TlsSettings t) {
      this.tls = Objects.requireNonNull(t);
      return this;
    }

    /** HTTP/2 (over TLS by ALPN; cleartext by upgrade). */
    public Builder http2(boolean on) {
      this.http2 = on;
      return this;
    }

    public Builder followRedirects(boolean on) {
      this.followRedirects = on;
      return this;
    }

    /** An HTTP proxy for every request, or null for none. */
    public Builder proxy(InetSocketAddress p) {
      this.proxy = p;
      return this;
    }

    /** Response body bytes kept in a result (the rest is read and dropped). */
    public Builder maxResponseBody(int bytes) {
      if (bytes < 0) throw new IllegalArgumentException("maxResponseBody < 0");
      this.maxBody = bytes;
      return this;
    }

    public HttpTransport build() throws IOException, GeneralSecurityException {
      if (!userAgent) header("User-Agent", USER_AGENT);
      return new HttpTransport(this);
    }
  }

  private HttpClient jdkClient() throws IOException, GeneralSecurityException {
    HttpClient.Builder b = HttpClient.newBuilder()
        .version(http2 ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1)
        .followRedirects(followRedirects ? HttpClient.Redirect.NORMAL : HttpClient.Redirect.NEVER)
        .connectTimeout(connectTimeout);
    if ("https".equalsIgnoreCase(url.getScheme())) {
      SSLContext ctx = TlsContexts.sslContext(tls);
      b.sslContext(ctx);
      SSLParameters p = TlsContexts.sslParameters(tls);
      if (p != null) b.sslParameters(p);
    }
    if (proxy != null) b.proxy(ProxySelector.of(proxy));
    return b.build();
  }

  private HttpClient jdk() {
    HttpClient c = jdk;
    if (c == null) {
      synchronized (this) {
        c = jdk;
        if (c == null) {
          try {
            c = jdkClient();
          } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up the HTTP client: " + e.getMessage(), e);
          }
          jdk = c;
        }
      }
    }
    return c;
  }

  /** Posts {@code body[0, length)} within {@code timeout}. */
  public HttpResult post(byte[] body, int length, Duration timeout) throws InterruptedException {
    return post(body, length, null, timeout);
  }

  /**
   * Posts {@code body[0, length)} with {@code extraHeaders} (name, value, ...; may be null) after
   * the fixed ones, within {@code timeout} for the whole exchange. Never throws for a transport
   * failure: that is a result without an answer.
   *
   * @throws InterruptedException when the calling thread was interrupted (not by a timeout or abort)
   */
  public HttpResult post(byte[] body, int length, String[] extraHeaders, Duration timeout)
      throws InterruptedException {
    if (aborted) return HttpResult.failed("request aborted");
    if (timeout.isNegative() || timeout.isZero()) return HttpResult.failed("no time left");
    if (plain != null) {
      Http1Client.Response r;
      try {
        r = plain.post(body, length, extraHeaders, timeout.toNanos());
      } catch (Http1Client.TimeoutException e) {
        return HttpResult.failed(aborted ? "request aborted" : "timed out after " + timeout.toMillis() + "ms");
      } catch (IOException | IllegalArgumentException e) {
        return HttpResult.failed(aborted ? "request aborted" : redact(describe(e)));
      }
      boolean redirect = r.status() == 301 || r.status() == 302 || r.status() == 303 || r.status() == 307
          || r.status() == 308;
      if (!redirect || !followRedirects || r.location() == null) {
        return answer(r.status(), r.body(), r.contentType(), r.retryAfter());
      }
      // redirects are rare: the JDK client sends again and follows them (its rules)
    }
    return postWithJdk(body, length, extraHeaders, timeout);
  }

  private HttpResult postWithJdk(byte[] body, int length, String[] extraHeaders, Duration timeout)
      throws InterruptedException {
    HttpRequest request;
    try {
      HttpRequest.Builder rb = HttpRequest.newBuilder(url).timeout(timeout)
          .POST(HttpRequest.BodyPublishers.ofByteArray(body, 0, length));
      if (headers.length > 0) rb.headers(headers);
      if (extraHeaders != null && extraHeaders.length > 0) rb.headers(extraHeaders);
      request = rb.build();
    } catch (IllegalArgumentException e) {
      // the JDK's message may quote a header value: name nothing but the failure
      return HttpResult.failed("invalid request header (a name or value the HTTP client refuses)");
    }
    HttpClient client;
    try {
      client = jdk();
    } catch (IllegalStateException e) {
      return HttpResult.failed(redact(e.getMessage()));
    }
    // The synchronous send on the calling thread: sendAsync would hand each completion to the
    // common pool, which on a one- or two-core machine starts a thread per request. The request
    // timeout bounds the wait for the response headers; the watchdog bounds the whole exchange (a
    // body that stalls) by interrupting this thread, which makes send() cancel the exchange.
    Exchange ex = new Exchange(Thread.currentThread());
    inFlight.add(ex);
    if (aborted) ex.interrupt(Exchange.ABORTED);
    ex.task = WATCHDOG.schedule(() -> ex.interrupt(Exchange.TIMED_OUT),
        timeout.toNanos() + TimeUnit.MILLISECONDS.toNanos(200), TimeUnit.NANOSECONDS);
    try {
      HttpResponse<InputStream> resp = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
      byte[] kept;
      try (InputStream in = resp.body()) {
        kept = in.readNBytes(maxBody);
        drain(in);
      } catch (IOException e) {
        kept = new byte[0]; // the status is what matters; a broken body only loses the reason text
      }
      int why = ex.finish();
      if (why != 0) return HttpResult.failed(why == Exchange.ABORTED ? "request aborted" : timedOut(timeout));
      return answer(resp.statusCode(), kept, resp.headers().firstValue("Content-Type").orElse(""),
          resp.headers().firstValue("Retry-After").orElse(null));
    } catch (InterruptedException e) {
      int why = ex.finish();
      if (why == 0) throw e;
      return HttpResult.failed(why == Exchange.ABORTED ? "request aborted" : timedOut(timeout));
    } catch (HttpConnectTimeoutException e) {
      return failedAfter(ex, "connect to " + url.getScheme() + "://" + url.getAuthority() + " timed out");
    } catch (HttpTimeoutException e) {
      return failedAfter(ex, timedOut(timeout));
    } catch (SSLException e) {
      return failedAfter(ex, "TLS handshake with " + url.getScheme() + "://" + url.getAuthority() + " failed: "
          + e.getMessage());
    } catch (IOException | RuntimeException e) {
      return failedAfter(ex, describe(e));
    } finally {
      inFlight.remove(ex);
    }
  }

  private HttpResult failedAfter(Exchange ex, String error) {
    int why = ex.finish();
    if (why == Exchange.ABORTED) return HttpResult.failed("request aborted");
    return HttpResult.failed(redact(error));
  }

  private static String timedOut(Duration timeout) {
    return "timed out after " + timeout.toMillis() + "ms";
  }

  private static void drain(InputStream in) throws IOException {
    byte[] scratch = new byte[8192];
    long n = 0;
    int r;
    while ((r = in.read(scratch)) >= 0) {
      n += r;
      if (n > MAX_DRAIN) return; // closing the stream gives up the connection
    }
  }

  private HttpResult answer(int status, byte[] body, String contentType, String retryAfter) {
    if ((status < 200 || status >= 300) && !secrets.isEmpty()) body = redact(body);
    return new HttpResult(status, body, contentType, HttpOutcomes.parseRetryAfter(retryAfter, Instant.now()), null);
  }

  /** The exception's class and message; the original of a plain IOException that wraps one. */
  private static String describe(Throwable e) {
    Throwable c = e;
    if (c.getClass() == IOException.class && c.getCause() instanceof IOException cause) c = cause;
    String m = c.getMessage();
    return c.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }

  String redact(String text) {
    if (text == null || secrets.isEmpty()) return text;
    String t = text;
    for (byte[] s : secrets) t = t.replace(new String(s, StandardCharsets.UTF_8), "(secret)");
    return t;
  }

  private byte[] redact(byte[] body) {
    byte[] out = body;
    for (byte[] s : secrets) out = replace(out, s);
    return out;
  }

  private static byte[] replace(byte[] in, byte[] what) {
    int i = indexOf(in, what, 0);
    if (i < 0) return in;
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(in.length);
    int from = 0;
    while (i >= 0) {
      out.write(in, from, i - from);
      out.write(REDACTED, 0, REDACTED.length);
      from = i + what.length;
      i = indexOf(in, what, from);
    }
    out.write(in, from, in.length - from);
    return out.toByteArray();
  }

  private static int indexOf(byte[] in, byte[] what, int from) {
    outer:
    for (int i = from; i <= in.length - what.length; i++) {
      for (int j = 0; j < what.length; j++) {
        if (in[i + j] != what[j]) continue outer;
      }
      return i;
    }
    return -1;
  }

  /** Gives up requests in flight and refuses later ones (a shutdown deadline passed). */
  public void abort() {
    aborted = true;
    if (plain != null) plain.abort();
    for (Exchange ex : inFlight) ex.interrupt(Exchange.ABORTED);
  }

  /** Closes idle connections. */
  @Override
  public void close() {
    if (plain != null) plain.close();
  }

  /** One JDK-client exchange: who interrupted its thread, if anyone. */
  private static final class Exchange {
    static final int TIMED_OUT = 1;
    static final int ABORTED = 2;
    private final Thread thread;
    private boolean done;
    private int fired;
    volatile ScheduledFuture<?> task;

    Exchange(Thread thread) {
      this.thread = thread;
    }

    synchronized void interrupt(int why) {
      if (done || fired != 0) return;
      fired = why;
      thread.interrupt();
    }

    /**
     * Ends the exchange; returns why it was interrupted (0: it was not), after clearing the
     * interrupt it caused (none can come after this returns).
     */
    int finish() {
      int f;
      synchronized (this) {
        if (done) return fired;
        done = true;
        f = fired;
      }
      ScheduledFuture<?> t = task;
      if (t != null) t.cancel(false);
      if (f != 0) Thread.interrupted();
      return f;
    }
  }
}
