#!/usr/bin/env bash
# Import benchmark: COUNT rows (default 1,000,000) of generated French identities into a fresh SQLite database.
# Prints the elapsed time, rows per second, CPU time, peak memory and where the writer's time went (docs/import.md),
# with the load average around the run (the CPU seconds are the steadier figure on a shared machine).
# Target: 1M rows in <= 60 s. SERVER=path/to/IdentityRef.Server.dll measures another build on the same file.
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
server="${SERVER:-src/IdentityRef.Server/bin/Release/net10.0/IdentityRef.Server.dll}"
# migrate first, so that the figure is the import alone
dotnet "$server" import /dev/null >/dev/null 2>&1 || true
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/time -f "peak memory: %M KiB; elapsed %e s, CPU user %U s + sys %S s" dotnet "$server" import "$csv" --rejects "$work/rejects.txt" 2>"$work/stderr.txt" | tee "$work/out.txt"
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
