package io.mpac.collector.exporter;

import java.time.Duration;

/**
 * One exporter's transport: sends one request, once. Retrying, queueing, counting and logging are
 * the {@link SendingQueue}'s job; a sender only translates the backend's answer into a
 * {@link SendOutcome}.
 *
 * <p>Contract: called from the queue's worker threads (several at once, so it must be
 * thread-safe), or from the caller's thread when the queue is disabled. It must give up after
 * about {@code timeout} (a gRPC deadline, an HTTP request timeout) and answer
 * {@link SendOutcome.Retryable} then. It should not throw: transport errors are outcomes. A
 * {@link RuntimeException} that escapes is treated as a permanent failure of that request.
 *
 * @param <T> the payload type (an encoded OTLP request, a Loki push, a remote-write request)
 */
@FunctionalInterface
public interface RequestSender<T> {

  SendOutcome send(T request, Duration timeout) throws InterruptedException;
}
