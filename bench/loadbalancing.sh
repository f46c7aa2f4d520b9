#!/usr/bin/env bash
# Load-balancing benchmark (docs/BENCHMARKS.md, "Load balancing"): CPU per span of
# otelcol.exporter.loadbalancing -> 3 null sinks against otelcol.exporter.otlp -> 1 null sink, same
# receiver and batch processor, same fixed load, alternating targets, in one run.
#
#   bench/loadbalancing.sh [--repetitions N] [--seconds S] [--rate SPANS_PER_S]
#   APPEND=1 bench/loadbalancing.sh     # also appends the report to docs/BENCHMARKS.md
#
# Run it under `flock /work/bench.lock` on a shared machine. SKIP_BUILD=1 reuses the jars.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${SKIP_BUILD:-0}" != "1" ]]; then
  ./mvnw -B -q package -DskipTests -pl collector-app,bench -am
fi
EXTRA=()
if [[ "${APPEND:-0}" == "1" ]]; then EXTRA=(--append docs/BENCHMARKS.md); fi
exec java -XX:+UseSerialGC -Xmx128m -cp bench/target/benchmarks.jar io.mpac.collector.bench.e2e.LoadBalancingBenchmark \
  --jar collector-app/target/mpac-collector.jar "${EXTRA[@]}" "$@"
