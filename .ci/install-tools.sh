#!/usr/bin/env bash
# Installs the real tools the test suite uses, from Debian's packages, without their recommended
# extras: prometheus + promtool (remote-write integration tests start their own Prometheus on a
# free loopback port), openssl (throw-away certificates for the TLS tests), chromium +
# chromium-driver (the UI's browser test). Idempotent: installs only what is missing.
# Waits for the apt lock instead of failing when another apt run holds it. Kills nothing: the
# packages' services are kept from starting by policy-rc.d.
set -euo pipefail

want=()
command -v prometheus >/dev/null 2>&1 || want+=(prometheus)
command -v openssl >/dev/null 2>&1 || want+=(openssl)
command -v chromium >/dev/null 2>&1 || want+=(chromium)
command -v chromedriver >/dev/null 2>&1 || want+=(chromium-driver)
if [ ${#want[@]} -eq 0 ]; then
  echo "tools present: prometheus, openssl, chromium, chromedriver"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-tools: not root and no sudo; install these Debian packages yourself: ${want[*]}" >&2
    exit 1
  fi
fi

# Keep the packages' maintainer scripts from starting daemons where policy-rc.d is honoured.
POLICY=/usr/sbin/policy-rc.d
CREATED_POLICY=0
if [ ! -e "$POLICY" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null
  $SUDO chmod +x "$POLICY"
  CREATED_POLICY=1
fi
cleanup() { if [ "$CREATED_POLICY" = 1 ]; then $SUDO rm -f "$POLICY"; fi; }
trap cleanup EXIT

APT_OPTS=(-o DPkg::Lock::Timeout=600 -o Acquire::Retries=3)
$SUDO apt-get "${APT_OPTS[@]}" update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get "${APT_OPTS[@]}" install -y -qq --no-install-recommends "${want[@]}"

# Where systemd runs, a unit the install enabled anyway is stopped and disabled (by unit, not by
# killing processes by name).
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  $SUDO systemctl disable --now prometheus.service >/dev/null 2>&1 || true
fi

prometheus --version 2>&1 | head -1
chromium --version 2>&1 | head -1 || true
