#!/bin/sh
# The mpac-collector command inside the image (ENTRYPOINT, HEALTHCHECK, ECS health check).
# `exec` makes the JVM PID 1's replacement, so SIGTERM from `docker stop` / ECS reaches it directly
# and the collector drains its queues before exiting.
set -eu
JAR="${MPAC_COLLECTOR_JAR:-/app/mpac-collector.jar}"
if [ "${1:-}" = "health" ]; then
  # A probe is short-lived: a tiny heap and a fast start, none of the daemon's JAVA_OPTS, so a
  # health check never competes with the collector for the container's memory.
  exec java -Xmx24m -Xss256k -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData \
    -cp "$JAR" io.mpac.collector.app.Main "$@"
fi
# JAVA_OPTS is split on spaces on purpose (a list of flags).
# shellcheck disable=SC2086
exec java ${JAVA_OPTS:-} -cp "$JAR" io.mpac.collector.app.Main "$@"
