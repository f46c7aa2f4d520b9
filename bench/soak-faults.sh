#!/usr/bin/env bash
# Soak under backend faults (issue #15, item 4; docs/BENCHMARKS.md, "Soak under backend faults"):
#
#   mpac-collector (-Xmx512m, G1) runs the full pipeline
#     otelcol.receiver.otlp (gRPC) -> otelcol.processor.batch ->
#       traces:  otelcol.exporter.otlphttp (in-memory queue, bytes sizer)
#       logs:    otelcol.exporter.loki -> loki.write (in-memory queue)
#       metrics: otelcol.exporter.prometheus -> prometheus.remote_write (its WAL)
#   for DURATION_SECONDS (default 1800) at SPANS_RATE spans/s (10,000) + LOGS_RATE log records/s
#   (2,000) + POINTS_RATE data points/s (2,000), sent by three `gen` processes. The backends are
#   bench's CountingPushSink (OTLP/HTTP traces, Loki push, remote write: it decodes and counts) with
#   --fault-seed SEED: each endpoint fails on its own random schedule (FaultSchedule: 5xx bursts,
#   429 with Retry-After, connections closed without an answer, 10 s stalls answered 503) for the
#   whole load. Retries never give up (max_elapsed_time = 0s, max_backoff_retries = 0).
#
#   bench/soak-faults.sh                                   # builds, 30 minutes
#   SKIP_BUILD=1 DURATION_SECONDS=120 bench/soak-faults.sh # a 2-minute try
#   APPEND=1 bench/soak-faults.sh                          # also appends the report to docs/BENCHMARKS.md
#                                                          # and writes the plot to docs/img/soak-faults.svg
#
# Every SAMPLE_SECONDS (10): `jcmd GC.run` then `jcmd GC.heap_info` (heap after a full GC), VmRSS,
# the exporter queue sizes (otlphttp's queue bytes and remote_write's pending samples; loki.write
# has no queue gauge, so its backlog is plotted as accepted - delivered) and the counters from
# /metrics, into $OUT/samples.tsv. The jars are copied into $OUT first. After the load the
# faults end and the script waits (at most DRAIN_TIMEOUT_SECONDS) until every sink has what the
# receiver accepted. Growth = median of the last 5 minutes of load over the median of minutes 5-10.
# Exits 1 if an item was lost, the collector died, or heap-after-GC or RSS grew by 5% or more.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh

DURATION_SECONDS="${DURATION_SECONDS:-1800}"
SPANS_RATE="${SPANS_RATE:-10000}"
LOGS_RATE="${LOGS_RATE:-2000}"
POINTS_RATE="${POINTS_RATE:-2000}"
SEED="${SEED:-15}"
SAMPLE_SECONDS="${SAMPLE_SECONDS:-10}"
DRAIN_TIMEOUT_SECONDS="${DRAIN_TIMEOUT_SECONDS:-600}"
JVM_FLAGS="${JVM_FLAGS:--Xmx512m -XX:+UseG1GC}"
GEN_FLAGS="-Xmx128m -XX:+UseSerialGC"
JAR=collector-app/target/mpac-collector.jar
BENCH_JAR=bench/target/benchmarks.jar
OUT="${OUT:-$(mktemp -d /tmp/mpac-soak.XXXXXX)}"
mkdir -p "$OUT"
DATA="$OUT/data"

if [[ "${SKIP_BUILD:-0}" != "1" ]]; then
  ./mvnw -B -q package -DskipTests -pl collector-app,bench -am
fi
# the run uses copies, so that a build during the half hour cannot change the jars under it
cp "$JAR" "$OUT/mpac-collector.jar"
cp "$BENCH_JAR" "$OUT/benchmarks.jar"
JAR="$OUT/mpac-collector.jar"
BENCH_JAR="$OUT/benchmarks.jar"
COMMIT=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . 2>/dev/null || echo "+dirty")

OTLP_PORT=$(free_port)
ADMIN_PORT=$(free_port)
TRACES_SINK_PORT=$(free_port)
LOKI_PORT=$(free_port)
RW_PORT=$(free_port)

cat > "$OUT/soak.alloy" <<EOF
otelcol.receiver.otlp "in" {
  grpc {
    endpoint = "127.0.0.1:$OTLP_PORT"
  }
  output {
    traces  = [otelcol.processor.batch.b.input]
    metrics = [otelcol.processor.batch.b.input]
    logs    = [otelcol.processor.batch.b.input]
  }
}

otelcol.processor.batch "b" {
  output {
    traces  = [otelcol.exporter.otlphttp.traces.input]
    metrics = [otelcol.exporter.prometheus.metrics.input]
    logs    = [otelcol.exporter.loki.logs.input]
  }
}

otelcol.exporter.otlphttp "traces" {
  client {
    endpoint = "http://127.0.0.1:$TRACES_SINK_PORT"
  }
  retry_on_failure {
    max_elapsed_time = "0s"
    max_interval     = "5s"
  }
  sending_queue {
    sizer      = "bytes"
    queue_size = 134217728
  }
}

otelcol.exporter.loki "logs" {
  forward_to = [loki.write.logs.receiver]
}

loki.write "logs" {
  endpoint {
    url                 = "http://127.0.0.1:$LOKI_PORT/loki/api/v1/push"
    max_backoff_period  = "5s"
    max_backoff_retries = 0
  }
}

otelcol.exporter.prometheus "metrics" {
  forward_to = [prometheus.remote_write.metrics.receiver]
}

prometheus.remote_write "metrics" {
  endpoint {
    url = "http://127.0.0.1:$RW_PORT/api/v1/write"
  }
}
EOF

PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

java -Xmx256m -XX:+UseSerialGC -cp "$BENCH_JAR" io.mpac.collector.bench.outage.CountingPushSink \
  --loki-port "$LOKI_PORT" --rw-port "$RW_PORT" --otlp-port "$TRACES_SINK_PORT" \
  --fault-seed "$SEED" --fault-seconds "$DURATION_SECONDS" > "$OUT/sink.log" 2>&1 &
PIDS+=("$!")

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
# shellcheck disable=SC2086
java $JVM_FLAGS -Xlog:gc:file="$OUT/gc.log" -jar "$JAR" run \
  --server.http.listen-addr "127.0.0.1:$ADMIN_PORT" --storage.path "$DATA" "$OUT/soak.alloy" \
  > "$OUT/collector.log" 2>&1 &
COLLECTOR=$!
PIDS+=("$COLLECTOR")
wait_ready "$ADMIN_PORT" "$OUT/collector.log"

traces_delivered() { sink_field "$OUT/sink.log" otlp spans; }
logs_delivered() { sink_field "$OUT/sink.log" loki entries; }
metrics_delivered() { sink_field "$OUT/sink.log" rw samples; }
heap_after_full_gc_kib() {
  jcmd "$COLLECTOR" GC.run > /dev/null 2>&1 || true
  jcmd "$COLLECTOR" GC.heap_info 2>/dev/null | sed -n 's/.*heap *total [0-9]*K, used \([0-9]*\)K.*/\1/p' | head -n 1
}

echo "load" > "$OUT/phase"
sample_loop() {
  echo -e "t\tphase\theap_after_gc_kib\trss_kib\tq_traces_bytes\tpending_samples\taccepted_spans\taccepted_logs\taccepted_points\tdelivered_spans\tdelivered_logs\tdelivered_points" > "$OUT/samples.tsv"
  local t0=$SECONDS
  while kill -0 "$COLLECTOR" 2>/dev/null; do
    local next=$((SECONDS + SAMPLE_SECONDS))
    local heap; heap=$(heap_after_full_gc_kib)
    local m; m=$(admin_metrics "$ADMIN_PORT")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' $((SECONDS - t0)) "$(cat "$OUT/phase")" "${heap:-}" \
      "$(awk '/^VmRSS:/ { print $2 }' "/proc/$COLLECTOR/status" 2>/dev/null)" \
      "$(metric_sum otelcol_exporter_queue_size 'otelcol.exporter.otlphttp' <<< "$m")" \
      "$(metric_sum prometheus_remote_storage_samples_pending <<< "$m")" \
      "$(metric_sum otelcol_receiver_accepted_spans_total <<< "$m")" \
      "$(metric_sum otelcol_receiver_accepted_log_records_total <<< "$m")" \
      "$(metric_sum otelcol_receiver_accepted_metric_points_total <<< "$m")" \
      "$(traces_delivered)" "$(logs_delivered)" "$(metrics_delivered)" >> "$OUT/samples.tsv"
    while (( SECONDS < next )) && kill -0 "$COLLECTOR" 2>/dev/null; do sleep 1; done
  done
}
sample_loop &
PIDS+=("$!")

echo "load: ${DURATION_SECONDS}s at $SPANS_RATE spans/s + $LOGS_RATE logs/s + $POINTS_RATE points/s, faults seed $SEED (work files in $OUT)"
GEN_PIDS=()
start_gen() { # signal rate workers
  # shellcheck disable=SC2086
  java $GEN_FLAGS -jar "$JAR" gen --protocol grpc --signal "$1" --rate "$2" --duration "${DURATION_SECONDS}s" \
    --workers "$3" --endpoint "127.0.0.1:$OTLP_PORT" > "$OUT/gen-$1.txt" 2>&1 &
  GEN_PIDS+=("$!")
  PIDS+=("$!")
}
start_gen traces "$SPANS_RATE" 4
start_gen logs "$LOGS_RATE" 2
start_gen metrics "$POINTS_RATE" 1
for p in "${GEN_PIDS[@]}"; do wait "$p" || true; done
echo "drain" > "$OUT/phase"
sleep 2
M=$(admin_metrics "$ADMIN_PORT")
acc_spans=$(metric_sum otelcol_receiver_accepted_spans_total <<< "$M")
acc_logs=$(metric_sum otelcol_receiver_accepted_log_records_total <<< "$M")
acc_points=$(metric_sum otelcol_receiver_accepted_metric_points_total <<< "$M")
ref_spans=$(metric_sum otelcol_receiver_refused_spans_total <<< "$M")
ref_logs=$(metric_sum otelcol_receiver_refused_log_records_total <<< "$M")
ref_points=$(metric_sum otelcol_receiver_refused_metric_points_total <<< "$M")

echo "drain: faults are over, waiting (at most ${DRAIN_TIMEOUT_SECONDS}s) for every accepted item"
t_up=$SECONDS
drain_spans=- drain_logs=- drain_points=-
while (( SECONDS - t_up < DRAIN_TIMEOUT_SECONDS )); do
  sleep 1
  [[ "$drain_spans" == - ]] && (( $(traces_delivered) >= acc_spans )) && drain_spans=$((SECONDS - t_up))
  [[ "$drain_logs" == - ]] && (( $(logs_delivered) >= acc_logs )) && drain_logs=$((SECONDS - t_up))
  [[ "$drain_points" == - ]] && (( $(metrics_delivered) >= acc_points )) && drain_points=$((SECONDS - t_up))
  [[ "$drain_spans" != - && "$drain_logs" != - && "$drain_points" != - ]] && break
done
sleep 10 # late second copies
echo "done" > "$OUT/phase"
M=$(admin_metrics "$ADMIN_PORT")
echo "$M" > "$OUT/metrics-end.txt"
alive_at_end=no
kill -0 "$COLLECTOR" 2>/dev/null && alive_at_end=yes
peak_rss_kib=$(awk '/^VmHWM:/ { print $2 }' "/proc/$COLLECTOR/status" 2>/dev/null || echo 0)
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
del_spans=$(traces_delivered)
del_logs=$(logs_delivered)
del_points=$(metrics_delivered)
lost_spans=$(( acc_spans - del_spans )); (( lost_spans < 0 )) && lost_spans=0
lost_logs=$(( acc_logs - del_logs )); (( lost_logs < 0 )) && lost_logs=0
lost_points=$(( acc_points - del_points )); (( lost_points < 0 )) && lost_points=0
dup_spans=$(( del_spans - acc_spans )); (( dup_spans < 0 )) && dup_spans=0
dup_logs=$(( del_logs - acc_logs )); (( dup_logs < 0 )) && dup_logs=0
dup_points=$(( del_points - acc_points )); (( dup_points < 0 )) && dup_points=0
faults_served=$(for e in otlp loki rw; do echo "$e=$(sink_field "$OUT/sink.log" "$e" faults)"; done | paste -sd' ')
fault_kinds=$(grep '^fault ' "$OUT/sink.log" | sed -n 's/.*kind=\([A-Z_0-9]*\).*/\1/p' | sort | uniq -c | awk '{ printf "%s%s × %s", (NR > 1 ? ", " : ""), $1, $2 }')
nonzero_drops=$(grep -E '^[a-z_]*(dropped|failed|refused|discarded|skipped)[a-z_]*(\{|[[:space:]])' "$OUT/metrics-end.txt" \
  | awk '$NF != 0 && $NF != "0.0"' || true)
gen_rates=$(for s in traces logs metrics; do printf '%s: %s; ' "$s" "$(grep 'items/s accepted' "$OUT/gen-$s.txt" | tail -n 1 | tail -c 200 | tr -d '\n' || true)"; done)

SVG="$OUT/soak-faults.svg"
read -r heap_base heap_end heap_growth rss_base rss_end rss_growth samples_n < <(
  python3 bench/soak-plot.py "$OUT/samples.tsv" "$OUT/sink.log" "$SVG" "$DURATION_SECONDS")

JAVA_VERSION=$(java -version 2>&1 | head -n 1)
cat > "$OUT/report.md" <<EOF

## Soak under backend faults: ${DURATION_SECONDS} s at ${SPANS_RATE} spans/s + ${LOGS_RATE} log records/s + ${POINTS_RATE} data points/s

\`bench/soak-faults.sh\` (DURATION_SECONDS=$DURATION_SECONDS, SEED=$SEED) on $(date -u +%Y-%m-%d), commit \`$COMMIT\`, $(nproc) cores
shared with other builds, load average $LOAD_START at the start and $LOAD_END at the end; collector
\`java $JVM_FLAGS\` ($JAVA_VERSION); receiver (gRPC) → batch → otlphttp (memory queue) / loki.write (memory queue) /
remote_write (WAL). Backends: CountingPushSink with seeded faults per endpoint ($fault_kinds windows over the
three endpoints; requests answered with a fault: $faults_served). Retries never give up.

| signal | accepted | refused | delivered | lost | duplicates | drain after the load |
|---|---|---|---|---|---|---|
| spans (otlphttp) | $acc_spans | $ref_spans | $del_spans | $lost_spans | $dup_spans | ${drain_spans} s |
| log records (loki.write) | $acc_logs | $ref_logs | $del_logs | $lost_logs | $dup_logs | ${drain_logs} s |
| data points (remote_write) | $acc_points | $ref_points | $del_points | $lost_points | $dup_points | ${drain_points} s |

| figure (every ${SAMPLE_SECONDS} s, $samples_n samples under load) | minutes 5–10 (median) | last 5 minutes (median) | growth |
|---|---|---|---|
| heap after a full GC (\`jcmd GC.run\`, \`GC.heap_info\`) | ${heap_base} MiB | ${heap_end} MiB | ${heap_growth} % |
| RSS | ${rss_base} MiB | ${rss_end} MiB | ${rss_growth} % |

Peak RSS (VmHWM) $(( peak_rss_kib / 1024 )) MiB; collector alive at the end: $alive_at_end. Load generators: $gen_rates

![RSS, heap after GC and exporter queues over the soak](img/soak-faults.svg)

Duplicates: items delivered beyond the accepted count (the sinks count without identity; a request
answered after the exporter's timeout is sent again). Non-zero drop/refusal counters at the end:
\`\`\`
${nonzero_drops:-none}
\`\`\`
EOF
cat "$OUT/report.md"

fail=0
[[ "$alive_at_end" == yes ]] || { echo "FAIL: the collector died"; fail=1; }
(( lost_spans + lost_logs + lost_points == 0 )) || { echo "FAIL: lost spans=$lost_spans logs=$lost_logs points=$lost_points"; fail=1; }
(( acc_spans > 0 && acc_logs > 0 && acc_points > 0 )) || { echo "FAIL: a signal was not accepted at all"; fail=1; }
awk -v h="$heap_growth" -v r="$rss_growth" 'BEGIN { exit !(h < 5 && r < 5) }' \
  || { echo "FAIL: growth heap=${heap_growth}% rss=${rss_growth}% (limit 5%)"; fail=1; }
if (( fail == 0 )); then echo "PASS"; fi
if [[ "${APPEND:-0}" == "1" ]]; then
  cat "$OUT/report.md" >> docs/BENCHMARKS.md
  mkdir -p docs/img
  cp "$SVG" docs/img/soak-faults.svg
  echo "appended to docs/BENCHMARKS.md, plot in docs/img/soak-faults.svg"
fi
exit $fail
