"""Starting without a template: `synapscribe-local start` in a folder with no template.yaml and no --template
serves every service up and empty; resources then come from API calls. `validate` without a template says so."""

import subprocess
import time

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError

from conftest import (ACCESS_KEY, LOOPBACK, REGION, SECRET_KEY, emulator_binary, free_port, read_tail,
                      stop_process, wait_until_healthy)


@pytest.fixture
def bare_emulator(tmp_path):
    """An emulator started in an empty folder, without --template."""
    folder = tmp_path / "empty-project"
    folder.mkdir()
    port = free_port()
    log_path = tmp_path / "synapscribe-local.log"
    log = open(log_path, "wb")
    process = subprocess.Popen(
        [str(emulator_binary()), "start", "--host", LOOPBACK, "--port", str(port), "--ephemeral"],
        stdout=log, stderr=subprocess.STDOUT, cwd=folder)
    endpoint = f"http://{LOOPBACK}:{port}"
    try:
        wait_until_healthy(endpoint, process, log_path)
        yield endpoint, log_path, folder
    finally:
        stop_process(process)
        log.close()


def make_client(endpoint, service):
    return boto3.session.Session().client(
        service, endpoint_url=endpoint, region_name=REGION, aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        config=Config(retries={"total_max_attempts": 1}, s3={"addressing_style": "path"}))


def test_start_without_template_serves_every_service_empty(bare_emulator):
    endpoint, log_path, folder = bare_emulator
    # The summary says there is no template.
    deadline = time.monotonic() + 10
    while "No template: every service is up and empty" not in read_tail(log_path) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "No template: every service is up and empty" in read_tail(log_path)
    assert not (folder / "template.yaml").exists()

    health = requests.get(f"{endpoint}/_local/health", timeout=5).json()["services"]
    for name in ("s3", "dynamodb", "lambda", "cognito-identity", "sts", "iam"):
        assert health[name]["state"] == "running", (name, health[name])

    s3 = make_client(endpoint, "s3")
    dynamodb = make_client(endpoint, "dynamodb")
    assert s3.list_buckets()["Buckets"] == []
    assert dynamodb.list_tables()["TableNames"] == []
    assert make_client(endpoint, "lambda").list_functions()["Functions"] == []

    s3.create_bucket(Bucket="made-by-api")
    s3.put_object(Bucket="made-by-api", Key="hello.txt", Body=b"hello")
    assert s3.get_object(Bucket="made-by-api", Key="hello.txt")["Body"].read() == b"hello"
    assert [bucket["Name"] for bucket in s3.list_buckets()["Buckets"]] == ["made-by-api"]

    dynamodb.create_table(
        TableName="MadeByApi",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST")
    dynamodb.put_item(TableName="MadeByApi", Item={"pk": {"S": "a"}, "v": {"N": "1"}})
    assert dynamodb.get_item(TableName="MadeByApi", Key={"pk": {"S": "a"}})["Item"]["v"] == {"N": "1"}
    assert dynamodb.list_tables()["TableNames"] == ["MadeByApi"]

    iam = make_client(endpoint, "iam")
    assert iam.list_roles()["Roles"] == []
    iam.create_role(RoleName="MadeByApi", AssumeRolePolicyDocument='{"Version": "2012-10-17", "Statement": [{"Effect": '
                    '"Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}')
    assert [role["RoleName"] for role in iam.list_roles()["Roles"]] == ["MadeByApi"]

    # A resource that does not exist is still AWS's error, not a start-up failure.
    with pytest.raises(ClientError) as excinfo:
        dynamodb.describe_table(TableName="Missing")
    assert excinfo.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_validate_without_template_says_so(tmp_path):
    result = subprocess.run([str(emulator_binary()), "validate"], cwd=tmp_path, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "error: no template: there is no template.yaml in this folder and no --template was given "
        "(synapscribe-local start serves every service empty without one)")


def test_explicit_missing_template_is_still_an_error(tmp_path):
    """`--template PATH` naming a file that is not there is a mistake, not a request for an empty start."""
    result = subprocess.run([str(emulator_binary()), "start", "--template", str(tmp_path / "nope.yaml"), "--ephemeral",
                             "--port", "0"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "nope.yaml" in result.stderr
