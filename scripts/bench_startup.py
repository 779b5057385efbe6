"""Start-up and idle memory of one or more synapscribe-local builds, started alternately on the SynapScribe template.

Usage (from the repository root):
    .venv/bin/python scripts/bench_startup.py --bin A [--bin B ...] [--runs 10] [--idle 1.0] [--smaps]
    .venv/bin/python scripts/bench_startup.py --bin A --runs 20 --perf /tmp/startup.data [--report 40]

Each run starts a build as `scripts/bench --only startup` does (`start --ephemeral`, the template, a free port) and
polls `/_local/health` every millisecond. Per build it prints the median and range of: wall time from spawn to the
first answer; the process's CPU time until then (all threads, `/proc/PID/task/*/schedstat`: steadier than wall time
on a shared machine); and after `--idle` seconds of idleness the resident memory (VmRSS, of which RssAnon is the
process's own and RssFile mapped files). `--smaps` prints, for the last run of each build, the resident KiB per
mapped file and for anonymous memory (`/proc/PID/smaps`). `--perf OUT` records the first build's starts with
`perf record -g` (every thread, until the first answer) and prints the report of those processes only.
"""

import argparse
import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_ms(pid):
    """CPU time of every live thread of `pid` in ms (schedstat's first field is ns on the CPU)."""
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/schedstat") as f:
                total += int(f.read().split()[0])
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total / 1e6


def status_kib(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def smaps_by_mapping(pid):
    """Resident KiB per mapped file (anonymous memory, stacks and heap under their bracketed names)."""
    sizes, current = {}, None
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            first = line.split(maxsplit=1)[0]
            if "-" in first and not first.endswith(":"):
                parts = line.split()
                current = parts[5] if len(parts) > 5 else "[anonymous]"
            elif first == "Rss:" and current is not None:
                sizes[current] = sizes.get(current, 0) + int(line.split()[1])
    return sorted(sizes.items(), key=lambda item: -item[1])


def answered(port):
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=0.5)
        connection.request("GET", "/_local/health")
        ok = connection.getresponse().status < 500
        connection.close()
        return ok
    except OSError:
        return False


def start_once(binary, workdir, idle, smaps):
    port = free_port()
    argv = [os.path.abspath(binary), "start", "--template", os.path.join(ROOT, "template.yaml"), "--port", str(port), "--ephemeral",
            "--parameter-overrides", "AgentCoreEndpoint=http://127.0.0.1:9", "--log-level", "warning"]
    t0 = time.monotonic()
    proc = subprocess.Popen(argv, cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while not answered(port):
            if proc.poll() is not None or time.monotonic() - t0 > 60:
                raise RuntimeError(f"{binary} did not answer")
            time.sleep(0.001)
        wall = (time.monotonic() - t0) * 1000
        cpu = cpu_ms(proc.pid)
        result = {"pid": proc.pid, "wall": wall, "cpu": cpu}
        if idle > 0:
            time.sleep(idle)
            for field in ("VmRSS", "RssAnon", "RssFile"):
                result[field] = status_kib(proc.pid, field) / 1024
            if smaps:
                result["smaps"] = smaps_by_mapping(proc.pid)
        return result
    finally:
        proc.send_signal(signal.SIGKILL if idle == 0 else signal.SIGTERM)
        proc.wait()


def summary(values):
    return f"{statistics.median(values):7.1f} ({min(values):.1f}-{max(values):.1f})"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", action="append", required=True, help="a build to start (repeat to alternate builds)")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--idle", type=float, default=1.0, help="seconds idle before reading memory (0: skip)")
    parser.add_argument("--smaps", action="store_true")
    parser.add_argument("--perf", help="perf.data path: record the first build's starts")
    parser.add_argument("--report", type=int, default=40)
    parser.add_argument("--pid-file", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.perf:
        pid_file = args.perf + ".pids"
        inner = [sys.executable, os.path.abspath(__file__), "--bin", args.bin[0], "--runs", str(args.runs),
                 "--idle", "0", "--pid-file", pid_file]
        subprocess.run(["perf", "record", "-g", "-F", "20000", "-o", args.perf, "--"] + inner, check=True,
                       stderr=subprocess.DEVNULL)
        with open(pid_file) as f:
            pids = f.read().split()
        for mode in (["--children"], ["--no-children"]):
            report = subprocess.run(["perf", "report", "-i", args.perf, "--stdio", "--no-demangle", "-g", "none",
                                     "--percent-limit", "0.5", "--sort", "dso,symbol", "--pid", ",".join(pids)] + mode,
                                    capture_output=True, text=True).stdout
            lines = [line.rstrip(" -") for line in report.splitlines() if line.strip() and not line.startswith("#")]
            print(f"\n--- perf report {mode[0]} (top {args.report}) ---")
            print(subprocess.run(["swift", "demangle", "--simplified", "--compact"], input="\n".join(lines[:args.report]),
                                 capture_output=True, text=True).stdout)
        return

    workdir = tempfile.mkdtemp(prefix="bench-startup-")
    results = {binary: [] for binary in args.bin}
    for _ in range(args.runs):
        for binary in args.bin:
            results[binary].append(start_once(binary, workdir, args.idle, args.smaps))
    if args.pid_file:
        with open(args.pid_file, "w") as f:
            f.write(" ".join(str(r["pid"]) for r in results[args.bin[0]]))
    for binary, runs in results.items():
        print(f"{binary}: {len(runs)} starts, median (min-max)")
        print(f"  wall to first answer {summary([r['wall'] for r in runs])} ms")
        print(f"  CPU until then       {summary([r['cpu'] for r in runs])} ms (all threads)")
        if args.idle > 0:
            print(f"  idle VmRSS           {summary([r['VmRSS'] for r in runs])} MiB, RssAnon"
                  f" {summary([r['RssAnon'] for r in runs])}, RssFile {summary([r['RssFile'] for r in runs])}")
        if args.smaps:
            print("  resident KiB by mapping (last run):")
            for name, kib in runs[-1]["smaps"][:12]:
                print(f"    {kib:8d}  {name}")


if __name__ == "__main__":
    main()
