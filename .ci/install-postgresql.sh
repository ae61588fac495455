#!/bin/sh
# Debian's PostgreSQL server binaries for test/sandbox and the PostgreSQL experiments. The tests
# make their own throwaway clusters with initdb on free loopback ports; the system cluster the
# package creates must stay off.
set -eu
export DEBIAN_FRONTEND=noninteractive

if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  exit 0
fi

# Keep the package's maintainer scripts from starting the system cluster (on :5432).
created_policy=
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  created_policy=1
fi
cleanup() { if [ -n "$created_policy" ]; then rm -f /usr/sbin/policy-rc.d; fi; }
trap cleanup EXIT

apt-get install -y -qq --no-install-recommends postgresql
