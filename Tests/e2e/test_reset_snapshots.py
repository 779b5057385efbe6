"""POST /_local/reset: every service's data back to the template's initial state, Lambda environments kept warm.

Runs its own emulator on `templates/reset.yaml` (bucket reset-files, table reset-items, function reset-greeter with
an HTTP API route GET /greet, identity pool reset_pool). Snapshots (`POST /_local/snapshots`, `.../{name}/restore`, `DELETE`) save and restore
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
SNAPSHOT_SERVICES = ["apigateway-websocket", "s3", "dynamodb", "cognito-identity", "cognito-idp", "iam", "lambda", "apigatewayv2",
                     "apigateway", "cloudformation", "logs", "issued-credentials"]


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
    assert answer["reset"] == ["apigateway-websocket", "cloudformation", "s3", "dynamodb", "lambda", "apigatewayv2",
                               "apigateway", "cognito-identity", "cognito-idp", "logs", "iam"]

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
        assert saved.json()["services"] == SNAPSHOT_SERVICES
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


FUNCTION_CODE = """import json


def handler(event, context):
    return {"statusCode": 200, "headers": {"content-type": "application/json"}, "body": json.dumps({"v": VERSION})}
"""
STACK_TEMPLATE = """
Resources:
  Box:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: snap-stack-box
Outputs:
  BoxName:
    Value: !Ref Box
    Export:
      Name: snap-stack-box-name
"""


def function_zip(version):
    import io
    import zipfile

    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("index.py", FUNCTION_CODE.replace("VERSION", str(version)))
    return archive.getvalue()


def body_of(lam, name):
    response = lam.invoke(FunctionName=name, Payload=b"{}", LogType="Tail")
    payload = json.loads(response["Payload"].read())
    assert "FunctionError" not in response, payload
    return json.loads(payload["body"]), response


def cold_started(response):
    import base64

    tail = base64.b64decode(response["LogResult"]).decode()
    return "Init Duration" in next(line for line in tail.splitlines() if line.startswith("REPORT"))


def template_http_api_id(client):
    cfn = client("cloudformation")
    startup = next(s["StackName"] for s in cfn.describe_stacks()["Stacks"] if s["StackName"] != "snap-stack")
    resources = cfn.list_stack_resources(StackName=startup)["StackResourceSummaries"]
    return next(r["PhysicalResourceId"] for r in resources if r["ResourceType"] == "AWS::ApiGatewayV2::Api")


def test_snapshot_holds_functions_apis_stacks_logs_and_credentials(reset_endpoint, client):
    reset(reset_endpoint)
    lam, v2, apigw, cfn, logs, iam, ddb = (client(name) for name in (
        "lambda", "apigatewayv2", "apigateway", "cloudformation", "logs", "iam", "dynamodb"))
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com", "AWS": "arn:aws:iam::000000000000:root"},
         "Action": "sts:AssumeRole"}]})
    role = iam.create_role(RoleName="snap-role", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    function_arn = lam.create_function(FunctionName="snap-fn", Runtime="python3.12", Role=role, Handler="index.handler",
                                       Code={"ZipFile": function_zip(1)})["FunctionArn"]
    assert lam.publish_version(FunctionName="snap-fn")["Version"] == "1"
    lam.create_alias(FunctionName="snap-fn", Name="live", FunctionVersion="1")
    lam.put_function_concurrency(FunctionName="snap-fn", ReservedConcurrentExecutions=3)
    lam.add_permission(FunctionName="snap-fn", StatementId="from-apigw", Action="lambda:InvokeFunction",
                       Principal="apigateway.amazonaws.com")
    assert lam.publish_layer_version(LayerName="snap-layer", Content={"ZipFile": function_zip(0)})["Version"] == 1
    lam.add_layer_version_permission(LayerName="snap-layer", VersionNumber=1, StatementId="share",
                                     Action="lambda:GetLayerVersion", Principal="*")
    stream_arn = ddb.update_table(TableName="reset-items", StreamSpecification={
        "StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})["TableDescription"]["LatestStreamArn"]
    mapping = lam.create_event_source_mapping(FunctionName="snap-fn", EventSourceArn=stream_arn,
                                              StartingPosition="TRIM_HORIZON", BatchSize=7)
    http_api = v2.create_api(Name="snap-http", ProtocolType="HTTP", Target=function_arn)["ApiId"]
    rest_api = apigw.create_rest_api(name="snap-rest")["id"]
    root = next(i["id"] for i in apigw.get_resources(restApiId=rest_api)["items"] if i["path"] == "/")
    apigw.put_method(restApiId=rest_api, resourceId=root, httpMethod="GET", authorizationType="NONE")
    apigw.put_method_response(restApiId=rest_api, resourceId=root, httpMethod="GET", statusCode="200")
    apigw.put_integration(restApiId=rest_api, resourceId=root, httpMethod="GET", type="MOCK",
                          requestTemplates={"application/json": '{"statusCode": 200}'})
    apigw.put_integration_response(restApiId=rest_api, resourceId=root, httpMethod="GET", statusCode="200",
                                   responseTemplates={"application/json": '{"rest": 1}'})
    apigw.create_deployment(restApiId=rest_api, stageName="dev")
    cfn.create_stack(StackName="snap-stack", TemplateBody=STACK_TEMPLATE)
    logs.create_log_group(logGroupName="/snap/app")
    logs.put_retention_policy(logGroupName="/snap/app", retentionInDays=30)
    logs.create_log_stream(logGroupName="/snap/app", logStreamName="s1")
    now_ms = int(clock_now(reset_endpoint).timestamp() * 1000)
    logs.put_log_events(logGroupName="/snap/app", logStreamName="s1", logEvents=[{"timestamp": now_ms, "message": "before"}])
    assumed = client("sts").assume_role(RoleArn=role, RoleSessionName="snap")["Credentials"]
    session = boto3.Session(aws_access_key_id=assumed["AccessKeyId"], aws_secret_access_key=assumed["SecretAccessKey"],
                            aws_session_token=assumed["SessionToken"], region_name=REGION)
    assumed_sts = session.client("sts", endpoint_url=reset_endpoint, config=client_config())
    assert ":assumed-role/snap-role/snap" in assumed_sts.get_caller_identity()["Arn"]
    http_url = f"{reset_endpoint}/_aws/execute-api/{http_api}/anything"
    rest_url = f"{reset_endpoint}/_aws/execute-api/{rest_api}/dev/"
    assert requests.get(http_url, timeout=30).json() == {"v": 1}
    assert requests.get(rest_url, timeout=30).json() == {"rest": 1}
    assert body_of(lam, "snap-fn")[0] == {"v": 1}
    lam.invoke(FunctionName="reset-greeter", Payload=b"{}")

    saved = admin(reset_endpoint, "POST", "snapshots", {"name": "whole"})
    assert saved.status_code == 200, saved.text
    assert saved.json()["services"] == SNAPSHOT_SERVICES
    assert saved.json()["notIncluded"] == [
        "open WebSocket connections (a restore closes them)",
        "running Lambda invocations and execution environments (a restore stops those of functions it changes or removes)",
        "Lambda log lines kept for /_local/logs (CloudWatch Logs events are held)",
    ]
    try:
        lam.update_function_code(FunctionName="snap-fn", ZipFile=function_zip(2))
        lam.publish_version(FunctionName="snap-fn")
        lam.update_alias(FunctionName="snap-fn", Name="live", FunctionVersion="2")
        lam.delete_function_concurrency(FunctionName="snap-fn")
        lam.remove_permission(FunctionName="snap-fn", StatementId="from-apigw")
        lam.remove_layer_version_permission(LayerName="snap-layer", VersionNumber=1, StatementId="share")
        lam.delete_layer_version(LayerName="snap-layer", VersionNumber=1)
        lam.delete_event_source_mapping(UUID=mapping["UUID"])
        lam.create_function(FunctionName="snap-later", Runtime="python3.12", Role=role, Handler="index.handler",
                            Code={"ZipFile": function_zip(3)})
        v2.delete_api(ApiId=http_api)
        apigw.delete_rest_api(restApiId=rest_api)
        cfn.delete_stack(StackName="snap-stack")
        logs.delete_log_group(logGroupName="/snap/app")
        assert body_of(lam, "snap-fn")[0] == {"v": 2}
        assert requests.get(http_url, timeout=30).status_code != 200
        # Two days later the assumed-role credentials have expired (and were purged).
        set_clock(reset_endpoint, clock_now(reset_endpoint) + timedelta(days=2))
        with pytest.raises(ClientError) as excinfo:
            assumed_sts.get_caller_identity()
        assert code_of(excinfo) == "ExpiredToken"

        restored = admin(reset_endpoint, "POST", "snapshots/whole/restore", {})
        assert restored.status_code == 200, restored.text
        assert restored.json()["services"] == SNAPSHOT_SERVICES

        # Lambda: code, versions, alias, concurrency, policy, layer and mapping are back; snap-later is gone.
        body, response = body_of(lam, "snap-fn")
        assert body == {"v": 1} and cold_started(response)
        assert body_of(lam, "snap-fn:live")[0] == {"v": 1}
        assert lam.get_alias(FunctionName="snap-fn", Name="live")["FunctionVersion"] == "1"
        assert [v["Version"] for v in lam.list_versions_by_function(FunctionName="snap-fn")["Versions"]] == ["$LATEST", "1"]
        assert lam.get_function_concurrency(FunctionName="snap-fn")["ReservedConcurrentExecutions"] == 3
        assert "from-apigw" in lam.get_policy(FunctionName="snap-fn")["Policy"]
        assert [v["Version"] for v in lam.list_layer_versions(LayerName="snap-layer")["LayerVersions"]] == [1]
        assert "share" in lam.get_layer_version_policy(LayerName="snap-layer", VersionNumber=1)["Policy"]
        restored_mapping = lam.get_event_source_mapping(UUID=mapping["UUID"])
        assert (restored_mapping["FunctionArn"], restored_mapping["EventSourceArn"], restored_mapping["BatchSize"]) == (
            function_arn, stream_arn, 7)
        with pytest.raises(ClientError) as excinfo:
            lam.get_function(FunctionName="snap-later")
        assert code_of(excinfo) == "ResourceNotFoundException"
        # A function the restore does not change keeps its warm environment (the two-day clock move above may have
        # reaped the greeter's: warm it, then restore the same snapshot again).
        lam.invoke(FunctionName="reset-greeter", Payload=b"{}")
        assert admin(reset_endpoint, "POST", "snapshots/whole/restore", {}).status_code == 200
        assert not cold_started(lam.invoke(FunctionName="reset-greeter", Payload=b"{}", LogType="Tail"))
        body, response = body_of(lam, "snap-fn")
        assert body == {"v": 1} and not cold_started(response)
        # API Gateway: both APIs are listed and served again.
        assert v2.get_api(ApiId=http_api)["Name"] == "snap-http"
        assert requests.get(http_url, timeout=30).json() == {"v": 1}
        assert apigw.get_rest_api(restApiId=rest_api)["name"] == "snap-rest"
        assert requests.get(rest_url, timeout=30).json() == {"rest": 1}
        # CloudFormation: the stack with its outputs and export, and its bucket.
        stack = cfn.describe_stacks(StackName="snap-stack")["Stacks"][0]
        assert stack["StackStatus"] == "CREATE_COMPLETE"
        assert stack["Outputs"][0]["OutputValue"] == "snap-stack-box"
        assert [e["Name"] for e in cfn.list_exports()["Exports"]] == ["snap-stack-box-name"]
        client("s3").head_bucket(Bucket="snap-stack-box")
        # CloudWatch Logs: the group with its retention, stream and event.
        group = logs.describe_log_groups(logGroupNamePrefix="/snap/app")["logGroups"][0]
        assert group["retentionInDays"] == 30
        events = logs.get_log_events(logGroupName="/snap/app", logStreamName="s1", startFromHead=True)["events"]
        assert [e["message"] for e in events] == ["before"]
        # The credentials the snapshot held are valid again on the restored clock.
        assert ":assumed-role/snap-role/snap" in assumed_sts.get_caller_identity()["Arn"]

        # Reset: what the API (and the stack) created is gone; the template's function and HTTP API stay.
        answer = reset(reset_endpoint)
        assert {"apigatewayv2", "apigateway", "cloudformation"} <= set(answer["reset"])
        with pytest.raises(ClientError) as excinfo:
            v2.get_api(ApiId=http_api)
        assert code_of(excinfo) == "NotFoundException"
        assert requests.get(http_url, timeout=30).status_code != 200
        assert apigw.get_rest_apis()["items"] == []
        assert requests.get(rest_url, timeout=30).status_code != 200
        with pytest.raises(ClientError) as excinfo:
            cfn.describe_stacks(StackName="snap-stack")
        assert code_of(excinfo) == "ValidationError"
        assert "Stack with id snap-stack does not exist" in str(excinfo.value)
        assert cfn.list_exports()["Exports"] == []
        with pytest.raises(ClientError):
            client("s3").head_bucket(Bucket="snap-stack-box")
        assert logs.describe_log_groups(logGroupNamePrefix="/snap/app")["logGroups"] == []
        with pytest.raises(ClientError) as excinfo:
            lam.get_function(FunctionName="snap-fn")
        assert code_of(excinfo) == "ResourceNotFoundException"
        greet = requests.get(f"{reset_endpoint}/_aws/execute-api/{template_http_api_id(client)}/greet", timeout=30)
        assert greet.status_code == 200, greet.text
        assert greet.json()["ok"] is True
    finally:
        admin(reset_endpoint, "DELETE", "snapshots/whole", {})
        set_clock(reset_endpoint, datetime.now(timezone.utc))
        reset(reset_endpoint)


def test_restore_refuses_a_snapshot_that_lacks_a_service(tmp_path):
    data = tmp_path / "data"
    emulator = EmulatorProcess(tmp_path, template=TEMPLATE, data_dir=data)
    try:
        emulator.client("s3").put_object(Bucket="reset-files", Key="kept.txt", Body=b"kept")
        assert admin(emulator.endpoint, "POST", "snapshots", {"name": "older"}).status_code == 200
        manifest_path = data / "snapshots" / "older" / "manifest.json"
        manifest = json.loads(manifest_path.read_text())
        manifest["services"] = ["s3", "dynamodb", "cognito-identity", "iam"]
        manifest_path.write_text(json.dumps(manifest))
        emulator.client("s3").delete_object(Bucket="reset-files", Key="kept.txt")
        refused = admin(emulator.endpoint, "POST", "snapshots/older/restore", {})
        assert refused.status_code == 409, refused.text
        assert refused.json()["__type"] == "ResourceConflictException"
        assert refused.json()["message"].startswith(
            "snapshot 'older' does not hold apigateway-websocket, cognito-idp, lambda, apigatewayv2, apigateway, cloudformation, logs, "
            "issued-credentials (it was saved by an older version); nothing was restored")
        # Nothing was restored.
        assert emulator.client("s3").list_objects_v2(Bucket="reset-files").get("KeyCount") == 0
    finally:
        emulator.stop()
