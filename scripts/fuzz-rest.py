#!/usr/bin/env python3
"""Bounded REST fuzzer of the write API. Takes valid bodies (identity creation and correction, document check,
attributes, subscription, match, duplicate decisions) and sends N mutated copies: a field removed, given another type
(number, list, object, null, boolean), a huge or odd string (control characters, bidirectional override, U+FFFD, NUL,
SQL and HTML fragments), unknown fields, truncated JSON. Every answer must be 2xx, or 4xx as application/problem+json;
a 400 must name at least one field. Figures: answers by status, 5xx, 4xx without problem+json, 400 naming no field.
Exit 1 on any 5xx or unnamed 400. usage: fuzz-rest.py BASE_URL [N=2000] [SEED=1] [SECONDS=300]; API key in FUZZ_API_KEY."""
import http.client, json, os, random, sys, time, urllib.parse
from collections import Counter

base = urllib.parse.urlsplit(sys.argv[1].rstrip("/"))
n = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
budget = float(sys.argv[4]) if len(sys.argv) > 4 else 300.0
headers = {"Content-Type": "application/json", "X-Api-Key": os.environ.get("FUZZ_API_KEY", "")}
connection = http.client.HTTPConnection(base.hostname, base.port, timeout=30)


def call(method, path, body=None, extra=None):
    global connection
    data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
    try:
        connection.request(method, path, body=data, headers={**headers, **(extra or {})})
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type") or "", response.read()
    except (http.client.HTTPException, OSError):
        connection.close()
        connection = http.client.HTTPConnection(base.hostname, base.port, timeout=30)
        raise


def person(i):
    return {"birthName": "FUZZ" + "".join(rng.choice("ABCDEFGHIJ") for _ in range(6)), "firstNames": "Jeanne Marie",
            "birthDate": "1980-01-01", "sex": "F", "birthPlaceCode": "75056", "usedName": "Martin", "address": "3 rue des Lilas",
            "postcode": "75011", "city": "Paris", "phone": "0102030405", "email": "jeanne@example.org", "confirmDuplicate": True}


status, _, body = call("POST", "/api/patients", person(0))
assert status == 201, f"could not create the fuzzing identity: {status} {body[:200]!r}"
ipp = json.loads(body)["ipp"]
status, _, body = call("POST", "/api/subscriptions", {"name": "FUZZ-SUB", "host": "127.0.0.1", "port": 9,
                                                      "receivingApplication": "FZ", "receivingFacility": "FZ"})
TARGETS = [
    ("POST", "/api/patients", person),
    ("PUT", f"/api/patients/{ipp}", person),
    ("POST", "/api/patients/match", person),
    ("POST", f"/api/patients/{ipp}/documents", lambda i: {"type": "PA", "number": "19AB12345", "expires": "2099-01-01"}),
    ("PUT", f"/api/patients/{ipp}/attributes", lambda i: {"attributes": ["homonyme"]}),
    ("POST", "/api/subscriptions", lambda i: {"name": f"FZ{i}", "host": "127.0.0.1", "port": 2575, "receivingApplication": "A",
                                              "receivingFacility": "B", "charset": "UNICODE UTF-8"}),
    ("POST", "/api/duplicates/1/not-duplicate", lambda i: {"comment": "fuzz"}),
    ("POST", "/api/duplicates/1/merge", lambda i: {"survivorIpp": ipp}),
]
ODD = [None, 0, -1, 2 ** 63, 1.5, True, [], ["x"], {}, {"a": 1}, "", " ", "x" * 10000, "\x00", "a\x00b", "\x07", "\u202e",
       "\ufffd", "\ud7ff", "é" * 300, "' OR 1=1 --", "<script>alert(1)</script>", "../../etc/passwd", "%00", "2099-13-45",
       "19800101", "1980-02-30", "0000-00-00", "\\", "\"", "1e308", "NaN"]


def mutate(body):
    body = dict(body)
    for _ in range(rng.randint(1, 3)):
        kind = rng.randrange(4)
        key = rng.choice(list(body)) if body else "x"
        if kind == 0 and body:
            body.pop(key, None)
        elif kind == 1:
            body[key] = rng.choice(ODD)
        elif kind == 2:
            body[rng.choice(["unknown", "__proto__", "id", "ipp", "ins", "version"])] = rng.choice(ODD)
        else:
            body[key] = rng.choice(ODD)
    return body


statuses, problems = Counter(), Counter()
start = time.monotonic()
sent = 0
for i in range(n):
    if time.monotonic() - start > budget:
        break
    method, path, make = TARGETS[i % len(TARGETS)]
    payload = mutate(make(i))
    raw = json.dumps(payload).encode()
    if i % 17 == 0:
        raw = raw[: rng.randrange(len(raw))]  # truncated JSON
    extra = {"If-Match": "*"} if method == "PUT" else None
    sent += 1
    try:
        status, content_type, answer = call(method, path, raw, extra)
    except (http.client.HTTPException, OSError) as e:
        problems["no answer: " + type(e).__name__] += 1
        continue
    statuses[status] += 1
    if status >= 500:
        problems[f"{status} on {method} {path.split('/')[2]}"] += 1
    elif 400 <= status < 500:
        if "application/problem+json" not in content_type:
            problems[f"{status} without problem+json"] += 1
        elif status == 400:
            problem = json.loads(answer)
            if not problem.get("errors"):
                problems["400 naming no field"] += 1
elapsed = time.monotonic() - start
print(f"rest fuzz: {sent} requests in {elapsed:.1f} s ({sent / elapsed:.0f} req/s); answers {dict(sorted(statuses.items()))}; "
      f"problems {dict(problems) or 'none'}")
sys.exit(1 if problems else 0)
