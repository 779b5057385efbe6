"""The SynapScribe stack's own flows, end to end against template.yaml with its unmodified handlers:

* a lecture uploaded under lectures/ triggers ValidateLectureFunction through the S3 notification, which
  records the lecture in DynamoDB with the execution role's credentials;
* the same stack with one permission missing from the execution role fails locally exactly as in AWS
  ("works locally, AccessDenied in AWS" caught before deploying).
"""

import json
import os
import shutil
import time

import boto3
import pytest
from botocore.config import Config

from conftest import REPO_ROOT, EmulatorProcess

AUDIO_BUCKET = "synapscribe-audio-000000000000"
SESSIONS_TABLE = "SynapScribe-Sessions"


def client(endpoint, service):
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test",
                        config=Config(retries={"max_attempts": 1}, s3={"addressing_style": "path"}))


def wait_for(predicate, timeout=60):
    """Poll until predicate() is truthy (S3 notifications are asynchronous, as in AWS)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    return predicate()


def test_lecture_upload_is_validated_and_recorded(emulator):
    s3 = client(emulator.endpoint, "s3")
    dynamodb = client(emulator.endpoint, "dynamodb")
    key = "lectures/flow/week-1.mp3"
    s3.put_object(Bucket=AUDIO_BUCKET, Key=key, Body=b"ID3" + b"\0" * 2048, ContentType="audio/mpeg")

    def recorded():
        item = dynamodb.get_item(TableName=SESSIONS_TABLE,
                                 Key={"sessionId": {"S": "lecture"}, "lectureId": {"S": "flow/week-1"}}).get("Item")
        return item if item and item.get("status", {}).get("S") else None

    item = wait_for(recorded)
    assert item, "ValidateLectureFunction did not record the lecture"
    assert item["status"]["S"] == "ready", item
    assert item["s3Key"]["S"] == key
    assert item["contentType"]["S"] == "audio/mpeg"

    # A query upload (not under lectures/) triggers nothing.
    s3.put_object(Bucket=AUDIO_BUCKET, Key="queries/q.webm", Body=b"x", ContentType="audio/webm")
    logs = client(emulator.endpoint, "lambda")
    assert logs.get_function(FunctionName="ValidateLectureFunction")["Configuration"]["Runtime"] == "python3.12"


def test_missing_permission_fails_locally_as_in_aws(tmp_path):
    """The execution role loses dynamodb:PutItem: the handler's PutItem is denied with AWS's message."""
    stack = tmp_path / "stack"
    stack.mkdir()
    os.symlink(REPO_ROOT / "Fixtures", stack / "Fixtures")
    shutil.copy(REPO_ROOT / "samconfig.toml", stack / "samconfig.toml")
    template = (REPO_ROOT / "template.yaml").read_text()
    assert "- dynamodb:PutItem\n" in template
    (stack / "template.yaml").write_text(template.replace("- dynamodb:PutItem\n", "", 1))
    server = EmulatorProcess(tmp_path, template=stack / "template.yaml")
    try:
        s3 = client(server.endpoint, "s3")
        lam = client(server.endpoint, "lambda")
        key = "lectures/denied/week-2.mp3"
        s3.put_object(Bucket=AUDIO_BUCKET, Key=key, Body=b"ID3" + b"\0" * 1024, ContentType="audio/mpeg")
        event = json.loads((REPO_ROOT / "Fixtures/synapscribe/events/s3-put-lecture.json").read_text())
        event["Records"][0]["s3"]["object"]["key"] = key
        event["Records"][0]["s3"]["object"]["size"] = 1027
        response = lam.invoke(FunctionName="ValidateLectureFunction", Payload=json.dumps(event).encode())
        payload = json.loads(response["Payload"].read())
        text = json.dumps(payload)
        assert response.get("FunctionError") == "Unhandled", payload
        assert "AccessDeniedException" in text, payload
        assert "is not authorized to perform: dynamodb:PutItem on resource: " \
               "arn:aws:dynamodb:us-east-1:000000000000:table/SynapScribe-Sessions" in text, payload
        assert "assumed-role/synapscribe-mvp-LambdaExecutionRole-" in text, payload
    finally:
        server.stop()
