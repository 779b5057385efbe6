"""Does the emulator's cost per request grow over a run? One synapscribe-local server (the bench's `--ephemeral`
start), pinned to one core, runs the pinned bench's workload sequence (bench_pinned.py) several times in a row; for
every workload of every pass it prints the server's CPU time per request (from /proc/PID/stat, so it does not depend
on how busy the rest of the machine is, as requests per second do) and after every pass the state that could grow:
resident memory (anonymous and file-backed), the in-memory blob folder (files, bytes), threads and open descriptors.

Usage (from scripts/, with the bench venv's python for botocore):
    ../.venv-bench/bin/python bench_drift.py --bin ../.build/release/synapscribe-local [--passes 2] [--seconds 8]
        [--workload "S3 PutObject 1 KiB" --workload "S3 GetObject 1 KiB" ...]
A workload whose CPU per request is markedly higher in a later pass than in the first has a state-dependent cost.
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench import ours_server, rss_kib  # noqa: E402
from bench_pinned import SERVER_CORE, _check, _run_wrk, _setup, _workloads, cpu_seconds  # noqa: E402


def folder_usage(path):
    """Files and bytes under a folder (0, 0 when it does not exist)."""
    files = size = 0
    for folder, _, names in os.walk(path):
        for name in names:
            try:
                size += os.lstat(os.path.join(folder, name)).st_size
                files += 1
            except FileNotFoundError:
                pass
    return files, size


def state(pid):
    """The figures that could grow over a run."""
    blobs = folder_usage(f"/dev/shm/synapscribe-local-{pid}")
    return {
        "rss": rss_kib(pid) / 1024,
        "anon": rss_kib(pid, "RssAnon") / 1024,
        "file": rss_kib(pid, "RssFile") / 1024 + rss_kib(pid, "RssShmem") / 1024,
        "blob_files": blobs[0],
        "blob_mib": blobs[1] / 1048576,
        "threads": len(os.listdir(f"/proc/{pid}/task")),
        "fds": len(os.listdir(f"/proc/{pid}/fd")),
    }


def print_state(label, figures):
    print(f"  state {label}: RSS {figures['rss']:.1f} MiB (anonymous {figures['anon']:.1f}, files+shmem {figures['file']:.1f}),"
          f" in-memory blobs {figures['blob_files']} files / {figures['blob_mib']:.1f} MiB,"
          f" {figures['threads']} threads, {figures['fds']} descriptors", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", required=True)
    parser.add_argument("--passes", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=8, help="wrk run per workload and pass")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workload", action="append", help="a workload label (repeatable; default: all, in the bench's order)")
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="bench-drift-")
    server = ours_server(os.path.abspath(args.bin), workdir)
    server.pin = SERVER_CORE
    server.start()
    cost = {}
    try:
        pid = server.proc.pid
        _setup(server.port)
        workloads = {label: request for label, request, _ in _workloads(server.port)}
        labels = args.workload or list(workloads)
        print(f"one server (pid {pid}) pinned to core {SERVER_CORE}; {args.passes} passes of {len(labels)} workloads,"
              f" wrk {args.seconds} s, {args.connections} connections each")
        print_state("after setup", state(pid))
        for number in range(1, args.passes + 1):
            print(f"pass {number}")
            for label in labels:
                request = workloads[label]
                _check(server.port, request, label)
                before = cpu_seconds(pid)
                result = _run_wrk(server.port, request, args.seconds, args.connections, workdir)
                used = cpu_seconds(pid) - before
                per_request = used / max(result["requests"], 1) * 1e6
                cost.setdefault(label, []).append(per_request)
                print(f"  {label:26s} {result['rate']:8.0f} req/s  {result['requests']:7d} requests  server CPU {used:6.2f} s"
                      f" = {per_request:6.1f} us/request  non-2xx {result['non2xx']}", flush=True)
            print_state(f"after pass {number}", state(pid))
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)

    print("\nCPU per request (us) by pass, and the last pass over the first:")
    for label, values in cost.items():
        cells = "  ".join(f"{value:6.1f}" for value in values)
        print(f"  {label:26s} {cells}   x{values[-1] / values[0]:.2f}   (median {statistics.median(values):.1f})")


if __name__ == "__main__":
    main()
