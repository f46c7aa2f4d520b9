# Shell helpers shared by the process benchmarks (bench/outage-durability.sh, bench/soak-faults.sh).
# Source it; it defines functions only.

# a free loopback TCP port
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# the collector's /metrics text (admin port), empty when it does not answer
admin_metrics() { curl -sf --max-time 5 "http://127.0.0.1:$1/metrics" || true; }

# sum of a metric's samples (stdin: /metrics text) whose line contains the optional filter
metric_sum() { awk -v n="$1" -v f="${2:-}" '$1 ~ "^"n"({|$)" && (f == "" || index($0, f)) { s += $NF } END { printf "%.0f", s }'; }

# sink_field FILE PREFIX FIELD: FIELD=<n> of the last line of FILE starting with "PREFIX ", 0 if none
sink_field() {
  { grep "^$2 " "$1" 2>/dev/null || true; } | tail -n 1 | sed -n "s/.* $3=\([0-9]*\).*/\1/p" | { read -r v || true; echo "${v:-0}"; }
}

# wait_ready ADMIN_PORT LOG: waits up to 30 s for /-/ready; prints LOG and exits 1 otherwise
wait_ready() {
  for _ in $(seq 1 150); do
    curl -sf "http://127.0.0.1:$1/-/ready" > /dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "collector did not become ready"; cat "$2"; exit 1
}
