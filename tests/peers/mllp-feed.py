#!/usr/bin/python3
"""An independent HL7 sender for the tests: replays a file of HL7 v2 messages (segments ended by CR, messages separated
by an empty line) over ONE MLLP connection with python3-hl7's own client (apt-get install python3-hl7), one message at
a time, each answer parsed by python3-hl7. Prints one line per message: "CONTROL_ID MSA-1 MSA-2" ("CONTROL_ID none -"
when no readable ACK came back, then stops with exit code 1).
Usage: mllp-feed.py HOST PORT FILE"""
import sys
import hl7
from hl7.client import MLLPClient

host, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
messages = [m.strip("\n") for m in open(path, encoding="utf-8", newline="").read().split("\n\n") if m.strip()]
status = 0
with MLLPClient(host, port, encoding="utf-8") as client:
    for text in messages:
        control = hl7.parse(text).segment("MSH")[10][0]
        try:
            raw = client.send_message(text)
            while raw and not raw.endswith(b"\x1c\r"):  # an ACK split over several reads: the rest of its frame
                more = client.socket.recv(4096)
                if not more:
                    break
                raw += more
            answer = hl7.parse(raw.strip(b"\x0b\x1c\r").decode("utf-8"))
            msa = answer.segment("MSA")
            print(f"{control} {msa[1][0]} {msa[2][0]}", flush=True)
        except Exception as e:  # no answer, or one python3-hl7 cannot read: reported, then stop
            print(f"{control} none - {type(e).__name__}", flush=True)
            status = 1
            break
sys.exit(status)
