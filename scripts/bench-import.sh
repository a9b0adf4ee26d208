#!/usr/bin/env bash
# Import benchmark: COUNT rows (default 1,000,000) of generated French identities into a fresh SQLite database.
# Prints the elapsed time, rows per second and peak memory of the import command. Target: 1M rows in <= 60 s.
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-1000000}"
work="${TMPDIR:-/tmp}/identityref-bench-import"
mkdir -p "$work"
csv="$work/import-$count.csv"
for project in src/IdentityRef.Server tests/IdentityRef.Benchmarks; do dotnet build -c Release -v q -nologo "$project" >/dev/null; done
[ -f "$csv" ] || dotnet tests/IdentityRef.Benchmarks/bin/Release/net10.0/IdentityRef.Benchmarks.dll import-csv "$csv" "$count"
rm -f "$work"/bench.db*
export ConnectionStrings__IdentityRef="Data Source=$work/bench.db" Hl7__DispatcherEnabled=false
server=src/IdentityRef.Server/bin/Release/net10.0/IdentityRef.Server.dll
# migrate first, so that the figure is the import alone
dotnet "$server" import /dev/null >/dev/null 2>&1 || true
/usr/bin/time -f "peak memory: %M KiB" dotnet "$server" import "$csv" --rejects "$work/rejects.txt" 2>"$work/stderr.txt" | tee "$work/out.txt"
grep "peak memory" "$work/stderr.txt"
echo "rejected rows (first 3):"; head -3 "$work/rejects.txt"
python3 - "$work/out.txt" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
m = re.search(r"imported (\d+), rejected (\d+), in ([\d.]+) s", text)
imported, rejected, seconds = int(m.group(1)), int(m.group(2)), float(m.group(3))
print(f"import: {imported + rejected} rows in {seconds:.1f} s = {(imported + rejected) / seconds:,.0f} rows/s (target: 1,000,000 in <= 60 s)")
PY
