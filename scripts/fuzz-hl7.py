#!/usr/bin/env python3
"""Bounded HL7 fuzzer of the inbound ITI-30 listener. Sends N mutated ADT^A28/A31 messages (fields emptied, replaced by
odd characters, repeated, escaped, segments dropped, swapped or duplicated, truncated) over MLLP with python3-hl7's own
client (an independent implementation), and checks each answer with python3-hl7's parser: a well-formed ACK, MSA-2 naming
the MSH-10 sent, an ERR on every AE/AR. Figures: answers by code, malformed answers, answers for another message, no
answer. Exit 1 when any answer is missing, malformed or for another message.
usage: fuzz-hl7.py HOST PORT [N=2000] [SEED=1] [SECONDS=300]   (apt-get install python3-hl7)"""
import random, sys, time
from collections import Counter
import hl7
from hl7.client import MLLPClient

host, port = sys.argv[1], int(sys.argv[2])
n = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 1)
budget = float(sys.argv[5]) if len(sys.argv) > 5 else 300.0

ODD = ["", '""', "\\F\\", "\\S\\", "\\X00\\", "\\XC3A9\\", "\x00", "\x07", "\u202e", "\ufffd", "é", "Łódź", "^^^^", "&&",
       "~~~", "x" * 300, "9" * 40, "-1", "19800230", "20991231", "O'BRIEN-D'ARC", "' OR 1=1 --", "<script>", "%00", "\t"]


def message(i):
    control = f"FZ{i:06d}"
    trigger = rng.choice(["A28", "A28", "A31"])
    structure = "ADT_A05"
    name = "".join(rng.choice("ABCDEFGHIJKLMNOPRSTUVZ") for _ in range(8))
    return control, [
        f"MSH|^~\\&|FUZZ|FZ|IDENTITYREF|HOPITAL|20240101120000||ADT^{trigger}^{structure}|{control}|P|2.5^FRA^2.11|||||FRA|UNICODE UTF-8|FR||2.11^IHE_FRANCE-2.11-PAM",
        "EVN||20240101120000",
        f"PID|1||{control}^^^FUZZ^PI||{name}^JEANNE^JEANNE^^^^L||19800101|F|||3 RUE DES LILAS^^PARIS^^75011^FRA^H||0102030405^PRN^PH",
        "PV1||N",
    ]


def mutate(segments):
    segments = list(segments)
    for _ in range(rng.randint(1, 3)):
        kind = rng.randrange(6)
        s = rng.randrange(1, len(segments)) if len(segments) > 1 else 0  # MSH kept mostly intact so that MSA-2 can name it
        if kind == 0:  # one field replaced by something odd
            fields = segments[s].split("|")
            f = rng.randrange(1, len(fields)) if len(fields) > 1 else 0
            fields[f] = rng.choice(ODD)
            segments[s] = "|".join(fields)
        elif kind == 1:  # a segment dropped
            del segments[s]
        elif kind == 2:  # a segment repeated
            segments.insert(s, segments[s])
        elif kind == 3:  # two segments swapped
            t = rng.randrange(1, len(segments)) if len(segments) > 1 else 0
            segments[s], segments[t] = segments[t], segments[s]
        elif kind == 4:  # a segment truncated
            segments[s] = segments[s][: rng.randrange(0, max(1, len(segments[s])))]
        else:  # a component emptied or multiplied
            fields = segments[s].split("|")
            f = rng.randrange(1, len(fields)) if len(fields) > 1 else 0
            fields[f] = "^".join([fields[f]] * rng.randint(0, 4))
            segments[s] = "|".join(fields)
    return segments


codes, problems = Counter(), Counter()
start = time.monotonic()
sent = 0
with MLLPClient(host, port, encoding="utf-8") as client:
    for i in range(n):
        if time.monotonic() - start > budget:
            break
        control, segments = message(i)
        text = "\r".join(mutate(segments) if i % 10 else segments) + "\r"
        sent += 1
        try:
            raw = client.send_message(text)
        except Exception as e:  # the connection closed without an answer
            problems["no answer: " + type(e).__name__] += 1
            client.socket.close()
            client.socket = __import__("socket").create_connection((host, port))
            continue
        try:
            answer = hl7.parse(raw.decode("utf-8") if isinstance(raw, bytes) else raw)
            msa = answer.segment("MSA")
            code, names = str(msa[1]), str(msa[2])
        except Exception:
            problems["malformed answer"] += 1
            continue
        codes[code] += 1
        if names != control:
            problems["answer for another message"] += 1
        if code in ("AE", "AR"):
            try:
                answer.segment("ERR")
            except KeyError:
                problems[f"{code} without ERR"] += 1
elapsed = time.monotonic() - start
print(f"hl7 fuzz: {sent} messages in {elapsed:.1f} s ({sent / elapsed:.0f} msg/s); answers {dict(sorted(codes.items()))}; "
      f"problems {dict(problems) or 'none'}")
sys.exit(1 if problems else 0)
