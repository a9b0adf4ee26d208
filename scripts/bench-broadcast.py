#!/usr/bin/env python3
"""Broadcast benchmarks, on this machine, against the `listen` downstream simulator over MLLP (loopback only).

1. delivery: COUNT identities are queued in the outbox while the server is stopped, then the server starts and
   delivers them to the simulator, one ACK per message; figure = messages per second (target >= 5,000).
2. recovery: COUNT changes are made by a seeding process while the server delivers them; the server is killed
   with SIGKILL in the middle, then restarted; figure = messages delivered, lost, duplicated, out of order
   (target: all delivered, none lost, order kept; a message in flight at the kill may arrive twice).

Usage: scripts/bench-broadcast.py [--count 10000]. Requires the .NET SDK; builds Release first.
"""
import argparse, json, os, shutil, signal, subprocess, sys, tempfile, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERVER = os.path.join(ROOT, "src/IdentityRef.Server/bin/Release/net10.0/IdentityRef.Server.dll")
API_KEY = "bench-key-0123456789abcdef"


def env_for(db):
    env = dict(os.environ)
    env.update({
        "ConnectionStrings__IdentityRef": f"Data Source={db}",
        "Hl7__ListenPort": "-1",
        "Scheduler__Enabled": "false",
        "Security__ApiKeys__0__Name": "bench", "Security__ApiKeys__0__Key": API_KEY, "Security__ApiKeys__0__Role": "Administrateur",
        "DOTNET_gcServer": "0",
    })
    return env


def call(method, url, body=None):
    request = urllib.request.Request(url, method=method, data=None if body is None else json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json", "X-Api-Key": API_KEY})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"null")


def start_server(db, port):
    process = subprocess.Popen(["dotnet", SERVER, "--urls", f"http://127.0.0.1:{port}"], env=env_for(db), cwd=os.path.dirname(SERVER),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            call("GET", f"http://127.0.0.1:{port}/health")
            return process
        except OSError:
            time.sleep(0.1)
    raise SystemExit("server did not start")


def stop(process, sig=signal.SIGTERM):
    process.send_signal(sig)
    process.wait(timeout=60)


def count(port, state):
    return call("GET", f"http://127.0.0.1:{port}/api/messages?state={state}&pageSize=1")["total"]


def seed(db, n):
    return subprocess.Popen(["dotnet", SERVER, "seed", "--count", str(n)], env=env_for(db), cwd=os.path.dirname(SERVER),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def outbox_order(port, total):
    ids, page = [], 1
    while len(ids) < total:
        items = call("GET", f"http://127.0.0.1:{port}/api/messages?pageSize=500&page={page}")["items"]
        if not items:
            break
        ids.extend(items)
        page += 1
    return [m["controlId"] for m in sorted(ids, key=lambda m: m["id"])]


def setup(work, name, api_port, listen_port):
    db = os.path.join(work, name + ".db")
    record = os.path.join(work, name + ".received")
    listener = subprocess.Popen(["dotnet", SERVER, "listen", "--port", str(listen_port), "--quiet", "--record", record],
                                cwd=os.path.dirname(SERVER), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = start_server(db, api_port)
    call("POST", f"http://127.0.0.1:{api_port}/api/subscriptions",
         {"name": "SIMULATOR", "host": "127.0.0.1", "port": listen_port, "receivingApplication": "SIM", "receivingFacility": "BENCH"})
    return db, record, listener, server


def received(record):
    try:
        with open(record) as f:
            return [line.strip() for line in f if line.strip()]
    except FileNotFoundError:
        return []


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10000)
    args = parser.parse_args()
    subprocess.run(["dotnet", "build", "-c", "Release", "-v", "q", "-nologo", os.path.join(ROOT, "src/IdentityRef.Server")], check=True,
                   stdout=subprocess.DEVNULL)
    work = tempfile.mkdtemp(prefix="identityref-bench-broadcast-")
    try:
        # 1. delivery throughput
        db, record, listener, server = setup(work, "delivery", 5181, 2591)
        stop(server)
        seed(db, args.count).wait()
        started = time.monotonic()
        server = start_server(db, 5181)
        # the delivery rate is timed from the first message received by the simulator, without the server start
        while not received(record):
            time.sleep(0.01)
        first = time.monotonic()
        while len(received(record)) < args.count:
            time.sleep(0.01)
        delivered = time.monotonic() - first
        while count(5181, "acknowledged") < args.count:
            time.sleep(0.05)
        print(f"delivery: {args.count} messages delivered with one ACK each in {delivered:.2f} s = {(args.count - 1) / delivered:,.0f} msg/s "
              f"(target >= 5,000); all acknowledged in the outbox {time.monotonic() - started:.1f} s after the server was started")
        stop(server)
        stop(listener)

        # 2. recovery after SIGKILL in the middle of the changes
        db, record, listener, server = setup(work, "recovery", 5182, 2592)
        seeding = seed(db, args.count)
        while len(received(record)) < args.count // 3:
            time.sleep(0.02)
        stop(server, signal.SIGKILL)
        at_kill = len(received(record))
        seeding.wait()
        server = start_server(db, 5182)
        deadline = time.monotonic() + 300
        while count(5182, "acknowledged") < args.count and time.monotonic() < deadline:
            time.sleep(0.1)
        order = outbox_order(5182, args.count)
        got = received(record)
        first_seen, seen = [], set()
        for control_id in got:
            if control_id not in seen:
                seen.add(control_id)
                first_seen.append(control_id)
        lost = len(set(order) - seen)
        print(f"recovery: killed after {at_kill} deliveries; {len(order)} changes queued, {len(seen)} delivered, {lost} lost, "
              f"{len(got) - len(seen)} delivered twice, order kept: {first_seen == order}")
        stop(server)
        stop(listener)
        sys.exit(0 if lost == 0 and first_seen == order else 1)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
