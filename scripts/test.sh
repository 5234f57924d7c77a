#!/usr/bin/env bash
# The whole test suite: setup (idempotent), typecheck, lint, then mocha over unit and integration
# tests (npm test builds first, so it never runs a stale dist/).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
npm run -s typecheck
npm run -s lint
npm test
