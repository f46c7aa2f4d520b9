#!/usr/bin/env bash
# End-to-end hostile-client test at scale (issue 15, item 3): HOSTILE_REQUESTS (default 100,000)
# mutated requests, half over OTLP/gRPC and half over OTLP/HTTP, against an in-process receiver
# with Netty's paranoid leak detection, while the real SDK exports every 200 ms. Prints the
# outcome counts, the rate per transport and the good client's worst latency; fails on any 5xx,
# INTERNAL/UNKNOWN, hang, leak, or a good export that was not served. APPEND=1 also appends the
# summary to docs/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
status=0
./mvnw -B -o test -pl receiver-otlp -am -Dtest=HostileRequestsTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dhostile.requests="${HOSTILE_REQUESTS:-100000}" > "$log" 2>&1 || status=$?
summary=$(grep -E "^hostile requests|Tests run:|FAIL|LEAK" "$log" || true)
echo "$summary"
rm -f "$log"
if [[ "${APPEND:-0}" == "1" ]]; then
  # shellcheck source=scripts/append-report.sh
  source scripts/append-report.sh
  { echo "\`scripts/hostile-requests.sh\` with HOSTILE_REQUESTS=${HOSTILE_REQUESTS:-100000}, exit status $status:"; echo
    echo '```'; echo "$summary"; echo '```'; } | append_report "Hostile requests (end to end)"
fi
exit "$status"
