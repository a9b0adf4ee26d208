#!/usr/bin/env bash
# Query latency at scale on SQLite, in Release: seed COUNT identities (skipped when the database file exists), start
# the server (HTTP and the MLLP listener), then PDQm, PDQ, PIXm and PIX with CLIENTS concurrent clients, REQUESTS each
# (scripts/bench-queries.py: p50/p99, throughput). Every query is audited, so each one also writes an audit row.
# Usage: scripts/bench-queries.sh [COUNT=100000] [CLIENTS=16] [REQUESTS=100]; DB=/path/file.db to choose the database.
# Targets (issue 15, 1,000,000 identities): PDQ/PDQm by birth name + birth date p99 <= 20 ms, PIX p99 <= 5 ms.
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${1:-100000}
CLIENTS=${2:-16}
REQUESTS=${3:-100}
DB=${DB:-/tmp/identityref-bench-queries-$COUNT.db}
PORT=${PORT:-5098}
HL7_PORT=${HL7_PORT:-2598}
dotnet build -c Release src/IdentityRef.Server -v q -nologo >/dev/null
BIN=src/IdentityRef.Server/bin/Release/net10.0
export ConnectionStrings__IdentityRef="Data Source=$DB"
load() { echo "  load average $(cut -d' ' -f1-3 /proc/loadavg) (2 cores, shared)"; }
if [ ! -f "$DB" ]; then
  echo "== seed $COUNT identities into $DB"
  load
  Hl7__ListenPort=-1 "$BIN/IdentityRef.Server" seed --count "$COUNT" | grep -v '^\[' || true
fi
# A throw-away API key of the read-only role, for this run only.
export BENCH_API_KEY=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
Security__ApiKeys__0__Name=bench Security__ApiKeys__0__Key="$BENCH_API_KEY" Security__ApiKeys__0__Role=Consultation \
  Hl7__ListenPort="$HL7_PORT" Hl7__ListenAddress=127.0.0.1 Hl7__DispatcherEnabled=false Scheduler__Enabled=false \
  "$BIN/IdentityRef.Server" --urls "http://127.0.0.1:$PORT" >/tmp/identityref-bench-queries-server.log 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 240); do curl -fs "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break; sleep 0.5; done
echo "== $COUNT identities, $CLIENTS clients x $REQUESTS requests per transaction"
load
python3 scripts/bench-queries.py "$DB" "http://127.0.0.1:$PORT" "$HL7_PORT" "$CLIENTS" "$REQUESTS"
load
