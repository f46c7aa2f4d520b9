#!/usr/bin/env bash
# Long fuzz run (issue 15, item 3): each fuzz target of the given test classes gets
# FUZZ_INPUTS inputs (default 1,000,000) instead of the normal suite's 2,000, from seed FUZZ_SEED
# (default 1000000, so the inputs differ from the normal suite's). Prints inputs/s per target;
# a finding fails the run, naming the seed that replays it (-Dfuzz.seed=N -Dfuzz.inputs=1) and
# the shrunk input saved under <module>/target/fuzz-failures/.
#
#   scripts/fuzz-long.sh                       # every target
#   scripts/fuzz-long.sh OtlpValidatorFuzz     # receiver-otlp: OtlpValidatorFuzz, JsonTranscoderFuzz, SplitMergeFuzz
#   scripts/fuzz-long.sh ParserFuzz            # collector-core
#   scripts/fuzz-long.sh LokiConverterFuzz     # exporter-loki: OTLP logs -> Loki entries -> push request
#   scripts/fuzz-long.sh PrometheusConverterFuzz  # exporter-prometheus: OTLP metrics -> remote-write samples
#   scripts/fuzz-long.sh DockerFrameFuzz       # receiver-docker: multiplexed / TTY log stream reader
#   APPEND=1 scripts/fuzz-long.sh ...          # also appends the figures to docs/BENCHMARKS.md
set -euo pipefail
cd "$(dirname "$0")/.."
tests="${*:-OtlpValidatorFuzz JsonTranscoderFuzz SplitMergeFuzz ParserFuzz LokiConverterFuzz PrometheusConverterFuzz DockerFrameFuzz}"
pattern=$(echo "$tests" | tr ' ' ',')
# the modules holding the requested targets (only those are built and tested)
modules=""
for t in $tests; do
  case "$t" in
    OtlpValidatorFuzz|JsonTranscoderFuzz|SplitMergeFuzz) m=receiver-otlp ;;
    ParserFuzz) m=collector-core ;;
    LokiConverterFuzz) m=exporter-loki ;;
    PrometheusConverterFuzz) m=exporter-prometheus ;;
    DockerFrameFuzz) m=receiver-docker ;;
    *) echo "unknown fuzz target: $t" >&2; exit 2 ;;
  esac
  [[ ",$modules," == *",$m,"* ]] || modules="${modules:+$modules,}$m"
done
log=$(mktemp)
status=0
# package, not test: the modules use collector-core's test jar (Fuzz, Mutator, TimeBound);
# -fae: a finding in one module does not keep the other modules' targets from running
./mvnw -B -o -fae package -pl "$modules" -am -Dtest="$pattern" -Dsurefire.failIfNoSpecifiedTests=false \
  -Dfuzz.inputs="${FUZZ_INPUTS:-1000000}" -Dfuzz.seed="${FUZZ_SEED:-1000000}" > "$log" 2>&1 || status=$?
summary=$(grep -E "^fuzz |Tests run:|FAIL|property failed" "$log" || true)
echo "$summary"
rm -f "$log"
if [[ "${APPEND:-0}" == "1" ]]; then
  # shellcheck source=scripts/append-report.sh
  source scripts/append-report.sh
  { echo "\`scripts/fuzz-long.sh $tests\` with FUZZ_INPUTS=${FUZZ_INPUTS:-1000000}, FUZZ_SEED=${FUZZ_SEED:-1000000}, exit status $status:"
    echo; echo '```'; echo "$summary"; echo '```'; } | append_report "Fuzzing, long run"
fi
exit "$status"
