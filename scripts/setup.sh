#!/usr/bin/env bash
# Idempotent setup for a fresh Debian machine with Node 20: Debian packages, npm packages, build.
#   scripts/setup.sh main   what the example study needs (kcat for the embedded broker, chromium for PNG plots)
#   scripts/setup.sh test   + what the test suite needs (Jupyter to execute the tslab notebook, faketime, socat, iproute2)
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-main}"

packages=(kcat chromium)
# faketime skews one app's clock in the clock-offset test; socat and iproute2 join network namespaces in the multi-host test.
if [ "$mode" = test ]; then packages+=(jupyter-nbconvert python3-ipykernel faketime socat iproute2); fi

missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "setup: installing Debian packages: ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# npm ci only when node_modules is missing or older than the lock file.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi

echo "setup: building" >&2
npm run -s build

if [ "$mode" = test ]; then
  # The tslab kernel spec points at this checkout's tslab; (re)install it so it is always this one.
  # Debian's jupyter runs on /usr/bin/python3, whatever python3 is first on PATH.
  python=/usr/bin/python3
  prefix=()
  if [ "$(id -u)" -ne 0 ]; then prefix=(--user); fi
  node_modules/.bin/tslab install --python="$python" --binary="$PWD/node_modules/.bin/tslab" "${prefix[@]}" >/dev/null
fi
