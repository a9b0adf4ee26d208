#!/usr/bin/env python3
"""The read that is most of a large admission check, on two SQLite bases side by side (docs/deployment.md, "Identities
stored by their number"): for the keys of PROBES random identities of the first base, the check's own statement
(MatchRows.ByKeysAsync: the identities whose blocking keys meet those keys, the matcher's columns), each on a new
connection as a server's cold cache would see it, the two bases in alternation.

    scripts/bench-candidate-read.py BASE_A BASE_B [PROBES=400] [SEED=1]

For instance a compacted copy of the million-identity base (`sqlite3 base.db "VACUUM INTO 'a.db'"`), and the same copy
after a migration (`cp a.db b.db`, then `dotnet IdentityRef.Server.dll import /dev/null` on b.db). Prints median, p90, p99
per base and the same for the checks of 150 candidates or more; counts only, never a trait."""
import random, sqlite3, statistics, struct, sys, time

base_a, base_b = sys.argv[1], sys.argv[2]
probes_wanted = int(sys.argv[3]) if len(sys.argv) > 3 else 400
random.seed(int(sys.argv[4]) if len(sys.argv) > 4 else 1)
columns = ('i."Id", i."BirthName", i."FirstNames", i."UsedName", i."UsedFirstName", i."BirthDate", i."Sex", i."BirthPlaceCode", '
           'i."InsValue", i."Postcode", i."City", i."Address", i."Status", i."StrictTraitsChangedAt", i."Number"')
bases = {'A': base_a, 'B': base_b}

first = sqlite3.connect(f"file:{base_a}?mode=ro", uri=True)
top = first.execute('SELECT max("Number") FROM identities').fetchone()[0]
probes = []
while len(probes) < probes_wanted:
    number = random.randint(1, top)
    # The identity's keys from its identity_keys row (little-endian 64-bit keys): match_keys has no index by identity
    # since IdentityKeyLists, so reading them there would scan the whole table once per probe.
    row = first.execute('SELECT "Keys" FROM identity_keys WHERE "IdentityNumber" = ?', (number,)).fetchone()
    if row and row[0]:
        probes.append(list(struct.unpack(f'<{len(row[0]) // 8}q', row[0])))
first.close()

times = {name: [] for name in bases}
candidates = []
for i, keys in enumerate(probes):
    for name in (['A', 'B'] if i % 2 else ['B', 'A']):
        connection = sqlite3.connect(f"file:{bases[name]}?mode=ro", uri=True)
        connection.execute('PRAGMA cache_size = -65536')
        sql = (f'SELECT {columns} FROM identities i WHERE i."MergedIntoId" IS NULL AND i."Number" IN '
               f'(SELECT k."IdentityNumber" FROM match_keys k WHERE k."Key" IN ({",".join("?" * len(keys))}))')
        started = time.perf_counter()
        rows = connection.execute(sql, keys).fetchall()
        times[name].append((time.perf_counter() - started) * 1000)
        connection.close()
        if name == 'A':
            candidates.append(len(rows))

large = [i for i, n in enumerate(candidates) if n >= 150]
print(f"{len(probes)} checks, median {statistics.median(candidates)} candidates, {len(large)} of 150 or more")
for name, path in bases.items():
    ms = sorted(times[name])
    line = f"{name} {path}: median {statistics.median(ms):.2f} ms, p90 {ms[int(len(ms) * .9)]:.2f}, p99 {ms[int(len(ms) * .99)]:.2f}"
    if large:
        line += f"; 150 candidates or more: median {statistics.median(times[name][i] for i in large):.2f} ms"
    print(line)
