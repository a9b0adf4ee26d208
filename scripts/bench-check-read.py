#!/usr/bin/env python3
"""How much of an admission check is SQLite's own reading (docs/deployment.md, "What SQLite's read costs a check"): for
the blocking keys of PROBES random identities of BASE (read from their identity_keys row), on one long-lived connection
with the server's page cache (64 MiB), as a pooled server connection sees them:

  - the check's statement (MatchRows.ByKeysAsync's: the active identities meeting the keys), its first execution for
    that probe, with the columns decoded by SQLite and summed (no Python row per candidate), then
  - the key scan alone (the match_keys range searches), on the pages the first statement has just brought in: what a
    key index held in memory would replace.

    scripts/bench-check-read.py BASE [PROBES=1000] [SEED=1]

Prints medians for every check and for the checks of 150 candidates or more; counts and times only, never a trait."""
import random, sqlite3, statistics, struct, sys, time

base = sys.argv[1]
probes_wanted = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
random.seed(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
connection = sqlite3.connect(f"file:{base}?mode=ro", uri=True)
connection.execute('PRAGMA cache_size = -65536')
top = connection.execute('SELECT max("Number") FROM identities').fetchone()[0]
probes = []
while len(probes) < probes_wanted:
    row = connection.execute('SELECT "Keys" FROM identity_keys WHERE "IdentityNumber" = ?', (random.randint(1, top),)).fetchone()
    if row and row[0]:
        probes.append(list(struct.unpack(f'<{len(row[0]) // 8}q', row[0])))  # little-endian 64-bit keys (IdentityKeyList)

results = []
for keys in probes:
    marks = ",".join("?" * len(keys))
    check = ('SELECT count(*), sum(length(i."Id") + length(i."BirthName") + length(i."FirstNames") + ifnull(length(i."UsedName"), 0) '
             '+ length(i."BirthDate") + ifnull(length(i."InsValue"), 0) + ifnull(length(i."Address"), 0) + length(i."Ipp")) '
             'FROM identities i WHERE i."MergedIntoId" IS NULL AND i."Number" IN '
             f'(SELECT k."IdentityNumber" FROM match_keys k WHERE k."Key" IN ({marks}))')
    scan = f'SELECT count(DISTINCT k."IdentityNumber") FROM match_keys k WHERE k."Key" IN ({marks})'
    started = time.perf_counter()
    candidates = connection.execute(check, keys).fetchone()[0]
    read = time.perf_counter()
    connection.execute(scan, keys).fetchone()
    scanned = time.perf_counter()
    results.append((candidates, (read - started) * 1000, (scanned - read) * 1000))


def show(label, chosen):
    if chosen:
        print(f"{label}: {len(chosen)} checks, median {statistics.median(r[0] for r in chosen)} candidates; "
              f"the check's statement median {statistics.median(r[1] for r in chosen):.3f} ms, "
              f"of which the key scan median {statistics.median(r[2] for r in chosen):.3f} ms")


show("every check", results)
show("150 candidates or more", [r for r in results if r[0] >= 150])
