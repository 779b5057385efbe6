"""The gateway pipeline names each request's operation once, from the service's operation enum, and logs it.

Before the pipeline, only the JSON and query protocols carried an operation name (their `X-Amz-Target` or
`Action`); S3's REST operations were worked out inside the service and never reached the request's logger.
"""

import json

import pytest
from botocore.exceptions import ClientError

from conftest import EmulatorProcess


def logged_errors(server):
    """The gateway's debug record of each AWS error (its `code` and `message` metadata name the error)."""
    records = [json.loads(line) for line in server.log_path.read_text().splitlines() if line.startswith("{")]
    return [record for record in records if "code" in record and "request-id" in record]


def test_every_service_logs_its_typed_operation(tmp_path):
    server = EmulatorProcess(tmp_path, "--log-format", "json", "--log-level", "debug")
    try:
        s3 = server.client("s3")
        s3.create_bucket(Bucket="pipeline-ops")
        with pytest.raises(ClientError):
            s3.get_object(Bucket="pipeline-ops", Key="missing/key.txt")
        with pytest.raises(ClientError):
            s3.get_bucket_website(Bucket="pipeline-ops")
        with pytest.raises(ClientError):
            server.client("dynamodb").describe_table(TableName="no-such-table-ops")
    finally:
        server.stop()
    errors = logged_errors(server)
    by_code = {record.get("code"): record for record in errors}
    assert by_code["NoSuchKey"]["service"] == "s3", errors
    assert by_code["NoSuchKey"]["operation"] == "GetObject", errors
    # An unsupported sub-resource has no operation to name: S3 answers NotImplemented, as before.
    assert "operation" not in by_code["NotImplemented"], errors
    assert by_code["ResourceNotFoundException"]["operation"] == "DescribeTable", errors
    assert by_code["NoSuchKey"]["message"] == "The specified key does not exist.", errors


def test_text_log_lines_carry_the_request_metadata(tmp_path):
    """The default text format renders a request logger's metadata (request id, service, operation, then the line's
    own) when a line is written, as swift-log's StreamLogHandler prints it: sorted `key=value` pairs after the label."""
    server = EmulatorProcess(tmp_path, "--log-level", "debug")
    try:
        with pytest.raises(ClientError) as caught:
            server.client("dynamodb").describe_table(TableName="no-such-table-text")
        request_id = caught.value.response["ResponseMetadata"]["RequestId"]
    finally:
        server.stop()
    lines = [line for line in server.log_path.read_text().splitlines() if f"request-id={request_id}" in line]
    assert lines, server.log_path.read_text()[-3000:]
    line = next(line for line in lines if " code=ResourceNotFoundException " in line)
    positions = [line.index(f" {pair} ") for pair in ("code=ResourceNotFoundException", "operation=DescribeTable",
                                                       f"request-id={request_id}", "service=dynamodb")]
    assert positions == sorted(positions), line
