#!/usr/bin/env bash
# End-to-end benchmark of issue #4 (docs/BENCHMARKS.md, "End-to-end"): the same OTLP/gRPC load
# through a raw gRPC relay (the floor) and through mpac-collector (receiver -> batch -> OTLP
# exporter), into a null sink; 3 repetitions; prints tables and PASS/FAIL per target.
#
#   bench/run-e2e.sh [--quick] [--out results.md] [--repetitions N] [--scenarios a,b,c,d] ...
#
# Every argument is passed to io.mpac.collector.bench.e2e.EndToEndBenchmark (--help-style usage is
# printed for an unknown option). Set SKIP_BUILD=1 to reuse the jars already built. APPEND=1 appends
# the generated report, unedited, to docs/BENCHMARKS.md under a "### Run of ..." heading (TITLE=...
# overrides the heading). Run it under `flock /work/bench.lock` on a shared machine.
set -euo pipefail
cd "$(dirname "$0")/.."

# The benchmark's own JVM (generator + sink) runs with the same flags as the targets it starts.
JVM_FLAGS="-XX:+UseSerialGC -Xmx128m"

if [[ "${SKIP_BUILD:-0}" != "1" ]]; then
  ./mvnw -B -q package -DskipTests -pl collector-app,bench -am
fi

if [[ "${APPEND:-0}" != "1" ]]; then
  # shellcheck disable=SC2086
  exec java $JVM_FLAGS -cp bench/target/benchmarks.jar io.mpac.collector.bench.e2e.EndToEndBenchmark \
    --jar collector-app/target/mpac-collector.jar "$@"
fi
REPORT=$(mktemp -t e2e-report.XXXXXX.md)
# shellcheck disable=SC2086
java $JVM_FLAGS -cp bench/target/benchmarks.jar io.mpac.collector.bench.e2e.EndToEndBenchmark \
  --jar collector-app/target/mpac-collector.jar "$@" --out "$REPORT"
{
  echo
  echo "### ${TITLE:-End-to-end run (bench/run-e2e.sh $*)}"
  echo
  echo "Appended by \`APPEND=1 bench/run-e2e.sh $*\`; the report below is the benchmark's output, unedited."
  echo
  cat "$REPORT"
} >> docs/BENCHMARKS.md
echo "appended to docs/BENCHMARKS.md"
