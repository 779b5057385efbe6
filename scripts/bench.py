"""Side-by-side benchmarks of synapscribe-local and moto (`python3 -m moto.server`), in one run.

Each section starts both servers the same way on loopback, measures, and prints the figures and the ratio.
Sections: startup (start-to-ready time, idle RSS); lambda (warm-invoke overhead and cold start of a no-op
python3.12 handler: ours alone, because moto runs Lambda functions in Docker, which this machine does not have);
websocket (concurrent WebSocket connections held with the server's RSS, and PostToConnection-to-client-receive
latency at a steady rate: ours alone, moto has no WebSocket data plane).
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


def lambda_server(binary, idle_timeout):
    template = os.path.join(ROOT, "Fixtures", "lambda-tests", "template.yaml")
    return Server("synapscribe-local",
                  [binary, "start", "--template", template, "--port", "{port}", "--ephemeral", "--log-level", "warning",
                   "--lambda-idle-timeout", str(idle_timeout)],
                  "/_local/health", ROOT).start()


def signed_invoke_headers(port, function, body):
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    request = AWSRequest(method="POST", url=f"http://127.0.0.1:{port}/2015-03-31/functions/{function}/invocations",
                         data=body, headers={"X-Amz-Invocation-Type": "RequestResponse"})
    SigV4Auth(Credentials("test", "test"), "lambda", "us-east-1").add_auth(request)
    return dict(request.headers)


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def bench_lambda(binary, invocations, cold_runs):
    import http.client
    import json

    import boto3
    from botocore.config import Config

    print(f"\n## lambda: no-op python3.12 handler (awslambdaric), {invocations} warm invocations, {cold_runs} cold starts")
    print("(moto runs Lambda functions in Docker containers, which this machine does not have: our figures alone)")
    server = lambda_server(binary, 600)
    try:
        body = b"{}"
        headers = signed_invoke_headers(server.port, "noop", body)
        connection = http.client.HTTPConnection("127.0.0.1", server.port)
        path = "/2015-03-31/functions/noop/invocations"
        for _ in range(20):  # cold start and warm-up
            connection.request("POST", path, body=body, headers=headers)
            connection.getresponse().read()
        raw = []
        for _ in range(invocations):
            started = time.perf_counter()
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            raw.append((time.perf_counter() - started) * 1000)
            assert response.status == 200, response.status
        print(f"warm invoke, raw HTTP keep-alive (server + Runtime API + worker): p50 {percentile(raw, 0.5):.3f} ms"
              f"   p99 {percentile(raw, 0.99):.3f} ms")
        client = boto3.client("lambda", endpoint_url=f"http://127.0.0.1:{server.port}", region_name="us-east-1",
                              aws_access_key_id="test", aws_secret_access_key="test",
                              config=Config(retries={"total_max_attempts": 1}))
        via_boto = []
        for _ in range(invocations):
            started = time.perf_counter()
            client.invoke(FunctionName="noop", Payload=body)["Payload"].read()
            via_boto.append((time.perf_counter() - started) * 1000)
        print(f"warm invoke, boto3 lambda.invoke (adds boto3's own signing and parsing): p50 {percentile(via_boto, 0.5):.3f} ms"
              f"   p99 {percentile(via_boto, 0.99):.3f} ms")
    finally:
        server.stop()

    server = lambda_server(binary, 0.001)  # every environment is reclaimed at once: each invocation is cold
    try:
        client = boto3.client("lambda", endpoint_url=f"http://127.0.0.1:{server.port}", region_name="us-east-1",
                              aws_access_key_id="test", aws_secret_access_key="test",
                              config=Config(retries={"total_max_attempts": 1}))
        cold, init = [], []
        for _ in range(cold_runs):
            time.sleep(0.3)
            started = time.perf_counter()
            response = client.invoke(FunctionName="noop", Payload=b"{}", LogType="Tail")
            cold.append((time.perf_counter() - started) * 1000)
            import base64
            report = [line for line in base64.b64decode(response["LogResult"]).decode().splitlines() if line.startswith("REPORT")]
            for field in report[0].split("\t") if report else []:
                if field.startswith("Init Duration:"):
                    init.append(float(field.split()[2]))
        print(f"cold start invoke round trip: p50 {statistics.median(cold):.1f} ms (min {min(cold):.1f}, max {max(cold):.1f})"
              f"   Init Duration p50 {statistics.median(init) if init else float('nan'):.1f} ms")
    finally:
        server.stop()


def bench_websocket(binary, connections, posts, rate):
    import asyncio
    import json
    import resource

    import boto3
    import websockets
    from botocore.config import Config

    print(f"\n## websocket: {connections} concurrent connections held, {posts} PostToConnection at {rate}/s")
    print("(moto has no WebSocket data plane: our figures alone)")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = min(hard, max(soft, connections * 2 + 1024))
    resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    if wanted < connections + 512:
        connections = max(100, wanted - 512)
        print(f"(open-file limit {wanted}: holding {connections} connections)")
    template = os.path.join(ROOT, "Fixtures", "websocket-tests", "bench.yaml")
    server = Server("synapscribe-local",
                    [binary, "start", "--template", template, "--port", "{port}", "--ephemeral", "--log-level", "warning"],
                    "/_local/health", ROOT).start()
    try:
        cfn = boto3.client("cloudformation", endpoint_url=f"http://127.0.0.1:{server.port}", region_name="us-east-1",
                           aws_access_key_id="test", aws_secret_access_key="test")
        url = cfn.describe_stacks()["Stacks"][0]["Outputs"][0]["OutputValue"]
        idle_rss = rss_kib(server.proc.pid)

        async def run():
            sockets = []
            semaphore = asyncio.Semaphore(64)

            async def open_one():
                async with semaphore:
                    sockets.append(await websockets.connect(url, ping_interval=None, open_timeout=60))

            started = time.monotonic()
            await asyncio.gather(*(open_one() for _ in range(connections)))
            opened = time.monotonic() - started
            await asyncio.sleep(1)
            held_rss = rss_kib(server.proc.pid)
            print(f"{len(sockets)} connections opened in {opened:.1f} s ({len(sockets) / opened:.0f}/s);"
                  f" server RSS idle {idle_rss / 1024:.1f} MiB -> {held_rss / 1024:.1f} MiB"
                  f" ({(held_rss - idle_rss) / max(1, len(sockets)):.1f} KiB per connection)")
            # The API has no $default route: any message gets the Forbidden frame, which names the connection.
            target = sockets[len(sockets) // 2]
            await target.send("{}")
            connection_id = json.loads(await target.recv())["connectionId"]
            client = boto3.client("apigatewaymanagementapi", endpoint_url=f"http://127.0.0.1:{server.port}/bench",
                                  region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test",
                                  config=Config(retries={"total_max_attempts": 1}))
            latencies = []
            interval = 1.0 / rate
            next_at = time.monotonic()
            for index in range(posts + 20):
                await asyncio.sleep(max(0.0, next_at - time.monotonic()))
                next_at += interval
                sent = time.perf_counter()
                await asyncio.to_thread(client.post_to_connection, ConnectionId=connection_id, Data=str(index).encode())
                message = await target.recv()
                assert message == str(index), message
                if index >= 20:  # warm-up excluded
                    latencies.append((time.perf_counter() - sent) * 1000)
            print(f"PostToConnection (boto3, plain http) -> client receive, {rate}/s while {len(sockets)} connections are held:"
                  f" p50 {percentile(latencies, 0.5):.2f} ms   p99 {percentile(latencies, 0.99):.2f} ms")
            for chunk in range(0, len(sockets), 500):
                await asyncio.gather(*(s.close() for s in sockets[chunk:chunk + 500]), return_exceptions=True)

        asyncio.run(run())
    finally:
        server.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bin", required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", action="append", choices=["startup", "lambda", "websocket"])
    parser.add_argument("--connections", type=int, default=10000)
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--post-rate", type=int, default=100)
    parser.add_argument("--invocations", type=int, default=1000)
    args = parser.parse_args()
    sections = args.only or ["startup", "lambda", "websocket"]
    workdir = tempfile.mkdtemp(prefix="bench-")
    try:
        print(f"# synapscribe-local vs moto on {os.cpu_count()} cores")
        if "startup" in sections:
            bench_startup(args.bin, args.runs, workdir)
        if "lambda" in sections:
            bench_lambda(args.bin, args.invocations, max(args.runs, 5))
        if "websocket" in sections:
            bench_websocket(args.bin, args.connections, args.posts, args.post_rate)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
