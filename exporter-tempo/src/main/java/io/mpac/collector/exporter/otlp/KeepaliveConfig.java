package io.mpac.collector.exporter.otlp;

import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.component.schema.Types;
import java.time.Duration;

/**
 * The gRPC client's {@code keepalive} block. Unset durations keep grpc-java's defaults (no
 * keepalive pings). grpc-java raises a {@code ping_wait} below 10s to 10s.
 *
 * @param pingWait idle time after which the client pings (null: no pings)
 * @param pingResponseTimeout how long to wait for the ping's answer before closing the connection
 * @param pingWithoutStream ping also when no call is in flight
 */
public record KeepaliveConfig(Duration pingWait, Duration pingResponseTimeout, boolean pingWithoutStream) {

  public static final Schema SCHEMA = Schema.builder()
      .optional("ping_wait", Types.DURATION, null, "ping after this much idle time")
      .optional("ping_response_timeout", Types.DURATION, null, "close the connection if a ping is not answered")
      .optional("ping_without_stream", Types.BOOL, false, "ping even without active calls")
      .build();

  public static KeepaliveConfig from(Args block) {
    return new KeepaliveConfig(block.duration("ping_wait"), block.duration("ping_response_timeout"),
        block.bool("ping_without_stream"));
  }
}
