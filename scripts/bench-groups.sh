#!/usr/bin/env bash
# Duplicate groups at scale (docs/duplicates.md, "Groups"): how long the cell waits for the group list and for one group
# when the queue holds many open pairs. A copy of a base of COUNT identities (the one scripts/bench-hl7.sh feed or
# scripts/bench-admission.sh makes, $WORK/base-COUNT.db) gets LINKS synthetic open duplicate pairs, two fifths as pairs
# and three fifths as triangles (records of one person in threes), then the real server (Release) is started on it and
#   - GET /api/duplicates/groups?pageSize=50 (the list: reads every open pair, builds every group),
#   - GET /api/duplicates/groups/{item} for items of pairs and triangles (one group: a walk from the item)
# are timed, each REPEAT times; prints the median and the range, and the load average beside them.
# Usage: scripts/bench-groups.sh [COUNT=200000] [LINKS=50000] [REPEAT=5]   (SERVER=path/IdentityRef.Server.dll to time another build)
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${1:-200000}
LINKS=${2:-50000}
REPEAT=${3:-5}
work="${WORK:-${TMPDIR:-/tmp}/identityref-bench-feed}"
base="$work/base-$COUNT.db"
[ -f "$base" ] || { echo "no base $base: make it with scripts/bench-admission.sh $COUNT (or set WORK)" >&2; exit 2; }
dotnet build -c Release -v q -nologo src/IdentityRef.Server >/dev/null
server="${SERVER:-src/IdentityRef.Server/bin/Release/net10.0/IdentityRef.Server.dll}" # SERVER=dll: time another build
run="$work/groups.db"
rm -f "$run" "$run"-*
cp "$base" "$run"
for f in "$base"-*; do [ -e "$f" ] && cp "$f" "$run${f#"$base"}"; done
port="${PORT:-5097}"
key=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
log="$work/groups-server.log"
start_server() {
  env ConnectionStrings__IdentityRef="Data Source=$run" Security__ApiKeys__0__Name=bench Security__ApiKeys__0__Key="$key" \
    Security__ApiKeys__0__Role=Administrateur Hl7__ListenPort=-1 Hl7__DispatcherEnabled=false Scheduler__Enabled=false \
    dotnet "$server" --urls "http://127.0.0.1:$port" >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 1800); do curl -fs "http://127.0.0.1:$port/health/live" >/dev/null 2>&1 && return; sleep 1; done
  echo "the server did not start: $log" >&2; exit 1
}
trap 'kill $pid 2>/dev/null || true; rm -f "$run" "$run"-*' EXIT
# First start: migrates a base made by an older schema; then the pairs go in beside it.
start_server; kill $pid; wait $pid 2>/dev/null || true
python3 - "$run" "$LINKS" <<'PY'
import random, sqlite3, sys
db = sqlite3.connect(sys.argv[1]); links = int(sys.argv[2]); random.seed(17)
pairs, triangles = links * 2 // 5, links // 5
ids = [r[0] for r in db.execute("SELECT Id FROM identities WHERE MergedIntoId IS NULL LIMIT ?", (pairs * 2 + triangles * 3,))]
if len(ids) < pairs * 2 + triangles * 3: sys.exit(f"the base has too few identities for {links} links")
ts = db.execute("SELECT CreatedAt FROM identities LIMIT 1").fetchone()[0]
rows, i = [], 0
def add(a, b, cls):
    a, b = sorted((a, b)); rows.append((a, b, "duplicate", cls, random.uniform(0.5, 0.99), "{}", "open", ts, ts, "[]"))
for _ in range(pairs):
    add(ids[i], ids[i + 1], random.choice(("probable", "possible"))); i += 2
for _ in range(triangles):
    a, b, c = ids[i:i + 3]; i += 3
    for x, y in ((a, b), (a, c), (b, c)): add(x, y, "probable")
db.execute("DELETE FROM duplicate_items")
db.executemany("INSERT INTO duplicate_items (IdentityA, IdentityB, Kind, Class, Score, Explanation, State, CreatedAt, UpdatedAt, Decisions)"
               " VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
db.commit()
print(f"{len(rows)} open pairs: {pairs} pairs, {triangles} triangles")
PY
start_server
first=$(sqlite3 "$run" "SELECT MIN(Id) FROM duplicate_items")
time_get() { # $1 = label, $2 = path
  local times=()
  curl -fs -o /dev/null -H "X-Api-Key: $key" "http://127.0.0.1:$port$2" # warm-up
  for _ in $(seq 1 "$REPEAT"); do times+=("$(curl -fs -o /dev/null -w '%{time_total}' -H "X-Api-Key: $key" "http://127.0.0.1:$port$2")"); done
  printf '%s\n' "${times[@]}" | sort -n | awk -v l="$1" '{t[NR]=$1} END {printf "  %-40s median %.3f s (%.3f–%.3f s, %d runs)\n", l, t[int((NR+1)/2)], t[1], t[NR], NR}'
}
echo "== $COUNT identities, $LINKS open pairs; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
time_get "the list, a page of 50" "/api/duplicates/groups?pageSize=50"
time_get "one group of two (a pair)" "/api/duplicates/groups/$first"
time_get "one group of three (a triangle)" "/api/duplicates/groups/$(( first + LINKS * 2 / 5 ))"
echo "  load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
