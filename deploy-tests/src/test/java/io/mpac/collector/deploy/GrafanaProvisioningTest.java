package io.mpac.collector.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docker/grafana: datasources with their correlations, the dashboard provider and the dashboards. */
class GrafanaProvisioningTest {

  static final String DATASOURCES = "docker/grafana/provisioning/datasources/datasources.yaml";

  /** The datasources file with Grafana's provisioning escape applied ("$$" is a literal "$"). */
  static JsonNode datasources() throws Exception {
    return Repo.YAML.readTree(Repo.read(DATASOURCES).replace("$$", "$"));
  }

  static Map<String, JsonNode> datasourcesByUid() throws Exception {
    Map<String, JsonNode> out = new TreeMap<>();
    for (JsonNode ds : datasources().path("datasources")) out.put(ds.path("uid").asText(), ds);
    return out;
  }

  static List<Path> dashboards() {
    List<Path> files = Repo.files("docker/grafana/dashboards", ".json");
    assertThat(files).extracting(p -> p.getFileName().toString())
        .containsExactlyInAnyOrder("mpac-collector.json", "service-overview.json");
    return files;
  }

  @Test
  void datasourcesHaveFixedUidsAndPointAtTheComposeServices() throws Exception {
    Map<String, JsonNode> ds = datasourcesByUid();
    assertThat(ds.keySet()).containsExactlyInAnyOrder("prometheus", "loki", "tempo");
    assertThat(ds.get("prometheus").path("url").asText()).isEqualTo("http://prometheus:9090");
    assertThat(ds.get("loki").path("url").asText()).isEqualTo("http://loki:3100");
    assertThat(ds.get("tempo").path("url").asText()).isEqualTo("http://tempo:3200");
    assertThat(ds.get("prometheus").path("type").asText()).isEqualTo("prometheus");
    assertThat(ds.get("loki").path("type").asText()).isEqualTo("loki");
    assertThat(ds.get("tempo").path("type").asText()).isEqualTo("tempo");
  }

  /** A lone "$" in a provisioning file is an environment-variable reference: every literal one is doubled. */
  @Test
  void everyDollarInTheDatasourcesFileIsEscaped() {
    String text = Repo.read(DATASOURCES).replace("$$", "");
    assertThat(text).doesNotContain("$");
  }

  /** Every datasource uid that a correlation, a dashboard panel, a query or a variable names exists. */
  @Test
  void everyReferencedDatasourceUidExists() throws Exception {
    Set<String> uids = datasourcesByUid().keySet();
    Set<String> referenced = new TreeSet<>();
    for (String[] f : Repo.textFields(datasources())) if (f[0].equals("datasourceUid")) referenced.add(f[1]);
    assertThat(referenced).containsExactlyInAnyOrder("prometheus", "loki", "tempo");
    for (Path d : dashboards()) {
      for (JsonNode obj : Repo.objects(Repo.JSON.readTree(d.toFile()))) {
        JsonNode ds = obj.path("datasource");
        if (ds.isObject()) {
          assertThat(ds.path("uid").asText()).as("%s: datasource %s", d.getFileName(), ds).isIn(uids);
        } else if (ds.isTextual()) {
          assertThat(ds.asText()).as("%s names a datasource by name, not uid", d.getFileName()).isIn(uids);
        }
      }
    }
    assertThat(uids).containsAll(referenced);
  }

  @Test
  void tempoLinksToLogsByTraceIdToMetricsAndToTheServiceGraph() throws Exception {
    JsonNode tempo = datasourcesByUid().get("tempo").path("jsonData");
    JsonNode logs = tempo.path("tracesToLogsV2");
    assertThat(logs.path("datasourceUid").asText()).isEqualTo("loki");
    assertThat(logs.path("filterByTraceID").asBoolean()).isTrue();
    assertThat(logs.path("query").asText()).contains("${__trace.traceId}");
    JsonNode metrics = tempo.path("tracesToMetrics");
    assertThat(metrics.path("datasourceUid").asText()).isEqualTo("prometheus");
    assertThat(metrics.path("queries").size()).isGreaterThan(0);
    assertThat(tempo.at("/serviceMap/datasourceUid").asText()).isEqualTo("prometheus");
    assertThat(tempo.at("/lokiSearch/datasourceUid").asText()).isEqualTo("loki");
  }

  /**
   * Loki → Tempo: the derived fields find the trace id in the lines the collector writes.
   * otelcol.exporter.loki's default JSON line carries {@code "traceid":"<32 hex>"}; logfmt lines carry
   * {@code traceID=} and app logs {@code trace_id=}; Docker app logs keep trace_id as structured metadata.
   */
  @Test
  void lokiDerivedFieldsExtractTheTraceIdFromEveryLineFormat() throws Exception {
    JsonNode fields = datasourcesByUid().get("loki").path("jsonData").path("derivedFields");
    List<Pattern> regexes = new ArrayList<>();
    boolean metadataField = false;
    for (JsonNode f : fields) {
      assertThat(f.path("datasourceUid").asText()).isEqualTo("tempo");
      assertThat(f.path("url").asText()).isEqualTo("${__value.raw}");
      if (f.path("matcherType").asText("regex").equals("label")) {
        metadataField |= f.path("matcherRegex").asText().equals("trace_id");
      } else {
        regexes.add(Pattern.compile(f.path("matcherRegex").asText()));
      }
    }
    assertThat(metadataField).as("a derived field for the trace_id structured metadata").isTrue();
    String id = "4bf92f3577b34da6a3ce929d0e0e4736";
    List<String> lines = List.of(
        "{\"body\":\"payment accepted\",\"traceid\":\"" + id + "\",\"spanid\":\"00f067aa0ba902b7\",\"severity\":\"INFO\","
            + "\"attributes\":{\"order\":\"42\"},\"resources\":{\"host.name\":\"a\"}}",
        "msg=\"payment accepted\" traceID=" + id + " spanID=00f067aa0ba902b7 severity=INFO",
        "level=info msg=done trace_id=" + id);
    for (String line : lines) {
      List<String> found = new ArrayList<>();
      for (Pattern p : regexes) {
        Matcher m = p.matcher(line);
        if (m.find()) found.add(m.group(1));
      }
      assertThat(found).as("trace ids found in %s", line).containsExactly(id);
    }
    // Not fooled by a span id or a shorter hex string.
    for (Pattern p : regexes) assertThat(p.matcher("{\"spanid\":\"00f067aa0ba902b7\"}").find()).isFalse();
  }

  @Test
  void dashboardProviderLoadsTheDirectoryComposeMounts() {
    JsonNode providers = Repo.yaml("docker/grafana/provisioning/dashboards/dashboards.yaml").path("providers");
    assertThat(providers.size()).isEqualTo(1);
    assertThat(providers.get(0).path("type").asText()).isEqualTo("file");
    String path = providers.get(0).at("/options/path").asText();
    assertThat(ComposeFileTest.strings(ComposeFileTest.service("grafana").path("volumes")))
        .contains("./grafana/dashboards:" + path + ":ro");
  }

  @Test
  void dashboardsAreValidJsonWithUniqueUidsAndPanels() throws Exception {
    Set<String> uids = new HashSet<>();
    for (Path d : dashboards()) {
      JsonNode dash = Repo.json(Repo.root().relativize(d).toString());
      assertThat(uids.add(dash.path("uid").asText())).as("uid of %s is unique and set", d).isTrue();
      assertThat(dash.path("title").asText()).isNotEmpty();
      Set<Integer> ids = new HashSet<>();
      for (JsonNode p : dash.path("panels")) {
        assertThat(ids.add(p.path("id").asInt())).as("panel ids unique in %s", d).isTrue();
        if (!p.path("type").asText().equals("row")) {
          assertThat(p.path("targets").size()).as("panel %s has queries", p.path("title")).isPositive();
        }
      }
    }
    assertThat(uids).contains("mpac-collector", "mpac-service");
  }

  @Test
  void collectorDashboardCoversEveryComponentKind() throws Exception {
    Set<String> names = new TreeSet<>();
    promQueries(Repo.path("docker/grafana/dashboards/mpac-collector.json")).forEach(q -> names.addAll(PromQl.metricNames(q)));
    assertThat(names).contains("otelcol_receiver_accepted_spans_total", "otelcol_receiver_refused_spans_total",
        "otelcol_exporter_sent_spans_total", "otelcol_exporter_send_failed_spans_total",
        "otelcol_exporter_queue_size", "otelcol_exporter_queue_capacity", "loki_write_sent_entries_total",
        "loki_write_dropped_entries_total", "prometheus_remote_storage_samples_total",
        "prometheus_remote_storage_samples_failed_total", "jvm_memory_used_bytes", "process_cpu_usage");
  }

  /** The service dashboard is driven by a single-valued {@code service} variable every query uses. */
  @Test
  void serviceDashboardIsDrivenByTheServiceVariable() throws Exception {
    JsonNode dash = Repo.json("docker/grafana/dashboards/service-overview.json");
    JsonNode vars = dash.at("/templating/list");
    assertThat(vars.size()).isEqualTo(1);
    assertThat(vars.get(0).path("name").asText()).isEqualTo("service");
    assertThat(vars.get(0).path("multi").asBoolean()).isFalse();
    List<String> types = new ArrayList<>();
    for (JsonNode p : dash.path("panels")) {
      if (p.path("type").asText().equals("row")) continue;
      types.add(p.path("type").asText());
      for (JsonNode t : p.path("targets")) {
        String q = t.has("expr") ? t.path("expr").asText() : t.path("query").asText();
        assertThat(q).as("query of %s", p.path("title")).contains("$service");
      }
    }
    assertThat(types).contains("logs", "timeseries");
  }

  /** Every PromQL query of a dashboard: panel targets on the Prometheus datasource and variable queries. */
  static List<String> promQueries(Path dashboard) throws Exception {
    JsonNode dash = Repo.JSON.readTree(dashboard.toFile());
    List<String> out = new ArrayList<>();
    for (JsonNode p : dash.path("panels")) {
      for (JsonNode t : p.path("targets")) {
        String uid = t.path("datasource").path("uid").asText(p.path("datasource").path("uid").asText());
        if (uid.equals("prometheus") && t.has("expr")) out.add(t.path("expr").asText());
      }
    }
    for (JsonNode v : dash.at("/templating/list")) {
      if (v.path("datasource").path("uid").asText().equals("prometheus")) out.add(v.at("/query/query").asText());
    }
    return out;
  }

  /** The PromQL in the Tempo datasource's trace-to-metrics links. */
  static List<String> correlationPromQueries() throws Exception {
    List<String> out = new ArrayList<>();
    for (JsonNode q : datasourcesByUid().get("tempo").at("/jsonData/tracesToMetrics/queries")) {
      out.add(q.path("query").asText());
    }
    return out;
  }
}
