#!/usr/bin/env bash
# Duplicate-detection quality through the server on the French benchmark's base (Bogus fr, 20,000 people, 20 % duplicates,
# look-alikes; tests/IdentityRef.Benchmarks `matching french-export`): the same import → dedupe → `duplicates export` →
# scoring as scripts/febrl-through-server.sh, pairs and groups.
# Usage: scripts/french-through-server.sh [SEED=20251122] [PERSONS=20000]
set -euo pipefail
cd "$(dirname "$0")/.."
SEED=${1:-20251122}
PERSONS=${2:-20000}
OUT=$(mktemp /tmp/identityref-french-XXXXXX.csv)
trap 'rm -f "$OUT"' EXIT
dotnet build tests/IdentityRef.Benchmarks -c Release -v quiet -nologo >/dev/null
dotnet run -c Release --no-build --project tests/IdentityRef.Benchmarks -- matching french-export --seed "$SEED" --persons "$PERSONS" "$OUT" | grep -v "^peak"
IMPORT_CSV="$OUT" NAME="French benchmark (seed $SEED)" scripts/febrl-through-server.sh
