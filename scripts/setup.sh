#!/usr/bin/env bash
# Idempotent setup for a fresh Debian machine with Node 20: Debian packages, npm packages, build.
#   scripts/setup.sh main   what the example study needs (kcat for the embedded broker, chromium for PNG plots)
#   scripts/setup.sh test   + what the test suite needs (Jupyter to execute the tslab notebook, faketime, socat,
#                             iproute2, pygal for OMB charts) and the librdkafka client
#   scripts/setup.sh notebook     main + Jupyter and this checkout's tslab kernel (in .jupyter/)
#   scripts/setup.sh librdkafka   main + the optional librdkafka client ([client] library = librdkafka): Debian's
#                             build libraries, then @confluentinc/kafka-javascript built against them (about 2 min)
#   scripts/setup.sh native   main + hydra's native client ([client] library = native): Debian's librdkafka-dev
#                             and a C compiler, then the addon in clients/native (about a second)
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-main}"

packages=(kcat chromium)
# faketime skews one app's clock in the clock-offset test; socat and iproute2 join network namespaces in the multi-host test;
# python3-pygal draws hydra's OMB exports as OpenMessaging Benchmark's chart script does.
if [ "$mode" = test ]; then packages+=(jupyter-nbconvert python3-ipykernel faketime socat iproute2 openssl python3-pygal); fi
if [ "$mode" = notebook ]; then packages+=(jupyter-nbconvert python3-ipykernel); fi
# The librdkafka client builds its bundled librdkafka against these (linked dynamically: nothing is downloaded).
if [ "$mode" = test ] || [ "$mode" = librdkafka ]; then packages+=(libssl-dev zlib1g-dev libzstd-dev liblz4-dev libsasl2-dev libcurl4-openssl-dev); fi
# The native client is C against Debian's librdkafka and Node's own headers (/usr/include/node).
if [ "$mode" = test ] || [ "$mode" = native ]; then packages+=(librdkafka-dev gcc make libc6-dev); fi

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

# The librdkafka client lives apart (clients/librdkafka), so the main job never builds it.
if [ "$mode" = test ] || [ "$mode" = librdkafka ]; then
  client=clients/librdkafka
  if [ ! -f "$client/node_modules/.package-lock.json" ] || [ "$client/package-lock.json" -nt "$client/node_modules/.package-lock.json" ]; then
    echo "setup: building the librdkafka client (npm ci in $client, about 2 min)" >&2
    # Without CKJS_LINKING=dynamic its configure step downloads librdkafka's dependencies, which this machine cannot.
    CKJS_LINKING=dynamic npm ci --prefix "$client" --no-audit --no-fund --loglevel=error
  fi
fi

# The native client: make rebuilds it only when its sources changed.
if [ "$mode" = test ] || [ "$mode" = native ]; then
  headers="$(node -p "require('path').resolve(process.execPath, '../../include/node')")"
  if [ ! -f "$headers/node_api.h" ]; then
    echo "setup: the native client needs Node's headers beside node, in $headers (Debian's nodejs package and Node's own tarballs have them)" >&2
    exit 1
  fi
  make -s -C clients/native
fi

echo "setup: building" >&2
npm run -s build

if [ "$mode" = test ] || [ "$mode" = notebook ]; then
  # The tslab kernel spec goes into this checkout (.jupyter/), not the machine's or the user's
  # Jupyter: a second checkout on the machine keeps its own kernel. scripts/notebook.sh and the
  # notebook test point Jupyter at it with JUPYTER_PATH. Debian's jupyter runs on /usr/bin/python3.
  node_modules/.bin/tslab install --python=/usr/bin/python3 --binary="$PWD/node_modules/.bin/tslab" --prefix="$PWD/.jupyter" >/dev/null
fi
