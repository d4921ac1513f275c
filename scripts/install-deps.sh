#!/usr/bin/env bash
# Installs the system packages that `make run` and `make test` need on Debian
# or Ubuntu: Redis, nginx, Postgres and Chromium. Go and Node.js must be
# installed already. Packages that are present are left alone.
set -euo pipefail

need=()
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null || need+=(postgresql)
[ -x /usr/bin/chromium ] || need+=(chromium)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  sudo=(sudo)
fi

echo "Installing ${need[*]} with apt-get"
# On a machine with systemd the packages start their own services on the
# default ports. devstack runs its own servers on other ports, so both can
# run.
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq "${need[@]}"
