#!/usr/bin/env bash
# The main job: setup (idempotent), then a small measurement on the embedded broker.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh main
node bin/hydra kafka --total_sub_apps=2 --clients_per_app=5 --msg_rate=2000 --test_duration=5
