#!/usr/bin/env bash
# Matching quality and speed benchmarks (Release build).
# usage: scripts/bench-matching.sh [all|febrl|french|speed] [extra args for the suite]
#   french runs six seeds by default (each a fresh base of 20,000 people); `french --seed S` runs one.
# Reads FEBRL from ../shared/data/febrl (relative to the repo root), converts it into the import CSV
# format under artifacts/febrl-import/, and writes the figures to artifacts/bench-matching-<suite>.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
suite="${1:-all}"
shift || true
febrl_dir="${FEBRL_DIR:-../shared/data/febrl}"
import_dir="artifacts/febrl-import"
mkdir -p "$import_dir"
if [[ "$suite" == "all" || "$suite" == "febrl" ]]; then
  for n in 1 2 3; do
    python3 scripts/febrl-to-import.py "$febrl_dir/dataset$n.csv" > "$import_dir/dataset$n.import.csv"
  done
  python3 scripts/febrl-to-import.py "$febrl_dir/dataset4a.csv" "$febrl_dir/dataset4b.csv" > "$import_dir/dataset4.import.csv"
fi
args=("$suite")
if [[ "$suite" == "all" || "$suite" == "febrl" ]]; then
  args+=("$import_dir")
fi
if [[ "$suite" == "french" && $# -eq 0 ]]; then
  args+=(--seeds 20251122,1,2,3,4,5)
fi
dotnet build tests/IdentityRef.Benchmarks -c Release -v quiet -nologo
dotnet run -c Release --no-build --project tests/IdentityRef.Benchmarks -- matching "${args[@]}" "$@" | tee "artifacts/bench-matching-$suite.txt"
