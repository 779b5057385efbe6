"""CPU profile of one pinned workload: the emulator pinned to one core, wrk on another replaying one botocore-signed
request (the same requests as bench_pinned.py; `--client loadgen` for scripts/loadgen.c), `perf record -g` attached to the server for the run.

Usage (from scripts/, with the bench venv's python for botocore):
    ../.venv-bench/bin/python bench_profile.py --bin ../.build/release/synapscribe-local --workload "DynamoDB GetItem" \
        [--seconds 8] [--out /tmp/getitem.data] [--report 40]
Prints wrk's rate, the server's CPU time per request, then `perf report` (children and self, by symbol) unless
--report 0. `--workload list` lists the workloads.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench import ours_server  # noqa: E402
from bench_pinned import CLIENT_CORE, SERVER_CORE, _check, _setup, _workloads, cpu_seconds, run_client  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", required=True)
    parser.add_argument("--workload", required=True)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--out", default=None, help="perf.data path (default: a temp file)")
    parser.add_argument("--report", type=int, default=40, help="lines of perf report to print (0: none)")
    parser.add_argument("--client", choices=["wrk", "loadgen"], default="wrk", help="the load generator (as bench --pinned-client)")
    parser.add_argument("--no-perf", action="store_true", help="measure rate and CPU per request only")
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="bench-profile-")
    server = ours_server(os.path.abspath(args.bin), workdir)
    server.pin = SERVER_CORE
    server.start()
    try:
        _setup(server.port)
        workloads = {label: request for label, request, _ in _workloads(server.port)}
        if args.workload == "list":
            print("\n".join(workloads))
            return
        request = workloads[args.workload]
        _check(server.port, request, args.workload)
        pid = server.proc.pid
        # taskset execs the server in place, so the Popen pid is the server's.
        out = args.out or os.path.join(workdir, "perf.data")
        perf = None
        if not args.no_perf:
            perf = subprocess.Popen(["perf", "record", "-g", "-F", "2999", "-o", out, "-p", str(pid)],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(0.5)
        before = cpu_seconds(pid)
        result = run_client(args.client, server.port, request, args.seconds, args.connections, workdir)
        used = cpu_seconds(pid) - before
        if perf is not None:
            perf.send_signal(2)
            perf.wait()
        requests = max(result["requests"], 1)
        print(f"{args.workload}: {result['rate']:.0f} req/s (server core {SERVER_CORE}, {args.client} core {CLIENT_CORE}),"
              f" server CPU {used:.2f} s = {used / requests * 1e6:.0f} us/request, non-2xx {result['non2xx']}")
        if perf is not None and args.report:
            for mode in (["--children"], ["--no-children"]):
                report = subprocess.run(["perf", "report", "-i", out, "--stdio", "--no-demangle", "-g", "none",
                                         "--percent-limit", "0.7", "--sort", "symbol"] + mode,
                                        capture_output=True, text=True).stdout
                lines = [line for line in report.splitlines() if line.strip() and not line.startswith("#")]
                print(f"\n--- perf report {mode[0]} (top {args.report}) ---")
                demangled = subprocess.run(["swift", "demangle", "--simplified", "--compact"], input="\n".join(lines[:args.report]),
                                           capture_output=True, text=True).stdout
                print(demangled)
            print(f"perf data: {out}")
    finally:
        server.stop()
        if args.no_perf or args.out:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
