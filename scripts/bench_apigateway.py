#!/usr/bin/env python3
"""Benchmark: the per-request overhead of the API Gateway proxy path (issue 16), warm.

Starts the emulator on the SAM hello-world template (Fixtures/apigateway-tests/hello-world: a python3.12 function
behind a REST API `Api` event, `GET /Prod/hello`), warms the function, then alternates, one request at a time over
kept-alive connections:
  - `GET` on the REST route through its local execute-api URL (API Gateway's Lambda proxy: routing, the v1 proxy
    event, the Lambda invocation, the proxy response checked and turned into HTTP);
  - Lambda `Invoke` of the same function with the same event (SigV4-signed before the clock starts, so the client's
    signing is not counted; the server still verifies the signature).
Prints p50 / p90 / p99 / max of the client round trip for each and the difference of the medians: what the proxy
path adds over a direct invocation. `sam local start-api` cannot run here (it needs Docker), so there is no side by
side figure. Not a timed test.

Usage: scripts/bench_apigateway.py [--bin .build/release/synapscribe-local] [--requests 1000]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "Fixtures" / "apigateway-tests" / "hello-world" / "template.yaml"


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def summary(name, samples):
    ms = [s * 1000 for s in samples]
    return (f"{name:<34} p50 {percentile(ms, 0.50):6.2f} ms  p90 {percentile(ms, 0.90):6.2f}  "
            f"p99 {percentile(ms, 0.99):6.2f}  max {max(ms):6.2f}  (n={len(ms)})")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=os.environ.get("SYNAPSCRIBE_BIN", str(ROOT / ".build" / "release" / "synapscribe-local")))
    parser.add_argument("--requests", type=int, default=1000)
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="bench-apigateway-")
    ready = Path(folder) / "ready.json"
    process = subprocess.Popen(
        [args.bin, "start", "--template", str(TEMPLATE), "--port", "0", "--tls-port", "0", "--ephemeral",
         "--ready-file", str(ready), "--log-level", "warning"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    try:
        deadline = time.time() + 180
        while not ready.exists():
            if process.poll() is not None or time.time() > deadline:
                sys.exit("the emulator did not start")
            time.sleep(0.05)
        info = json.loads(ready.read_text())
        endpoint = info["edgeURL"]
        function = next(r["physicalId"] for r in info["resources"] if r["logicalId"] == "HelloWorldFunction")
        base = next(a["url"] for a in info["executeAPIs"] if a["logicalId"] == "ServerlessRestApi" and a["url"].endswith("/Prod/"))
        route = base.rstrip("/") + "/hello"
        http = requests.Session()

        first = http.get(route, timeout=60)
        if first.status_code != 200:
            sys.exit(f"GET {route} answered {first.status_code}: {first.text}")
        # The event the function got through the proxy, sent again by Invoke.
        event = json.dumps({"httpMethod": "GET", "path": "/hello", "resource": "/hello", "headers": {},
                            "queryStringParameters": None, "pathParameters": None, "body": None,
                            "isBase64Encoded": False, "requestContext": {"stage": "Prod"}}).encode()
        invoke_url = f"{endpoint}/2015-03-31/functions/{function}/invocations"
        credentials = Credentials("test", "test")

        def signed_invoke():
            request = AWSRequest(method="POST", url=invoke_url, data=event, headers={"Content-Type": "application/json"})
            SigV4Auth(credentials, "lambda", info.get("region", "us-east-1")).add_auth(request)
            return dict(request.headers.items())

        check = http.post(invoke_url, data=event, headers=signed_invoke(), timeout=60)
        if check.status_code != 200:
            sys.exit(f"Invoke answered {check.status_code}: {check.text}")
        for _ in range(50):  # warm both paths
            http.get(route, timeout=60)
            http.post(invoke_url, data=event, headers=signed_invoke(), timeout=60)

        proxy, direct = [], []
        for _ in range(args.requests):
            started = time.perf_counter()
            answer = http.get(route, timeout=60)
            proxy.append(time.perf_counter() - started)
            assert answer.status_code == 200, answer.text
            headers = signed_invoke()
            started = time.perf_counter()
            answer = http.post(invoke_url, data=event, headers=headers, timeout=60)
            direct.append(time.perf_counter() - started)
            assert answer.status_code == 200, answer.text
        print(f"binary {args.bin}")
        print(summary("REST API GET /Prod/hello (proxy)", proxy))
        print(summary("Lambda Invoke, same function", direct))
        print(f"proxy path overhead (difference of the medians): "
              f"{(statistics.median(proxy) - statistics.median(direct)) * 1000:.2f} ms")
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


if __name__ == "__main__":
    main()
