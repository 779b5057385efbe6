"""kill -9 trials: acknowledged writes survive a crash, and nothing half-written becomes visible.

For S3 and for DynamoDB, each round: concurrent writers run against an emulator started on a persistent data
folder (S3: PutObject of random sizes and multipart uploads of more than 8 MiB with their completion;
DynamoDB: PutItem, UpdateItem, BatchWriteItem and TransactWriteItems), the emulator is killed with SIGKILL at a
random moment, restarted on the same folder, and checked:

* every acknowledged write (a 200 received before the kill) is readable with its exact bytes / attributes;
* nothing else is visible unless it is exactly what an in-flight request would have written (S3: every listed
  object readable with the bytes and ETag of a request that was sent, so no partial body and no incomplete
  multipart upload shows as an object; DynamoDB: an in-flight update is either applied or not, and an in-flight
  transaction is applied entirely or not at all).

The data folder is kept across rounds, so later rounds also re-check what earlier rounds acknowledged (listing,
size and ETag for every object, bytes for this round's objects and a sample of older ones).

Usage: scripts/killtrial [--rounds N] [--only s3|dynamodb] [--bin PATH] [--seed S] [--writers W] [--durability process|fsync]...
Prints one line per round and a final line per service, e.g. `s3: 20 rounds, 812 acknowledged writes, 0 lost,
0 orphans`; exits 1 when anything was lost or an orphan was seen.
"""

import argparse
import collections
import hashlib
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import boto3
import requests
from botocore.config import Config

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_BIN = ROOT / ".build" / "debug" / "synapscribe-local"
LOOPBACK = "127.0.0.1"
BUCKET = "killtrial-bucket"
TABLE = "killtrial-table"
MIB = 1024 * 1024
PART_SIZE = 5 * MIB

TEMPLATE = f"""AWSTemplateFormatVersion: '2010-09-09'
Description: kill -9 trial
Resources:
  TrialBucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: {BUCKET}
  TrialTable:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: {TABLE}
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - AttributeName: pk
          AttributeType: S
      KeySchema:
        - AttributeName: pk
          KeyType: HASH
"""


# --------------------------------------------------------------------------- the emulator process


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


class Emulator:
    """One emulator process on the trial's data folder."""

    def __init__(self, binary, workdir, data_dir, log, durability=None):
        self.port = free_port()
        self.endpoint = f"http://{LOOPBACK}:{self.port}"
        command = [str(binary), "start", "--template", str(workdir / "template.yaml"), "--stack-name", "killtrial",
                   "--host", LOOPBACK, "--port", str(self.port), "--data-dir", str(data_dir), "--log-level", "warning"]
        if durability is not None:
            command += ["--durability", durability]
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=workdir)

    def wait_healthy(self, timeout=90):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"emulator exited with {self.process.returncode} before becoming healthy")
            try:
                if requests.get(f"{self.endpoint}/_local/health", timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.05)
        raise RuntimeError("emulator not healthy in time")

    def gone(self, timeout=5.0):
        """Whether the process has exited (waiting up to `timeout` s for an exit under way)."""
        try:
            self.process.wait(timeout=timeout)
            return True
        except subprocess.TimeoutExpired:
            return False

    def kill9(self):
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill9()

    def client(self, service):
        config = Config(retries={"total_max_attempts": 1, "mode": "standard"}, s3={"addressing_style": "path"},
                        connect_timeout=5, read_timeout=60, max_pool_connections=4)
        session = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1")
        return session.client(service, endpoint_url=self.endpoint, config=config)


# --------------------------------------------------------------------------- S3


def s3_etag(body, part_size=None):
    """The ETag S3 gives a body sent in one PUT, or in parts of `part_size` bytes."""
    if part_size is None:
        return '"' + hashlib.md5(body).hexdigest() + '"'
    digests = [hashlib.md5(body[i:i + part_size]).digest() for i in range(0, len(body), part_size)]
    return '"' + hashlib.md5(b"".join(digests)).hexdigest() + f'-{len(digests)}"'


@dataclass
class S3Expectation:
    sha256: str
    size: int
    etag: str
    round: int


@dataclass
class S3Ledger:
    acknowledged: dict = field(default_factory=dict)  # key -> S3Expectation
    in_flight: dict = field(default_factory=dict)  # key -> S3Expectation (sent, outcome unknown)
    lock: threading.Lock = field(default_factory=threading.Lock)
    writes: int = 0
    kinds: collections.Counter = field(default_factory=collections.Counter)
    settled: list = field(default_factory=list)  # per round: (writes in flight at the kill, of which landed)


def s3_writer(s3, emulator, ledger, round_number, writer, stop, rng_seed):
    rng = random.Random(rng_seed)
    sequence = 0
    while not stop.is_set():
        sequence += 1
        key = f"r{round_number:03d}/w{writer}/{sequence:05d}"
        roll = rng.random()
        multipart = roll < 0.3
        if multipart:
            size = rng.randint(8 * MIB + 1, 10 * MIB)
        elif roll < 0.5:
            size = rng.randint(256 * 1024, 3 * MIB)
        else:
            size = rng.randint(0, 64 * 1024)
        body = rng.randbytes(size)
        expected = S3Expectation(hashlib.sha256(body).hexdigest(), size, s3_etag(body, PART_SIZE if multipart else None),
                                 round_number)
        with ledger.lock:
            ledger.in_flight[key] = expected
        try:
            if multipart:
                upload = s3.create_multipart_upload(Bucket=BUCKET, Key=key)["UploadId"]
                parts = []
                for number, offset in enumerate(range(0, size, PART_SIZE), start=1):
                    etag = s3.upload_part(Bucket=BUCKET, Key=key, UploadId=upload, PartNumber=number,
                                          Body=body[offset:offset + PART_SIZE])["ETag"]
                    parts.append({"PartNumber": number, "ETag": etag})
                response = s3.complete_multipart_upload(Bucket=BUCKET, Key=key, UploadId=upload,
                                                        MultipartUpload={"Parts": parts})
            else:
                response = s3.put_object(Bucket=BUCKET, Key=key, Body=body)
        except Exception:
            if emulator.gone():
                return  # the emulator was killed: the outcome of this write is unknown
            raise
        if response["ResponseMetadata"]["HTTPStatusCode"] != 200 or response["ETag"] != expected.etag:
            raise AssertionError(f"{key}: unexpected answer {response['ResponseMetadata']['HTTPStatusCode']} "
                                 f"{response.get('ETag')} (expected {expected.etag})")
        with ledger.lock:
            del ledger.in_flight[key]
            ledger.acknowledged[key] = expected
            ledger.writes += 1
            ledger.kinds["CompleteMultipartUpload" if multipart else "PutObject"] += 1


def s3_verify(emulator, ledger, round_number, rng):
    """Returns (lost, orphans) descriptions."""
    s3 = emulator.client("s3")
    lost, orphans = [], []
    listed = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        for entry in page.get("Contents", []):
            listed[entry["Key"]] = entry
    with ledger.lock:
        acknowledged = dict(ledger.acknowledged)
        in_flight = dict(ledger.in_flight)

    def read(key):
        response = s3.get_object(Bucket=BUCKET, Key=key)
        return response["ETag"], response["Body"].read()

    older = [key for key, value in acknowledged.items() if value.round != round_number]
    sample = set(rng.sample(older, min(10, len(older))))
    for key, entry in listed.items():
        expected = acknowledged.get(key) or in_flight.get(key)
        if expected is None:
            orphans.append(f"{key}: listed but never written")
            continue
        if entry["ETag"] != expected.etag or entry["Size"] != expected.size:
            target = lost if key in acknowledged else orphans
            target.append(f"{key}: listed with ETag {entry['ETag']} size {entry['Size']}, expected {expected.etag} "
                          f"size {expected.size}")
            continue
        if expected.round == round_number or key in sample or key not in acknowledged:
            etag, body = read(key)
            if etag != expected.etag or hashlib.sha256(body).hexdigest() != expected.sha256:
                target = lost if key in acknowledged else orphans
                target.append(f"{key}: GET returned {len(body)} bytes with ETag {etag}, not what was written")
    for key in acknowledged:
        if key not in listed:
            lost.append(f"{key}: acknowledged but not listed")
    uploads = s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads", [])
    for upload in uploads:
        if upload["Key"] in listed and upload["Key"] not in acknowledged and upload["Key"] not in in_flight:
            orphans.append(f"{upload['Key']}: an incomplete upload shows as an object")
    # In-flight writes that did land are now settled: count them as acknowledged for later rounds.
    with ledger.lock:
        for key, expected in in_flight.items():
            if key in listed:
                ledger.acknowledged[key] = expected
        ledger.in_flight.clear()
        ledger.settled.append((len(in_flight), sum(1 for key in in_flight if key in listed)))
    return lost, orphans


# --------------------------------------------------------------------------- DynamoDB


@dataclass
class DynamoLedger:
    acknowledged: dict = field(default_factory=dict)  # pk -> item (low-level attribute values)
    # pk -> list of states an in-flight request may have left (None: absent)
    in_flight: dict = field(default_factory=dict)
    transactions: list = field(default_factory=list)  # in-flight transactions: [(pk, state before, state after)]
    lock: threading.Lock = field(default_factory=threading.Lock)
    writes: int = 0
    kinds: collections.Counter = field(default_factory=collections.Counter)
    settled: list = field(default_factory=list)  # per round: (items in flight at the kill, of which landed)


def dynamo_item(pk, rng, version=0):
    return {"pk": {"S": pk}, "v": {"N": str(version)}, "payload": {"S": rng.randbytes(rng.randint(1, 1500)).hex()},
            "blob": {"B": rng.randbytes(rng.randint(0, 64))}, "tags": {"SS": sorted({f"t{rng.randint(0, 9)}", "x"})}}


def dynamo_writer(ddb, emulator, ledger, round_number, writer, stop, rng_seed):
    rng = random.Random(rng_seed)
    mine = []  # pks this writer created and saw acknowledged
    sequence = 0

    def new_pk():
        nonlocal sequence
        sequence += 1
        return f"r{round_number:03d}-w{writer}-{sequence:05d}"

    while not stop.is_set():
        roll = rng.random()
        try:
            if roll < 0.3 or not mine:
                item = dynamo_item(new_pk(), rng)
                pk = item["pk"]["S"]
                with ledger.lock:
                    ledger.in_flight[pk] = [None, item]
                ddb.put_item(TableName=TABLE, Item=item)
                with ledger.lock:
                    ledger.in_flight.pop(pk)
                    ledger.acknowledged[pk] = item
                    ledger.writes += 1
                    ledger.kinds["PutItem"] += 1
                mine.append(pk)
            elif roll < 0.55:
                pk = rng.choice(mine)
                with ledger.lock:
                    before = ledger.acknowledged[pk]
                after = dict(before)
                after["v"] = {"N": str(int(before["v"]["N"]) + 1)}
                after["payload"] = {"S": rng.randbytes(rng.randint(1, 800)).hex()}
                with ledger.lock:
                    ledger.in_flight[pk] = [before, after]
                ddb.update_item(TableName=TABLE, Key={"pk": {"S": pk}}, UpdateExpression="SET v = :v, payload = :p",
                                ConditionExpression="v = :old",
                                ExpressionAttributeValues={":v": after["v"], ":p": after["payload"], ":old": before["v"]})
                with ledger.lock:
                    ledger.in_flight.pop(pk)
                    ledger.acknowledged[pk] = after
                    ledger.writes += 1
                    ledger.kinds["UpdateItem"] += 1
            elif roll < 0.8:
                items = [dynamo_item(new_pk(), rng) for _ in range(rng.randint(2, 25))]
                with ledger.lock:
                    for item in items:
                        ledger.in_flight[item["pk"]["S"]] = [None, item]
                response = ddb.batch_write_item(RequestItems={TABLE: [{"PutRequest": {"Item": item}} for item in items]})
                unprocessed = {entry["PutRequest"]["Item"]["pk"]["S"] for entry in response.get("UnprocessedItems", {}).get(TABLE, [])}
                with ledger.lock:
                    for item in items:
                        pk = item["pk"]["S"]
                        if pk in unprocessed:
                            continue  # stays in flight: it may or may not be applied later by nobody
                        ledger.in_flight.pop(pk)
                        ledger.acknowledged[pk] = item
                        mine.append(pk)
                    ledger.writes += 1
                    ledger.kinds["BatchWriteItem"] += 1
            else:
                items = [dynamo_item(new_pk(), rng) for _ in range(rng.randint(1, 3))]
                pk = rng.choice(mine)
                with ledger.lock:
                    before = ledger.acknowledged[pk]
                after = dict(before)
                after["v"] = {"N": str(int(before["v"]["N"]) + 1)}
                changes = [(item["pk"]["S"], None, item) for item in items] + [(pk, before, after)]
                with ledger.lock:
                    ledger.transactions.append(changes)
                    for key, old, new in changes:
                        ledger.in_flight[key] = [old, new]
                ddb.transact_write_items(TransactItems=[{"Put": {"TableName": TABLE, "Item": item}} for item in items] + [{
                    "Update": {"TableName": TABLE, "Key": {"pk": {"S": pk}}, "UpdateExpression": "SET v = :v",
                               "ConditionExpression": "v = :old",
                               "ExpressionAttributeValues": {":v": after["v"], ":old": before["v"]}}}],
                    ClientRequestToken=f"{round_number}-{writer}-{sequence}")
                with ledger.lock:
                    ledger.transactions.remove(changes)
                    for key, _, new in changes:
                        ledger.in_flight.pop(key)
                        ledger.acknowledged[key] = new
                    ledger.writes += 1
                    ledger.kinds["TransactWriteItems"] += 1
                mine.extend(item["pk"]["S"] for item in items)
        except Exception:
            if emulator.gone():
                return  # the emulator was killed: the outcome of the request in flight is unknown
            raise


def dynamo_verify(emulator, ledger, round_number, rng):
    ddb = emulator.client("dynamodb")
    found = {}
    for page in ddb.get_paginator("scan").paginate(TableName=TABLE, ConsistentRead=True):
        for item in page["Items"]:
            found[item["pk"]["S"]] = item
    lost, orphans = [], []
    with ledger.lock:
        acknowledged = dict(ledger.acknowledged)
        in_flight = {key: list(states) for key, states in ledger.in_flight.items()}
        transactions = [list(changes) for changes in ledger.transactions]

    def normalised(item):
        if item is None:
            return None
        return {key: (value if "SS" not in value else {"SS": sorted(value["SS"])}) for key, value in item.items()}

    for pk in set(acknowledged) | set(in_flight) | set(found):
        actual = normalised(found.get(pk))
        if pk in in_flight:
            allowed = [normalised(state) for state in in_flight[pk]]
            if actual not in allowed:
                target = lost if pk in acknowledged else orphans
                target.append(f"{pk}: {actual} is neither the state before nor after the request in flight")
        elif pk in acknowledged:
            if actual != normalised(acknowledged[pk]):
                lost.append(f"{pk}: acknowledged {acknowledged[pk]} but found {found.get(pk)}")
        else:
            orphans.append(f"{pk}: found but never written")
    for changes in transactions:
        applied = {normalised(found.get(key)) == normalised(new) for key, _, new in changes}
        if len(applied) != 1:
            orphans.append(f"a transaction in flight was applied in part: {[key for key, _, _ in changes]}")
    # Settle the in-flight writes at what was found.
    with ledger.lock:
        for pk in in_flight:
            if pk in found:
                ledger.acknowledged[pk] = found[pk]
            else:
                ledger.acknowledged.pop(pk, None)
        ledger.in_flight.clear()
        ledger.transactions.clear()
        ledger.settled.append((len(in_flight), sum(1 for pk, states in in_flight.items()
                                                   if normalised(found.get(pk)) == normalised(states[-1]))))
    return lost, orphans


# --------------------------------------------------------------------------- rounds


SERVICES = {
    "s3": (S3Ledger, s3_writer, s3_verify),
    "dynamodb": (DynamoLedger, dynamo_writer, dynamo_verify),
}
# The kill comes at a random moment once this many writes of the round were acknowledged (or after 20 s).
MIN_ACKNOWLEDGED_BEFORE_KILL = 3


def run_service(name, rounds, binary, writers, seed, out=print, keep=False, durability=None):
    """Runs the trial for one service; returns (acknowledged writes, lost, orphans).

    `durability` is the emulator's `--durability` (`process`, `fsync`), or None for its default (`process`)."""
    make_ledger, writer_function, verify = SERVICES[name]
    ledger = make_ledger()
    rng = random.Random(seed)
    workdir = Path(tempfile.mkdtemp(prefix=f"killtrial-{name}-"))
    (workdir / "template.yaml").write_text(TEMPLATE)
    data_dir = workdir / "data"
    log = open(workdir / "emulator.log", "ab")
    total_lost, total_orphans = 0, 0
    emulator = Emulator(binary, workdir, data_dir, log, durability).wait_healthy()
    try:
        for round_number in range(1, rounds + 1):
            before = ledger.writes
            stop = threading.Event()
            errors = []

            def guarded(client, index, seed):
                try:
                    writer_function(client, emulator, ledger, round_number, index, stop, seed)
                except Exception as error:  # a wrong answer (not a dropped connection) is a finding
                    errors.append(f"writer {index}: {error!r}")

            # Clients are made here, one per writer (making them is slow and not thread-safe).
            threads = [threading.Thread(target=guarded, args=(emulator.client(name), index, rng.randrange(1 << 30)),
                                        daemon=True) for index in range(writers)]
            started = time.monotonic()
            for thread in threads:
                thread.start()
            while ledger.writes - before < MIN_ACKNOWLEDGED_BEFORE_KILL and time.monotonic() - started < 20 \
                    and not errors:
                time.sleep(0.01)
            time.sleep(rng.uniform(0.0, 2.0))
            delay = time.monotonic() - started
            emulator.kill9()
            stop.set()
            for thread in threads:
                thread.join(timeout=120)
            emulator = Emulator(binary, workdir, data_dir, log, durability).wait_healthy()
            lost, orphans = verify(emulator, ledger, round_number, rng)
            lost += errors
            total_lost += len(lost)
            total_orphans += len(orphans)
            pending, landed = ledger.settled[-1]
            out(f"{name} round {round_number}: killed after {delay:.2f} s, {ledger.writes - before} acknowledged writes, "
                f"{pending} {'objects' if name == 's3' else 'items'} in flight at the kill ({landed} landed whole), "
                f"{len(lost)} lost, {len(orphans)} orphans")
            for problem in (lost + orphans)[:20]:
                out(f"  {problem}")
    finally:
        emulator.stop()
        log.close()
        if not keep and total_lost == 0 and total_orphans == 0:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            out(f"{name}: data folder and log kept in {workdir}")
    kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(ledger.kinds.items()))
    out(f"{name}: by operation: {kinds}")
    mode = durability or "process (default)"
    out(f"{name}: {rounds} rounds, durability {mode}, {ledger.writes} acknowledged writes, {total_lost} lost, "
        f"{total_orphans} orphans")
    return ledger.writes, total_lost, total_orphans


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--only", choices=sorted(SERVICES), action="append")
    parser.add_argument("--bin", default=os.environ.get("SYNAPSCRIBE_BIN") or str(DEFAULT_BIN))
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--writers", type=int, default=6)
    parser.add_argument("--keep", action="store_true", help="keep the data folders even when every check passed")
    parser.add_argument("--durability", choices=["process", "fsync"], action="append",
                        help="the emulator's --durability; repeat to trial several modes (default: process)")
    args = parser.parse_args(argv)
    binary = Path(args.bin)
    if not binary.is_file():
        parser.error(f"no emulator binary at {binary} (build it with `swift build`, or pass --bin)")
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    print(f"killtrial: seed {seed}, binary {binary}", flush=True)
    failed = False
    for durability in args.durability or ["process"]:
        for name in args.only or ["s3", "dynamodb"]:
            _, lost, orphans = run_service(name, args.rounds, binary, args.writers, seed,
                                           out=lambda line: print(line, flush=True), keep=args.keep, durability=durability)
            failed = failed or lost > 0 or orphans > 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
