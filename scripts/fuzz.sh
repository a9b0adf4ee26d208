#!/usr/bin/env bash
# Bounded fuzzing of a real server (Release, fresh SQLite database): the REST write API (scripts/fuzz-rest.py) and the
# inbound HL7 listener (scripts/fuzz-hl7.py), then the server's log is searched for the fuzzed patient data (names,
# addresses) that must never reach a log line. Prints one line per fuzzer and the log check; exits 1 on any finding.
# Usage: scripts/fuzz.sh [REST_COUNT=2000] [HL7_COUNT=2000] [SEED=1]   (needs python3-hl7: apt-get install python3-hl7)
set -euo pipefail
cd "$(dirname "$0")/.."
REST=${1:-2000}
HL7=${2:-2000}
SEED=${3:-1}
WORK=$(mktemp -d /tmp/identityref-fuzz-XXXXXX)
PORT=${PORT:-5098}
HL7_PORT=${HL7_PORT:-2598}
dotnet build -c Release src/IdentityRef.Server -v q -nologo >/dev/null
export FUZZ_API_KEY=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
ConnectionStrings__IdentityRef="Data Source=$WORK/fuzz.db" Hl7__ListenPort=$HL7_PORT Hl7__ListenAddress=127.0.0.1 \
  Security__ApiKeys__0__Name=fuzz Security__ApiKeys__0__Key="$FUZZ_API_KEY" Security__ApiKeys__0__Role=Administrateur \
  src/IdentityRef.Server/bin/Release/net10.0/IdentityRef.Server --urls "http://127.0.0.1:$PORT" >"$WORK/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break; sleep 0.5; done
status=0
python3 scripts/fuzz-rest.py "http://127.0.0.1:$PORT" "$REST" "$SEED" || status=1
/usr/bin/python3 scripts/fuzz-hl7.py 127.0.0.1 "$HL7_PORT" "$HL7" "$SEED" || status=1
# The fuzzers' patient data: FUZZ… birth names, JEANNE, the street; none may be in a log line.
leaks=$(grep -c -E "FUZZ[A-J]{6}|JEANNE|RUE DES LILAS|rue des Lilas|0102030405" "$WORK/server.log" || true)
echo "log check: $(wc -l < "$WORK/server.log") log lines, $leaks with fuzzed patient data"
[ "$leaks" = 0 ] || status=1
exit $status
