/**
 * The exporter core shared by every exporter: a bounded sending queue ({@link
 * io.mpac.collector.exporter.SendingQueue}) drained by worker threads, retry with exponential
 * backoff and jitter ({@link io.mpac.collector.exporter.RetryPolicy}), one classification of send
 * outcomes ({@link io.mpac.collector.exporter.SendOutcome}), rate-limited failure logs and the
 * exporter self-metrics ({@link io.mpac.collector.exporter.ExporterMetrics}).
 *
 * <p>An exporter supplies only its transport, a {@link io.mpac.collector.exporter.RequestSender}
 * that makes one attempt and maps the backend's answer to an outcome. The config blocks
 * {@code sending_queue} and {@code retry_on_failure} are reusable as {@link
 * io.mpac.collector.exporter.QueueConfig#SCHEMA} and {@link
 * io.mpac.collector.exporter.RetryConfig#SCHEMA} with their {@code from(Args)} readers.
 *
 * <p>HTTP exporters send with {@link io.mpac.collector.exporter.http.HttpTransport} (one result type,
 * {@link io.mpac.collector.exporter.http.HttpResult}), classify its answers with {@link
 * io.mpac.collector.exporter.HttpOutcomes}, and take their TLS from {@link
 * io.mpac.collector.exporter.tls.TlsSettings}, decoded from either Alloy spelling by {@link
 * io.mpac.collector.exporter.tls.TlsBlocks}.
 *
 * <pre>{@code
 * SendingQueue<MyPush> queue = SendingQueue.builder(context, mySender, myPayloadInfo)
 *     .queue(QueueConfig.from(args.blockOrDefaults("sending_queue")))
 *     .retry(RetryConfig.from(args.blockOrDefaults("retry_on_failure")))
 *     .timeout(args.duration("timeout"))
 *     .itemNames("log_records")
 *     .build();
 * queue.start();
 * queue.offer(push);            // throws ConsumeException.Refused when full: back-pressure
 * queue.shutdown(deadline);     // drains, counts and logs what was lost
 * }</pre>
 */
package io.mpac.collector.exporter;
