"""Old binary against new, one workload, alternating: each run starts a fresh pinned server (as bench_pinned.py does),
loads it with wrk for a few seconds, and prints the server's CPU time per request (user + system from /proc/PID/stat
over wrk's completed requests) and wrk's own CPU time per request (from getrusage of the finished wrk process).

Server CPU per request compares two builds on a busy machine, where requests per second do not; wrk's CPU per
request shows when the client's core, not the server, bounds a workload's rate (S3 GetObject 1 MiB: wrk reads
the body 8 KiB at a time).

Usage (from scripts/, with a python that has botocore):
    ../.venv/bin/python bench_compare.py --workload "S3 PutObject 1 KiB" --rounds 4 --seconds 4 OLD_BIN NEW_BIN
"""

import argparse
import os
import resource
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench import ours_server  # noqa: E402
from bench_pinned import SERVER_CORE, _check, _run_wrk, _setup, _workloads, cpu_seconds  # noqa: E402


def measure(binary, workload, seconds, connections):
    """One fresh server, one wrk run: rate, server and wrk CPU microseconds per request."""
    workdir = tempfile.mkdtemp(prefix="bench-compare-")
    server = ours_server(os.path.abspath(binary), workdir)
    server.pin = SERVER_CORE
    server.start()
    try:
        _setup(server.port)
        request = {label: item for label, item, _ in _workloads(server.port)}[workload]
        _check(server.port, request, workload)
        before = cpu_seconds(server.proc.pid)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        result = _run_wrk(server.port, request, seconds, connections, workdir)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        used = cpu_seconds(server.proc.pid) - before
        requests = max(result["requests"], 1)
        client = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
        return {"rate": result["rate"], "server": used / requests * 1e6, "client": client / requests * 1e6,
                "non2xx": result["non2xx"]}
    finally:
        server.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("binaries", nargs="+")
    parser.add_argument("--workload", required=True)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=4)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    runs = {binary: [] for binary in args.binaries}
    for round_index in range(args.rounds):
        # The order alternates, so neither build always runs first after the machine's quiet moments.
        order = args.binaries if round_index % 2 == 0 else list(reversed(args.binaries))
        for binary in order:
            run = measure(binary, args.workload, args.seconds, args.connections)
            runs[binary].append(run)
            print(f"{binary}: {run['rate']:.0f} req/s, server {run['server']:.0f} us/request, "
                  f"wrk {run['client']:.0f} us/request, non-2xx {run['non2xx']}", flush=True)
    print(f"\n{args.workload}, median of {args.rounds}:")
    for binary, values in runs.items():
        server = [run["server"] for run in values]
        print(f"  {binary}: server {statistics.median(server):.0f} us/request (range {min(server):.0f}-{max(server):.0f}), "
              f"wrk {statistics.median(run['client'] for run in values):.0f} us/request")


if __name__ == "__main__":
    main()
