"""POST /_local/reset: every service's data back to the template's initial state, Lambda environments kept warm.

Runs its own emulator on `templates/reset.yaml` (bucket reset-files, table reset-items, function reset-greeter,
identity pool reset_pool). Snapshots (`POST /_local/snapshots`) are not implemented yet.
"""


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
    assert answer["reset"] == ["apigateway-websocket", "s3", "dynamodb", "cognito-identity", "logs", "iam"]

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
