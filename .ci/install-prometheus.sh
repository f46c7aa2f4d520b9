#!/usr/bin/env bash
# Installs Prometheus (Debian's package: prometheus + promtool) for the exporter-prometheus
# integration tests, which start their own Prometheus on a free loopback port.
# Idempotent: does nothing when `prometheus` is already on PATH. Any service the package
# install starts on its own is stopped and disabled again, so it does not hold port 9090.
set -euo pipefail

if command -v prometheus >/dev/null 2>&1; then
  echo "prometheus already installed: $(command -v prometheus)"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-prometheus: not root and no sudo; install the 'prometheus' package yourself" >&2
    exit 1
  fi
fi

# Keep the package's maintainer scripts from starting the daemon where policy-rc.d is honoured.
POLICY=/usr/sbin/policy-rc.d
CREATED_POLICY=0
if [ ! -e "$POLICY" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null
  $SUDO chmod +x "$POLICY"
  CREATED_POLICY=1
fi
cleanup() { if [ "$CREATED_POLICY" = 1 ]; then $SUDO rm -f "$POLICY"; fi; }
trap cleanup EXIT

$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq prometheus

# Stop and disable whatever the install started anyway; each step may legitimately fail.
$SUDO systemctl stop prometheus >/dev/null 2>&1 || true
$SUDO systemctl disable prometheus >/dev/null 2>&1 || true
$SUDO service prometheus stop >/dev/null 2>&1 || true
$SUDO pkill -x prometheus >/dev/null 2>&1 || true
# The package recommends prometheus-node-exporter, which would hold port 9100.
$SUDO systemctl stop prometheus-node-exporter >/dev/null 2>&1 || true
$SUDO systemctl disable prometheus-node-exporter >/dev/null 2>&1 || true
$SUDO service prometheus-node-exporter stop >/dev/null 2>&1 || true
$SUDO pkill -x prometheus-node-exporter >/dev/null 2>&1 || true

prometheus --version 2>&1 | head -1
