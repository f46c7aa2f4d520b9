# Appends a benchmark's figures to docs/BENCHMARKS.md (sourced by the scripts in scripts/ when
# APPEND=1): a dated heading with the commit and the load average, then the body from stdin.
#   append_report "Title" < body.md
append_report() {
  local commit load
  commit=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . 2>/dev/null || echo "+dirty")
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  {
    echo
    echo "## $1: run of $(date -u '+%Y-%m-%d %H:%M') UTC"
    echo
    echo "Commit \`$commit\`, $(nproc) cores shared with other builds, load average $load at the end."
    echo
    cat
  } >> docs/BENCHMARKS.md
  echo "appended to docs/BENCHMARKS.md"
}
