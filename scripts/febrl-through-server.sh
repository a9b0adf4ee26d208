#!/usr/bin/env bash
# Duplicate-detection quality through the server, end to end, on one FEBRL dataset: convert it to the import CSV,
# import it into a fresh SQLite database with the server's own `import` command, run a full detection with the
# default weights, export the pairs and score them against the FEBRL truth; then learn the weights by EM
# (`dedupe --full --train`) and score again. Prints the lines README.md quotes ("default weights F1 …, after EM F1 …").
# Each score is two lines: the pairs as exported, and the groups (pairwise F1 of the closure of the probable links).
# Usage: scripts/febrl-through-server.sh [DATASET=3]   (1, 2 or 3; FEBRL_DIR defaults to ../shared/data/febrl)
#        IMPORT_CSV=FILE NAME=label scripts/febrl-through-server.sh   (an import CSV with FEBRL-style ids instead, e.g. the French base)
set -euo pipefail
cd "$(dirname "$0")/.."
DATASET=${1:-3}
FEBRL_DIR=${FEBRL_DIR:-../shared/data/febrl}
WORK=$(mktemp -d /tmp/identityref-febrl-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
dotnet build -c Release src/IdentityRef.Server -v q -nologo >/dev/null
BIN=src/IdentityRef.Server/bin/Release/net10.0/IdentityRef.Server
export ConnectionStrings__IdentityRef="Data Source=$WORK/febrl.db"
export Hl7__ListenPort=0
quiet() { grep -v -e "^\[" -e "^line [0-9]*:" || true; } # the summaries, without log lines nor each rejected row

if [[ -n "${IMPORT_CSV:-}" ]]; then
  cp "$IMPORT_CSV" "$WORK/import.csv"
else
  python3 scripts/febrl-to-import.py "$FEBRL_DIR/dataset$DATASET.csv" > "$WORK/import.csv"
fi
echo "== ${NAME:-FEBRL dataset$DATASET}: $(($(wc -l < "$WORK/import.csv") - 1)) records"
"$BIN" import "$WORK/import.csv" --domain FEBRL --rejects "$WORK/rejects.csv" | quiet
echo "== full detection, default weights"
"$BIN" dedupe --full | quiet
"$BIN" duplicates export "$WORK/pairs-default.csv" | quiet
python3 scripts/duplicates-quality.py "$WORK/pairs-default.csv" "$WORK/import.csv" | sed 's/^/default weights  /'
echo "== full detection after learning the weights by EM"
"$BIN" dedupe --full --train | quiet
"$BIN" duplicates export "$WORK/pairs-em.csv" | quiet
python3 scripts/duplicates-quality.py "$WORK/pairs-em.csv" "$WORK/import.csv" | sed 's/^/after EM         /'
