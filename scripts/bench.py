"""Side-by-side benchmarks of synapscribe-local and moto (`python3 -m moto.server`), in one run.

Each section starts both servers the same way on loopback, measures, and prints the figures and the ratio.
Sections: startup (start-to-ready time, idle RSS). Later sections are added by the issues that build the
services they measure.
"""

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def wait_ready(url, deadline):
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=0.5) as r:
                if r.status < 500:
                    return True
        except Exception:
            time.sleep(0.002)
    return False


class Server:
    """A server process started on a free loopback port."""

    def __init__(self, name, argv, ready_path, cwd):
        self.name, self.argv, self.ready_path, self.cwd = name, argv, ready_path, cwd

    def start(self):
        self.port = free_port()
        argv = [a.replace("{port}", str(self.port)) for a in self.argv]
        t0 = time.monotonic()
        self.proc = subprocess.Popen(argv, cwd=self.cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        ok = wait_ready(f"http://127.0.0.1:{self.port}{self.ready_path}", t0 + 60)
        self.ready_ms = (time.monotonic() - t0) * 1000
        if not ok:
            self.stop()
            raise RuntimeError(f"{self.name} did not become ready")
        return self

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def servers(binary, workdir):
    return [
        Server(
            "synapscribe-local",
            [binary, "start", "--template", os.path.join(ROOT, "template.yaml"), "--port", "{port}", "--ephemeral",
             "--parameter-overrides", "AgentCoreEndpoint=http://127.0.0.1:9", "--log-level", "warning"],
            "/_local/health",
            workdir,
        ),
        # moto is started from an empty folder (it imports stray *.py files from its working directory).
        Server("moto", [shutil.which("python3") or sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", "{port}"], "/moto-api/", workdir),
    ]


def bench_startup(binary, runs, workdir):
    print(f"\n## startup: start-to-ready (spawn until the first HTTP answer) and idle RSS, {runs} runs each")
    results = {}
    for server in servers(binary, workdir):
        ready, rss = [], []
        for _ in range(runs):
            server.start()
            ready.append(server.ready_ms)
            time.sleep(1.0)
            rss.append(rss_kib(server.proc.pid))
            server.stop()
        results[server.name] = (statistics.median(ready), statistics.median(rss))
        print(f"{server.name:18s} ready p50 {statistics.median(ready):8.1f} ms   (min {min(ready):.1f}, max {max(ready):.1f})"
              f"   idle RSS p50 {statistics.median(rss) / 1024:7.1f} MiB")
    ours, moto = results["synapscribe-local"], results["moto"]
    print(f"ratio (moto / synapscribe-local): ready {moto[0] / ours[0]:.1f}x faster, idle RSS {moto[1] / ours[1]:.1f}x smaller")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bin", required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", action="append", choices=["startup"])
    args = parser.parse_args()
    sections = args.only or ["startup"]
    workdir = tempfile.mkdtemp(prefix="bench-")
    try:
        print(f"# synapscribe-local vs moto on {os.cpu_count()} cores")
        if "startup" in sections:
            bench_startup(args.bin, args.runs, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
