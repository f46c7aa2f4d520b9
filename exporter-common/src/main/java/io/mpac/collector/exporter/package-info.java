/**
 * The one send path every exporter runs on. Its pieces:
 * <ul>
 *   <li>where payloads wait: a {@link io.mpac.collector.exporter.queue.QueueStore}, in memory or
 *       persistent ({@link io.mpac.collector.exporter.queue.FileQueueStore}), bounded in count, items
 *       and bytes, acked only when a payload is settled;
 *   <li>the retry loop: {@link io.mpac.collector.exporter.Delivery}, with a
 *       {@link io.mpac.collector.exporter.RetrySchedule} ({@link io.mpac.collector.exporter.RetryPolicy}
 *       by elapsed time, {@link io.mpac.collector.exporter.CountedBackoff} by count), one
 *       classification of outcomes ({@link io.mpac.collector.exporter.SendOutcome},
 *       {@link io.mpac.collector.exporter.HttpOutcomes}) and the shutdown deadline
 *       ({@link io.mpac.collector.exporter.StopSignal});
 *   <li>workers under the component's {@link io.mpac.collector.component.Supervisor}; rate-limited
 *       logs ({@link io.mpac.collector.logging.RateLimitedLogger}); the exporter self-metrics
 *       ({@link io.mpac.collector.exporter.ExporterMetrics}).
 * </ul>
 *
 * <p>The OTLP exporters use all of it through {@link io.mpac.collector.exporter.SendingQueue}.
 * {@code loki.write} and {@code prometheus.remote_write} keep their own batching (per tenant; per
 * series, in shards) between a {@code QueueStore} and {@code Delivery}.
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
