package io.mpac.collector.exporter.otlp;

import com.google.protobuf.Any;
import com.google.rpc.RetryInfo;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.logs.v1.LogsServiceGrpc;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.MetricsServiceGrpc;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An independent OTLP/gRPC server for tests, built on the generated service stubs of
 * opentelemetry-proto: it decodes every request with protobuf-java and records each span it
 * accepted, by span id. A {@link Behaviour} decides per call (numbered from 1) what to answer.
 * Listens on 127.0.0.1 only.
 */
final class FakeOtlpGrpcBackend implements AutoCloseable {

  /** What to do with call number {@code call}: null = accept. */
  @FunctionalInterface
  interface Behaviour {
    Answer answer(int call);
  }

  /** A canned answer: an error status (with optional RetryInfo), a delay, or a partial success. */
  record Answer(Status status, Long retryDelayMillis, long delayMillis, long rejected) {
    static Answer error(Status s) {
      return new Answer(s, null, 0, 0);
    }

    static Answer throttled(Status s, long retryDelayMillis) {
      return new Answer(s, retryDelayMillis, 0, 0);
    }

    static Answer slow(long delayMillis) {
      return new Answer(null, null, delayMillis, 0);
    }

    static Answer partial(long rejected) {
      return new Answer(null, null, 0, rejected);
    }
  }

  static final Context.Key<Metadata> HEADERS = Context.key("headers");

  final AtomicInteger calls = new AtomicInteger();
  final List<Long> callTimesNanos = new CopyOnWriteArrayList<>();
  final Map<String, AtomicInteger> spans = new ConcurrentHashMap<>();
  final AtomicLong metricPoints = new AtomicLong();
  final AtomicLong logRecords = new AtomicLong();
  final List<Metadata> headers = new CopyOnWriteArrayList<>();
  volatile Behaviour behaviour = call -> null;
  private final Server server;

  FakeOtlpGrpcBackend(int port) throws IOException {
    this(port, InsecureServerCredentials.create());
  }

  FakeOtlpGrpcBackend(int port, ServerCredentials creds) throws IOException {
    ServerInterceptor capture = new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata md,
          ServerCallHandler<Q, R> next) {
        return Contexts.interceptCall(Context.current().withValue(HEADERS, md), call, md, next);
      }
    };
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port), creds)
        .addService(ServerInterceptors.intercept(new Traces(), capture))
        .addService(new Metrics())
        .addService(new Logs())
        .build()
        .start();
  }

  int port() {
    return server.getPort();
  }

  /** Total accepted spans (counting duplicates). */
  int spanCount() {
    return spans.values().stream().mapToInt(AtomicInteger::get).sum();
  }

  boolean allExactlyOnce() {
    return spans.values().stream().allMatch(a -> a.get() == 1);
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow();
    server.awaitTermination(5, TimeUnit.SECONDS);
  }

  /** Returns true when the call was answered with an error (or abandoned). */
  private boolean answerError(int call, StreamObserver<?> out) {
    Answer a = behaviour.answer(call);
    if (a == null) return false;
    if (a.delayMillis() > 0) {
      long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(a.delayMillis());
      while (System.nanoTime() < end && !Context.current().isCancelled()) {
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return true;
        }
      }
      if (Context.current().isCancelled()) return true; // the client gave up: nothing was accepted
    }
    if (a.status() == null) return false;
    if (a.retryDelayMillis() != null) {
      com.google.rpc.Status st = com.google.rpc.Status.newBuilder().setCode(a.status().getCode().value())
          .setMessage(a.status().getDescription() == null ? "" : a.status().getDescription())
          .addDetails(Any.pack(RetryInfo.newBuilder().setRetryDelay(com.google.protobuf.Duration.newBuilder()
              .setSeconds(a.retryDelayMillis() / 1000).setNanos((int) (a.retryDelayMillis() % 1000) * 1_000_000))
              .build()))
          .build();
      out.onError(StatusProto.toStatusRuntimeException(st));
    } else {
      out.onError(a.status().asRuntimeException());
    }
    return true;
  }

  private final class Traces extends TraceServiceGrpc.TraceServiceImplBase {
    @Override
    public void export(ExportTraceServiceRequest req, StreamObserver<ExportTraceServiceResponse> out) {
      int call = calls.incrementAndGet();
      callTimesNanos.add(System.nanoTime());
      headers.add(HEADERS.get());
      if (answerError(call, out)) return;
      for (ResourceSpans rs : req.getResourceSpansList()) {
        for (ScopeSpans ss : rs.getScopeSpansList()) {
          for (Span s : ss.getSpansList()) {
            if (s.getTraceId().size() != 16 || s.getSpanId().size() != 8) {
              out.onError(Status.INVALID_ARGUMENT.withDescription("bad ids").asRuntimeException());
              return;
            }
          }
        }
      }
      Answer a = behaviour.answer(call);
      long rejected = a == null ? 0 : a.rejected();
      for (ResourceSpans rs : req.getResourceSpansList()) {
        for (ScopeSpans ss : rs.getScopeSpansList()) {
          for (Span s : ss.getSpansList()) {
            spans.computeIfAbsent(TestData.hex(s.getSpanId().toByteArray()), k -> new AtomicInteger())
                .incrementAndGet();
          }
        }
      }
      ExportTraceServiceResponse.Builder resp = ExportTraceServiceResponse.newBuilder();
      if (rejected > 0) {
        resp.setPartialSuccess(ExportTracePartialSuccess.newBuilder().setRejectedSpans(rejected)
            .setErrorMessage("spans too old"));
      }
      out.onNext(resp.build());
      out.onCompleted();
    }
  }

  private final class Metrics extends MetricsServiceGrpc.MetricsServiceImplBase {
    @Override
    public void export(ExportMetricsServiceRequest req, StreamObserver<ExportMetricsServiceResponse> out) {
      req.getResourceMetricsList().forEach(rm -> rm.getScopeMetricsList().forEach(sm -> sm.getMetricsList()
          .forEach(m -> metricPoints.addAndGet(m.getGauge().getDataPointsCount()))));
      out.onNext(ExportMetricsServiceResponse.getDefaultInstance());
      out.onCompleted();
    }
  }

  private final class Logs extends LogsServiceGrpc.LogsServiceImplBase {
    @Override
    public void export(ExportLogsServiceRequest req, StreamObserver<ExportLogsServiceResponse> out) {
      req.getResourceLogsList().forEach(rl -> rl.getScopeLogsList().forEach(sl ->
          logRecords.addAndGet(sl.getLogRecordsCount())));
      out.onNext(ExportLogsServiceResponse.getDefaultInstance());
      out.onCompleted();
    }
  }
}
