package io.mpac.collector.exporter.otlp;

import io.mpac.collector.exporter.RequestSender;
import io.mpac.collector.pdata.OtlpRequest;
import java.time.Duration;

/** The wire half of an OTLP exporter: gRPC or HTTP. Created without I/O; connects on {@link #start()}. */
interface OtlpTransport extends RequestSender<OtlpRequest> {

  /** Builds the client (reads TLS files, creates the channel). Throws with a clear message on failure. */
  void start() throws Exception;

  /** Releases the client; waits up to {@code timeout} for calls in flight. */
  void close(Duration timeout);

  /** Where it sends, for log lines. */
  String describe();
}
