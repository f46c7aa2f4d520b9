#!/usr/bin/env bash
# Issue 15, item 1: hostile clients against a real collector process under -Xmx256m
# (collector-app's HostileClientsCheck). Phases of 15 s (HOSTILE_PHASE_SECONDS to change):
# baseline; 150 connections sending only headers with Content-Length 20000000; 150 slow-loris
# connections; gRPC streams that never finish (small and large partial messages); after.
# A good client (the OpenTelemetry SDK, HTTP and gRPC, retries off) exports every 200 ms
# throughout. Prints a Markdown table; also written to collector-app/target/hostile-clients.md.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -o test -pl collector-app -am -Dtest=HostileClientsCheck -Dsurefire.failIfNoSpecifiedTests=false \
  -Dhostile.phaseSeconds="${HOSTILE_PHASE_SECONDS:-15}" -DtrimStackTrace=false
cat collector-app/target/hostile-clients.md
