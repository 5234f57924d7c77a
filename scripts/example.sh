#!/usr/bin/env bash
# The main job: setup (idempotent), then a small study on the embedded broker —
# 2 and 4 subscriber clients × 500, 1000 and 2000 msg/s, 3 s per point — with its HTML report
# and PNG plots written to results/<study-id>/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh main
node bin/hydra sweep --clients=2,4 --msg_rates=500,1000,2000 --clients_per_app=2 --test_duration=3 --report "$@"
