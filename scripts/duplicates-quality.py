#!/usr/bin/env python3
"""Precision, recall and F1 of an export (`duplicates export FILE.csv`) against the FEBRL truth: records rec-N-org
and rec-N-dup-k with the same N are one person. Optional: a minimum class (possible|probable).
usage: duplicates-quality.py EXPORT.csv IMPORT.csv [probable]"""
import csv, itertools, re, sys
from collections import defaultdict

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
    found = {frozenset((r["external_id_a"], r["external_id_b"])) for r in csv.DictReader(f)
             if not only_probable or r["class"] == "probable"}
tp = len(found & truth)
precision = tp / len(found) if found else 0.0
recall = tp / len(truth) if truth else 0.0
f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
print(f"{'probable' if only_probable else 'possible+probable'}: found {len(found)}, true pairs {len(truth)}, "
      f"precision {precision:.4f}, recall {recall:.4f}, F1 {f1:.4f}")
