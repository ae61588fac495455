#!/bin/sh
# Debian's Prometheus, node-exporter and Alertmanager for test/alerts and bench/time-to-detect.mjs.
# The tests start their own copies on free loopback ports; the system services must stay off.
set -eu
export DEBIAN_FRONTEND=noninteractive

if command -v prometheus >/dev/null 2>&1 && command -v prometheus-node-exporter >/dev/null 2>&1 \
  && command -v prometheus-alertmanager >/dev/null 2>&1; then
  exit 0
fi

# Keep the packages' maintainer scripts from starting the services (on 0.0.0.0:9090, :9093,
# :9100) on a machine that has a working init: only when no policy is in place already.
created_policy=
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  created_policy=1
fi
cleanup() { if [ -n "$created_policy" ]; then rm -f /usr/sbin/policy-rc.d; fi; }
trap cleanup EXIT

apt-get update -qq
apt-get install -y prometheus prometheus-node-exporter prometheus-alertmanager
