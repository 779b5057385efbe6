"""Side-by-side benchmarks of synapscribe-local, moto (`python -m moto.server`) and ministack, in one run.

Each section starts the servers the same way on loopback, measures, and prints the figures and the ratio; the
peers come from .venv-bench (scripts/bench-requirements.txt).
Sections: startup (start-to-ready time, idle RSS, beside moto and ministack); pinned (requests per second per core:
every server pinned to the same single core, wrk on another, replaying botocore-signed DynamoDB and S3 requests, in
interleaved rounds with `--pinned-rounds N`, with each server's CPU time per request; see bench_pinned.py);
dynamodb (PutItem, GetItem and Query throughput and p50/p99 latency at concurrency 32 beside moto, then Query latency on a 10k-item vs a 1M-item table);
lambda (warm-invoke overhead and cold start of a no-op python3.12 handler: ours alone, because moto runs Lambda functions in Docker, which this machine does not have);
websocket (concurrent WebSocket connections held with the server's RSS, and PostToConnection-to-client-receive
latency at a steady rate: ours alone, moto has no WebSocket data plane);
s3 (PutObject/GetObject at 1 KiB and 1 MiB with 8 concurrent keep-alive clients, throughput and p50/p99
latency, beside moto, and the emulator's peak RSS while a 1 GiB object is uploaded).
"""

import argparse
import http.client
import json
import multiprocessing
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


def rss_kib(pid, field="VmRSS"):
    """A memory figure of /proc/PID/status in KiB: VmRSS (all resident pages), RssAnon (the process's own heap and
    stacks) or RssFile (mapped files: the binary and shared libraries, shared with other processes)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
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
    """A server process started on a free loopback port, optionally pinned to CPU cores (`pin`, taskset's list)."""

    def __init__(self, name, argv, ready_path, cwd, env=None):
        self.name, self.argv, self.ready_path, self.cwd, self.env = name, argv, ready_path, cwd, env or {}
        self.pin = None

    def start(self):
        self.port = free_port()
        argv = [a.replace("{port}", str(self.port)) for a in self.argv]
        if self.pin is not None:
            argv = ["taskset", "-c", self.pin] + argv
        env = dict(os.environ)
        env.update({key: value.replace("{port}", str(self.port)) for key, value in self.env.items()})
        t0 = time.monotonic()
        self.proc = subprocess.Popen(argv, cwd=self.cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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


# The peers' interpreter: scripts/bench installs moto and ministack there from scripts/bench-requirements.txt.
PEER_VENV = os.path.join(ROOT, ".venv-bench")


def ours_server(binary, workdir, name="synapscribe-local"):
    """A synapscribe-local binary started on the SynapScribe template, in memory."""
    return Server(
        name,
        [binary, "start", "--template", os.path.join(ROOT, "template.yaml"), "--port", "{port}", "--ephemeral",
         "--parameter-overrides", "AgentCoreEndpoint=http://127.0.0.1:9", "--log-level", "warning"],
        "/_local/health",
        workdir,
    )


def servers(binary, workdir, peers=("moto",), baseline=None):
    """synapscribe-local first, then an earlier build of it (`baseline`, e.g. main's, named `before`) if given,
    then the named peers (moto, ministack), each started from an empty folder."""
    ours = ours_server(binary, workdir)
    earlier = [ours_server(baseline, workdir, "before")] if baseline else []
    python = os.path.join(PEER_VENV, "bin", "python")
    known = {
        # moto imports stray *.py files from its working directory: it starts from an empty folder.
        "moto": Server("moto", [python, "-m", "moto.server", "-H", "127.0.0.1", "-p", "{port}"], "/moto-api/", workdir),
        "ministack": Server(
            "ministack", [os.path.join(PEER_VENV, "bin", "ministack")], "/_ministack/health", workdir,
            env={"GATEWAY_PORT": "{port}", "BIND_HOST": "127.0.0.1", "IOT_MTLS_ENABLED": "0", "SFTP_ENABLED": "0"},
        ),
    }
    return [ours] + earlier + [known[name] for name in peers]


def bench_startup(binary, runs, workdir, baseline=None):
    print(f"\n## startup: start-to-ready (spawn until the first HTTP answer) and idle RSS, {runs} runs each")
    results = {}
    for server in servers(binary, workdir, ("moto", "ministack"), baseline):
        ready, rss, anon = [], [], []
        for _ in range(runs):
            server.start()
            ready.append(server.ready_ms)
            time.sleep(1.0)
            rss.append(rss_kib(server.proc.pid))
            anon.append(rss_kib(server.proc.pid, "RssAnon"))
            server.stop()
        results[server.name] = (statistics.median(ready), statistics.median(rss))
        print(f"{server.name:18s} ready p50 {statistics.median(ready):8.1f} ms   (min {min(ready):.1f}, max {max(ready):.1f})"
              f"   idle RSS p50 {statistics.median(rss) / 1024:7.1f} MiB (anonymous {statistics.median(anon) / 1024:5.1f} MiB,"
              f" the rest mapped files)")
    ours = results["synapscribe-local"]
    for peer in ("moto", "ministack"):
        other = results[peer]
        print(f"ratio ({peer} / synapscribe-local): ready {other[0] / ours[0]:.1f}x faster, idle RSS {other[1] / ours[1]:.1f}x smaller")


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


# --------------------------------------------------------------------------- dynamodb

def _signer():
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    credentials = Credentials("test", "test")

    def sign(port, operation, body):
        request = AWSRequest(method="POST", url=f"http://127.0.0.1:{port}/", data=body, headers={
            "X-Amz-Target": f"DynamoDB_20120810.{operation}", "Content-Type": "application/x-amz-json-1.0"})
        SigV4Auth(credentials, "dynamodb", "us-east-1").add_auth(request)
        return dict(request.headers.items())
    return sign


def ddb_call(connection, sign, port, operation, payload):
    """One signed DynamoDB call over a kept-alive connection; returns (status, body)."""
    body = json.dumps(payload).encode()
    connection.request("POST", "/", body=body, headers=sign(port, operation, body))
    response = connection.getresponse()
    data = response.read()
    return response.status, data


def _worker(args):
    """A process running `threads` client threads, each with its own connection, for `seconds`."""
    port, operation, table, process_index, threads, seconds, start_at, presigned = args
    sign = _signer()
    latencies, errors = [], [0]
    lock = threading.Lock()

    def payload(thread_index, i):
        if operation == "PutItem":
            return {"TableName": table, "Item": {"pk": {"S": f"w{process_index}-{thread_index}-{i}"}, "sk": {"S": "s"},
                                                 "data": {"S": "x" * 100}, "n": {"N": str(i)}}}
        if operation == "GetItem":
            return {"TableName": table, "Key": {"pk": {"S": "hot"}, "sk": {"S": f"{i % 100:03d}"}}}
        return {"TableName": table, "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "hot"}},
                "Limit": 20, "ExclusiveStartKey": {"pk": {"S": "hot"}, "sk": {"S": f"{i % 80:03d}"}}}

    def run(thread_index):
        # Requests are signed before the clock starts (a signature stays valid for 15 minutes), so the
        # measurement is not bounded by the client's signing cost; both servers get the same requests.
        prepared = []
        for i in range(presigned):
            body = json.dumps(payload(thread_index, i)).encode()
            prepared.append((body, sign(port, operation, body)))
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        local, i = [], 0
        while time.time() < start_at:
            time.sleep(0.001)
        deadline = start_at + seconds
        while time.time() < deadline:
            body, headers = prepared[i % presigned]
            t0 = time.perf_counter()
            connection.request("POST", "/", body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            local.append(time.perf_counter() - t0)
            if response.status != 200:
                with lock:
                    errors[0] += 1
            i += 1
        with lock:
            latencies.extend(local)

    workers = [threading.Thread(target=run, args=(t,)) for t in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return latencies, errors[0]


def ddb_setup(port, table, partitions=0, per_partition=0):
    sign = _signer()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    status, body = ddb_call(connection, sign, port, "CreateTable", {
        "TableName": table, "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]})
    assert status == 200, body
    items = [{"pk": {"S": "hot"}, "sk": {"S": f"{i:03d}"}, "data": {"S": "x" * 100}} for i in range(100)]
    for start in range(0, len(items), 25):
        status, body = ddb_call(connection, sign, port, "BatchWriteItem",
                                {"RequestItems": {table: [{"PutRequest": {"Item": it}} for it in items[start:start + 25]]}})
        assert status == 200, body


def _loader(args):
    port, table, first, last, per_partition = args
    sign = _signer()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    batch = []
    for n in range(first, last):
        batch.append({"PutRequest": {"Item": {"pk": {"S": f"part{n // per_partition}"}, "sk": {"S": f"{n % per_partition:03d}"},
                                              "data": {"S": "x" * 100}}}})
        if len(batch) == 25:
            status, body = ddb_call(connection, sign, port, "BatchWriteItem", {"RequestItems": {table: batch}})
            assert status == 200, body
            batch = []
    if batch:
        ddb_call(connection, sign, port, "BatchWriteItem", {"RequestItems": {table: batch}})
    return last - first


def ddb_load(port, table, count, per_partition=100, processes=4):
    sign = _signer()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    status, body = ddb_call(connection, sign, port, "CreateTable", {
        "TableName": table, "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]})
    assert status == 200, body
    chunk = (count + processes * 8 - 1) // (processes * 8)
    jobs = [(port, table, start, min(count, start + chunk), per_partition) for start in range(0, count, chunk)]
    with multiprocessing.Pool(processes) as pool:
        return sum(pool.map(_loader, jobs))


def query_latency(port, table, partitions, samples=2000):
    sign = _signer()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    latencies = []
    for i in range(samples):
        payload = {"TableName": table, "KeyConditionExpression": "pk = :p",
                   "ExpressionAttributeValues": {":p": {"S": f"part{(i * 7919) % partitions}"}}, "Limit": 20}
        t0 = time.perf_counter()
        status, body = ddb_call(connection, sign, port, "Query", payload)
        latencies.append(time.perf_counter() - t0)
        assert status == 200 and json.loads(body)["Count"] == 20, body
    return latencies


def bench_dynamodb(binary, workdir, seconds, concurrency, big_items):
    processes = min(concurrency, max(2, (os.cpu_count() or 2) * 2))
    threads = concurrency // processes
    print(f"\n## dynamodb: throughput and latency at concurrency {processes * threads} ({processes} client processes x {threads} threads, "
          f"raw SigV4-signed HTTP via botocore, presigned, kept-alive connections), {seconds:.0f} s per operation")
    results = {}
    for server in servers(binary, workdir):
        server.start()
        try:
            ddb_setup(server.port, "bench")
            for operation in ["PutItem", "GetItem", "Query"]:
                presigned = 1000
                start_at = time.time() + 2.0 + presigned * concurrency * 0.0004
                jobs = [(server.port, operation, "bench", p, threads, seconds, start_at, presigned) for p in range(processes)]
                with multiprocessing.Pool(processes) as pool:
                    parts = pool.map(_worker, jobs)
                latencies = [x for part, _ in parts for x in part]
                errors = sum(e for _, e in parts)
                throughput = len(latencies) / seconds
                results[(server.name, operation)] = throughput
                print(f"{server.name:18s} {operation:8s} {throughput:9.0f} req/s   p50 {percentile(latencies, 0.5) * 1000:7.2f} ms"
                      f"   p99 {percentile(latencies, 0.99) * 1000:7.2f} ms   errors {errors}")
        finally:
            server.stop()
    for operation in ["PutItem", "GetItem", "Query"]:
        ours, moto = results[("synapscribe-local", operation)], results[("moto", operation)]
        print(f"ratio {operation:8s} synapscribe-local / moto: {ours / moto:.1f}x")

    print(f"\n## dynamodb: Query latency (page of 20 from a 100-item partition) on a 10k-item vs a {big_items}-item table, one client")
    for server in servers(binary, workdir):
        server.start()
        try:
            row = []
            for count in ([10_000, big_items] if server.name == "synapscribe-local" else [10_000]):
                t0 = time.monotonic()
                loaded = ddb_load(server.port, f"size{count}", count)
                load_seconds = time.monotonic() - t0
                query_latency(server.port, f"size{count}", count // 100, samples=500)  # warm-up
                latencies = query_latency(server.port, f"size{count}", count // 100)
                row.append(f"{count:>8d} items (loaded in {load_seconds:5.1f} s, {loaded / load_seconds:7.0f} items/s): "
                           f"p50 {percentile(latencies, 0.5) * 1000:6.2f} ms  p99 {percentile(latencies, 0.99) * 1000:6.2f} ms")
            for line in row:
                print(f"{server.name:18s} {line}")
        finally:
            server.stop()


# --------------------------------------------------------------------------- iam

def _guest_credentials(port, pool_id):
    """Unauthenticated Cognito credentials (the SynapScribe browser client's), from GetId + GetCredentialsForIdentity."""
    import boto3
    from botocore import UNSIGNED
    from botocore.config import Config
    cognito = boto3.client("cognito-identity", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                           config=Config(signature_version=UNSIGNED))
    identity = cognito.get_id(IdentityPoolId=pool_id)["IdentityId"]
    return cognito.get_credentials_for_identity(IdentityId=identity)["Credentials"]


def bench_iam(binary, workdir, requests_count):
    """GetItem latency with the same Cognito credentials, IAM off vs enforced: what policy evaluation costs.

    Both servers run at once and are measured in alternating rounds, so drift of the machine (other load,
    frequency) falls on both alike."""
    import boto3
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    print(f"\n## iam: DynamoDB GetItem on the sessions table with Cognito guest credentials, {requests_count} sequential "
          f"requests per mode (pre-signed, kept-alive), --iam off vs --iam enforce, in alternating rounds of 250")
    modes = ["off", "enforce"]
    started, prepared, connections = {}, {}, {}
    try:
        for mode in modes:
            server = servers(binary, workdir)[0]
            server.argv = server.argv + ["--iam", mode]
            started[mode] = server.start()
            port = server.port
            cloudformation = boto3.client("cloudformation", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                                          aws_access_key_id="test", aws_secret_access_key="test")
            outputs = {o["OutputKey"]: o["OutputValue"] for o in cloudformation.describe_stacks()["Stacks"][0]["Outputs"]}
            raw = _guest_credentials(port, outputs["IdentityPoolId"])
            credentials = Credentials(raw["AccessKeyId"], raw["SecretKey"], raw["SessionToken"])
            table = outputs["SessionsTableName"]
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

            def signed(operation, payload, port=port, credentials=credentials):
                body = json.dumps(payload).encode()
                request = AWSRequest(method="POST", url=f"http://127.0.0.1:{port}/", data=body, headers={
                    "X-Amz-Target": f"DynamoDB_20120810.{operation}", "Content-Type": "application/x-amz-json-1.0"})
                SigV4Auth(credentials, "dynamodb", "us-east-1").add_auth(request)
                return body, dict(request.headers.items())

            key = {"sessionId": {"S": "bench"}, "lectureId": {"S": "l1"}}
            body, headers = signed("PutItem", {"TableName": table, "Item": {**key, "data": {"S": "x" * 100}}})
            connection.request("POST", "/", body=body, headers=headers)
            response = connection.getresponse()
            assert response.status == 200, response.read()
            response.read()
            prepared[mode] = [signed("GetItem", {"TableName": table, "Key": key}) for _ in range(200)]
            connections[mode] = connection

        latencies = {mode: [] for mode in modes}
        rounds = max(1, requests_count // 250)
        for round_index in range(rounds + 1):  # round 0 warms both up and is not counted
            for mode in (modes if round_index % 2 == 0 else list(reversed(modes))):
                connection, requests_ = connections[mode], prepared[mode]
                for i in range(250):
                    body, headers = requests_[i % len(requests_)]
                    t0 = time.perf_counter()
                    connection.request("POST", "/", body=body, headers=headers)
                    response = connection.getresponse()
                    response.read()
                    assert response.status == 200
                    if round_index > 0:
                        latencies[mode].append((time.perf_counter() - t0) * 1000)
        for mode in modes:
            values = latencies[mode]
            print(f"--iam {mode:8s} GetItem p50 {percentile(values, 0.5):6.3f} ms   mean {statistics.mean(values):6.3f} ms"
                  f"   p99 {percentile(values, 0.99):6.3f} ms")
        off, enforce = statistics.mean(latencies["off"]), statistics.mean(latencies["enforce"])
        print(f"authorization adds {(enforce - off) / off * 100:+.1f}% to mean GetItem latency "
              f"(p50 {percentile(latencies['off'], 0.5):.3f} -> {percentile(latencies['enforce'], 0.5):.3f} ms)")
    finally:
        for server in started.values():
            server.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bin", required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", action="append", choices=["startup", "pinned", "dynamodb", "iam", "lambda", "websocket", "s3"])
    parser.add_argument("--pinned-seconds", type=int, default=10, help="wrk run per workload and server in the pinned section")
    parser.add_argument("--pinned-connections", type=int, default=32, help="wrk connections in the pinned section")
    parser.add_argument("--pinned-rounds", type=int, default=1,
                        help="interleaved rounds in the pinned section: every server started fresh per round, each workload"
                        " run on each server in turn; the table shows medians and the median of per-round ratios")
    parser.add_argument("--pinned-client", choices=["wrk", "loadgen"], default="wrk",
                        help="the pinned section's load generator (loadgen: scripts/loadgen.c, 1 MiB reads where wrk reads 8 KiB)")
    parser.add_argument("--pinned-workload", action="append",
                        help="run only this pinned workload (repeatable), e.g. 'S3 GetObject 1 MiB'")
    parser.add_argument("--pinned-peers", default="ministack,moto",
                        help="comma-separated peers in the pinned section (ministack, moto), or 'none' to measure only our"
                        " build(s), e.g. beside --baseline-bin")
    parser.add_argument("--baseline-bin", help="an earlier synapscribe-local build (e.g. main's) measured beside this one"
                        " in the startup and pinned sections, as `before`")
    parser.add_argument("--seconds", type=float, default=5.0, help="measurement time per DynamoDB operation")
    parser.add_argument("--ddb-concurrency", type=int, default=32, help="concurrent DynamoDB clients")
    parser.add_argument("--big-items", type=int, default=1_000_000, help="items in the large DynamoDB table")
    parser.add_argument("--connections", type=int, default=10000)
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--post-rate", type=int, default=100)
    parser.add_argument("--invocations", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--s3-small-ops", type=int, default=2000, help="PutObject/GetObject count at 1 KiB")
    parser.add_argument("--s3-large-ops", type=int, default=200, help="PutObject/GetObject count at 1 MiB")
    parser.add_argument("--s3-big-mib", type=int, default=1024, help="size of the RSS-sampled upload (0 skips it)")
    parser.add_argument("--iam-requests", type=int, default=5000, help="sequential GetItem requests per IAM mode")
    args = parser.parse_args()
    sections = args.only or ["startup", "pinned", "dynamodb", "iam", "lambda", "websocket", "s3"]
    workdir = tempfile.mkdtemp(prefix="bench-")
    try:
        print(f"# synapscribe-local vs moto and ministack on {os.cpu_count()} cores")
        if "startup" in sections:
            bench_startup(args.bin, args.runs, workdir, args.baseline_bin)
        if "pinned" in sections:
            from bench_pinned import bench_pinned
            peers = tuple(name for name in args.pinned_peers.split(",") if name and name != "none")
            bench_pinned(servers(args.bin, workdir, peers, args.baseline_bin), args.pinned_seconds,
                         args.pinned_connections, args.pinned_rounds, args.pinned_client, args.pinned_workload)
        if "dynamodb" in sections:
            bench_dynamodb(args.bin, workdir, args.seconds, args.ddb_concurrency, args.big_items)
        if "iam" in sections:
            bench_iam(args.bin, workdir, args.iam_requests)
        if "lambda" in sections:
            bench_lambda(args.bin, args.invocations, max(args.runs, 5))
        if "websocket" in sections:
            bench_websocket(args.bin, args.connections, args.posts, args.post_rate)
        if "s3" in sections:
            bench_s3(args.bin, workdir, args.concurrency, args.s3_small_ops, args.s3_large_ops, args.s3_big_mib)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
