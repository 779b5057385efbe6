"""Which operations of a service's botocore model the emulator serves.

Starts the emulator without a template (--ephemeral, a free loopback port, an empty folder), then sends every
operation of each service's botocore model once, with the smallest input the model allows (required members only,
placeholder values), and classifies the answer:

- served: any answer from the operation itself: success, or an error such as ValidationException,
  ResourceNotFoundException, NoSuchEntity (the placeholders rarely name something that exists);
- not served: the error the emulator gives for an operation it does not implement, which is the error AWS gives
  for an unknown operation (UnknownOperationException, InvalidAction, NotImplemented), or the
  "service is not emulated" answer.

Never a success for something unserved: an operation counted as served answered from its own code path.

Usage: .venv/bin/python scripts/coverage.py [--bin PATH] [--markdown] [--services lambda,iam]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import botocore.session
from botocore.config import Config
from botocore.exceptions import ClientError

SERVICES = ["lambda", "apigateway", "apigatewayv2", "iam", "cognito-identity", "cognito-idp", "sts", "cloudformation"]
UNSERVED_CODES = {"UnknownOperationException", "InvalidAction", "NotImplemented", "UnknownOperation"}
ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def placeholder(shape, depth=0):
    """The smallest value the model accepts for `shape` (required members only)."""
    kind = shape.type_name
    if depth > 6:
        return None
    if kind == "structure":
        value = {}
        for name in shape.required_members:
            member = placeholder(shape.members[name], depth + 1)
            if member is not None:
                value[name] = member
        return value
    if kind == "list":
        item = placeholder(shape.member, depth + 1)
        return [] if item is None else [item]
    if kind == "map":
        return {}
    if kind == "string":
        enum = shape.enum
        if enum:
            return enum[0]
        minimum = shape.metadata.get("min", 1) or 1
        return "x" * max(1, min(int(minimum), 64))
    if kind in ("integer", "long"):
        return max(1, int(shape.metadata.get("min", 1)))
    if kind in ("float", "double"):
        return 1.0
    if kind == "boolean":
        return False
    if kind == "blob":
        return b"x"
    if kind == "timestamp":
        return datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    return None


def classify(client, operation_model) -> tuple[bool, str]:
    """Sends one operation; returns (served, what answered)."""
    params = placeholder(operation_model.input_shape) if operation_model.input_shape is not None else {}
    method = getattr(client, _snake(client, operation_model.name))
    try:
        method(**(params or {}))
        return True, "success"
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        message = error.response.get("Error", {}).get("Message", "")
        if code in UNSERVED_CODES or "is not emulated" in message:
            return False, code
        return True, code or str(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode"))
    except Exception as error:  # a served operation whose answer botocore cannot parse is still a finding
        return True, f"client-side {type(error).__name__}"


def _snake(client, name):
    for snake, api in client.meta.method_to_api_mapping.items():
        if api == name:
            return snake
    raise KeyError(name)


def start_emulator(binary: str):
    folder = tempfile.mkdtemp(prefix="coverage-")
    port = free_port()
    log = open(Path(folder) / "emulator.log", "wb")
    process = subprocess.Popen([binary, "start", "--host", "127.0.0.1", "--port", str(port), "--ephemeral"],
                               stdout=log, stderr=subprocess.STDOUT, cwd=folder)
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{endpoint}/_local/health", timeout=2):
                return process, endpoint
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.1)
    process.kill()
    sys.exit(f"emulator did not start; log in {folder}/emulator.log")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", default=str(ROOT / ".build" / "debug" / "synapscribe-local"))
    parser.add_argument("--services", default=",".join(SERVICES))
    parser.add_argument("--markdown", action="store_true", help="print the README table")
    parser.add_argument("--json", help="write per-operation results to this file")
    args = parser.parse_args()

    process, endpoint = start_emulator(args.bin)
    session = botocore.session.get_session()
    results = {}
    try:
        for service in args.services.split(","):
            client = session.create_client(
                service, endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test",
                aws_secret_access_key="test",
                config=Config(retries={"total_max_attempts": 1}, parameter_validation=False, read_timeout=15,
                              connect_timeout=5))
            model = client.meta.service_model
            results[service] = {name: classify(client, model.operation_model(name)) for name in model.operation_names}
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()

    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, sort_keys=True))
    if args.markdown:
        print("| service (botocore model) | served | operations served (every other one answers AWS's unknown-operation error) |")
        print("|---|---:|---|")
        for service, ops in results.items():
            served = sorted(name for name, (ok, _) in ops.items() if ok)
            print(f"| {service} | {len(served)} of {len(ops)} | {', '.join(served) if served else '—'} |")
    else:
        for service, ops in results.items():
            for name, (ok, answer) in sorted(ops.items()):
                print(f"{service:18} {name:45} {'served' if ok else 'NOT SERVED':10} {answer}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
