package io.mpac.collector.exporter.prometheus;

import io.mpac.collector.component.Component;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.ComponentFactory;
import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.component.schema.Schema.BlockSpec.Cardinality;
import io.mpac.collector.component.schema.Types;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.exporter.tls.TlsBlocks;
import java.time.Duration;

/**
 * {@code prometheus.remote_write}: sends Prometheus series to one or more remote-write endpoints
 * (protocol 1.0). Exports {@code receiver}, a {@code MetricsReceiver}.
 */
public final class RemoteWriteFactory implements ComponentFactory {

  static final Schema BASIC_AUTH = Schema.builder()
      .optional("username", Types.STRING, "", "user name")
      .optional("password", Types.SECRET, "", "password")
      .optional("password_file", Types.STRING, "", "file holding the password (read at load time)")
      .build();

  static final Schema AUTHORIZATION = Schema.builder()
      .optional("type", Types.STRING, "Bearer", "scheme of the Authorization header")
      .optional("credentials", Types.SECRET, "", "credentials of the Authorization header")
      .optional("credentials_file", Types.STRING, "", "file holding the credentials (read at load time)")
      .build();

  static final Schema QUEUE = Schema.builder()
      .optional("capacity", Types.INT, 10_000L, "samples per shard read ahead from the WAL; the shards hold capacity x shards")
      .optional("min_shards", Types.INT, 1L, "parallel senders at least (series are sharded by label hash)")
      .optional("max_shards", Types.INT, 50L, "parallel senders at most: the count follows the load every 10 s, as Prometheus' resharding does")
      .optional("max_samples_per_send", Types.INT, 2_000L, "samples per request at most")
      .optional("batch_send_deadline", Types.DURATION, Duration.ofSeconds(5), "send a partial batch after this long")
      .optional("min_backoff", Types.DURATION, Duration.ofMillis(30), "first wait before a retry; doubles per retry")
      .optional("max_backoff", Types.DURATION, Duration.ofSeconds(5), "longest wait between retries")
      .optional("retry_on_http_429", Types.BOOL, true, "retry 429 Too Many Requests (honouring Retry-After)")
      .optional("sample_age_limit", Types.DURATION, Duration.ZERO, "drop samples older than this instead of sending; 0s = off")
      .build();

  static final Schema METADATA = Schema.builder()
      .optional("send", Types.BOOL, true, "send metric metadata (type, help, unit)")
      .optional("send_interval", Types.DURATION, Duration.ofMinutes(1), "how often metadata is sent")
      .optional("max_samples_per_send", Types.INT, 2_000L, "metadata entries per request at most")
      .build();

  static final Schema ENDPOINT = Schema.builder()
      .required("url", Types.STRING, "remote-write URL, e.g. http://prometheus:9090/api/v1/write")
      .optional("name", Types.STRING, "", "name in metrics and logs (remote_name); default: hash of the URL")
      .optional("remote_timeout", Types.DURATION, Duration.ofSeconds(30), "timeout of one request")
      .optional("headers", Types.mapOf(Types.SECRET), null, "extra HTTP headers (cannot replace the protocol's own)")
      .optional("send_exemplars", Types.BOOL, true, "send exemplars")
      .optional("send_native_histograms", Types.BOOL, false,
          "send native histograms (from OTLP exponential histograms); when false they are dropped and counted")
      .optional("enable_http2", Types.BOOL, false, "use HTTP/2")
      .optional("follow_redirects", Types.BOOL, true, "follow HTTP redirects")
      .optional("protobuf_message", Types.STRING, "prometheus.WriteRequest", "only prometheus.WriteRequest (1.0)")
      .optional("bearer_token", Types.SECRET, "", "bearer token sent as Authorization: Bearer")
      .optional("bearer_token_file", Types.STRING, "", "file holding the bearer token (read at load time)")
      .block("basic_auth", BASIC_AUTH, Cardinality.OPTIONAL, "HTTP basic authentication")
      .block("authorization", AUTHORIZATION, Cardinality.OPTIONAL, "Authorization header with any scheme")
      .block("tls_config", TlsBlocks.TLS_CONFIG, Cardinality.OPTIONAL, "TLS for https URLs")
      .block("queue_config", QUEUE, Cardinality.OPTIONAL, "queue, batching and retry")
      .block("metadata_config", METADATA, Cardinality.OPTIONAL, "metadata sending")
      .build();

  static final Schema WAL = Schema.builder()
      .optional("truncate_frequency", Types.DURATION, Duration.ofHours(2),
          "how often the WAL is truncated: data older than max_keepalive_time dropped, mostly-acked segments compacted")
      .optional("min_keepalive_time", Types.DURATION, Duration.ofMinutes(5),
          "undelivered data younger than this is never dropped (must not exceed max_keepalive_time)")
      .optional("max_keepalive_time", Types.DURATION, Duration.ofHours(8),
          "undelivered data older than this is dropped and counted (reason max_keepalive_time)")
      .optional("max_size", Types.BYTES, RemoteWriteConfig.Wal.DEFAULT_MAX_SIZE,
          "disk bound of each endpoint's WAL (mpac extension); when full, appends are refused (back-pressure)")
      .build();

  static final Schema SCHEMA = Schema.builder()
      .optional("external_labels", Types.STRING_MAP, null, "labels added to every series that lacks them")
      .block("endpoint", ENDPOINT, Cardinality.REPEATED, "a remote-write destination; each gets all data")
      .block("wal", WAL, Cardinality.OPTIONAL,
          "tunes the write-ahead log (always on) under <storage.path>/<component id>/wal/<endpoint name>")
      .build();

  @Override
  public String name() {
    return "prometheus.remote_write";
  }

  @Override
  public Schema schema() {
    return SCHEMA;
  }

  @Override
  public Component create(ComponentContext context, Args args) throws ConfigException {
    return new RemoteWrite(context, RemoteWriteConfig.from(args), WalStores.onDisk(context.storageDir().resolve("wal")));
  }
}
