#!/usr/bin/env bash
# Duplicate detection at scale on SQLite, in Release:
#   1. seed COUNT identities (skipped when the database file exists): identities in batches, then their blocking keys
#      in one sorted pass,
#   2. full detection twice (the first one queues the pairs, the second finds them queued), then an incremental run,
#      each with its elapsed time and peak memory (weights: as configured; learn them with `dedupe --full --train`),
#   3. check-before-create latency: PROBES x POST /api/patients/match through HTTP (p50/p95/p99).
# Usage: scripts/bench-duplicates.sh [COUNT=100000] [PROBES=1000]; DB=/path/file.db to choose the database file;
# ROUNDS=2 probes twice (the first round starts from a cold page cache, the next shows a server in its steady state).
# Targets (1,000,000 identities): full detection <= 120 s, check-before-create p50 <= 5 ms, p99 <= 25 ms.
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${1:-100000}
PROBES=${2:-1000}
DB=${DB:-/tmp/identityref-bench-dup-$COUNT.db}
PORT=${PORT:-5097}
dotnet build -c Release src/IdentityRef.Server -v q -nologo >/dev/null
BIN=src/IdentityRef.Server/bin/Release/net10.0
export ConnectionStrings__IdentityRef="Data Source=$DB"
export Hl7__ListenPort=0
load() { echo "  load average $(cut -d' ' -f1-3 /proc/loadavg) (2 cores, shared)"; }
run() { # peak memory from GNU time when available; the load average before and after, since the machine is shared
  load
  if [ -x /usr/bin/time ]; then /usr/bin/time -f "  elapsed %e s, peak memory %M KB" "$BIN/IdentityRef.Server" "$@"; else "$BIN/IdentityRef.Server" "$@"; fi
  load
}
summary() { grep -E '^[^[]|Full detection: ' | sed -E 's/^\[[^]]*\] [A-Za-z.]+: /  /' || true; }
if [ ! -f "$DB" ]; then
  echo "== seed $COUNT identities into $DB"
  run seed --count "$COUNT" | grep -v '^\[' || true
fi
echo "== full detection"
run dedupe --full | summary
echo "== full detection again (the pairs are queued already)"
run dedupe --full | summary
echo "== incremental detection (nothing changed)"
run dedupe | summary
echo "== check-before-create: $PROBES probes over HTTP"
# The endpoint needs an authenticated caller: a throw-away API key of the admission role, for this run only.
export BENCH_API_KEY=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
Security__ApiKeys__0__Name=bench Security__ApiKeys__0__Key="$BENCH_API_KEY" Security__ApiKeys__0__Role=Accueil \
  "$BIN/IdentityRef.Server" --urls "http://127.0.0.1:$PORT" >/tmp/identityref-bench-dup-server.log 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break; sleep 0.5; done
for round in $(seq 1 "${ROUNDS:-1}"); do
  echo "  round $round"
  load
  python3 scripts/bench-duplicates-probes.py "$DB" "http://127.0.0.1:$PORT" "$PROBES"
  load
done
