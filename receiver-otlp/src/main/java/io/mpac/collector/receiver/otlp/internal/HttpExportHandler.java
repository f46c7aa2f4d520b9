package io.mpac.collector.receiver.otlp.internal;

import io.mpac.collector.pdata.ClientMetadata;
import io.mpac.collector.pdata.Signal;
import io.mpac.collector.receiver.otlp.ReceiverOtlpConfig;
import io.mpac.collector.receiver.otlp.internal.ExportPipeline.Outcome;
import io.mpac.collector.receiver.otlp.internal.ExportPipeline.Transport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One connection's OTLP/HTTP request handling. Headers are checked as soon as they arrive, in
 * this order, and the first failure answers: unknown path 404, method other than POST (or an
 * OPTIONS preflight when CORS is on) 405, content type other than protobuf/JSON 415, content
 * encoding other than identity/gzip/deflate 415, declared length over the limit 413. The body is
 * then collected into one array that grows with the bytes that actually arrive (a declared length
 * is never allocated up front); each growth is taken from the {@link InFlightBudget} first, and a
 * body that does not fit answers 429 with {@code Retry-After} (counted). The array holds at most
 * {@code max_request_body_size} (else 413); it is decoded (again at most the limit, else 413),
 * converted from JSON if needed, validated and handed on, and its bytes go back to the budget.
 *
 * <p>Requests answered early have the rest of their body read and discarded so the connection
 * stays usable. While a request is processed off the event loop, reading is paused and anything
 * pipelined behind it waits, so responses leave in request order. Not sharable.
 */
final class HttpExportHandler extends SimpleChannelInboundHandler<HttpObject> {

  /** Bodies up to this size, uncompressed protobuf, are handled on the event loop. */
  static final int INLINE_LIMIT = 256 * 1024;
  /** First allocation for a body; it doubles from here as bytes arrive. */
  static final int INITIAL_BODY = 16 * 1024;
  /** How much of a refused body we read and throw away before giving up on the connection. */
  static final long MAX_DISCARD = 64L << 20;

  static final String PROTOBUF = "application/x-protobuf";
  static final String JSON = "application/json";

  private enum State { IDLE, READING, DISCARDING, PROCESSING }

  private final ReceiverOtlpConfig.Http config;
  private final ExportPipeline pipeline;
  private final Executor workers;
  private final Logger logger;
  private final int limit;
  private final InFlightBudget budget;
  private final RequestDeadlines deadlines;

  private State state = State.IDLE;
  private final ArrayDeque<HttpObject> pending = new ArrayDeque<>();
  private long discarded;
  private boolean closeAfterDiscard;

  // The request being read.
  private Signal signal;
  private boolean json;
  private Bodies.Encoding encoding;
  private boolean keepAlive;
  private String origin;
  private ClientMetadata metadata;
  private long start;
  private long declared;
  private byte[] body;
  private int length;
  /** Budget bytes held for {@link #body} (its capacity). */
  private long reserved;

  HttpExportHandler(ReceiverOtlpConfig.Http config, ExportPipeline pipeline, Executor workers, Logger logger,
      InFlightBudget budget, RequestDeadlines deadlines) {
    super(false);
    this.config = config;
    this.pipeline = pipeline;
    this.workers = workers;
    this.logger = logger;
    this.limit = (int) config.maxRequestBodySize();
    this.budget = budget;
    this.deadlines = deadlines;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
    if (state == State.PROCESSING) {
      pending.add(msg); // already owned (autoRelease off); replayed in order after the response
      return;
    }
    try {
      handle(ctx, msg);
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void handle(ChannelHandlerContext ctx, HttpObject msg) {
    if (msg instanceof HttpRequest req) {
      onRequest(ctx, req);
    }
    if (msg instanceof HttpContent content) {
      onContent(ctx, content);
    }
  }

  private void onRequest(ChannelHandlerContext ctx, HttpRequest req) {
    start = System.nanoTime();
    deadlines.headersDone();
    releaseBody();
    length = 0;
    discarded = 0;
    closeAfterDiscard = false;
    keepAlive = HttpUtil.isKeepAlive(req);
    origin = req.headers().get(HttpHeaderNames.ORIGIN);
    signal = null;
    json = false;
    if (req.decoderResult().isFailure()) {
      keepAlive = false;
      reject(ctx, req, HttpResponseStatus.BAD_REQUEST, "malformed HTTP request: " + req.decoderResult().cause());
      return;
    }
    String uri = req.uri();
    int q = uri.indexOf('?');
    String path = q < 0 ? uri : uri.substring(0, q);
    for (Signal s : Signal.values()) {
      if (config.path(s).equals(path)) signal = s;
    }
    if (signal == null) {
      reject(ctx, req, HttpResponseStatus.NOT_FOUND, "404 page not found");
      return;
    }
    if (req.method().equals(HttpMethod.OPTIONS) && config.cors().enabled()) {
      preflight(ctx, req);
      return;
    }
    if (config.auth() != null && !authenticated(req)) {
      pipeline.unauthenticated(Transport.HTTP);
      reject(ctx, req, HttpResponseStatus.UNAUTHORIZED, "401 Unauthorized: missing or invalid credentials");
      return;
    }
    if (!req.method().equals(HttpMethod.POST)) {
      reject(ctx, req, HttpResponseStatus.METHOD_NOT_ALLOWED, req.method() + " method not allowed, supported: [POST]");
      return;
    }
    String type = mediaType(req.headers().get(HttpHeaderNames.CONTENT_TYPE));
    if (type.equals(PROTOBUF)) {
      json = false;
    } else if (type.equals(JSON)) {
      json = true;
    } else {
      reject(ctx, req, HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, "415 unsupported media type, supported: ["
          + JSON + ", " + PROTOBUF + "]");
      return;
    }
    String enc = req.headers().get(HttpHeaderNames.CONTENT_ENCODING, "").trim().toLowerCase(Locale.ROOT);
    switch (enc) {
      case "", "identity" -> encoding = Bodies.Encoding.IDENTITY;
      case "gzip", "x-gzip" -> encoding = Bodies.Encoding.GZIP;
      case "deflate" -> encoding = Bodies.Encoding.DEFLATE;
      default -> {
        reject(ctx, req, HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE,
            "unsupported Content-Encoding \"" + enc + "\", supported: gzip, deflate");
        return;
      }
    }
    declared = HttpUtil.getContentLength(req, -1L);
    if (declared > limit) {
      pipeline.malformed(Transport.HTTP, signal, start, "too large");
      reject(ctx, req, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
          "request body of " + declared + " bytes exceeds the limit of " + limit + " bytes");
      return;
    }
    metadata = config.includeMetadata() ? metadata(req.headers()) : ClientMetadata.EMPTY;
    state = State.READING;
    if (HttpUtil.is100ContinueExpected(req)) {
      ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
    }
  }

  private boolean authenticated(HttpRequest req) {
    try {
      return config.auth().authenticate(name -> req.headers().get(name));
    } catch (RuntimeException e) {
      return false;
    }
  }

  private void onContent(ChannelHandlerContext ctx, HttpContent content) {
    boolean last = content instanceof LastHttpContent;
    if (state == State.DISCARDING) {
      discarded += content.content().readableBytes();
      if (last) {
        idle();
        if (closeAfterDiscard) ctx.close();
      } else if (discarded > MAX_DISCARD) {
        ctx.close();
      }
      return;
    }
    if (state != State.READING) return; // stray content after a decoder failure
    ByteBuf buf = content.content();
    int n = buf.readableBytes();
    if ((long) length + n > limit) {
      pipeline.malformed(Transport.HTTP, signal, start, "too large");
      refuseBody(ctx, last, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, Responses.INVALID_ARGUMENT,
          "request body exceeds the limit of " + limit + " bytes", null);
      return;
    }
    if (n == 0 && body == null && !last) return;
    if (!ensureRoom(n)) {
      pipeline.limited(Transport.HTTP, ExportPipeline.Limit.MEMORY);
      refuseBody(ctx, last, HttpResponseStatus.TOO_MANY_REQUESTS, Responses.RESOURCE_EXHAUSTED,
          "the receiver is receiving too many request bytes at once, retry later", ExportPipeline.DEFAULT_RETRY_AFTER);
      return;
    }
    buf.getBytes(buf.readerIndex(), body, length, n);
    length += n;
    if (last) process(ctx);
  }

  /**
   * Makes room for {@code n} more bytes, growing the body array with what arrived (never beyond
   * the declared length, which HTTP framing makes an upper bound) and taking the growth from the
   * budget first. False when the budget has no room; nothing is taken then.
   */
  private boolean ensureRoom(int n) {
    int cap = body == null ? 0 : body.length;
    long need = (long) length + n;
    if (need <= cap && body != null) return true;
    long ceiling = declared >= 0 ? Math.min(declared, limit) : limit;
    long want = Math.max(need, Math.min(cap == 0 ? INITIAL_BODY : 2L * cap, ceiling));
    if (!budget.tryAcquire(want - cap)) return false;
    reserved += want - cap;
    body = body == null ? new byte[(int) want] : java.util.Arrays.copyOf(body, (int) want);
    return true;
  }

  /** Answers now and throws away the rest of the body (the connection stays usable). */
  private void refuseBody(ChannelHandlerContext ctx, boolean last, HttpResponseStatus status, int code, String message,
      Duration retryAfter) {
    releaseBody();
    state = State.DISCARDING;
    discarded = length;
    closeAfterDiscard = !keepAlive;
    respondStatus(ctx, status, code, message, retryAfter);
    if (last) {
      idle();
      if (closeAfterDiscard) ctx.close();
    }
  }

  private void releaseBody() {
    body = null;
    budget.release(reserved);
    reserved = 0;
  }

  private void idle() {
    state = State.IDLE;
    deadlines.requestDone();
  }

  private void process(ChannelHandlerContext ctx) {
    deadlines.requestDone();
    if (body == null) body = new byte[0];
    Request r = new Request(signal, json, encoding, body, length, keepAlive, origin, metadata, start, reserved);
    body = null;
    reserved = 0; // the request owns them now; compute() gives them back
    pipeline.recordBytes(Transport.HTTP, r.signal, r.length);
    boolean offload = r.json || r.encoding != Bodies.Encoding.IDENTITY || r.length > INLINE_LIMIT;
    if (!offload) {
      state = State.IDLE;
      write(ctx, r, compute(r));
      return;
    }
    state = State.PROCESSING;
    ctx.channel().config().setAutoRead(false);
    try {
      workers.execute(() -> {
        Result result = compute(r);
        ctx.executor().execute(() -> finishOffloaded(ctx, r, result));
      });
    } catch (RejectedExecutionException e) {
      budget.release(r.reserved);
      finishOffloaded(ctx, r, Result.status(HttpResponseStatus.SERVICE_UNAVAILABLE, r.json,
          Responses.UNAVAILABLE, "the receiver is overloaded, retry later", ExportPipeline.DEFAULT_RETRY_AFTER));
    }
  }

  private void finishOffloaded(ChannelHandlerContext ctx, Request r, Result result) {
    state = State.IDLE;
    write(ctx, r, result);
    ctx.channel().config().setAutoRead(true);
    while (state != State.PROCESSING && !pending.isEmpty() && ctx.channel().isActive()) {
      HttpObject next = pending.poll();
      try {
        handle(ctx, next);
      } finally {
        ReferenceCountUtil.release(next);
      }
    }
  }

  /** Decodes, converts, validates and exports; never throws. Runs on the loop or a worker. */
  private Result compute(Request r) {
    try {
      return decodeAndExport(r);
    } finally {
      budget.release(r.reserved);
    }
  }

  private Result decodeAndExport(Request r) {
    byte[] protobuf;
    try {
      byte[] decoded = Bodies.decode(r.encoding, r.body, r.length, limit);
      protobuf = r.json ? OtlpJsonTranscoder.toProtobuf(r.signal, decoded) : decoded;
    } catch (Bodies.TooLargeException e) {
      pipeline.malformed(Transport.HTTP, r.signal, r.start, e.getMessage());
      return Result.status(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, r.json, Responses.INVALID_ARGUMENT,
          e.getMessage(), null);
    } catch (Bodies.CorruptException | OtlpJsonTranscoder.JsonException e) {
      Outcome o = pipeline.malformed(Transport.HTTP, r.signal, r.start, e.getMessage());
      return Result.status(HttpResponseStatus.BAD_REQUEST, r.json, Responses.INVALID_ARGUMENT,
          "invalid " + r.signal.lowerName() + " request: " + o.message(), null);
    } catch (RuntimeException e) {
      logger.log(Level.WARNING, "unexpected failure decoding a request", e);
      return Result.status(HttpResponseStatus.BAD_REQUEST, r.json, Responses.INVALID_ARGUMENT,
          "undecodable request", null);
    }
    Outcome o = pipeline.export(Transport.HTTP, r.signal, protobuf, r.metadata, r.start);
    return switch (o.kind()) {
      case ACCEPTED -> new Result(HttpResponseStatus.OK, r.json ? JSON : PROTOBUF, Responses.exportSuccess(r.json), null);
      case MALFORMED, REJECTED -> Result.status(HttpResponseStatus.BAD_REQUEST, r.json, Responses.INVALID_ARGUMENT,
          o.message(), null);
      case REFUSED -> Result.status(HttpResponseStatus.TOO_MANY_REQUESTS, r.json, Responses.RESOURCE_EXHAUSTED,
          o.message(), o.retryAfter());
      case UNAVAILABLE -> Result.status(HttpResponseStatus.SERVICE_UNAVAILABLE, r.json, Responses.UNAVAILABLE,
          o.message(), o.retryAfter());
      case ERROR -> Result.status(HttpResponseStatus.INTERNAL_SERVER_ERROR, r.json, Responses.INTERNAL,
          o.message(), null);
    };
  }

  private record Request(Signal signal, boolean json, Bodies.Encoding encoding, byte[] body, int length,
      boolean keepAlive, String origin, ClientMetadata metadata, long start, long reserved) {}

  private record Result(HttpResponseStatus status, String contentType, byte[] body, Duration retryAfter) {
    static Result status(HttpResponseStatus status, boolean json, int code, String message, Duration retryAfter) {
      return new Result(status, json ? JSON : PROTOBUF,
          json ? Responses.statusJson(code, message, retryAfter) : Responses.statusProto(code, message, retryAfter),
          retryAfter);
    }
  }

  private void write(ChannelHandlerContext ctx, Request r, Result result) {
    FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, result.status,
        Unpooled.wrappedBuffer(result.body));
    resp.headers().set(HttpHeaderNames.CONTENT_TYPE, result.contentType);
    if (result.retryAfter != null) {
      resp.headers().set(HttpHeaderNames.RETRY_AFTER, Responses.retryAfterSeconds(result.retryAfter));
    }
    send(ctx, resp, r.keepAlive, r.origin);
  }

  /** Answers before the body is read; the rest of the body is discarded. */
  private void reject(ChannelHandlerContext ctx, HttpRequest req, HttpResponseStatus status, String text) {
    boolean hasBody = HttpUtil.getContentLength(req, -1L) != 0 || HttpUtil.isTransferEncodingChunked(req);
    state = hasBody ? State.DISCARDING : State.IDLE;
    closeAfterDiscard = !keepAlive;
    if (!hasBody) deadlines.requestDone();
    if (status == HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE || status == HttpResponseStatus.BAD_REQUEST) {
      respondStatus(ctx, status, Responses.INVALID_ARGUMENT, text, null);
    } else {
      FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
          Unpooled.wrappedBuffer((text + "\n").getBytes(StandardCharsets.UTF_8)));
      resp.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
      if (status == HttpResponseStatus.METHOD_NOT_ALLOWED) resp.headers().set(HttpHeaderNames.ALLOW, "POST");
      send(ctx, resp, keepAlive, origin);
    }
  }

  /** A {@code google.rpc.Status} answer in the request's content type (protobuf when unknown). */
  private void respondStatus(ChannelHandlerContext ctx, HttpResponseStatus status, int code, String message,
      Duration retry) {
    Result r = Result.status(status, json, code, message, retry);
    FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(r.body));
    resp.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType);
    if (retry != null) resp.headers().set(HttpHeaderNames.RETRY_AFTER, Responses.retryAfterSeconds(retry));
    send(ctx, resp, keepAlive, origin);
  }

  private void send(ChannelHandlerContext ctx, FullHttpResponse resp, boolean keepAlive, String origin) {
    resp.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, resp.content().readableBytes());
    cors(resp.headers(), origin);
    if (keepAlive) {
      resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      ctx.writeAndFlush(resp);
    } else {
      resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      if (state == State.DISCARDING) {
        ctx.writeAndFlush(resp); // closed once the body has been read
      } else {
        ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
      }
    }
  }

  private boolean originAllowed(String origin) {
    if (origin == null || !config.cors().enabled()) return false;
    for (String allowed : config.cors().allowedOrigins()) {
      if (allowed.equalsIgnoreCase(origin) || wildcardMatch(allowed, origin)) return true;
    }
    return false;
  }

  /** Origins such as {@code https://*.example.com}: one {@code *} matches any run of characters. */
  private static boolean wildcardMatch(String pattern, String origin) {
    int star = pattern.indexOf('*');
    if (star < 0) return false;
    String prefix = pattern.substring(0, star).toLowerCase(Locale.ROOT);
    String suffix = pattern.substring(star + 1).toLowerCase(Locale.ROOT);
    String o = origin.toLowerCase(Locale.ROOT);
    return o.length() >= prefix.length() + suffix.length() && o.startsWith(prefix) && o.endsWith(suffix);
  }

  private void cors(HttpHeaders h, String origin) {
    if (!originAllowed(origin)) return;
    h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
    List<String> exposed = config.cors().exposedHeaders();
    if (!exposed.isEmpty()) h.set(HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS, String.join(", ", exposed));
    h.add(HttpHeaderNames.VARY, "Origin");
  }

  private void preflight(ChannelHandlerContext ctx, HttpRequest req) {
    FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
    String requestedMethod = req.headers().get(HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD);
    if (originAllowed(origin) && "POST".equalsIgnoreCase(requestedMethod)) {
      resp.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, "POST");
      List<String> allowed = new ArrayList<>(List.of("content-type", "content-encoding", "accept",
          "x-requested-with", "origin"));
      for (String h : config.cors().allowedHeaders()) allowed.add(h.toLowerCase(Locale.ROOT));
      String requested = req.headers().get(HttpHeaderNames.ACCESS_CONTROL_REQUEST_HEADERS, "");
      List<String> grant = new ArrayList<>();
      for (String h : requested.split(",")) {
        String name = h.trim().toLowerCase(Locale.ROOT);
        if (name.isEmpty()) continue;
        if (allowed.contains(name) || allowed.contains("*")) grant.add(name);
      }
      if (!grant.isEmpty()) resp.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, String.join(", ", grant));
      if (config.cors().maxAge() > 0) resp.headers().set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, config.cors().maxAge());
    }
    boolean hasBody = HttpUtil.getContentLength(req, -1L) > 0 || HttpUtil.isTransferEncodingChunked(req);
    state = hasBody ? State.DISCARDING : State.IDLE;
    if (!hasBody) deadlines.requestDone();
    closeAfterDiscard = !keepAlive;
    send(ctx, resp, keepAlive, origin);
  }

  static String mediaType(String contentType) {
    if (contentType == null) return "";
    int semi = contentType.indexOf(';');
    return (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
  }

  static ClientMetadata metadata(HttpHeaders headers) {
    Map<String, List<String>> values = new HashMap<>();
    for (Map.Entry<String, String> e : headers) {
      values.computeIfAbsent(e.getKey().toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(e.getValue());
    }
    return new ClientMetadata(values);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    releaseBody();
    while (!pending.isEmpty()) ReferenceCountUtil.release(pending.poll());
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (!(cause instanceof IOException)) {
      logger.log(Level.FINE, "closing an OTLP/HTTP connection after an error", cause);
    }
    ctx.close();
  }
}
