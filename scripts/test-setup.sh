#!/bin/sh
# Part of `npm test`: the suite drives the console in tmux, checks detection against a real
# Prometheus, node-exporter and Alertmanager, and opens the experiments' HTML report in Chromium.
# Installs whichever of them is missing (Debian, as root or with passwordless sudo). When one
# stays missing, the tests that need it are skipped, and vitest lists each of them as skipped with
# the reason in its name ("skipped: tmux is not installed"); the rest of the suite runs and can pass.
set -u
missing=""
command -v tmux >/dev/null 2>&1 || missing="$missing tmux"
command -v asciinema >/dev/null 2>&1 || missing="$missing asciinema"
command -v prometheus >/dev/null 2>&1 || missing="$missing prometheus"
command -v prometheus-node-exporter >/dev/null 2>&1 || missing="$missing prometheus-node-exporter"
command -v prometheus-alertmanager >/dev/null 2>&1 || missing="$missing prometheus-alertmanager"
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$missing postgresql"
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ]; then as_root=""; elif sudo -n true 2>/dev/null; then as_root="sudo -n"; else as_root="none"; fi
if [ "$as_root" = "none" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "test setup: missing$missing: the tests that need them will be skipped (marked \"skipped: ...\" in the report); to run them: apt-get install$missing" >&2
  exit 0
fi
echo "test setup: installing$missing (apt-get)" >&2
export DEBIAN_FRONTEND=noninteractive
# The monitoring stack through the CI's own script, which keeps its system services from starting.
$as_root sh .ci/install-monitoring.sh >/dev/null 2>&1 \
  || echo "test setup: could not install the Prometheus stack: its tests will be skipped" >&2
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || $as_root sh .ci/install-postgresql.sh >/dev/null 2>&1 \
  || echo "test setup: could not install PostgreSQL: its tests will be skipped" >&2
command -v tmux >/dev/null 2>&1 || $as_root apt-get install -y -qq --no-install-recommends tmux >/dev/null \
  || echo "test setup: apt-get could not install tmux: the console's tmux tests will be skipped" >&2
# The experiments' HTML report is checked in a real headless browser.
command -v chromium >/dev/null 2>&1 || $as_root apt-get install -y -qq --no-install-recommends chromium >/dev/null \
  || echo "test setup: apt-get could not install chromium: the HTML report's browser test will be skipped" >&2
command -v asciinema >/dev/null 2>&1 || $as_root apt-get install -y -qq --no-install-recommends asciinema >/dev/null \
  || echo "test setup: apt-get could not install asciinema: the recording's replay test will be skipped" >&2
exit 0
