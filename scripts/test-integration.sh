#!/usr/bin/env bash
# The integration tier (after a build): every test file under dist/test/integration, two at a time
# (most of their time is spent waiting on brokers, groups and timeouts, not on the CPU), the slowest
# files first so that the last ones to finish are short. Each file runs once.
set -euo pipefail
cd "$(dirname "$0")/.."
slowest=(planned-faults attribution knobs faults librdkafka notebook)
files=()
for name in "${slowest[@]}"; do files+=("dist/test/integration/$name.test.js"); done
for f in dist/test/integration/*.test.js; do
  case " ${files[*]} " in *" $f "*) ;; *) files+=("$f") ;; esac
done
exec npx mocha --parallel --jobs 2 "${files[@]}"
