#!/usr/bin/env python3
"""Where an inbound feed message's time goes, from the server trace of `TRACE=prefix scripts/bench-hl7.sh feed ...`
(docs/hl7.md, "At 1,000,000 identities").

    scripts/feed-trace-shares.py prefix-1.nettrace [other.nettrace ...]

Converts each trace to speedscope JSON (dotnet-trace convert, next to it), rebuilds the stacks of every thread from its
open/close events, keeps the time of the threads handling messages (a stack with an inbound or HL7 frame), leaves out
idle waits and the match engine's one-time load, and prints the inclusive share of each part of a message: of the
thread time, and of the "CPU" (managed code plus SQLite's native code, the commit's fsync wait left out). Then the
same split by creations (A28/A31 of a patient not known here) and updates.
"""
import collections
import json
import os
import subprocess
import sys

IDLE = ('LowLevelLifoSemaphore', 'Monitor.Wait', 'WaitHandle.Wait', 'SocketAsyncEngine.EventLoop', 'TimerQueue.TimerThread',
        'Thread.Sleep', 'FileSystemWatcher', 'Heartbeat', 'GateThread', 'LowLevelSpinWaiter', 'ManualResetEventSlim.Wait',
        'SemaphoreSlim.Wait(')
MESSAGE = ('IdentityRef.Server.Inbound', 'IdentityRef.Hl7!', 'IdentityRef.Application.Inbound')
ONE_TIME = ('MatchEngineProvider+<LoadAsync>', 'MatchEngineProvider+<CountNamesAsync>')
PARTS = [
    ('the commit (fsync wait + CPU)', ('RelationalTransaction+<CommitAsync>', 'RelationalTransaction.Commit(')),
    ('the check (AdmissionDuplicateCheck)', ('AdmissionDuplicateCheck+<CheckAsync>',)),
    ('the write half (IdentityWriter.SaveAsync)', ('IdentityWriter+<SaveAsync>',)),
    ('  of which EF SaveChanges', ('DbContext+<SaveChangesAsync>',)),
    ('  of which MatchKeyIndex (both steps)', ('MatchKeyIndex',)),
    ('    of which the raw key insert', ('InsertInt64Pairs',)),
    ('  of which OutboxWriter', ('OutboxWriter',)),
    ('identifier look-ups (InboundIdentities)', ('InboundIdentities+<FindAsync>',)),
    ('opening the transaction (BeginAsync)', ('InboundUnitOfWork+<BeginAsync>',)),
]


def speedscope(path):
    if path.endswith('.json'):
        return path
    out = path[:-len('.nettrace')] if path.endswith('.nettrace') else path
    json_path = out + '.speedscope.json'
    if not os.path.exists(json_path):
        tool = os.environ.get('DOTNET_TRACE', os.path.expanduser('~/.dotnet/tools/dotnet-trace'))
        subprocess.run([tool, 'convert', '--format', 'Speedscope', path, '-o', out], check=True, stdout=subprocess.DEVNULL)
    return json_path


def intervals(path):
    """(stack, duration in ms) for every stretch of time a thread spent in one stack."""
    data = json.load(open(path))
    frames = [f['name'] for f in data['shared']['frames']]
    for profile in data['profiles']:
        stack, last = [], None
        for event in profile['events']:
            if last is not None and stack and event['at'] > last:
                yield tuple(stack), event['at'] - last
            last = event['at']
            if event['type'] == 'O':
                stack.append(frames[event['frame']])
            else:
                name = frames[event['frame']]
                while stack and stack.pop() != name:
                    pass


def report(path):
    total = cpu = 0.0
    part, part_cpu, kind = collections.Counter(), collections.Counter(), collections.Counter()
    for stack, dt in intervals(speedscope(path)):
        if stack[-1] not in ('CPU_TIME', 'UNMANAGED_CODE_TIME'):
            continue
        text = '|'.join(stack)
        if any(i in text for i in IDLE) or any(o in text for o in ONE_TIME) or not any(m in text for m in MESSAGE):
            continue
        total += dt
        on_cpu = stack[-1] == 'CPU_TIME' or ('sqlite3_' in text and 'Commit' not in text)
        cpu += dt if on_cpu else 0
        for label, patterns in PARTS:
            if any(p in text for p in patterns):
                part[label] += dt
                part_cpu[label] += dt if on_cpu else 0
        k = 'creation' if 'CreateFromFeedAsync' in text else 'update' if 'PatientUpsertHandler' in text else 'other'
        kind[k] += dt
        for label, pattern in (('write half', 'IdentityWriter+<SaveAsync>'), ('SaveChanges', 'DbContext+<SaveChangesAsync>'),
                               ('MatchKeyIndex', 'MatchKeyIndex')):
            if pattern in text:
                kind[f'{k}: {label}'] += dt
    print(f'== {path}: message threads {total / 1000:.2f} s, of which CPU {cpu / 1000:.2f} s')
    for label, _ in PARTS:
        print(f'  {label:45s} {part[label] / total * 100:5.1f} % of thread time  {part_cpu[label] / cpu * 100:5.1f} % of CPU')
    for k in sorted(kind):
        print(f'  {k:45s} {kind[k] / 1000:6.2f} s  {kind[k] / total * 100:5.1f} % of thread time')


if __name__ == '__main__':
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for trace in sys.argv[1:]:
        report(trace)
