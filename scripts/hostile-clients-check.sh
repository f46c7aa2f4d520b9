#!/usr/bin/env bash
# Issue 15, item 1: hostile clients against a real collector process under -Xmx256m
# (collector-app's HostileClientsCheck). Phases of 15 s (HOSTILE_PHASE_SECONDS to change):
# baseline; 150 connections sending only headers with Content-Length 20000000; 150 slow-loris
# connections; gRPC streams that never finish (1 KiB sent, prefix only, and a 64 KiB volume attack
# from another address, 127.0.0.2); unfinished HTTP bodies from 127.0.0.2; after.
# A good client (the OpenTelemetry SDK, HTTP and gRPC, retries off) exports every 200 ms
# throughout. Prints a Markdown table; also written to collector-app/target/hostile-clients.md, and
# with APPEND=1 appended to docs/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -o test -pl collector-app -am -Dtest=HostileClientsCheck -Dsurefire.failIfNoSpecifiedTests=false \
  -Dhostile.phaseSeconds="${HOSTILE_PHASE_SECONDS:-15}" -DtrimStackTrace=false
cat collector-app/target/hostile-clients.md
if [[ "${APPEND:-0}" == "1" ]]; then
  # shellcheck source=scripts/append-report.sh
  source scripts/append-report.sh
  { echo "\`scripts/hostile-clients-check.sh\` (collector-app HostileClientsCheck): a collector process with -Xmx256m,"
    echo "phases of ${HOSTILE_PHASE_SECONDS:-15} s, the OpenTelemetry SDK as the good client (HTTP and gRPC alternately,"
    echo "retries off, one export every 200 ms); volume attacks come from 127.0.0.2."; echo
    cat collector-app/target/hostile-clients.md; } | append_report "Hostile clients"
fi
