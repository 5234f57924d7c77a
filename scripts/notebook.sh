#!/usr/bin/env bash
# Executes the notebook headless with this checkout's tslab kernel (setup first, idempotent).
# The executed copy goes to results/kafka-scaling.executed.ipynb, inside this checkout.
# To open it in a Jupyter front end instead: JUPYTER_PATH="$PWD/.jupyter/share/jupyter" jupyter notebook notebooks/
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh notebook
mkdir -p results
out="$PWD/results/kafka-scaling.executed.ipynb"
cd notebooks
JUPYTER_PATH="$PWD/../.jupyter/share/jupyter" jupyter nbconvert --to notebook --execute kafka-scaling.ipynb --output "$out" --ExecutePreprocessor.timeout=600 "$@"
echo "notebook: executed copy in $out" >&2
