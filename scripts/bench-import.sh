#!/usr/bin/env bash
# Import benchmark: COUNT rows (default 1,000,000) of generated French identities into a fresh SQLite database.
# Prints the elapsed time, rows per second, CPU time, peak memory and where the writer's time went (docs/import.md),
# with the load average around the run (the CPU seconds are the steadier figure on a shared machine).
# Target: 1M rows in <= 60 s. SERVER=path/to/IdentityRef.Server.dll measures another build on the same file.
# BATCH=N passes --batch-size N to the import (default: the command's own, 100,000). PAGE_SIZE=N: see below.
# PROVIDER=PostgreSQL imports into a throw-away local PostgreSQL cluster instead (initdb/pg_ctl, PostgreSQL 15 installed).
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-1000000}"
work="${TMPDIR:-/tmp}/identityref-bench-import"
mkdir -p "$work"
csv="$work/import-$count.csv"
for project in src/IdentityRef.Server tests/IdentityRef.Benchmarks; do dotnet build -c Release -v q -nologo "$project" >/dev/null; done
[ -f "$csv" ] || dotnet tests/IdentityRef.Benchmarks/bin/Release/net10.0/IdentityRef.Benchmarks.dll import-csv "$csv" "$count"
rm -f "$work"/bench.db*
# PAGE_SIZE=N creates the SQLite file with N-byte pages before the server migrates it (SQLite fixes the page size when the
# file is created; the server keeps SQLite's default, 4,096): the experiment of docs/import.md, "Page size".
if [ -n "${PAGE_SIZE:-}" ] && [ "${PROVIDER:-Sqlite}" != PostgreSQL ]; then
  python3 -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute(f"PRAGMA page_size = {int(sys.argv[2])}"); c.execute("VACUUM"); print("page size:", c.execute("PRAGMA page_size").fetchone()[0])' "$work/bench.db" "$PAGE_SIZE"
fi
export ConnectionStrings__IdentityRef="Data Source=$work/bench.db" Hl7__DispatcherEnabled=false
if [ "${PROVIDER:-Sqlite}" = PostgreSQL ]; then
  # A throw-away PostgreSQL 15 cluster with its default durability (fsync on, synchronous commits), as the tests start
  # theirs: initdb and pg_ctl, as the postgres user when run as root (PostgreSQL refuses root). Stopped and deleted at the end.
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  as=(); [ "$(id -u)" = 0 ] && as=(runuser -u postgres --)
  pg="$work/pg"; rm -rf "$pg"; mkdir -p "$pg"; [ "$(id -u)" = 0 ] && chown postgres "$pg"
  pgport=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "${as[@]}" "$bin/initdb" -D "$pg/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
  "${as[@]}" "$bin/pg_ctl" -D "$pg/data" -l "$pg/log" -o "-p $pgport -k $pg -c listen_addresses=127.0.0.1 -c shared_buffers=512MB -c max_wal_size=4GB" -w start >/dev/null
  trap '"${as[@]}" "$bin/pg_ctl" -D "$pg/data" -m fast -w stop >/dev/null; rm -rf "$pg"' EXIT
  export Database__Provider=PostgreSQL ConnectionStrings__IdentityRef="Host=127.0.0.1;Port=$pgport;Username=postgres;Database=postgres"
fi
server="${SERVER:-src/IdentityRef.Server/bin/Release/net10.0/IdentityRef.Server.dll}"
# migrate first, so that the figure is the import alone
dotnet "$server" import /dev/null >/dev/null 2>&1 || true
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/time -f "peak memory: %M KiB; elapsed %e s, CPU user %U s + sys %S s" dotnet "$server" import "$csv" ${BATCH:+--batch-size "$BATCH"} --rejects "$work/rejects.txt" 2>"$work/stderr.txt" | tee "$work/out.txt"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
grep "peak memory" "$work/stderr.txt"
echo "rejected rows (first 3):"; head -3 "$work/rejects.txt"
python3 - "$work/out.txt" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
m = re.search(r"imported (\d+), rejected (\d+), in ([\d.]+) s", text)
imported, rejected, seconds = int(m.group(1)), int(m.group(2)), float(m.group(3))
print(f"import: {imported + rejected} rows in {seconds:.1f} s = {(imported + rejected) / seconds:,.0f} rows/s (target: 1,000,000 in <= 60 s)")
PY
