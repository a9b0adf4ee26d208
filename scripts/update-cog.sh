#!/usr/bin/env bash
# Regenerates data/cog/communes.csv and data/cog/former-communes.csv from the npm package
# @etalab/decoupage-administratif (INSEE COG, Licence Ouverte). Needs npm, node and the npm registry;
# the product itself only reads the generated CSV files and never needs the network.
#
# Usage: scripts/update-cog.sh [package-version]   (default: the pinned version below)
# data/cog/countries.csv is a compiled static list (see data/cog/README.md) and is not touched here.
set -euo pipefail

VERSION="${1:-6.0.0}"
PACKAGE="@etalab/decoupage-administratif"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT_DIR="$REPO_ROOT/data/cog"
WORK_DIR="$(mktemp -d)"
trap 'rm -rf "$WORK_DIR"' EXIT

mkdir -p "$OUT_DIR"
(cd "$WORK_DIR" && npm pack --silent "$PACKAGE@$VERSION" >/dev/null && tar -xzf ./*.tgz)
COMMUNES_JSON="$WORK_DIR/package/data/communes.json"
[ -f "$COMMUNES_JSON" ] || { echo "communes.json missing from $PACKAGE@$VERSION" >&2; exit 1; }

node - "$COMMUNES_JSON" "$OUT_DIR" <<'NODE'
const fs = require('fs');
const path = require('path');
const [communesJson, outDir] = process.argv.slice(2);
const communes = JSON.parse(fs.readFileSync(communesJson, 'utf8'));

const knownTypes = new Set(['commune-actuelle', 'commune-deleguee', 'commune-associee', 'arrondissement-municipal']);
const codePattern = /^(\d{2}|2[AB])\d{3}$/;

// RFC 4180 quoting, only when needed, so names stay readable.
const csv = (value) => (/[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
// Ordinal comparison keeps the output byte-stable whatever the machine's locale.
const ordinal = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

const rows = new Map();
for (const c of communes) {
  if (!codePattern.test(c.code)) throw new Error(`unexpected commune code ${c.code}`);
  if (!knownTypes.has(c.type)) throw new Error(`unexpected commune type ${c.type} for ${c.code}`);
  const key = `${c.code},${c.type}`;
  if (!rows.has(key)) rows.set(key, { code: c.code, name: c.nom.normalize('NFC'), type: c.type });
}
const sorted = [...rows.values()].sort((a, b) => ordinal(a.code, b.code) || ordinal(a.type, b.type));
fs.writeFileSync(path.join(outDir, 'communes.csv'),
  'code,name,type\n' + sorted.map((r) => `${r.code},${csv(r.name)},${r.type}`).join('\n') + '\n');

// Codes of communes merged away before this vintage: the package gives no name for them, only the
// current commune that absorbed them. Codes still listed in communes.csv are left out.
const current = new Set(sorted.map((r) => r.code));
const former = new Map();
for (const c of communes) {
  if (c.type !== 'commune-actuelle') continue;
  for (const old of c.anciensCodes || []) {
    if (current.has(old)) continue;
    if (!codePattern.test(old)) throw new Error(`unexpected former code ${old}`);
    former.set(`${old},${c.code}`, { code: old, currentCode: c.code, currentName: c.nom.normalize('NFC') });
  }
}
const formerSorted = [...former.values()].sort((a, b) => ordinal(a.code, b.code) || ordinal(a.currentCode, b.currentCode));
fs.writeFileSync(path.join(outDir, 'former-communes.csv'),
  'code,current_code,current_name\n' +
  formerSorted.map((r) => `${r.code},${r.currentCode},${csv(r.currentName)}`).join('\n') + '\n');

const byType = {};
for (const r of sorted) byType[r.type] = (byType[r.type] || 0) + 1;
console.log(`communes.csv: ${sorted.length} rows ${JSON.stringify(byType)}`);
console.log(`former-communes.csv: ${formerSorted.length} rows`);
NODE

# countries.csv is maintained by hand: check it is still well formed so a bad edit is caught here.
node - "$OUT_DIR/countries.csv" <<'NODE'
const fs = require('fs');
const [file] = process.argv.slice(2);
const lines = fs.readFileSync(file, 'utf8').replace(/\n$/, '').split('\n');
if (lines[0] !== 'code,name') throw new Error(`${file}: header must be "code,name"`);
let previous = '';
for (const line of lines.slice(1)) {
  const code = line.slice(0, 5);
  if (!/^99\d{3},./.test(line)) throw new Error(`${file}: malformed line "${line}"`);
  if (code <= previous) throw new Error(`${file}: ${code} is duplicated or out of order`);
  previous = code;
}
console.log(`countries.csv: ${lines.length - 1} rows checked`);
NODE

echo "Generated from $PACKAGE@$VERSION into $OUT_DIR"
