#!/usr/bin/env bash
# Kafka tier benchmark of issue #14 (docs/BENCHMARKS.md): CPU per span of the Kafka exporter (gateway)
# and receiver (writer) at saturation, as a ratio to the OTLP exporter path in the same run.
#
#   flock /work/bench.lock bench/kafka-path.sh [--seconds 20] [--warmup 8] [--repetitions 2] [--out report.md] [--append docs/BENCHMARKS.md]
#
# Set SKIP_BUILD=1 to reuse the jars already built.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${SKIP_BUILD:-0}" != "1" ]]; then
  ./mvnw -B -q package -DskipTests -pl collector-app,bench -am
fi
exec java -XX:+UseSerialGC -Xmx256m -cp bench/target/benchmarks.jar io.mpac.collector.bench.e2e.KafkaPathBenchmark \
  --jar collector-app/target/mpac-collector.jar "$@"
