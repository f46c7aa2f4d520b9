package io.mpac.collector.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * docker/loki/loki.yaml and docker/tempo/tempo.yaml: no Loki or Tempo binary runs here, so these
 * check the settings the stack depends on, and that they agree with the compose file and with the
 * addresses config/local.alloy sends to.
 */
class BackendConfigTest {

  @Test
  void lokiIsASingleBinaryOnFilesystemWithSchemaV13AndStructuredMetadata() {
    JsonNode loki = Repo.yaml("docker/loki/loki.yaml");
    assertThat(loki.path("auth_enabled").asBoolean(true)).isFalse();
    assertThat(loki.path("server").path("http_listen_port").asInt()).isEqualTo(3100);
    assertThat(loki.path("common").path("replication_factor").asInt()).isEqualTo(1);
    assertThat(loki.path("common").path("ring").path("kvstore").path("store").asText()).isEqualTo("inmemory");
    assertThat(loki.path("common").path("storage").path("filesystem").isObject()).isTrue();
    JsonNode schemas = loki.path("schema_config").path("configs");
    assertThat(schemas.size()).isEqualTo(1);
    assertThat(schemas.get(0).path("store").asText()).isEqualTo("tsdb");
    assertThat(schemas.get(0).path("schema").asText()).isEqualTo("v13");
    assertThat(schemas.get(0).path("object_store").asText()).isEqualTo("filesystem");
    assertThat(schemas.get(0).path("index").path("period").asText()).isEqualTo("24h");
    assertThat(loki.path("limits_config").path("allow_structured_metadata").asBoolean()).isTrue();
    // Retention needs the compactor with a delete request store.
    assertThat(loki.path("compactor").path("retention_enabled").asBoolean()).isTrue();
    assertThat(loki.path("compactor").path("delete_request_store").asText()).isEqualTo("filesystem");
    // Data lives under the compose volume.
    assertThat(loki.path("common").path("path_prefix").asText()).isEqualTo("/loki");
    assertThat(ComposeFileTest.strings(ComposeFileTest.service("loki").path("volumes"))).contains("loki-data:/loki");
  }

  @Test
  void tempoReceivesOtlpGrpcOn4317StoresLocallyAndServesQueriesOn3200() {
    JsonNode tempo = Repo.yaml("docker/tempo/tempo.yaml");
    assertThat(tempo.path("server").path("http_listen_port").asInt()).isEqualTo(3200);
    // Tempo 2.7+ listens on localhost by default: the collector's container could not reach it.
    assertThat(tempo.at("/distributor/receivers/otlp/protocols/grpc/endpoint").asText()).isEqualTo("0.0.0.0:4317");
    assertThat(tempo.at("/storage/trace/backend").asText()).isEqualTo("local");
    assertThat(tempo.at("/storage/trace/local/path").asText()).startsWith("/var/tempo/");
    assertThat(tempo.at("/storage/trace/wal/path").asText()).startsWith("/var/tempo/");
    assertThat(ComposeFileTest.strings(ComposeFileTest.service("tempo").path("volumes"))).contains("tempo-data:/var/tempo");
  }

  @Test
  void tempoMetricsGeneratorRemoteWritesSpanMetricsAndServiceGraphsToPrometheus() {
    JsonNode tempo = Repo.yaml("docker/tempo/tempo.yaml");
    List<String> processors = new ArrayList<>();
    tempo.at("/overrides/defaults/metrics_generator/processors").forEach(n -> processors.add(n.asText()));
    assertThat(processors).contains("span-metrics", "service-graphs");
    JsonNode rw = tempo.at("/metrics_generator/storage/remote_write");
    assertThat(rw.size()).isEqualTo(1);
    assertThat(rw.get(0).path("url").asText()).isEqualTo("http://prometheus:9090/api/v1/write");
  }

  /** The collector's compose defaults name services and container ports that exist. */
  @Test
  void localConfigBackendsAreComposeServicesOnTheirConfiguredPorts() throws Exception {
    var addresses = ConfigFilesTest.backendAddresses(ConfigFilesTest.parse(Repo.path("config/local.alloy")));
    JsonNode tempo = Repo.yaml("docker/tempo/tempo.yaml");
    JsonNode loki = Repo.yaml("docker/loki/loki.yaml");
    String grpcPort = tempo.at("/distributor/receivers/otlp/protocols/grpc/endpoint").asText().split(":")[1];
    assertThat(addresses.get("otelcol.exporter.otlp.tempo/endpoint")).isEqualTo("tempo:" + grpcPort);
    assertThat(addresses.get("loki.write.default/url"))
        .isEqualTo("http://loki:" + loki.at("/server/http_listen_port").asInt() + "/loki/api/v1/push");
    assertThat(addresses.get("prometheus.remote_write.default/url")).isEqualTo("http://prometheus:9090/api/v1/write");
    for (String service : List.of("tempo", "loki", "prometheus")) ComposeFileTest.service(service);
  }
}
