#!/bin/sh
# Part of `npm test`: the suite drives the console in tmux and checks detection against a real
# Prometheus, node-exporter and Alertmanager. Installs whichever of them is missing (Debian,
# as root or with passwordless sudo); otherwise says which tests will be skipped.
set -u
missing=""
command -v tmux >/dev/null 2>&1 || missing="$missing tmux"
command -v prometheus >/dev/null 2>&1 || missing="$missing prometheus"
command -v prometheus-node-exporter >/dev/null 2>&1 || missing="$missing prometheus-node-exporter"
command -v prometheus-alertmanager >/dev/null 2>&1 || missing="$missing prometheus-alertmanager"
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ]; then as_root=""; elif sudo -n true 2>/dev/null; then as_root="sudo -n"; else as_root="none"; fi
if [ "$as_root" = "none" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "test setup: missing$missing; install them (Debian: apt-get install$missing) or the tests that need them are skipped" >&2
  exit 0
fi
echo "test setup: installing$missing (apt-get)" >&2
export DEBIAN_FRONTEND=noninteractive
$as_root apt-get update -qq >/dev/null 2>&1 || true
# shellcheck disable=SC2086
$as_root apt-get install -y -qq --no-install-recommends $missing >/dev/null || echo "test setup: apt-get could not install$missing" >&2
exit 0
