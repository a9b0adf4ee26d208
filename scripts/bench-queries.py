#!/usr/bin/env python3
"""Query latency under concurrent clients: PDQm (GET /fhir/Patient?family=&birthdate=), PIXm ($ihe-pix by IPP), PDQ
(QBP^Q22 by @PID.5.1.1 + @PID.7 over MLLP) and PIX (QBP^Q23 by IPP over MLLP). Each client keeps one connection, as a
lab middleware or a FHIR application holds one; names and dates are taken from the base at random.
Usage: bench-queries.py DB_FILE BASE_URL HL7_PORT [CLIENTS=16] [REQUESTS_PER_CLIENT=100]; API key in BENCH_API_KEY.
Prints p50/p99 and throughput per transaction; the answers' counts only (never a name: the names are patient data)."""
import http.client, os, random, socket, sqlite3, statistics, sys, threading, time, urllib.parse

db, base, hl7_port = sys.argv[1], sys.argv[2].rstrip('/'), int(sys.argv[3])
clients = int(sys.argv[4]) if len(sys.argv) > 4 else 16
per_client = int(sys.argv[5]) if len(sys.argv) > 5 else 100
rows = sqlite3.connect(f"file:{db}?mode=ro", uri=True).execute(
    'SELECT "Ipp","BirthName","BirthDate" FROM identities WHERE "MergedIntoId" IS NULL ORDER BY random() LIMIT ?',
    (clients * per_client,)).fetchall()
url = urllib.parse.urlsplit(base)
key = os.environ.get("BENCH_API_KEY", "")
ipp_oid = os.environ.get("IPP_OID", "1.2.250.1.999.1.1")


def pdqm(conn, row):
    ipp, name, date = row
    conn.request("GET", f"/fhir/Patient?family={urllib.parse.quote(name)}&birthdate={date[:10]}", headers={"X-Api-Key": key})
    resp = conn.getresponse(); body = resp.read()
    if resp.status != 200 or b'"total"' not in body:
        raise RuntimeError(f"PDQm answered {resp.status}")
    return ipp.encode() in body


def pixm(conn, row):
    ipp = row[0]
    conn.request("GET", f"/fhir/Patient/$ihe-pix?sourceIdentifier=urn:oid:{ipp_oid}|{ipp}", headers={"X-Api-Key": key})
    resp = conn.getresponse(); body = resp.read()
    if resp.status != 200:
        raise RuntimeError(f"PIXm answered {resp.status}")
    return b'"targetId"' in body


def mllp(sock, text):
    sock.sendall(b"\x0b" + text.encode("utf-8") + b"\x1c\x0d")
    data = b""
    while not data.endswith(b"\x1c\x0d"):
        chunk = sock.recv(65536)
        if not chunk:
            raise RuntimeError("MLLP connection closed")
        data += chunk
    return data


def msh(trigger, n):
    return f"MSH|^~\\&|BENCH|LAB|IDENTITYREF|HOPITAL|20240101120000||QBP^{trigger}^QBP_Q21|B{n}|P|2.5|||||FRA|UNICODE UTF-8\r"


def pdq(sock, row, n=[0]):
    ipp, name, date = row
    n[0] += 1
    answer = mllp(sock, msh("Q22", n[0]) + f"QPD|IHE PDQ Query|T{n[0]}|@PID.5.1.1^{name}~@PID.7^{date[:10].replace('-', '')}\rRCP|I|50^RD\r")
    if b"MSA|AA" not in answer:
        raise RuntimeError("PDQ was not accepted")
    return ipp.encode() in answer


def pix(sock, row, n=[0]):
    n[0] += 1
    answer = mllp(sock, msh("Q23", n[0]) + f"QPD|IHE PIX Query|T{n[0]}|{row[0]}^^^IDENTITYREF\rRCP|I\r")
    if b"MSA|AA" not in answer:
        raise RuntimeError("PIX was not accepted")
    return b"QAK|" in answer


def run(name, connect, call):
    latencies, found, errors = [], [0], []
    lock = threading.Lock()
    chunks = [rows[i * per_client:(i + 1) * per_client] for i in range(clients)]

    def client(chunk):
        conn = connect()
        try:
            for row in chunk[:5]:  # warm-up (JIT, caches), not counted
                call(conn, row)
            mine, hits = [], 0
            for row in chunk:
                start = time.perf_counter()
                hits += call(conn, row)
                mine.append((time.perf_counter() - start) * 1000)
            with lock:
                latencies.extend(mine); found[0] += hits
        except Exception as e:  # counted and shown by kind, never with data
            with lock:
                errors.append(type(e).__name__ + ": " + str(e)[:80])

    threads = [threading.Thread(target=client, args=(c,)) for c in chunks]
    started = time.perf_counter()
    for t in threads: t.start()
    for t in threads: t.join()
    elapsed = time.perf_counter() - started
    if not latencies:
        print(f"{name}: no answer ({errors[:3]})"); return
    latencies.sort()
    q = lambda p: latencies[min(len(latencies) - 1, int(p * len(latencies)))]
    print(f"{name:6} {len(latencies):6} requests, {clients} clients: p50 {q(0.50):7.2f} ms  p99 {q(0.99):7.2f} ms  "
          f"max {latencies[-1]:7.2f} ms  {len(latencies) / elapsed:7.1f} req/s  patient found {found[0]}/{len(latencies)}"
          + (f"  errors {len(errors)}: {errors[:2]}" if errors else ""))


http_connect = lambda: http.client.HTTPConnection(url.hostname, url.port, timeout=30)
mllp_connect = lambda: socket.create_connection(("127.0.0.1", hl7_port), timeout=30)
run("PDQm", http_connect, pdqm)
run("PDQ", mllp_connect, pdq)
run("PIXm", http_connect, pixm)
run("PIX", mllp_connect, pix)
