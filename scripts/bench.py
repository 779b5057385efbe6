"""Side-by-side benchmarks of synapscribe-local and moto (`python3 -m moto.server`), in one run.

Each section starts both servers the same way on loopback, measures, and prints the figures and the ratio.
Sections: startup (start-to-ready time, idle RSS); s3 (PutObject/GetObject at 1 KiB and 1 MiB with 8 concurrent
keep-alive clients, throughput and p50/p99 latency, and the emulator's peak RSS while a 1 GiB object is uploaded).
"""

import argparse
import http.client
import os
import threading
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


# --------------------------------------------------------------------------- s3

BENCH_BUCKET = "bench-bucket"


def s3_headers(extra=None):
    """Headers of a SigV4-shaped request signed with an access key the emulator does not know.

    The emulator accepts unknown keys without verifying them (as moto does for every key), so both servers do the
    same work per request and the Python client stays light enough not to be the bottleneck.
    """
    now = time.gmtime()
    amz_date = time.strftime("%Y%m%dT%H%M%SZ", now)
    scope = f"{amz_date[:8]}/us-east-1/s3/aws4_request"
    headers = {
        "x-amz-date": amz_date,
        "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
        "Authorization": f"AWS4-HMAC-SHA256 Credential=AKIABENCHMARK00000000/{scope}, "
                         f"SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature={'0' * 64}",
    }
    headers.update(extra or {})
    return headers


def s3_request(connection, method, path, body=None, headers=None):
    connection.request(method, path, body=body, headers=s3_headers(headers))
    response = connection.getresponse()
    data = response.read()
    if response.status >= 300:
        raise RuntimeError(f"{method} {path}: HTTP {response.status} {data[:200]!r}")
    return data


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def run_concurrently(port, operations, concurrency):
    """Runs (method, path, body) operations on `concurrency` keep-alive connections; returns (seconds, latencies)."""
    chunks = [operations[i::concurrency] for i in range(concurrency)]
    latencies = []
    lock = threading.Lock()
    errors = []

    def worker(items):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        local = []
        try:
            for method, path, body in items:
                started = time.perf_counter()
                s3_request(connection, method, path, body)
                local.append(time.perf_counter() - started)
        except Exception as error:  # reported after the run
            errors.append(error)
        finally:
            connection.close()
        with lock:
            latencies.extend(local)

    threads = [threading.Thread(target=worker, args=(chunk,)) for chunk in chunks]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    return elapsed, latencies


def bench_s3(binary, workdir, concurrency, small_ops, large_ops, big_mib):
    print(f"\n## s3: PutObject / GetObject, {concurrency} concurrent keep-alive clients (raw HTTP, SigV4-shaped headers)")
    sizes = [("1 KiB", 1024, small_ops), ("1 MiB", 1024 * 1024, large_ops)]
    results = {}
    for server in servers(binary, workdir):
        server.start()
        try:
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
            s3_request(connection, "PUT", f"/{BENCH_BUCKET}")
            connection.close()
            for label, size, count in sizes:
                body = os.urandom(size)
                keys = [f"/{BENCH_BUCKET}/{label.replace(' ', '')}/{i}" for i in range(count)]
                # Warm-up, then the measured runs.
                run_concurrently(server.port, [("PUT", f"{key}-warmup", body) for key in keys[:concurrency]], concurrency)
                put_time, put_lat = run_concurrently(server.port, [("PUT", key, body) for key in keys], concurrency)
                get_time, get_lat = run_concurrently(server.port, [("GET", key, None) for key in keys], concurrency)
                for operation, elapsed, latencies in (("PutObject", put_time, put_lat), ("GetObject", get_time, get_lat)):
                    rate = count / elapsed
                    results[(server.name, operation, label)] = rate
                    print(f"{server.name:18s} {operation:9s} {label:6s} {rate:8.0f} ops/s {rate * size / 1048576:8.1f} MiB/s"
                          f"   p50 {percentile(latencies, 0.5) * 1000:7.2f} ms   p99 {percentile(latencies, 0.99) * 1000:7.2f} ms")
            if server.name == "synapscribe-local" and big_mib > 0:
                bench_big_upload(server, big_mib)
        finally:
            server.stop()
    print("ratio (synapscribe-local / moto):")
    for _, operation, label in [key for key in results if key[0] == "moto"]:
        ours, moto = results[("synapscribe-local", operation, label)], results[("moto", operation, label)]
        print(f"  {operation:9s} {label:6s} {ours / moto:6.1f}x the throughput")


def bench_big_upload(server, big_mib):
    """Streams a `big_mib` MiB PutObject to the emulator while sampling its RSS."""
    pid = server.proc.pid
    baseline = rss_kib(pid)
    peak = [baseline]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], rss_kib(pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    chunk = os.urandom(1024 * 1024)
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=600)
    connection.putrequest("PUT", f"/{BENCH_BUCKET}/big-object")
    for name, value in s3_headers({"Content-Length": str(big_mib * 1024 * 1024)}).items():
        connection.putheader(name, value)
    connection.endheaders()
    for _ in range(big_mib):
        connection.send(chunk)
    response = connection.getresponse()
    response.read()
    elapsed = time.perf_counter() - started
    connection.close()
    done.set()
    sampler.join()
    if response.status != 200:
        raise RuntimeError(f"big upload: HTTP {response.status}")
    print(f"synapscribe-local  PutObject {big_mib} MiB streamed in {elapsed:.1f} s ({big_mib / elapsed:.0f} MiB/s): RSS before "
          f"{baseline / 1024:.1f} MiB, peak during {peak[0] / 1024:.1f} MiB (+{(peak[0] - baseline) / 1024:.1f} MiB)")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bin", required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", action="append", choices=["startup", "s3"])
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--s3-small-ops", type=int, default=2000, help="PutObject/GetObject count at 1 KiB")
    parser.add_argument("--s3-large-ops", type=int, default=200, help="PutObject/GetObject count at 1 MiB")
    parser.add_argument("--s3-big-mib", type=int, default=1024, help="size of the RSS-sampled upload (0 skips it)")
    args = parser.parse_args()
    sections = args.only or ["startup", "s3"]
    workdir = tempfile.mkdtemp(prefix="bench-")
    try:
        print(f"# synapscribe-local vs moto on {os.cpu_count()} cores")
        if "startup" in sections:
            bench_startup(args.bin, args.runs, workdir)
        if "s3" in sections:
            bench_s3(args.bin, workdir, args.concurrency, args.s3_small_ops, args.s3_large_ops, args.s3_big_mib)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
