#!/usr/bin/env python3
"""Benchmark: the cost of POST /_local/reset over 200 resets, as a 200-test pytest run with per-test reset pays it.

Starts the emulator on Tests/e2e/templates/reset.yaml (--port 0 --ready-file), then 200 times: writes an S3 object
and a DynamoDB item (what a test would leave behind) and resets. Prints the server-side time per reset (the
"milliseconds" the endpoint reports) and the client round trip, mean / median / p95 / max. Not a timed test.

Usage: scripts/bench_reset.py [--bin .build/debug/synapscribe-local] [--runs 200] [--endpoint URL]
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

import boto3
import requests
from botocore.config import Config

ROOT = Path(__file__).resolve().parents[1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=os.environ.get("SYNAPSCRIBE_BIN", str(ROOT / ".build" / "debug" / "synapscribe-local")))
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--endpoint", help="use a running emulator (started on Tests/e2e/templates/reset.yaml)")
    args = parser.parse_args()

    process = None
    folder = tempfile.mkdtemp(prefix="bench-reset-")
    endpoint = args.endpoint
    if endpoint is None:
        ready = Path(folder) / "ready.json"
        process = subprocess.Popen(
            [args.bin, "start", "--template", str(ROOT / "Tests" / "e2e" / "templates" / "reset.yaml"), "--port", "0",
             "--tls-port", "0", "--ephemeral", "--ready-file", str(ready), "--log-level", "warning"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        deadline = time.time() + 180
        while not ready.exists():
            if process.poll() is not None or time.time() > deadline:
                sys.exit("the emulator did not start")
            time.sleep(0.05)
        endpoint = json.loads(ready.read_text())["edgeURL"]
    try:
        session = boto3.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1")
        config = Config(retries={"total_max_attempts": 1})
        s3 = session.client("s3", endpoint_url=endpoint, config=config)
        ddb = session.client("dynamodb", endpoint_url=endpoint, config=config)
        http = requests.Session()
        server, client, per_service = [], [], {}
        for run in range(args.runs):
            s3.put_object(Bucket="reset-files", Key=f"object-{run}", Body=b"x" * 1024)
            ddb.put_item(TableName="reset-items", Item={"pk": {"S": f"item-{run}"}})
            started = time.perf_counter()
            response = http.post(f"{endpoint}/_local/reset", data="{}", headers={"Content-Type": "application/json"})
            client.append((time.perf_counter() - started) * 1000)
            response.raise_for_status()
            answer = response.json()
            server.append(answer["milliseconds"])
            for name, value in answer.get("serviceMilliseconds", {}).items():
                per_service.setdefault(name, []).append(value)

        def line(name, values):
            ordered = sorted(values)
            p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
            return (f"{name:>12}: mean {statistics.mean(values):6.2f} ms  median {statistics.median(values):6.2f} ms  "
                    f"p95 {p95:6.2f} ms  max {max(values):6.2f} ms")

        print(f"{args.runs} resets (each after one S3 PutObject and one DynamoDB PutItem), {args.bin}")
        print(line("server", server))
        print(line("round trip", client))
        for name, values in sorted(per_service.items()):
            print(line(name, values))
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=15)


if __name__ == "__main__":
    main()
