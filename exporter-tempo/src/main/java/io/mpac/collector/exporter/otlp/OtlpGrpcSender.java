package io.mpac.collector.exporter.otlp;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ConnectivityState;
import io.grpc.LoadBalancerRegistry;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.mpac.collector.exporter.SendOutcome;
import io.mpac.collector.exporter.tls.TlsContexts;
import io.mpac.collector.exporter.tls.TlsSettings;
import io.mpac.collector.pdata.OtlpRequest;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.TrustManager;

/**
 * OTLP over gRPC with grpc-java (Netty transport). One channel per exporter (HTTP/2 multiplexes the
 * workers' calls over it); each call is a blocking unary {@code Export} on a worker thread with a
 * deadline of the attempt's timeout. The request bytes go out as they are.
 *
 * <p>Reconnects follow the exporter's retry schedule: grpc-java waits longer and longer between
 * connection attempts while the backend is down (up to 2 minutes), so after a long outage the
 * backend could be back for minutes before the channel notices. An attempt that finds the channel
 * in {@code TRANSIENT_FAILURE} therefore resets the channel's connect backoff first: it reconnects
 * when the exporter's own retry is due, not later.
 */
final class OtlpGrpcSender implements OtlpTransport {

  private final OtlpGrpcExporterConfig.Client config;
  private volatile ManagedChannel channel;
  private volatile Channel callChannel;
  private volatile CallOptions callOptions;

  OtlpGrpcSender(OtlpGrpcExporterConfig.Client config) {
    this.config = config;
  }

  @Override
  public String describe() {
    return (config.useTls() ? "grpcs://" : "grpc://") + config.endpoint().hostPort();
  }

  @Override
  public void start() throws Exception {
    if (LoadBalancerRegistry.getDefaultRegistry().getProvider(config.balancerName()) == null) {
      throw new IllegalStateException("gRPC load balancing policy \"" + config.balancerName() + "\" is not available");
    }
    NettyChannelBuilder b = NettyChannelBuilder.forTarget(config.endpoint().target());
    if (config.useTls()) {
      try {
        b.sslContext(sslContext(config.tls().settings()));
      } catch (Exception e) {
        throw new IllegalStateException("cannot load TLS settings for " + describe() + ": " + e.getMessage(), e);
      }
    } else {
      b.usePlaintext();
    }
    b        .defaultLoadBalancingPolicy(config.balancerName())
        .userAgent("mpac-collector")
        .maxInboundMessageSize(16 << 20)
        // The sending queue retries (with its backoff); gRPC's own retry layer would only buffer every
        // request a second time and add a stream wrapper per call.
        .disableRetry();
    String authority = !config.authority().isEmpty() ? config.authority()
        : config.useTls() && !config.tls().settings().serverName().isEmpty() ? config.tls().settings().serverName()
        : null;
    if (authority != null) b.overrideAuthority(authority);
    KeepaliveConfig ka = config.keepalive();
    if (ka != null) {
      if (ka.pingWait() != null && !ka.pingWait().isZero()) b.keepAliveTime(ka.pingWait().toNanos(), TimeUnit.NANOSECONDS);
      if (ka.pingResponseTimeout() != null && !ka.pingResponseTimeout().isZero()) {
        b.keepAliveTimeout(ka.pingResponseTimeout().toNanos(), TimeUnit.NANOSECONDS);
      }
      b.keepAliveWithoutCalls(ka.pingWithoutStream());
    }
    ManagedChannel ch = b.build();
    Channel calls = ch;
    if (!config.headers().isEmpty()) {
      Metadata md = new Metadata();
      for (Map.Entry<String, String> h : config.headers().entrySet()) {
        md.put(Metadata.Key.of(h.getKey(), Metadata.ASCII_STRING_MARSHALLER), h.getValue());
      }
      calls = ClientInterceptors.intercept(ch, MetadataUtils.newAttachHeadersInterceptor(md));
    }
    CallOptions opts = CallOptions.DEFAULT;
    if (config.compression() == Compression.GZIP) opts = opts.withCompression("gzip");
    if (config.waitForReady()) opts = opts.withWaitForReady();
    this.callOptions = opts;
    this.callChannel = calls;
    this.channel = ch;
  }

  /** Netty's client context from the common settings: the same trust, key and protocols as the HTTP exporters. */
  static SslContext sslContext(TlsSettings tls) throws IOException, GeneralSecurityException {
    SslContextBuilder b = GrpcSslContexts.forClient();
    TrustManager[] trust = TlsContexts.trustManagers(tls);
    if (trust != null) b.trustManager(trust[0]);
    KeyManager[] keys = TlsContexts.keyManagers(tls);
    if (keys != null) b.keyManager(keys[0]);
    String[] protocols = tls.protocols();
    if (protocols != null) b.protocols(protocols);
    return b.build();
  }

  @Override
  public SendOutcome send(OtlpRequest request, Duration timeout) {
    Channel calls = callChannel;
    if (calls == null) return SendOutcome.retryable("exporter not started");
    ManagedChannel ch = channel;
    if (ch.getState(false) == ConnectivityState.TRANSIENT_FAILURE) ch.resetConnectBackoff();
    CallOptions opts = callOptions.withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS);
    try {
      byte[] response = ClientCalls.blockingUnaryCall(calls, OtlpGrpcMethods.forSignal(request.signal()), opts,
          request.bytes());
      return PartialSuccess.fromProto(request.signal(), response);
    } catch (StatusRuntimeException e) {
      return GrpcOutcomes.classify(e.getStatus(), e.getTrailers());
    }
  }

  @Override
  public void close(Duration timeout) {
    ManagedChannel ch = channel;
    if (ch == null) return;
    ch.shutdown();
    try {
      if (!ch.awaitTermination(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS)) ch.shutdownNow();
    } catch (InterruptedException e) {
      ch.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
