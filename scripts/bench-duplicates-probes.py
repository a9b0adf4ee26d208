#!/usr/bin/env python3
"""Check-before-create latency through HTTP: POST /api/patients/match for N probes made from random identities
of the base (day/month inverted when possible, hyphens of first names replaced by spaces), p50/p95/p99 in ms, and
for how many probes the original identity (its IPP) is among the candidates returned.
Usage: bench-duplicates-probes.py DB_FILE BASE_URL [N]; the API key of the caller in BENCH_API_KEY (X-Api-Key)."""
import http.client, json, os, random, sqlite3, statistics, sys, time, urllib.parse

db, base, n = sys.argv[1], sys.argv[2].rstrip('/'), int(sys.argv[3]) if len(sys.argv) > 3 else 1000
rows = sqlite3.connect(f"file:{db}?mode=ro", uri=True).execute(
    'SELECT "Ipp","BirthName","FirstNames","BirthDate","Sex","BirthPlaceCode","UsedName","Address","Postcode","City" '
    'FROM identities WHERE "MergedIntoId" IS NULL ORDER BY random() LIMIT ?', (n,)).fetchall()
random.seed(1)
def probe(r):
    _, birth, firsts, date, sex, place, used, address, postcode, city = r
    y, m, d = date[:10].split('-')
    if int(d) <= 12 and random.random() < 0.5:
        m, d = d, m
    body = {"birthName": birth, "firstNames": firsts.replace('-', ' '), "birthDate": f"{y}-{m}-{d}", "sex": sex,
            "birthPlaceCode": place, "usedName": used, "address": address, "postcode": postcode, "city": city}
    return json.dumps({k: v for k, v in body.items() if v}).encode()
probes = [(r[0], probe(r)) for r in rows]
rejected = []
# One kept-alive connection, as an admission application or a PAM gateway holds one: the figures are the server's.
url = urllib.parse.urlsplit(base)
connection = http.client.HTTPConnection(url.hostname, url.port)
headers = {"Content-Type": "application/json", "X-Api-Key": os.environ.get("BENCH_API_KEY", "")}
def call(body):
    connection.request("POST", url.path + "/api/patients/match", body=body, headers=headers)
    resp = connection.getresponse()
    answer = json.loads(resp.read())
    if resp.status == 400:
        # A perturbed probe the API refuses (validation): counted, never shown (the body is patient data).
        errors = answer.get("errors", {})
        rejected.append(",".join(sorted(errors) if isinstance(errors, dict) else sorted(str(e.get("field")) for e in errors)))
        return None
    if resp.status != 200:
        raise RuntimeError(f"/api/patients/match answered {resp.status}")
    return answer
for _, body in probes[:20]:  # warm-up (JIT, caches)
    call(body)
latencies, found, missed, compared = [], 0, 0, []
for ipp, body in probes:
    start = time.perf_counter()
    answer = call(body)
    if answer is None:
        continue
    latencies.append((time.perf_counter() - start) * 1000)
    # The figure is the original identity among the candidates, not merely "some candidate was returned".
    if any(c["ipp"] == ipp for c in answer["candidates"]):
        found += 1
    else:
        missed += 1
    compared.append(answer["compared"])
latencies.sort()
q = lambda p: latencies[min(len(latencies) - 1, int(p * len(latencies)))]
print(f"probes {len(latencies)}: p50 {q(0.50):.2f} ms, p95 {q(0.95):.2f} ms, p99 {q(0.99):.2f} ms, max {latencies[-1]:.2f} ms; "
      f"original among the candidates for {found}/{len(latencies)} (missed {missed}); identities scored per probe: mean {statistics.mean(compared):.0f}, "
      f"p99 {sorted(compared)[min(len(compared) - 1, int(0.99 * len(compared)))]}, max {max(compared)}; refused by validation: {len(rejected)} {sorted(set(rejected))}")
