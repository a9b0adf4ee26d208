#!/usr/bin/env python3
"""Precision, recall and F1 of an export (`duplicates export FILE.csv`) against the truth: records rec-N-org and rec-N-dup-k
(FEBRL; the French benchmark's export uses the same ids) with the same N are one person. Optional: a minimum class
(possible|probable) for the pairs.

The pairs as exported (possible+probable, then probable only), then the groups: the transitive closure of the probable links
(what the cell merges when it merges a group: every two records of one group are one person), and of all links (the queue's
groups), scored pairwise against the truth.
usage: duplicates-quality.py EXPORT.csv IMPORT.csv [probable]"""
import csv, itertools, re, sys
from collections import Counter, defaultdict

export, imported = sys.argv[1], sys.argv[2]
only_probable = len(sys.argv) > 3 and sys.argv[3] == "probable"
person = lambda rid: re.match(r"rec-(\d+)-", rid).group(1)
groups = defaultdict(list)
with open(imported, newline="") as f:
    for row in csv.DictReader(f):
        if not row["birth_date"]:
            continue  # refused by the import (the birth date is a strict trait)
        groups[person(row["external_id"])].append(row["external_id"])
truth = {frozenset(p) for ids in groups.values() for p in itertools.combinations(ids, 2)}
with open(export, newline="") as f:
    rows = list(csv.DictReader(f))
found_all = {frozenset((r["external_id_a"], r["external_id_b"])) for r in rows}
found_probable = {frozenset((r["external_id_a"], r["external_id_b"])) for r in rows if r["class"] == "probable"}


def scores(tp, found_count, truth_count):
    precision = tp / found_count if found_count else 0.0
    recall = tp / truth_count if truth_count else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return f"precision {precision:.4f}, recall {recall:.4f}, F1 {f1:.4f}"


for label, found in ([] if only_probable else [("possible+probable", found_all)]) + [("probable", found_probable)]:
    tp = len(found & truth)
    print(f"{label} pairs: found {len(found)}, true pairs {len(truth)}, {scores(tp, len(found), len(truth))}")

# Groups: connected components of the links; every two members of a component are a pair of the closure. The probable links
# are what a group merge should trust; the queue's groups also follow the possible links (shown for comparison).
def closure(classes):
    parent = {}
    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x
    for r in rows:
        if r["class"] in classes:
            a, b = find(r["external_id_a"]), find(r["external_id_b"])
            if a != b:
                parent[a] = b
    components = defaultdict(list)
    for rid in list(parent):
        components[find(rid)].append(rid)
    pairs = sum(len(m) * (len(m) - 1) // 2 for m in components.values())
    tp = sum(k * (k - 1) // 2 for m in components.values() for k in Counter(person(rid) for rid in m).values())
    sizes = Counter(len(m) for m in components.values())
    return len(components), sizes, pairs, tp


for label, classes in [("probable", {"probable"})] + ([] if only_probable else [("possible+probable", {"probable", "possible"})]):
    count, sizes, pairs, tp = closure(classes)
    shown = ", ".join(f"{s}: {n}" for s, n in sorted(sizes.items())[:8]) + (", …" if len(sizes) > 8 else "")
    print(f"{label} groups (closure): {count} groups (sizes {shown}; largest {max(sizes) if sizes else 0}), "
          f"closure pairs {pairs}, true pairs {len(truth)}, {scores(tp, pairs, len(truth))}")
