#!/usr/bin/env bash
# HL7 benchmarks, in Release.
#
#   scripts/bench-hl7.sh [ARGS]                      codec and MLLP throughput (suite "hl7"):
#       --runs N (5)  --seconds S (1)  --mllp-messages N (20000)  --mllp-clients N (1)
#       exit code 1 when the MLLP round trip misses its target (5,000 msg/s).
#
#   scripts/bench-hl7.sh feed [COUNT=1000000] [MESSAGES=20000] [CONNECTIONS="1 4"]
#       onboarding by HL7 feed (issue #17, suite "hl7-feed"): a base of COUNT identities made by the `import` command
#       (the fast path; kept in $WORK/base-COUNT.db and reused), then for each connection count a fresh copy of that base,
#       the real server started on it with its inbound MLLP listener (check-before-create on, every message audited, its
#       ACK after the commit), and MESSAGES A28/A31 replayed into it: msg/s, p50/p95/p99 ACK latency, the ACK codes,
#       the server's CPU seconds beside the wall time, the load average, and per message the server's user and system CPU,
#       read and write system calls and bytes written (/proc/PID/io: the storage's floor, docs/hl7.md). 1 % of the A28s are people of the base sent
#       again under the feed's own domain (their pairs go to the cell's queue).
#       Target: >= 1,000 msg/s on one connection at 1,000,000 identities, every message answered AA (exit code 1 otherwise).
#       SQLite (the default database); WORK=dir to choose where the base and the copies go (several GB at 1,000,000).
#       DURABILITY=Relaxed runs the server with Hl7:Inbound:Durability=Relaxed (no fsync per commit; docs/hl7.md).
#       IN_PLACE=1 runs on the base itself instead of a fresh copy of it (no 5 GB copy per run at 1,000,000; each run adds its
#       feed's identities to the base, ids unique per run, and a seed of its own unless SEED is set, so that a run's people
#       are not those of the run before, which would all be probable duplicates). A base made by an older schema is
#       migrated by the first run (at 1,000,000 identities: ~22 min for the store numbers of the blocking keys).
#       WARMUP=N messages (default 3,000) go first and are not counted: the runtime keeps recompiling hot methods (tiered JIT)
#       for about ten seconds of traffic; with the former 300 a sampled profile still showed ~18 % of the server's CPU in the
#       JIT during the measurement (docs/hl7.md).
#       TRACE=prefix also records a CPU sample trace of the server (dotnet-trace, prefix-C.nettrace per connection count);
#       `dotnet-trace report prefix-1.nettrace topN --inclusive -n 60` then shows where its time goes.
#       scripts/feed-trace-shares.py prefix-1.nettrace splits a message's time by part (check, write half, commit...).
set -euo pipefail
cd "$(dirname "$0")/.."
for project in src/IdentityRef.Server tests/IdentityRef.Benchmarks; do dotnet build -c Release -v q -nologo "$project" >/dev/null; done
BENCH=tests/IdentityRef.Benchmarks/bin/Release/net10.0/IdentityRef.Benchmarks.dll
if [ "${1:-}" != "feed" ]; then
  exec dotnet "$BENCH" hl7 "$@"
fi

count="${2:-1000000}"
messages="${3:-20000}"
connections="${4:-1 4}"
work="${WORK:-${TMPDIR:-/tmp}/identityref-bench-feed}"
port="${HL7_PORT:-2599}"
server="${SERVER:-src/IdentityRef.Server/bin/Release/net10.0/IdentityRef.Server.dll}"
mkdir -p "$work"
csv="$work/import-$count.csv"
base="$work/base-$count.db"
[ -f "$csv" ] || dotnet "$BENCH" import-csv "$csv" "$count"
if [ ! -f "$base" ]; then
  echo "== base: import $count identities into $base (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  ConnectionStrings__IdentityRef="Data Source=$base.partial" Hl7__DispatcherEnabled=false \
    /usr/bin/time -f "   base made in %e s (CPU %U s user + %S s sys, peak %M KiB)" \
    dotnet "$server" import "$csv" --rejects "$work/rejects-$count.txt" | grep -E "^imported|^time" || true
  mv "$base.partial" "$base"
  for f in "$base.partial"-*; do [ -e "$f" ] && mv "$f" "$base${f#"$base.partial"}"; done
fi

status=0
seed="${SEED:-7}"
for c in $connections; do
  [ "${IN_PLACE:-0}" = 1 ] && [ -z "${SEED:-}" ] && seed=$(( $(date +%s) % 1000000 ))
  run="$work/run.db"
  if [ "${IN_PLACE:-0}" = 1 ]; then
    run="$base"
  else
    rm -f "$run" "$run"-*
    cp "$base" "$run"
    for f in "$base"-*; do [ -e "$f" ] && cp "$f" "$run${f#"$base"}"; done
  fi
  log="$work/server-$c.log"
  ConnectionStrings__IdentityRef="Data Source=$run" Hl7__ListenPort="$port" Hl7__ListenAddress=127.0.0.1 \
    Hl7__DispatcherEnabled=false Scheduler__Enabled=false Hl7__Inbound__Durability="${DURABILITY:-Durable}" \
    dotnet "$server" --urls "http://127.0.0.1:0" >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 600); do grep -q "Inbound HL7 listener on port" "$log" 2>/dev/null && break; sleep 0.5; done
  echo "== $count identities, $messages messages, $c connection(s), durability ${DURABILITY:-Durable}"
  tracer=
  if [ -n "${TRACE:-}" ]; then
    "${DOTNET_TRACE:-$HOME/.dotnet/tools/dotnet-trace}" collect -p "$pid" --profile dotnet-sampled-thread-time -o "$TRACE-$c.nettrace" >"$TRACE-$c.trace.log" 2>&1 &
    tracer=$!
    sleep 3
  fi
  dotnet "$BENCH" hl7-feed --port "$port" --messages "$messages" --warmup "${WARMUP:-3000}" --connections "$c" --known-csv "$csv" --server-pid "$pid" --seed "$seed" || status=1
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if [ -n "$tracer" ]; then wait "$tracer" 2>/dev/null || true; fi # the trace ends with the server
  echo "   identities now: $(sqlite3 "$run" 'SELECT count(*) FROM identities' 2>/dev/null || echo '?'); pairs opened by the feed: $(sqlite3 "$run" "SELECT count(*) FROM duplicate_items WHERE \"Decisions\" LIKE '%received from another identity source%'" 2>/dev/null || echo '?')"
done
[ "${IN_PLACE:-0}" = 1 ] || rm -f "$work/run.db" "$work/run.db"-*
exit $status
