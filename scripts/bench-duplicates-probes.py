#!/usr/bin/env python3
"""Check-before-create latency through HTTP: POST /api/patients/match for N probes made from random identities
of the base (day/month inverted when possible, hyphens of first names replaced by spaces), p50/p95/p99 in ms, and
for how many probes the original identity (its IPP) is among the candidates returned.
Usage: bench-duplicates-probes.py DB_FILE BASE_URL [N] [CLIENTS=1]; the API key of the caller in BENCH_API_KEY (X-Api-Key).
With CLIENTS > 1, the N probes are shared by that many concurrent clients (threads), each on its own kept-alive
connection, and the throughput and this client's CPU seconds are printed too.
RATE=R (environment) makes the load open instead of closed: the clients together send R probes per second at random
(Poisson) times, as desks do, instead of each sending its next probe the moment it has an answer. A probe's latency
is then counted from the moment it was due, not from when it was sent, so a probe delayed by a slow one before it on
the same connection counts its wait (no coordinated omission)."""
import http.client, json, os, random, sqlite3, statistics, sys, threading, time, urllib.parse

db, base, n = sys.argv[1], sys.argv[2].rstrip('/'), int(sys.argv[3]) if len(sys.argv) > 3 else 1000
clients = int(sys.argv[4]) if len(sys.argv) > 4 else 1
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
# One kept-alive connection per client, as an admission application or a PAM gateway holds one: the figures are the server's.
url = urllib.parse.urlsplit(base)
headers = {"Content-Type": "application/json", "X-Api-Key": os.environ.get("BENCH_API_KEY", "")}
def call(connection, body):
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
latencies, found, missed, compared, failures = [], [0], [0], [], []
lock = threading.Lock()
rate = float(os.environ.get("RATE") or 0)
def client(chunk, seed):
    connection = http.client.HTTPConnection(url.hostname, url.port)
    arrivals = random.Random(seed)
    try:
        for _, body in chunk[:5]:  # warm-up (JIT, caches), not counted
            call(connection, body)
        start_gate.wait()
        due = time.perf_counter()
        for ipp, body in chunk:
            if rate > 0:
                due += arrivals.expovariate(rate / clients)
                time.sleep(max(0.0, due - time.perf_counter()))
                start = due
            else:
                start = time.perf_counter()
            answer = call(connection, body)
            if answer is None:
                continue
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                latencies.append(elapsed)
                # The figure is the original identity among the candidates, not merely "some candidate was returned".
                if any(c["ipp"] == ipp for c in answer["candidates"]):
                    found[0] += 1
                else:
                    missed[0] += 1
                compared.append(answer["compared"])
    except Exception as e:  # counted and reported: a failed call is never hidden
        with lock:
            failures.append(type(e).__name__ + ": " + str(e)[:80])
        start_gate.abort()  # never leave the others waiting at the gate
chunks = [probes[i::clients] for i in range(clients)]
start_gate = threading.Barrier(clients + 1)
threads = [threading.Thread(target=client, args=(c, n)) for n, c in enumerate(chunks)]
for t in threads:
    t.start()
start_gate.wait()
wall_start, cpu_start = time.perf_counter(), time.process_time()
for t in threads:
    t.join()
wall, cpu = time.perf_counter() - wall_start, time.process_time() - cpu_start
found, missed = found[0], missed[0]
latencies.sort()
q = lambda p: latencies[min(len(latencies) - 1, int(p * len(latencies)))]
print(f"probes {len(latencies)}: p50 {q(0.50):.2f} ms, p95 {q(0.95):.2f} ms, p99 {q(0.99):.2f} ms, max {latencies[-1]:.2f} ms; "
      f"original among the candidates for {found}/{len(latencies)} (missed {missed}); identities scored per probe: mean {statistics.mean(compared):.0f}, "
      f"p99 {sorted(compared)[min(len(compared) - 1, int(0.99 * len(compared)))]}, max {max(compared)}; refused by validation: {len(rejected)} {sorted(set(rejected))}")
if clients > 1 or failures:
    load = f"open load, {rate:g} probes/s offered" if rate > 0 else "closed load, each client sends its next probe on its answer"
    print(f"clients {clients} ({load}): {len(latencies)} answers in {wall:.1f} s = {len(latencies) / wall:.0f} req/s; this client's CPU {cpu:.1f} s; "
          f"failed calls: {len(failures)} {sorted(set(failures))[:3]}")
if failures:
    sys.exit(1)
