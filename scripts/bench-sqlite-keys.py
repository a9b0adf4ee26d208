#!/usr/bin/env python3
"""SQLite's own cost of inserting blocking keys, without .NET (docs/import.md, "What reaching a million in 60 s needs").

Inserts BATCHES x PER random 63-bit keys (22 per identity, sorted per batch, one transaction per batch) into a table
shaped like match_keys (WITHOUT ROWID, primary key (Key, IdentityNumber)), with and without its secondary index on
the identity, and prints the CPU seconds per row (Python's own per-row overhead included: an upper bound).
Usage: scripts/bench-sqlite-keys.py [BATCHES] [PER]   (default 20 x 220,000 = the keys of 200,000 identities)
"""
import os, random, sqlite3, sys, tempfile, time

def run(conflict, secondary, batches, per):
    path = os.path.join(tempfile.mkdtemp(prefix="identityref-keys-"), "keys.db")
    c = sqlite3.connect(path, isolation_level=None)
    c.execute("PRAGMA journal_mode=WAL"); c.execute("PRAGMA cache_size=-524288")
    c.execute('CREATE TABLE match_keys ("Key" INTEGER NOT NULL, "IdentityNumber" INTEGER NOT NULL, PRIMARY KEY ("Key", "IdentityNumber")) WITHOUT ROWID')
    if secondary:
        c.execute('CREATE INDEX ix ON match_keys ("IdentityNumber")')
    sql = "INSERT INTO match_keys VALUES (?, ?)" + (" ON CONFLICT DO NOTHING" if conflict else "")
    number, inserting, committing = 0, 0.0, 0.0
    for _ in range(batches):
        rows = []
        for _ in range(per // 22):
            number += 1
            rows.extend((random.getrandbits(63), number) for _ in range(22))
        rows.sort()
        t0 = time.process_time(); c.execute("BEGIN"); c.executemany(sql, rows)
        t1 = time.process_time(); c.execute("COMMIT"); t2 = time.process_time()
        inserting += t1 - t0; committing += t2 - t1
    c.close()
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    os.rmdir(os.path.dirname(path))
    print(f"on conflict do nothing: {conflict!s:5}  identity index: {secondary!s:5}  insert {inserting:5.1f} s  commit {committing:4.1f} s"
          f"  = {inserting / (batches * per) * 1e6:.2f} us per key row", flush=True)

batches = int(sys.argv[1]) if len(sys.argv) > 1 else 20
per = int(sys.argv[2]) if len(sys.argv) > 2 else 220_000
for conflict, secondary in ((True, True), (False, True), (False, False)):
    run(conflict, secondary, batches, per)
