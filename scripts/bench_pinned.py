"""Throughput per core: synapscribe-local, ministack and moto side by side in one run, each server pinned to the
same single core, each loaded by a load generator pinned to another core: wrk (the default) or loadgen
(scripts/loadgen.c, compiled on first use, `--pinned-client loadgen`).

wrk replays one botocore-signed request per workload (a SigV4 signature stays valid for 15 minutes and carries
no nonce, so replaying it is what a retrying SDK does). synapscribe-local verifies every signature (the `test`
key pair); ministack and moto verify none. Every server gets the same requests; a run whose replies are not all 2xx
is reported as failed instead of counted (its statuses are printed), and the tables give the median of the rounds
that did not fail, saying how many did (moto 5.2.1 answers 500 to about one in 3,000 concurrent PutObjects).

Workloads: DynamoDB GetItem, PutItem, Query (page of 20); S3 GetObject 1 KiB, PutObject 1 KiB, GetObject 1 MiB,
presigned GET (SigV4 query).

The client's own CPU time per request is measured too (getrusage of the finished client process): on a 2-core
machine the client has one core, and when it needs as much CPU per request as the server, its core, not the server,
bounds the rate. wrk (and h2load) read responses 8 KiB at a time, about 130 read(2) calls per 1 MiB answer, which
costs the client about as much CPU as the server spends on S3 GetObject 1 MiB; loadgen reads 1 MiB at a time.
"""

import http.client
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import tempfile

SERVER_CORE = "1"
CLIENT_CORE = "0"
CLIENTS = ("wrk", "loadgen")
REGION = "us-east-1"
TABLE = "benchpinned"
BUCKET = "bench-pinned"


def _credentials():
    from botocore.credentials import Credentials
    return Credentials("test", "test")


def _sign_dynamodb(port, operation, payload):
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    body = json.dumps(payload).encode()
    request = AWSRequest(method="POST", url=f"http://127.0.0.1:{port}/", data=body, headers={
        "X-Amz-Target": f"DynamoDB_20120810.{operation}", "Content-Type": "application/x-amz-json-1.0"})
    SigV4Auth(_credentials(), "dynamodb", REGION).add_auth(request)
    return "POST", "/", dict(request.headers.items()), body


def _sign_s3(port, method, path, body=b""):
    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    request = AWSRequest(method=method, url=f"http://127.0.0.1:{port}{path}", data=body)
    S3SigV4Auth(_credentials(), "s3", REGION).add_auth(request)
    return method, path, dict(request.headers.items()), body


def _presign_s3_get(port, path):
    from botocore.auth import S3SigV4QueryAuth
    from botocore.awsrequest import AWSRequest
    request = AWSRequest(method="GET", url=f"http://127.0.0.1:{port}{path}")
    S3SigV4QueryAuth(_credentials(), "s3", REGION, expires=3600).add_auth(request)
    target = request.url.split(f"127.0.0.1:{port}", 1)[1]
    return "GET", target, {}, b""


def _send(port, method, target, headers, body):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, target, body=body or None, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _check(port, request, what):
    status, data = _send(port, *request)
    if status >= 300:
        raise RuntimeError(f"{what}: HTTP {status} {data[:300]!r}")
    return data


def _setup(port):
    """The table (100 items in one partition) and the bucket with the objects the workloads read."""
    _check(port, _sign_dynamodb(port, "CreateTable", {
        "TableName": TABLE, "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]}), "CreateTable")
    items = [{"pk": {"S": "hot"}, "sk": {"S": f"{i:03d}"}, "data": {"S": "x" * 100}} for i in range(100)]
    for start in range(0, len(items), 25):
        _check(port, _sign_dynamodb(port, "BatchWriteItem", {
            "RequestItems": {TABLE: [{"PutRequest": {"Item": item}} for item in items[start:start + 25]]}}), "BatchWriteItem")
    _check(port, _sign_s3(port, "PUT", f"/{BUCKET}"), "CreateBucket")
    _check(port, _sign_s3(port, "PUT", f"/{BUCKET}/small", os.urandom(1024)), "PutObject 1 KiB")
    _check(port, _sign_s3(port, "PUT", f"/{BUCKET}/large", os.urandom(1024 * 1024)), "PutObject 1 MiB")


def _workloads(port):
    """(label, request, expected response body length or None)."""
    return [
        ("DynamoDB GetItem", _sign_dynamodb(port, "GetItem", {"TableName": TABLE, "Key": {"pk": {"S": "hot"}, "sk": {"S": "042"}}}), None),
        ("DynamoDB PutItem", _sign_dynamodb(port, "PutItem", {"TableName": TABLE, "Item": {
            "pk": {"S": "put"}, "sk": {"S": "one"}, "data": {"S": "x" * 100}}}), None),
        ("DynamoDB Query", _sign_dynamodb(port, "Query", {"TableName": TABLE, "KeyConditionExpression": "pk = :p",
                                                          "ExpressionAttributeValues": {":p": {"S": "hot"}}, "Limit": 20}), None),
        ("S3 GetObject 1 KiB", _sign_s3(port, "GET", f"/{BUCKET}/small"), 1024),
        ("S3 PutObject 1 KiB", _sign_s3(port, "PUT", f"/{BUCKET}/put-small", os.urandom(1024)), None),
        ("S3 GetObject 1 MiB", _sign_s3(port, "GET", f"/{BUCKET}/large"), 1024 * 1024),
        ("S3 presigned GET (SigV4)", _presign_s3_get(port, f"/{BUCKET}/small"), 1024),
    ]


def cpu_seconds(pid):
    """User + system CPU time of a process (all its threads, live and exited) so far, from /proc/PID/stat."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _lua_string(data):
    return '"' + "".join(f"\\{byte}" for byte in data) + '"'


def _wrk_script(folder, method, headers, body):
    lines = [f"wrk.method = {_lua_string(method.encode())}"]
    for name, value in headers.items():
        lines.append(f"wrk.headers[{_lua_string(name.encode())}] = {_lua_string(str(value).encode())}")
    if body:
        lines.append(f"wrk.body = {_lua_string(body)}")
    handle, path = tempfile.mkstemp(suffix=".lua", dir=folder)
    with os.fdopen(handle, "w") as script:
        script.write("\n".join(lines) + "\n")
    return path


def _duration_ms(text):
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def _run_wrk(port, request, seconds, connections, folder):
    method, target, headers, body = request
    headers = dict(headers)
    headers.setdefault("Host", f"127.0.0.1:{port}")
    script = _wrk_script(folder, method, headers, body)
    command = ["taskset", "-c", CLIENT_CORE, "wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", script,
               f"http://127.0.0.1:{port}{target}"]
    output = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors:.*", output)
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", output, re.MULTILINE))
    completed = re.search(r"(\d+) requests in", output)
    return {
        "rate": rate,
        "requests": int(completed.group(1)) if completed else 0,
        "non2xx": int(bad.group(1)) if bad else 0,
        "socket_errors": errors.group(0) if errors else "",
        "p50": _duration_ms(percentiles["50"]) if "50" in percentiles else float("nan"),
        "p99": _duration_ms(percentiles["99"]) if "99" in percentiles else float("nan"),
    }


LOADGEN_SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "loadgen.c")


def loadgen_binary():
    """scripts/loadgen.c compiled (once per source change) into .build/loadgen, with the system's C compiler."""
    root = os.path.dirname(os.path.dirname(LOADGEN_SOURCE))
    binary = os.path.join(root, ".build", "loadgen")
    if not os.path.exists(binary) or os.path.getmtime(binary) < os.path.getmtime(LOADGEN_SOURCE):
        compiler = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
        if not compiler:
            raise SystemExit("the loadgen client needs a C compiler (cc)")
        os.makedirs(os.path.dirname(binary), exist_ok=True)
        subprocess.run([compiler, "-O2", "-o", binary, LOADGEN_SOURCE], check=True)
    return binary


def _run_loadgen(port, request, seconds, connections, folder):
    """One loadgen run (scripts/loadgen.c: keep-alive connections, one request in flight each, 1 MiB reads) with
    the same result fields as `_run_wrk`."""
    method, target, headers, body = request
    headers = dict(headers)
    headers.setdefault("Host", f"127.0.0.1:{port}")
    head = [f"{method} {target} HTTP/1.1"]
    head += [f"{name}: {value}" for name, value in headers.items() if name.lower() != "content-length"]
    if body or method in ("PUT", "POST"):
        head.append(f"Content-Length: {len(body or b'')}")
    handle, path = tempfile.mkstemp(suffix=".http", dir=folder)
    with os.fdopen(handle, "wb") as file:
        file.write(("\r\n".join(head) + "\r\n\r\n").encode() + (body or b""))
    command = ["taskset", "-c", CLIENT_CORE, loadgen_binary(), "-p", str(port), "-c", str(connections),
               "-d", str(seconds), "-r", path]
    output = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60).stdout
    values = dict(line.split() for line in output.splitlines() if len(line.split()) == 2)
    requests = int(values["requests"])
    return {
        "rate": requests / float(values["seconds"]),
        "requests": requests,
        "non2xx": int(values["non2xx"]),
        "socket_errors": " ".join([f"{values['errors']} errors" if int(values["errors"]) else ""]
                                  + [f"{name}: {count}" for name, count in values.items() if name.startswith("status_")]).strip(),
        "p50": int(values["p50_us"]) / 1000.0,
        "p99": int(values["p99_us"]) / 1000.0,
    }


def run_client(client, port, request, seconds, connections, folder):
    """One load run with `client` (wrk or loadgen); adds the client's CPU microseconds per request (`client_us`)."""
    run = _run_loadgen if client == "loadgen" else _run_wrk
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = run(port, request, seconds, connections, folder)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    used = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    result["client_us"] = used / max(result["requests"], 1) * 1e6
    return result


def _median(values):
    return statistics.median(values) if values else None


def bench_pinned(servers, seconds, connections, rounds=1, client="wrk", only=None):
    """Runs every workload against every server in `rounds` interleaved rounds; prints a line per run, the README
    table (medians over rounds; ratios are the median of the per-round ratios) and the servers' CPU per request.

    A round starts every server fresh (empty, then the same setup), all pinned to the same core, and runs each
    workload on each server in turn (ours, before, ministack, moto; the order rotates by one server per round), so a
    ratio compares runs a few seconds apart instead of minutes: a machine whose speed drifts (other tenants, a
    shared core) moves both sides of a ratio alike. The idle servers of a round wait on the core meanwhile; their CPU
    use during the others' runs is printed so it can be checked that they stay quiet.
    """
    if client not in CLIENTS:
        raise SystemExit(f"unknown client {client}: one of {', '.join(CLIENTS)}")
    if client == "wrk" and not shutil.which("wrk"):
        raise SystemExit("wrk is required for the pinned section (Debian: apt-get install wrk)")
    if (os.cpu_count() or 1) < 2:
        raise SystemExit(f"the pinned section needs two cores: one for the server, one for {client}")
    rounds = max(1, rounds)
    shape = "1 thread" if client == "wrk" else "1 MiB reads, 1 request in flight per connection"
    print(f"\n## per core: each server pinned to core {SERVER_CORE}, {client} ({shape}, {connections} connections,"
          f" {seconds} s) pinned to core {CLIENT_CORE}, replaying botocore-signed requests; {rounds} round(s), each"
          f" server started fresh per round, workloads interleaved across servers")
    names = [server.name for server in servers]
    # (label, name) -> one entry per round: {"rate", "cpu_us"} or None when the run failed.
    runs, labels = {}, []
    idle_cpu, idle_seconds = 0.0, 0.0
    folder = tempfile.mkdtemp(prefix="bench-wrk-")
    try:
        for number in range(rounds):
            order = servers[number % len(servers):] + servers[:number % len(servers)]
            started = []
            try:
                for server in order:
                    server.pin = SERVER_CORE
                    server.start()
                    started.append(server)
                    _setup(server.port)
                requests = {server.name: _workloads(server.port) for server in order}
                for index, (label, _, _) in enumerate(requests[order[0].name]):
                    if only and label not in only:
                        continue
                    if label not in labels:
                        labels.append(label)
                    for server in order:
                        _, request, length = requests[server.name][index]
                        data = _check(server.port, request, f"{server.name} {label}")
                        if length is not None and len(data) != length:
                            raise RuntimeError(f"{server.name} {label}: {len(data)} bytes, expected {length}")
                        others = [other for other in order if other is not server]
                        before = {other.name: cpu_seconds(other.proc.pid) for other in order}
                        result = run_client(client, server.port, request, seconds, connections, folder)
                        after = {other.name: cpu_seconds(other.proc.pid) for other in order}
                        used = after[server.name] - before[server.name]
                        idle_cpu += sum(after[other.name] - before[other.name] for other in others)
                        idle_seconds += seconds
                        cpu_us = used / max(result["requests"], 1) * 1e6
                        failed = result["non2xx"] > 0 or bool(result["socket_errors"])
                        runs.setdefault((label, server.name), []).append(
                            None if failed else {"rate": result["rate"], "cpu_us": cpu_us})
                        note = f"   FAILED: {result['non2xx']} non-2xx {result['socket_errors']}" if failed else ""
                        print(f"round {number + 1} {server.name:18s} {label:26s} {result['rate']:9.0f} req/s"
                              f"   p50 {result['p50']:7.2f} ms   p99 {result['p99']:7.2f} ms"
                              f"   server CPU {cpu_us:7.1f} us/request   {client} CPU {result['client_us']:7.1f}"
                              f" us/request{note}", flush=True)
            finally:
                for server in started:
                    server.stop()
                    server.pin = None
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    def cells(label, name, field):
        """One value per round, None for a round whose run failed (a non-2xx answer or a socket error)."""
        return [entry[field] if entry else None for entry in runs.get((label, name), [])]

    def ratio(label, name, peer, field, invert=False):
        """The median over rounds of ours/peer (or peer/ours), both from the same round; rounds where either run
        failed are left out."""
        pairs = [(b / a) if invert else (a / b)
                 for a, b in zip(cells(label, name, field), cells(label, peer, field)) if a and b]
        return (_median(pairs), (min(pairs), max(pairs))) if pairs else None

    ours, peers = names[0], names[1:]
    print(f"\nIdle servers used {idle_cpu / max(idle_seconds, 1e-9) * 100:.1f} % of the core on average during the"
          f" other servers' runs.")
    print(f"\nRequests per second (median of {rounds} round(s)); ratios: median of the per-round ratios"
          + (" (range over rounds in the CPU table below)" if rounds > 1 else "") + ":\n")
    def table(field, unit, ratio_names, invert, with_range):
        print("| workload | " + " | ".join(f"{name} {unit}" for name in names) + " | " + " | ".join(ratio_names) + " |")
        print("|---|" + "---:|" * (len(names) + len(peers)))
        for label in labels:
            value_cells = []
            for name in names:
                values = cells(label, name, field)
                good = [value for value in values if value is not None]
                failed = len(values) - len(good)
                if not good:
                    value_cells.append("failed")
                else:
                    value_cells.append(f"{_median(good):,.0f}" + (f" ({failed} of {len(values)} failed)" if failed else ""))
            ratio_cells = []
            for peer in peers:
                found = ratio(label, ours, peer, field, invert=invert)
                if not found or not found[0]:
                    ratio_cells.append("-")
                elif with_range:
                    ratio_cells.append(f"{found[0]:.2f}x [{found[1][0]:.2f}-{found[1][1]:.2f}]")
                else:
                    ratio_cells.append(f"{found[0]:.2f}x")
            print(f"| {label} | " + " | ".join(value_cells) + " | " + " | ".join(ratio_cells) + " |")

    table("rate", "req/s", [f"{ours}/{peer}" for peer in peers], False, False)
    print(f"\nServer CPU per request (us, median of {rounds} round(s), user + system time of the server's process from"
          f" /proc/PID/stat, independent of the client's core); ratios: peer's CPU per request over ours, median of per-round"
          f" ratios [min-max]:\n")
    table("cpu_us", "us", [f"{peer}/{ours} CPU" for peer in peers], True, True)
