"""Data safety (issue 10, item 7 and part of items 3 and 9): the data folder is locked by the running process and
private to its owner; S3 conditional writes and DynamoDB client request tokens are decided in the write
transaction; presigned POST checks the form before the file reaches the disk; kill -9 loses no acknowledged write.
"""

import base64
import hashlib
import http.client
import importlib.util
import os
import signal
import stat
import subprocess
import threading
import time
import uuid
from urllib.parse import urlsplit

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from conftest import LOOPBACK, REPO_ROOT, EmulatorProcess, emulator_binary, free_port

BUCKET = "data-safety-bucket"
TABLE = "data-safety-table"
SMALL_TEMPLATE = f"""AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: {BUCKET}
  Table:
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


class Server(EmulatorProcess):
    """One emulator process on a data folder (or --ephemeral), on its own port, serving SMALL_TEMPLATE."""

    def __init__(self, tmp_path, data_dir=None, *extra):
        template = tmp_path / "template.yaml"
        if not template.exists():
            template.write_text(SMALL_TEMPLATE)
        super().__init__(tmp_path, "--stack-name", "datasafety", *extra, template=template, data_dir=data_dir,
                         cwd=tmp_path, wait=False)

    def client(self, service, key="test", secret="test"):
        return super().client(service, key, secret, retries={"total_max_attempts": 1, "mode": "standard"},
                              max_pool_connections=50)


@pytest.fixture
def servers(tmp_path):
    started = []

    def start(data_dir=None, *extra):
        server = Server(tmp_path, data_dir, *extra)
        started.append(server)
        return server.wait_healthy()

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """One emulator on a data folder for the tests that only need a server."""
    tmp_path = tmp_path_factory.mktemp("data-safety")
    server = Server(tmp_path, tmp_path / "data").wait_healthy()
    server.data_dir = tmp_path / "data"
    yield server
    server.stop()


def error_of(excinfo):
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"]


def race(*calls):
    """Runs the calls at the same moment on threads; returns each one's result or ClientError."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        try:
            results[index] = call()
        except ClientError as error:
            results[index] = error
    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def status(result):
    if isinstance(result, ClientError):
        return result.response["Error"]["Code"], result.response["ResponseMetadata"]["HTTPStatusCode"]
    return "OK", result["ResponseMetadata"]["HTTPStatusCode"]


# --------------------------------------------------------------------------- the data folder


def test_second_start_on_the_same_data_dir_is_refused_at_once(servers, tmp_path):
    data_dir = tmp_path / "data"
    first = servers(data_dir)
    started = time.monotonic()
    result = subprocess.run([str(emulator_binary()), "start", "--template", str(tmp_path / "template.yaml"),
                             "--stack-name", "datasafety", "--host", LOOPBACK, "--port", str(free_port()),
                             "--data-dir", str(data_dir)], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert result.returncode != 0
    assert time.monotonic() - started < 30
    message = result.stderr.strip().splitlines()[-1]
    assert str(data_dir) in message and f"pid {first.process.pid}" in message, result.stderr
    assert "in use" in message
    # The first one is untouched and keeps serving.
    first.client("s3").put_object(Bucket=BUCKET, Key="still", Body=b"here")
    assert first.client("s3").get_object(Bucket=BUCKET, Key="still")["Body"].read() == b"here"
    # kill -9 drops the lock with the process: a restart on the folder works and finds the data.
    os.kill(first.process.pid, signal.SIGKILL)
    first.process.wait(timeout=10)
    again = servers(data_dir)
    assert again.client("s3").get_object(Bucket=BUCKET, Key="still")["Body"].read() == b"here"


def test_data_folder_is_private_to_its_owner(shared):
    s3 = shared.client("s3")
    s3.put_object(Bucket=BUCKET, Key="mode/small", Body=b"x" * 100)
    upload = s3.create_multipart_upload(Bucket=BUCKET, Key="mode/parts")["UploadId"]
    s3.upload_part(Bucket=BUCKET, Key="mode/parts", UploadId=upload, PartNumber=1, Body=b"p" * 1000)
    shared.client("dynamodb").put_item(TableName=TABLE, Item={"pk": {"S": "mode"}})
    root = shared.data_dir
    folders, files = [root], []
    for path in root.rglob("*"):
        (folders if path.is_dir() else files).append(path)
    names = {path.name for path in files}
    for expected in ["s3.sqlite", "s3.sqlite-wal", "s3.sqlite-shm", "dynamodb.sqlite", "dynamodb.sqlite-wal",
                     "ca.pem", "server-key.pem"]:
        assert expected in names, sorted(names)
    assert any(path.parent.name == "objects" for path in files) and any(path.parent.name == "parts" for path in files)
    for folder in folders:
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, f"{folder} is {oct(stat.S_IMODE(folder.stat().st_mode))}"
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, f"{path} is {oct(stat.S_IMODE(path.stat().st_mode))}"


# --------------------------------------------------------------------------- S3 conditional writes


def test_concurrent_if_none_match_puts_have_exactly_one_winner(shared):
    s3 = shared.client("s3")
    for round_number in range(50):
        key = f"race/{uuid.uuid4().hex}"
        bodies = [f"writer-{index}-{round_number}".encode() * 100 for index in range(2)]
        results = race(*[lambda body=body: s3.put_object(Bucket=BUCKET, Key=key, Body=body, IfNoneMatch="*")
                         for body in bodies])
        outcomes = sorted(status(result) for result in results)
        assert outcomes == [("OK", 200), ("PreconditionFailed", 412)], f"round {round_number}: {outcomes}"
        winner = bodies[[status(result)[0] for result in results].index("OK")]
        assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == winner, f"round {round_number}"


def test_concurrent_if_match_puts_have_exactly_one_winner(shared):
    s3 = shared.client("s3")
    for round_number in range(50):
        key = f"cas/{uuid.uuid4().hex}"
        etag = s3.put_object(Bucket=BUCKET, Key=key, Body=b"v0")["ETag"]
        bodies = [f"next-{index}-{round_number}".encode() for index in range(2)]
        results = race(*[lambda body=body: s3.put_object(Bucket=BUCKET, Key=key, Body=body, IfMatch=etag)
                         for body in bodies])
        outcomes = sorted(status(result) for result in results)
        assert outcomes == [("OK", 200), ("PreconditionFailed", 412)], f"round {round_number}: {outcomes}"
        winner = bodies[[status(result)[0] for result in results].index("OK")]
        assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == winner


def test_concurrent_conditional_multipart_completions_have_exactly_one_winner(shared):
    s3 = shared.client("s3")
    for round_number in range(20):
        key = f"mpu-race/{uuid.uuid4().hex}"
        uploads = []
        for index in range(2):
            upload = s3.create_multipart_upload(Bucket=BUCKET, Key=key)["UploadId"]
            etag = s3.upload_part(Bucket=BUCKET, Key=key, UploadId=upload, PartNumber=1,
                                  Body=f"part-{index}".encode())["ETag"]
            uploads.append((upload, etag, f"part-{index}".encode()))
        results = race(*[lambda upload=upload, etag=etag: s3.complete_multipart_upload(
            Bucket=BUCKET, Key=key, UploadId=upload, IfNoneMatch="*",
            MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]}) for upload, etag, _ in uploads])
        outcomes = sorted(status(result) for result in results)
        assert outcomes == [("OK", 200), ("PreconditionFailed", 412)], f"round {round_number}: {outcomes}"
        winner = uploads[[status(result)[0] for result in results].index("OK")][2]
        assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == winner


def test_if_match_put_whose_object_is_deleted_meanwhile_is_a_conflict(shared):
    """S3 answers 409 ConditionalRequestConflict when the object an If-Match write was checked against is deleted
    before the write completes (the body is still arriving here when the DELETE lands)."""
    s3 = shared.client("s3")
    key = f"conflict/{uuid.uuid4().hex}"
    etag = s3.put_object(Bucket=BUCKET, Key=key, Body=b"v0")["ETag"]
    body = b"n" * (8 * 1024 * 1024)
    request = AWSRequest(method="PUT", url=f"{shared.endpoint}/{BUCKET}/{key}", data=body,
                         headers={"If-Match": etag, "Content-Length": str(len(body)),
                                  "X-Amz-Content-SHA256": hashlib.sha256(body).hexdigest()})
    SigV4Auth(Credentials("test", "test"), "s3", "us-east-1").add_auth(request)
    connection = http.client.HTTPConnection(LOOPBACK, shared.port, timeout=60)
    connection.putrequest("PUT", f"/{BUCKET}/{key}", skip_accept_encoding=True)
    for name, value in request.headers.items():
        connection.putheader(name, value)
    connection.endheaders()
    connection.send(body[:1024 * 1024])
    time.sleep(1.0)  # the write's early check has seen the object
    s3.delete_object(Bucket=BUCKET, Key=key)
    connection.send(body[1024 * 1024:])
    response = connection.getresponse()
    text = response.read().decode()
    connection.close()
    assert response.status == 409, text
    assert "<Code>ConditionalRequestConflict</Code>" in text
    with pytest.raises(ClientError) as excinfo:
        s3.head_object(Bucket=BUCKET, Key=key)
    assert error_of(excinfo)[1] == 404


# --------------------------------------------------------------------------- DynamoDB client request tokens


def counter_transaction(ddb, pk, token, amount=1):
    return ddb.transact_write_items(ClientRequestToken=token, TransactItems=[{"Update": {
        "TableName": TABLE, "Key": {"pk": {"S": pk}}, "UpdateExpression": "ADD c :n",
        "ExpressionAttributeValues": {":n": {"N": str(amount)}}}}])


def counter(ddb, pk):
    item = ddb.get_item(TableName=TABLE, Key={"pk": {"S": pk}}, ConsistentRead=True).get("Item")
    return int(item["c"]["N"]) if item else 0


def test_concurrent_calls_with_one_client_token_apply_once(shared):
    ddb = shared.client("dynamodb")
    for round_number in range(50):
        pk, token = f"token-race-{uuid.uuid4().hex}", uuid.uuid4().hex
        results = race(lambda: counter_transaction(ddb, pk, token), lambda: counter_transaction(ddb, pk, token))
        assert [status(result) for result in results] == [("OK", 200), ("OK", 200)], f"round {round_number}"
        assert counter(ddb, pk) == 1, f"round {round_number}: applied {counter(ddb, pk)} times"


def test_client_tokens_survive_a_restart_and_expire_on_the_virtual_clock(servers, tmp_path):
    data_dir = tmp_path / "data"
    first = servers(data_dir)
    pk, token = f"token-restart-{uuid.uuid4().hex}", uuid.uuid4().hex
    counter_transaction(first.client("dynamodb"), pk, token)
    os.kill(first.process.pid, signal.SIGKILL)
    first.process.wait(timeout=10)
    second = servers(data_dir)
    ddb = second.client("dynamodb")
    counter_transaction(ddb, pk, token)  # the retry after the restart is still idempotent
    assert counter(ddb, pk) == 1
    with pytest.raises(ClientError) as excinfo:
        counter_transaction(ddb, pk, token, amount=5)
    assert error_of(excinfo) == ("IdempotentParameterMismatchException", 400)
    response = requests.post(f"{second.endpoint}/_local/clock", json={"advance": "11m"}, timeout=10)
    assert response.status_code == 200, response.text
    counter_transaction(ddb, pk, token)  # ten minutes later the token is forgotten: a new call
    assert counter(ddb, pk) == 2


# --------------------------------------------------------------------------- presigned POST


def tmp_bytes(data_dir):
    folder = data_dir / "s3" / "tmp"
    total = 0
    for path in folder.glob("*"):
        try:
            total += path.stat().st_size
        except FileNotFoundError:
            pass
    return total


def post_form_streaming(url, fields, file_size, on_chunk):
    """POSTs a multipart/form-data body with explicit Content-Length: the fields, then a file of `file_size` bytes
    sent 1 MiB at a time, calling `on_chunk` before each; returns (status, body text)."""
    boundary = "BOUNDARYxyz"
    head = b"".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
                    for name, value in fields.items())
    head += f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n\r\n'.encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    chunk = b"z" * (1024 * 1024)
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    connection.putrequest("POST", parts.path or "/")
    connection.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
    connection.putheader("Content-Length", str(len(head) + file_size + len(tail)))
    connection.endheaders()
    connection.send(head)
    for _ in range(file_size // len(chunk)):
        on_chunk()
        connection.send(chunk)
    on_chunk()
    connection.send(tail)
    response = connection.getresponse()
    text = response.read().decode()
    connection.close()
    return response.status, text


def test_bad_signature_post_is_refused_before_the_file_reaches_the_disk(shared):
    s3 = shared.client("s3")
    post = s3.generate_presigned_post(BUCKET, "posted/big.bin", ExpiresIn=300)
    fields = dict(post["fields"], signature=base64.b64encode(b"0" * 20).decode())
    seen = []
    code, text = post_form_streaming(post["url"], fields, 48 * 1024 * 1024, lambda: seen.append(tmp_bytes(shared.data_dir)))
    assert code == 403, text
    assert "<Code>SignatureDoesNotMatch</Code>" in text
    assert max(seen) == 0, f"up to {max(seen)} bytes of the refused upload were written to {shared.data_dir}/s3/tmp"
    with pytest.raises(ClientError) as excinfo:
        s3.head_object(Bucket=BUCKET, Key="posted/big.bin")
    assert error_of(excinfo)[1] == 404


def test_post_fields_before_the_file_are_limited(shared):
    s3 = shared.client("s3")
    post = s3.generate_presigned_post(BUCKET, "posted/padded.txt", ExpiresIn=300)
    fields = dict(post["fields"], **{"x-ignore-padding": "p" * 30_000})
    response = requests.post(post["url"], data=fields, files={"file": ("f", b"body")}, timeout=30)
    assert response.status_code == 400, response.text
    assert "<Code>MaxPostPreDataLengthExceeded</Code>" in response.text
    assert "<Message>Your POST request fields preceeding the upload file was too large.</Message>" in response.text
    assert "<MaxPostPreDataLengthBytes>20480</MaxPostPreDataLengthBytes>" in response.text
    # Within the limit the same form works (x-ignore- fields need no policy condition).
    fields = dict(post["fields"], **{"x-ignore-padding": "p" * 1000})
    response = requests.post(post["url"], data=fields, files={"file": ("f", b"body")}, timeout=30)
    assert response.status_code == 204, response.text
    assert s3.get_object(Bucket=BUCKET, Key="posted/padded.txt")["Body"].read() == b"body"


def test_post_with_an_unknown_key_is_refused_under_strict_credentials(servers):
    server = servers(None, "--strict-credentials")
    unknown = server.client("s3", "AKIAUNKNOWNKEY000001", "secret")
    post = unknown.generate_presigned_post(BUCKET, "posted/strict.txt", ExpiresIn=300)
    response = requests.post(post["url"], data=post["fields"], files={"file": ("f", b"body")}, timeout=30)
    assert response.status_code == 403, response.text
    assert "<Code>InvalidAccessKeyId</Code>" in response.text
    # The test key pair still posts.
    post = server.client("s3").generate_presigned_post(BUCKET, "posted/strict.txt", ExpiresIn=300)
    response = requests.post(post["url"], data=post["fields"], files={"file": ("f", b"body")}, timeout=30)
    assert response.status_code == 204, response.text


# --------------------------------------------------------------------------- kill -9 trials (CI-sized)


def load_killtrial():
    spec = importlib.util.spec_from_file_location("killtrial", REPO_ROOT / "scripts" / "killtrial.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("service", ["s3", "dynamodb"])
def test_kill9_trial_loses_no_acknowledged_write(service):
    killtrial = load_killtrial()
    lines = []
    writes, lost, orphans = killtrial.run_service(service, 3, emulator_binary(), writers=4, seed=1234, out=lines.append)
    report = "\n".join(lines)
    assert writes > 0, report
    assert (lost, orphans) == (0, 0), report


@pytest.mark.parametrize("service", ["s3", "dynamodb"])
def test_kill9_trial_with_fsync_durability_loses_no_acknowledged_write(service):
    """`--durability fsync` (bodies, folders and SQLite commits fsynced) keeps the kill -9 guarantee of the default."""
    killtrial = load_killtrial()
    lines = []
    writes, lost, orphans = killtrial.run_service(service, 2, emulator_binary(), writers=4, seed=4321, out=lines.append,
                                                  durability="fsync")
    report = "\n".join(lines)
    assert writes > 0, report
    assert (lost, orphans) == (0, 0), report
    assert "durability fsync" in report, report
