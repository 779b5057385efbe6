"""POST /_local/reset: every service's data back to the template's initial state, Lambda environments kept warm.

Runs its own emulator on `templates/reset.yaml` (bucket reset-files, table reset-items, function reset-greeter,
identity pool reset_pool). Snapshots (`POST /_local/snapshots`, `.../{name}/restore`, `DELETE`) save and restore
the whole state with the virtual clock, in memory with --ephemeral and across a restart with a data folder.
"""


import json
import subprocess
from datetime import datetime, timedelta, timezone

import boto3
import pytest
import requests
from botocore.exceptions import ClientError
from conftest import (
    EmulatorProcess,
    ACCESS_KEY,
    REGION,
    REPO_ROOT,
    SECRET_KEY,
    client_config,
    emulator_binary,
    iso_to_datetime,
)

TEMPLATE = REPO_ROOT / "Tests" / "e2e" / "templates" / "reset.yaml"
JSON = {"Content-Type": "application/json"}


@pytest.fixture(scope="module")
def reset_endpoint(tmp_path_factory):
    emulator = EmulatorProcess(tmp_path_factory.mktemp("reset"), template=TEMPLATE)
    try:
        yield emulator.endpoint
    finally:
        emulator.stop()


@pytest.fixture(scope="module")
def client(reset_endpoint):
    session = boto3.Session(aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY, region_name=REGION)
    return lambda service: session.client(service, endpoint_url=reset_endpoint, config=client_config())


def reset(endpoint):
    response = requests.post(f"{endpoint}/_local/reset", data="{}", headers=JSON, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()


def code_of(excinfo):
    return excinfo.value.response["Error"]["Code"]


def test_reset_brings_every_service_back_to_the_template(reset_endpoint, client):
    s3, ddb, logs, cognito, iam = (client(name) for name in ("s3", "dynamodb", "logs", "cognito-identity", "iam"))
    s3.put_object(Bucket="reset-files", Key="a.txt", Body=b"a")
    s3.put_bucket_versioning(Bucket="reset-files", VersioningConfiguration={"Status": "Enabled"})
    s3.create_bucket(Bucket="made-by-a-test")
    ddb.put_item(TableName="reset-items", Item={"pk": {"S": "1"}})
    ddb.create_table(TableName="made-by-a-test", BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}])
    logs.create_log_group(logGroupName="/made/by/a/test")
    pool_id = cognito.list_identity_pools(MaxResults=10)["IdentityPools"][0]["IdentityPoolId"]
    cognito.get_id(IdentityPoolId=pool_id)
    assert len(cognito.list_identities(IdentityPoolId=pool_id, MaxResults=10)["Identities"]) == 1
    iam.create_user(UserName="made-by-a-test")

    answer = reset(reset_endpoint)
    assert answer["reset"] == ["apigateway-websocket", "s3", "dynamodb", "lambda", "cognito-identity", "cognito-idp", "logs", "iam"]

    assert s3.list_objects_v2(Bucket="reset-files").get("KeyCount") == 0
    assert "Status" not in s3.get_bucket_versioning(Bucket="reset-files")
    with pytest.raises(ClientError) as excinfo:
        s3.head_bucket(Bucket="made-by-a-test")
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert ddb.scan(TableName="reset-items")["Count"] == 0
    with pytest.raises(ClientError) as excinfo:
        ddb.describe_table(TableName="made-by-a-test")
    assert code_of(excinfo) == "ResourceNotFoundException"
    with pytest.raises(ClientError) as excinfo:
        logs.delete_log_group(logGroupName="/made/by/a/test")
    assert code_of(excinfo) == "ResourceNotFoundException"
    assert cognito.list_identities(IdentityPoolId=pool_id, MaxResults=10)["Identities"] == []
    with pytest.raises(ClientError) as excinfo:
        iam.get_user(UserName="made-by-a-test")
    assert code_of(excinfo) == "NoSuchEntity"


def test_template_table_deleted_through_the_api_comes_back(reset_endpoint, client):
    ddb = client("dynamodb")
    ddb.delete_table(TableName="reset-items")
    reset(reset_endpoint)
    assert ddb.describe_table(TableName="reset-items")["Table"]["TableStatus"] == "ACTIVE"
    ddb.put_item(TableName="reset-items", Item={"pk": {"S": "after"}})
    assert ddb.scan(TableName="reset-items")["Count"] == 1


def test_lambda_environments_stay_warm(reset_endpoint, client):
    lam = client("lambda")
    lam.invoke(FunctionName="reset-greeter", Payload=b"{}")
    reset(reset_endpoint)
    response = lam.invoke(FunctionName="reset-greeter", Payload=b"{}", LogType="Tail")
    import base64

    tail = base64.b64decode(response["LogResult"]).decode()
    report = [line for line in tail.splitlines() if line.startswith("REPORT")]
    assert report and "Init Duration" not in report[0], tail


def test_reset_follows_the_admin_rules(reset_endpoint):
    refused = requests.post(f"{reset_endpoint}/_local/reset", data="{}", headers={"Content-Type": "text/plain"}, timeout=10)
    assert refused.status_code == 415
    assert refused.json()["__type"] == "UnsupportedMediaTypeException"
    foreign = requests.post(f"{reset_endpoint}/_local/reset", data="{}",
                            headers={**JSON, "Origin": "https://evil.example"}, timeout=10)
    assert foreign.status_code == 403


def admin(endpoint, method, path, body=None):
    return requests.request(method, f"{endpoint}/_local/{path}", headers=JSON,
                            data=None if body is None else json.dumps(body), timeout=60)


def clock_now(endpoint):
    return iso_to_datetime(requests.get(f"{endpoint}/_local/clock", timeout=10).json()["now"])


def set_clock(endpoint, when):
    response = admin(endpoint, "POST", "clock", {"set": when.strftime("%Y-%m-%dT%H:%M:%SZ")})
    assert response.status_code == 200, response.text


def seed(client):
    """One object, one item, one identity and one IAM user; returns the identity pool id."""
    s3, ddb, cognito, iam = (client(name) for name in ("s3", "dynamodb", "cognito-identity", "iam"))
    s3.put_object(Bucket="reset-files", Key="kept.txt", Body=b"kept body")
    ddb.put_item(TableName="reset-items", Item={"pk": {"S": "kept"}})
    pool_id = cognito.list_identity_pools(MaxResults=10)["IdentityPools"][0]["IdentityPoolId"]
    cognito.get_id(IdentityPoolId=pool_id)
    iam.create_user(UserName="kept-user")
    return pool_id


def assert_seeded(client, pool_id):
    s3, ddb, cognito, iam = (client(name) for name in ("s3", "dynamodb", "cognito-identity", "iam"))
    assert [o["Key"] for o in s3.list_objects_v2(Bucket="reset-files").get("Contents", [])] == ["kept.txt"]
    assert s3.get_object(Bucket="reset-files", Key="kept.txt")["Body"].read() == b"kept body"
    assert [i["pk"]["S"] for i in ddb.scan(TableName="reset-items")["Items"]] == ["kept"]
    assert len(cognito.list_identities(IdentityPoolId=pool_id, MaxResults=10)["Identities"]) == 1
    assert iam.get_user(UserName="kept-user")["User"]["UserName"] == "kept-user"


def test_snapshot_restores_data_and_clock(reset_endpoint, client):
    reset(reset_endpoint)
    pool_id = seed(client)
    snapshot_time = datetime.now(timezone.utc) + timedelta(days=3)
    set_clock(reset_endpoint, snapshot_time)
    try:
        saved = admin(reset_endpoint, "POST", "snapshots", {"name": "seeded"})
        assert saved.status_code == 200, saved.text
        assert saved.json()["services"] == ["s3", "dynamodb", "cognito-identity", "cognito-idp", "iam"]
        listed = admin(reset_endpoint, "GET", "snapshots").json()["snapshots"]
        assert [(e["name"], e["sizeBytes"] > len(b"kept body")) for e in listed] == [("seeded", True)]

        s3, ddb, iam = client("s3"), client("dynamodb"), client("iam")
        s3.put_object(Bucket="reset-files", Key="kept.txt", Body=b"overwritten")
        s3.put_object(Bucket="reset-files", Key="later.txt", Body=b"later")
        s3.create_bucket(Bucket="made-after-snapshot")
        ddb.put_item(TableName="reset-items", Item={"pk": {"S": "later"}})
        ddb.create_table(TableName="made-after-snapshot", BillingMode="PAY_PER_REQUEST",
                         AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}])
        iam.delete_user(UserName="kept-user")
        set_clock(reset_endpoint, snapshot_time + timedelta(days=30))

        restored = admin(reset_endpoint, "POST", "snapshots/seeded/restore", {})
        assert restored.status_code == 200, restored.text
        assert_seeded(client, pool_id)
        with pytest.raises(ClientError) as excinfo:
            s3.head_bucket(Bucket="made-after-snapshot")
        assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
        with pytest.raises(ClientError) as excinfo:
            ddb.describe_table(TableName="made-after-snapshot")
        assert code_of(excinfo) == "ResourceNotFoundException"
        # The clock is back at the snapshot's virtual time (not 30 days later).
        assert abs((clock_now(reset_endpoint) - snapshot_time).total_seconds()) < 120
        # The restored state takes writes as usual.
        s3.put_object(Bucket="reset-files", Key="after-restore.txt", Body=b"x")
        assert s3.get_object(Bucket="reset-files", Key="after-restore.txt")["Body"].read() == b"x"
    finally:
        admin(reset_endpoint, "DELETE", "snapshots/seeded", {})
        set_clock(reset_endpoint, datetime.now(timezone.utc))
        reset(reset_endpoint)
    assert admin(reset_endpoint, "GET", "snapshots").json()["snapshots"] == []


@pytest.mark.parametrize("name", ["../escape", "a/b", ".hidden", "", "x" * 65, "sp ace"])
def test_snapshot_names_are_validated(reset_endpoint, name):
    response = admin(reset_endpoint, "POST", "snapshots", {"name": name})
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["__type"] == "ValidationException"
    assert "use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit" in body["message"]


def test_snapshot_refusals_name_the_next_step(reset_endpoint):
    missing = admin(reset_endpoint, "POST", "snapshots/never-saved/restore", {})
    assert missing.status_code == 404
    assert missing.json()["__type"] == "ResourceNotFoundException"
    assert "snapshot 'never-saved' does not exist" in missing.json()["message"]
    assert admin(reset_endpoint, "DELETE", "snapshots/never-saved", {}).status_code == 404
    traversal = admin(reset_endpoint, "POST", "snapshots/..%2F..%2Fetc/restore", {})
    assert traversal.status_code in (400, 404) and traversal.json()["__type"] in ("ValidationException", "ResourceNotFoundException")
    no_name = admin(reset_endpoint, "POST", "snapshots", {})
    assert no_name.status_code == 400
    assert 'expected a JSON object with "name"' in no_name.json()["message"]
    assert admin(reset_endpoint, "POST", "snapshots", {"name": "twice"}).status_code == 200
    try:
        again = admin(reset_endpoint, "POST", "snapshots", {"name": "twice"})
        assert again.status_code == 409
        assert again.json()["__type"] == "ResourceConflictException"
        assert "delete it first" in again.json()["message"]
    finally:
        assert admin(reset_endpoint, "DELETE", "snapshots/twice", {}).status_code == 200
    plain = requests.post(f"{reset_endpoint}/_local/snapshots", data='{"name": "x"}',
                          headers={"Content-Type": "text/plain"}, timeout=10)
    assert plain.status_code == 415


def test_snapshot_survives_a_restart(tmp_path):
    data = tmp_path / "data"
    first = EmulatorProcess(tmp_path, template=TEMPLATE, data_dir=data)
    try:
        pool_id = seed(first.client)
        assert admin(first.endpoint, "POST", "snapshots", {"name": "persisted"}).status_code == 200
        first.client("s3").delete_object(Bucket="reset-files", Key="kept.txt")
        first.client("dynamodb").delete_item(TableName="reset-items", Key={"pk": {"S": "kept"}})
    finally:
        first.stop()
    assert (data / "snapshots" / "persisted" / "manifest.json").is_file()
    second = EmulatorProcess(tmp_path, template=TEMPLATE, data_dir=data)
    try:
        assert [e["name"] for e in admin(second.endpoint, "GET", "snapshots").json()["snapshots"]] == ["persisted"]
        assert second.client("dynamodb").scan(TableName="reset-items")["Count"] == 0
        assert admin(second.endpoint, "POST", "snapshots/persisted/restore", {}).status_code == 200
        assert_seeded(second.client, pool_id)
    finally:
        second.stop()


def test_snapshot_cli(reset_endpoint, client):
    reset(reset_endpoint)
    binary = str(emulator_binary())

    def cli(*args):
        return subprocess.run([binary, "snapshot", *args, "--endpoint", reset_endpoint],
                              capture_output=True, text=True, timeout=60)

    client("s3").put_object(Bucket="reset-files", Key="cli.txt", Body=b"cli")
    saved = cli("save", "from-cli")
    assert saved.returncode == 0, saved.stderr
    try:
        assert [e["name"] for e in json.loads(cli("list").stdout)["snapshots"]] == ["from-cli"]
        client("s3").delete_object(Bucket="reset-files", Key="cli.txt")
        restored = cli("restore", "from-cli")
        assert restored.returncode == 0, restored.stderr
        assert client("s3").get_object(Bucket="reset-files", Key="cli.txt")["Body"].read() == b"cli"
        refused = cli("restore", "no-such-snapshot")
        assert refused.returncode == 1
        assert "error: snapshot 'no-such-snapshot' does not exist" in refused.stderr
    finally:
        assert cli("delete", "from-cli").returncode == 0
        reset(reset_endpoint)


def test_reset_undoes_update_table_on_template_tables(reset_endpoint, client):
    ddb = client("dynamodb")
    ddb.update_table(TableName="reset-items", StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    ddb.update_time_to_live(TableName="reset-items", TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"})
    ddb.update_table(
        TableName="reset-items",
        AttributeDefinitions=[{"AttributeName": "g", "AttributeType": "S"}],
        GlobalSecondaryIndexUpdates=[{"Create": {"IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                                 "Projection": {"ProjectionType": "ALL"}}}],
    )
    ddb.update_table(TableName="reset-items", BillingMode="PROVISIONED",
                     ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
                     GlobalSecondaryIndexUpdates=[{"Update": {"IndexName": "by-g", "ProvisionedThroughput": {
                         "ReadCapacityUnits": 5, "WriteCapacityUnits": 5}}}])
    changed = ddb.describe_table(TableName="reset-items")["Table"]
    assert changed.get("GlobalSecondaryIndexes") and changed["StreamSpecification"]["StreamEnabled"]

    reset(reset_endpoint)

    table = ddb.describe_table(TableName="reset-items")["Table"]
    assert "GlobalSecondaryIndexes" not in table
    assert "StreamSpecification" not in table and "LatestStreamArn" not in table
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert ddb.describe_time_to_live(TableName="reset-items")["TimeToLiveDescription"]["TimeToLiveStatus"] == "DISABLED"
    assert [d["AttributeName"] for d in table["AttributeDefinitions"]] == ["pk"]


def test_reset_deletes_api_created_functions_and_mappings(reset_endpoint, client):
    import io
    import zipfile

    lam, ddb, iam = client("lambda"), client("dynamodb"), client("iam")
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    role = iam.create_role(RoleName="made-by-a-test-role", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("index.py", "def handler(event, context):\n    return 'ok'\n")
    lam.create_function(FunctionName="made-by-a-test", Runtime="python3.12", Role=role, Handler="index.handler",
                        Code={"ZipFile": archive.getvalue()})
    stream = ddb.update_table(TableName="reset-items",
                              StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    stream_arn = stream["TableDescription"]["LatestStreamArn"]
    lam.create_event_source_mapping(FunctionName="made-by-a-test", EventSourceArn=stream_arn, StartingPosition="LATEST")
    assert len(lam.list_event_source_mappings(FunctionName="made-by-a-test")["EventSourceMappings"]) == 1
    lam.publish_layer_version(LayerName="made-by-a-test-layer", Content={"ZipFile": archive.getvalue()})

    reset(reset_endpoint)

    assert "made-by-a-test-layer" not in [layer["LayerName"] for layer in lam.list_layers()["Layers"]]
    # A layer published after the reset starts from version 1 again, as on a fresh start.
    assert lam.publish_layer_version(LayerName="made-by-a-test-layer", Content={"ZipFile": archive.getvalue()})["Version"] == 1

    with pytest.raises(ClientError) as excinfo:
        lam.get_function(FunctionName="made-by-a-test")
    assert code_of(excinfo) == "ResourceNotFoundException"
    assert lam.list_event_source_mappings()["EventSourceMappings"] == []
    assert lam.get_function(FunctionName="reset-greeter")["Configuration"]["FunctionName"] == "reset-greeter"
