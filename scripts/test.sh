#!/usr/bin/env bash
# The whole test suite: setup (idempotent), then mocha over unit and integration tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
npx mocha
