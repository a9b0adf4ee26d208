#!/usr/bin/env bash
# Times the admission desk's one search box (/identites?q=) over a seeded base: a throw-away SQLite database with
# COUNT realistic identities (default 20000), the server on PORT, four calls per query (the first one warms up).
# Usage: scripts/desk-search-timing.sh [COUNT] [PORT]
set -euo pipefail
count=${1:-20000}
port=${2:-5391}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
dotnet build "$root/src/IdentityRef.Server" -v q -nologo >/dev/null
bin="$root/src/IdentityRef.Server/bin/Debug/net10.0"
export ConnectionStrings__IdentityRef="Data Source=$work/base.db" Security__Bootstrap__User=admin \
  Security__Bootstrap__Password='mesure-locale-123' ASPNETCORE_URLS="http://127.0.0.1:$port" Scheduler__Enabled=false Hl7__ListenPort=0
(cd "$bin" && dotnet IdentityRef.Server.dll seed --count "$count" | tail -1)
(cd "$bin" && exec dotnet IdentityRef.Server.dll >"$work/server.log" 2>&1) &
server=$!
for _ in $(seq 60); do curl -sf -o /dev/null "http://127.0.0.1:$port/connexion" && break; sleep 1; done
jar="$work/cookies"
token=$(curl -s -c "$jar" "http://127.0.0.1:$port/connexion" | grep -o 'name="__csrf" type="hidden" value="[^"]*"' | sed 's/.*value="//;s/"$//')
curl -s -b "$jar" -c "$jar" -o /dev/null -H "Accept: text/html" --data-urlencode UserName=admin \
  --data-urlencode Password=mesure-locale-123 --data-urlencode "__csrf=$token" "http://127.0.0.1:$port/connexion"
# queries built from the base itself: a name, name + first name, a misspelled name + first name, name + date, an IPP
row=$(sqlite3 "$work/base.db" "SELECT BirthName, FirstName, BirthDate, Ipp FROM identities WHERE BirthName NOT LIKE '% %' LIMIT 1 OFFSET 7")
IFS='|' read -r name first date ipp <<<"$row"
french=$(date -d "$date" +%d/%m/%Y)
misspelt="${name}E"
for q in "$name" "$name+$first" "$misspelt+$first" "$name+$french" "$ipp" "${name:0:1}"; do
  times=""
  for _ in 1 2 3 4; do
    times+=$(curl -s -b "$jar" -o "$work/page.html" -w "%{time_total} " -H "Accept: text/html" "http://127.0.0.1:$port/identites?q=$q")
  done
  found=$(grep -o '<h2 id="resultats"[^<]*' "$work/page.html" | sed 's/.*>//')
  echo "q=$q  seconds: $times → $found"
done
