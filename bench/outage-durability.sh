#!/usr/bin/env bash
# Outage durability benchmark of issue #12 (docs/BENCHMARKS.md, "Outage durability"):
#
#   mpac-collector (-Xmx512m, G1) on a fresh --storage.path runs the three persistent paths
#     otelcol.receiver.otlp -> otelcol.processor.batch ->
#       traces:  otelcol.exporter.otlp, sending_queue { storage = otelcol.storage.file.q.handler }
#       logs:    otelcol.exporter.loki -> loki.write with wal { enabled = true }
#       metrics: otelcol.exporter.prometheus -> prometheus.remote_write (its WAL is always on)
#   with all three backends down (ports nothing listens on). Three `gen` processes send RATE items/s
#   each (spans, log records, gauge data points over 1,600 series) for OUTAGE_SECONDS (default 600).
#   Then the backends come up: loadgen's NullSink (OTLP/gRPC, counts spans) and bench's
#   CountingPushSink (Loki push and remote write, decodes snappy + protobuf, counts entries and
#   samples). The script waits (at most
#   DRAIN_TIMEOUT_SECONDS) until every sink has what the receiver accepted.
#
#   bench/outage-durability.sh                         # builds, 10-minute outage
#   SKIP_BUILD=1 OUTAGE_SECONDS=60 bench/outage-durability.sh   # reuse the jars, a 1-minute outage
#   APPEND=1 bench/outage-durability.sh                # also appends the report to docs/BENCHMARKS.md
#
# Every SAMPLE_SECONDS the storage path's size (du), the heap in use (/metrics), the RSS and the
# counters are sampled into $OUT/samples.tsv; the GC log gives the heap after each collection.
# The report (markdown) goes to $OUT/report.md and stdout. Exits 1 if an item was lost, a second copy
# arrived, or the collector died. Work files stay in $OUT (default: a new directory under /tmp).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh

OUTAGE_SECONDS="${OUTAGE_SECONDS:-600}"
RATE="${RATE:-1000}"
DRAIN_TIMEOUT_SECONDS="${DRAIN_TIMEOUT_SECONDS:-600}"
SAMPLE_SECONDS="${SAMPLE_SECONDS:-5}"
JVM_FLAGS="${JVM_FLAGS:--Xmx512m -XX:+UseG1GC}"
GEN_FLAGS="-Xmx128m -XX:+UseSerialGC"
JAR=collector-app/target/mpac-collector.jar
BENCH_JAR=bench/target/benchmarks.jar
OUT="${OUT:-$(mktemp -d /tmp/mpac-outage.XXXXXX)}"
mkdir -p "$OUT"
DATA="$OUT/data"

if [[ "${SKIP_BUILD:-0}" != "1" ]]; then
  ./mvnw -B -q package -DskipTests -pl collector-app,bench -am
fi

OTLP_PORT=$(free_port)
ADMIN_PORT=$(free_port)
# nothing listens on these until the recovery phase
TRACES_SINK_PORT=$(free_port)
LOKI_PORT=$(free_port)
RW_PORT=$(free_port)

# Retries never give up here (max_elapsed_time = 0s, max_backoff_retries = 0): with the defaults
# the OTLP exporter drops a request after 5 minutes and loki.write a batch after 10 retries, by
# design, which a 10-minute outage exceeds. The OTLP queue is sized in bytes (the default, 1,000
# requests, holds 200 s of 5 batches/s).
cat > "$OUT/outage.alloy" <<EOF
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
    traces  = [otelcol.exporter.otlp.traces.input]
    metrics = [otelcol.exporter.prometheus.metrics.input]
    logs    = [otelcol.exporter.loki.logs.input]
  }
}

otelcol.storage.file "q" { }

otelcol.exporter.otlp "traces" {
  client {
    endpoint = "127.0.0.1:$TRACES_SINK_PORT"
    tls {
      insecure = true
    }
  }
  retry_on_failure {
    max_elapsed_time = "0s"
  }
  sending_queue {
    storage    = otelcol.storage.file.q.handler
    sizer      = "bytes"
    queue_size = 1073741824
  }
}

otelcol.exporter.loki "logs" {
  forward_to = [loki.write.logs.receiver]
}

loki.write "logs" {
  endpoint {
    url                 = "http://127.0.0.1:$LOKI_PORT/loki/api/v1/push"
    max_backoff_period  = "30s"
    max_backoff_retries = 0
  }
  wal {
    enabled = true
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

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
# shellcheck disable=SC2086
java $JVM_FLAGS -Xlog:gc:file="$OUT/gc.log" -jar "$JAR" run \
  --server.http.listen-addr "127.0.0.1:$ADMIN_PORT" --storage.path "$DATA" "$OUT/outage.alloy" \
  > "$OUT/collector.log" 2>&1 &
COLLECTOR=$!
PIDS+=("$COLLECTOR")

metrics() { admin_metrics "$ADMIN_PORT"; }
traces_delivered() { sink_field "$OUT/traces-sink.log" sink items; }
logs_delivered() { sink_field "$OUT/push-sink.log" loki entries; }
metrics_delivered() { sink_field "$OUT/push-sink.log" rw samples; }

wait_ready "$ADMIN_PORT" "$OUT/collector.log"

echo "outage" > "$OUT/phase"
sample_loop() {
  echo -e "t\tphase\tdisk_bytes\theap_used\trss_kib\taccepted_spans\taccepted_logs\taccepted_points\tdelivered_spans\tdelivered_logs\tdelivered_points" > "$OUT/samples.tsv"
  local t0=$SECONDS
  while kill -0 "$COLLECTOR" 2>/dev/null; do
    local m; m=$(metrics)
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' $((SECONDS - t0)) "$(cat "$OUT/phase")" \
      "$(du -sb "$DATA" 2>/dev/null | cut -f1)" \
      "$(metric_sum jvm_memory_used_bytes 'area="heap"' <<< "$m")" \
      "$(awk '/^VmRSS:/ { print $2 }' "/proc/$COLLECTOR/status" 2>/dev/null)" \
      "$(metric_sum otelcol_receiver_accepted_spans_total <<< "$m")" \
      "$(metric_sum otelcol_receiver_accepted_log_records_total <<< "$m")" \
      "$(metric_sum otelcol_receiver_accepted_metric_points_total <<< "$m")" \
      "$(traces_delivered)" "$(logs_delivered)" "$(metrics_delivered)" >> "$OUT/samples.tsv"
    sleep "$SAMPLE_SECONDS"
  done
}
sample_loop &
PIDS+=("$!")

echo "phase 1: ${OUTAGE_SECONDS}s outage at $RATE items/s per signal, backends down (work files in $OUT)"
GEN_PIDS=()
# metrics: one worker sends 16 prebuilt requests (16 resources) x 100 points = 1,600 series
for signal in traces logs metrics; do
  workers=4
  [[ "$signal" == metrics ]] && workers=1
  # shellcheck disable=SC2086
  java $GEN_FLAGS -jar "$JAR" gen --protocol grpc --signal "$signal" --rate "$RATE" --duration "${OUTAGE_SECONDS}s" \
    --workers "$workers" --endpoint "127.0.0.1:$OTLP_PORT" > "$OUT/gen-$signal.txt" 2>&1 &
  GEN_PIDS+=("$!")
  PIDS+=("$!")
done
for p in "${GEN_PIDS[@]}"; do wait "$p" || true; done
sleep 2
M=$(metrics)
echo "$M" > "$OUT/metrics-after-outage.txt"
alive_after_outage=no
kill -0 "$COLLECTOR" 2>/dev/null && alive_after_outage=yes
acc_spans=$(metric_sum otelcol_receiver_accepted_spans_total <<< "$M")
acc_logs=$(metric_sum otelcol_receiver_accepted_log_records_total <<< "$M")
acc_points=$(metric_sum otelcol_receiver_accepted_metric_points_total <<< "$M")
ref_spans=$(metric_sum otelcol_receiver_refused_spans_total <<< "$M")
ref_logs=$(metric_sum otelcol_receiver_refused_log_records_total <<< "$M")
ref_points=$(metric_sum otelcol_receiver_refused_metric_points_total <<< "$M")
disk_at_recovery=$(du -sb "$DATA" | cut -f1)

echo "phase 2: backends up, waiting (at most ${DRAIN_TIMEOUT_SECONDS}s) for every accepted item"
echo "recovery" > "$OUT/phase"
# shellcheck disable=SC2086
java $GEN_FLAGS -cp "$JAR" io.mpac.collector.loadgen.NullSink --port "$TRACES_SINK_PORT" > "$OUT/traces-sink.log" 2>&1 &
PIDS+=("$!")
java -Xmx256m -XX:+UseSerialGC -cp "$BENCH_JAR" io.mpac.collector.bench.outage.CountingPushSink \
  --loki-port "$LOKI_PORT" --rw-port "$RW_PORT" > "$OUT/push-sink.log" 2>&1 &
PIDS+=("$!")
t_up=$SECONDS
drain_spans=- drain_logs=- drain_points=-
while (( SECONDS - t_up < DRAIN_TIMEOUT_SECONDS )); do
  sleep 1
  [[ "$drain_spans" == - ]] && (( $(traces_delivered) >= acc_spans )) && drain_spans=$((SECONDS - t_up))
  [[ "$drain_logs" == - ]] && (( $(logs_delivered) >= acc_logs )) && drain_logs=$((SECONDS - t_up))
  [[ "$drain_points" == - ]] && (( $(metrics_delivered) >= acc_points )) && drain_points=$((SECONDS - t_up))
  [[ "$drain_spans" != - && "$drain_logs" != - && "$drain_points" != - ]] && break
done
# a little longer, so that late second copies are seen too
sleep 10
echo "done" > "$OUT/phase"
M=$(metrics)
echo "$M" > "$OUT/metrics-end.txt"
alive_at_end=no
kill -0 "$COLLECTOR" 2>/dev/null && alive_at_end=yes
peak_rss_kib=$(awk '/^VmHWM:/ { print $2 }' "/proc/$COLLECTOR/status" 2>/dev/null || echo 0)
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
del_spans=$(traces_delivered)
del_logs=$(logs_delivered)
del_points=$(metrics_delivered)
target_info=$(sink_field "$OUT/push-sink.log" rw target_info)
malformed=$(( $(sink_field "$OUT/push-sink.log" loki malformed) + $(sink_field "$OUT/push-sink.log" rw malformed) ))
# accepted after the outage must equal accepted at the end (nothing sends during the recovery)
acc_spans_end=$(metric_sum otelcol_receiver_accepted_spans_total <<< "$M")
acc_logs_end=$(metric_sum otelcol_receiver_accepted_log_records_total <<< "$M")
acc_points_end=$(metric_sum otelcol_receiver_accepted_metric_points_total <<< "$M")
lost_spans=$(( acc_spans_end - del_spans )); (( lost_spans < 0 )) && lost_spans=0
lost_logs=$(( acc_logs_end - del_logs )); (( lost_logs < 0 )) && lost_logs=0
lost_points=$(( acc_points_end - del_points )); (( lost_points < 0 )) && lost_points=0
# the sinks count items without identity: beyond what was accepted is a second copy
dup_spans=$(( del_spans - acc_spans_end )); (( dup_spans < 0 )) && dup_spans=0
dup_logs=$(( del_logs - acc_logs_end )); (( dup_logs < 0 )) && dup_logs=0
dup_points=$(( del_points - acc_points_end )); (( dup_points < 0 )) && dup_points=0

peak_disk_mib=$(awk -F'\t' 'NR > 1 && $3 > m { m = $3 } END { printf "%.1f", m / 1048576 }' "$OUT/samples.tsv")
peak_heap_mib=$(awk -F'\t' 'NR > 1 && $4 > m { m = $4 } END { printf "%.0f", m / 1048576 }' "$OUT/samples.tsv")
read -r gc_count peak_before peak_after < <(python3 - "$OUT/gc.log" <<'PY'
import re, sys
before = after = n = 0
for line in open(sys.argv[1]):
    m = re.search(r"Pause \w+.* (\d+)M->(\d+)M\((\d+)M\)", line)
    if m:
        n += 1
        before = max(before, int(m.group(1)))
        after = max(after, int(m.group(2)))
print(n, before, after)
PY
)
# counters that say where something went, for a diagnosis when a count is short
nonzero_drops=$(grep -E '^[a-z_]*(dropped|failed|refused|discarded|skipped)[a-z_]*(\{|[[:space:]])' "$OUT/metrics-end.txt" \
  | awk '$NF != 0 && $NF != "0.0"' || true)

COMMIT=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . 2>/dev/null || echo "+dirty")
JAVA_VERSION=$(java -version 2>&1 | head -n 1)
mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }

cat > "$OUT/report.md" <<EOF

## Outage durability: ${OUTAGE_SECONDS} s outage at ${RATE} items/s per signal, all three persistent paths

\`OUTAGE_SECONDS=$OUTAGE_SECONDS bench/outage-durability.sh\` on $(date -u +%Y-%m-%d), commit \`$COMMIT\`, $(nproc) cores,
load average $LOAD_START at the start and $LOAD_END at the end; collector \`java $JVM_FLAGS\` ($JAVA_VERSION),
three \`gen --protocol grpc --rate $RATE\` (100 items a request; traces and logs 4 workers; metrics 1 worker, one gauge over 1,600 series).
Backends down for the whole load, then NullSink (traces) and CountingPushSink (Loki, remote write) come up.

| signal (path) | accepted | refused | delivered | lost | duplicates | drain time |
|---|---|---|---|---|---|---|
| traces (otlp exporter, otelcol.storage.file) | $acc_spans_end | $ref_spans | $del_spans | $lost_spans | $dup_spans | ${drain_spans} s |
| logs (loki.write, wal) | $acc_logs_end | $ref_logs | $del_logs | $lost_logs | $dup_logs | ${drain_logs} s |
| metrics (prometheus.remote_write, WAL) | $acc_points_end | $ref_points | $del_points | $lost_points | $dup_points | ${drain_points} s |

| figure | value |
|---|---|
| peak disk use of --storage.path (du every ${SAMPLE_SECONDS} s) | ${peak_disk_mib} MiB (at recovery: $(mib "$disk_at_recovery") MiB) |
| peak heap in use (/metrics every ${SAMPLE_SECONDS} s) | ${peak_heap_mib} MiB |
| peak heap before / after a collection (GC log, $gc_count pauses) | ${peak_before} MiB / ${peak_after} MiB |
| peak RSS (VmHWM) | $(( peak_rss_kib / 1024 )) MiB |
| collector alive after the outage / at the end | $alive_after_outage / $alive_at_end |
| target_info samples (not counted as load) / malformed requests at the sinks | $target_info / $malformed |

Drain time: seconds from the backends coming up until the sink had every accepted item ("-": not
within ${DRAIN_TIMEOUT_SECONDS} s). Duplicates: items delivered beyond the accepted count (the sinks
count without identity; gen resends 16 prebuilt requests per worker, restamping span and data point
times). Non-zero drop/refusal counters at the end:
\`\`\`
${nonzero_drops:-none}
\`\`\`
EOF
cat "$OUT/report.md"

fail=0
[[ "$alive_at_end" == yes ]] || { echo "FAIL: the collector died"; fail=1; }
(( lost_spans + lost_logs + lost_points == 0 )) || { echo "FAIL: lost spans=$lost_spans logs=$lost_logs points=$lost_points"; fail=1; }
(( dup_spans + dup_logs + dup_points == 0 )) || { echo "FAIL: duplicates spans=$dup_spans logs=$dup_logs points=$dup_points"; fail=1; }
(( acc_spans_end > 0 && acc_logs_end > 0 && acc_points_end > 0 )) || { echo "FAIL: a signal was not accepted at all"; fail=1; }
if (( fail == 0 )); then echo "PASS"; fi
if [[ "${APPEND:-0}" == "1" ]]; then
  cat "$OUT/report.md" >> docs/BENCHMARKS.md
  echo "appended to docs/BENCHMARKS.md"
fi
exit $fail
