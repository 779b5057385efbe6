"""The Lambda control plane (issue 15 item 2): CreateFunction from a .zip upload or from the emulated S3,
UpdateFunctionCode / UpdateFunctionConfiguration (the next invocation sees them), DeleteFunction, resource policies
(AddPermission / GetPolicy / RemovePermission), reserved concurrency, tags, GetAccountSettings, persistence of
API-created functions across a restart on the same data folder, and warm environments whose execution-role
credentials would have expired after a virtual clock jump of days.

Every function here is created through the API against Tests/e2e/templates/lambda_control_plane.yaml (a role Lambda
may assume, one it may not, a table and a bucket)."""

import base64
import hashlib
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import requests
from botocore.exceptions import ClientError
from conftest import ACCOUNT_ID, REGION, Clock, EmulatorProcess

TEMPLATE = Path(__file__).parent / "templates" / "lambda_control_plane.yaml"
ROLE = f"arn:aws:iam::{ACCOUNT_ID}:role/lcp-execution"
EC2_ROLE = f"arn:aws:iam::{ACCOUNT_ID}:role/lcp-ec2-only"


def package(source, name="index.py"):
    """A deployment package holding one file."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, source)
    return buffer.getvalue()


def handler_source(version):
    return (
        "import os\n"
        "def handler(event, context):\n"
        f"    return {{'version': {version}, 'greeting': os.environ.get('GREETING'), 'event': event}}\n"
    )


TABLE_HANDLER = """
import os, boto3
def handler(event, context):
    table = boto3.client('dynamodb', endpoint_url=os.environ['AWS_ENDPOINT_URL'])
    table.put_item(TableName='lcp-table', Item={'pk': {'S': event['pk']}})
    item = table.get_item(TableName='lcp-table', Key={'pk': {'S': event['pk']}})['Item']
    return {'stored': item['pk']['S']}
"""


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("lcp-data")


@pytest.fixture(scope="module")
def server(tmp_path_factory, data_dir):
    process = EmulatorProcess(tmp_path_factory.mktemp("lcp-logs"), template=TEMPLATE, data_dir=data_dir)
    yield process
    process.stop()


@pytest.fixture(scope="module")
def lam(server):
    return server.client("lambda")


def invoke(lam, name, payload=None, **kwargs):
    response = lam.invoke(FunctionName=name, Payload=json.dumps(payload or {}), **kwargs)
    body = json.loads(response["Payload"].read())
    assert "FunctionError" not in response, body
    return body


def create(lam, name, source=None, **kwargs):
    options = dict(FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="index.handler",
                   Code={"ZipFile": package(source or handler_source(1))})
    options.update(kwargs)
    created = lam.create_function(**options)
    lam.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    return created


def error_of(call):
    with pytest.raises(ClientError) as caught:
        call()
    return caught.value.response


def test_create_invoke_update_code_and_configuration(lam, server):
    zipped = package(handler_source(1))
    created = lam.create_function(FunctionName="lcp-basic", Runtime="python3.12", Role=ROLE, Handler="index.handler",
                                  Code={"ZipFile": zipped}, Timeout=10, MemorySize=256, Description="first",
                                  Environment={"Variables": {"GREETING": "hello"}}, Tags={"team": "core"})
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert created["State"] == "Pending" and created["StateReasonCode"] == "Creating"
    assert created["FunctionArn"] == f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:lcp-basic"
    assert created["CodeSha256"] == base64.b64encode(hashlib.sha256(zipped).digest()).decode()
    assert created["CodeSize"] == len(zipped)
    lam.get_waiter("function_active_v2").wait(FunctionName="lcp-basic", WaiterConfig={"Delay": 1, "MaxAttempts": 30})

    described = lam.get_function(FunctionName="lcp-basic")
    configuration = described["Configuration"]
    assert (configuration["State"], configuration["LastUpdateStatus"]) == ("Active", "Successful")
    assert (configuration["Timeout"], configuration["MemorySize"], configuration["Description"]) == (10, 256, "first")
    assert described["Tags"] == {"team": "core"}
    location = described["Code"]["Location"]
    assert location.startswith(server.endpoint)
    assert requests.get(location, timeout=10).content == zipped
    assert "lcp-basic" in [f["FunctionName"] for f in lam.list_functions()["Functions"]]

    assert invoke(lam, "lcp-basic", {"n": 1}) == {"version": 1, "greeting": "hello", "event": {"n": 1}}

    updated = lam.update_function_code(FunctionName="lcp-basic", ZipFile=package(handler_source(2)))
    assert updated["LastUpdateStatus"] == "InProgress"
    lam.get_waiter("function_updated_v2").wait(FunctionName="lcp-basic", WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    assert invoke(lam, "lcp-basic")["version"] == 2

    revision = lam.get_function_configuration(FunctionName="lcp-basic")["RevisionId"]
    stale = error_of(lambda: lam.update_function_configuration(FunctionName="lcp-basic", Timeout=5, RevisionId="stale"))
    assert stale["Error"]["Code"] == "PreconditionFailedException"
    assert stale["ResponseMetadata"]["HTTPStatusCode"] == 412
    configured = lam.update_function_configuration(FunctionName="lcp-basic", RevisionId=revision,
                                                   Environment={"Variables": {"GREETING": "bonjour"}}, Timeout=20)
    assert configured["LastUpdateStatus"] == "InProgress" and configured["RevisionId"] != revision
    lam.get_waiter("function_updated_v2").wait(FunctionName="lcp-basic", WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    assert invoke(lam, "lcp-basic") == {"version": 2, "greeting": "bonjour", "event": {}}
    assert lam.get_function_configuration(FunctionName="lcp-basic")["Timeout"] == 20


def test_create_refusals_answer_aws_errors(lam):
    create(lam, "lcp-dup")
    duplicate = error_of(lambda: create(lam, "lcp-dup"))
    assert duplicate["Error"]["Code"] == "ResourceConflictException"
    assert duplicate["Error"]["Message"] == "Function already exist: lcp-dup"
    assert duplicate["ResponseMetadata"]["HTTPStatusCode"] == 409

    untrusted = error_of(lambda: create(lam, "lcp-ec2", Role=EC2_ROLE))
    assert untrusted["Error"]["Code"] == "InvalidParameterValueException"
    assert untrusted["Error"]["Message"] == "The role defined for the function cannot be assumed by Lambda."
    missing_role = error_of(lambda: create(lam, "lcp-norole", Role=f"arn:aws:iam::{ACCOUNT_ID}:role/does-not-exist"))
    assert missing_role["Error"]["Message"] == "The role defined for the function cannot be assumed by Lambda."

    not_zip = error_of(lambda: lam.create_function(FunctionName="lcp-notzip", Runtime="python3.12", Role=ROLE,
                                                   Handler="index.handler", Code={"ZipFile": b"not a zip"}))
    assert not_zip["Error"]["Code"] == "InvalidParameterValueException"
    assert not_zip["Error"]["Message"] == "Could not unzip uploaded file. Please check your file, then try to upload again."

    too_long = error_of(lambda: create(lam, "lcp-timeout", Timeout=901))
    assert too_long["Error"]["Code"] == "ValidationException"
    assert too_long["Error"]["Message"] == ("1 validation error detected: Value '901' at 'timeout' failed to satisfy "
                                            "constraint: Member must have value less than or equal to 900")
    reserved = error_of(lambda: create(lam, "lcp-reserved", Environment={"Variables": {"AWS_REGION": "x"}}))
    assert reserved["Error"]["Code"] == "InvalidParameterValueException"
    assert reserved["Error"]["Message"].endswith("Reserved keys used in this request: AWS_REGION")
    # None of the refused functions exists.
    names = [f["FunctionName"] for f in lam.list_functions()["Functions"]]
    assert not {"lcp-ec2", "lcp-norole", "lcp-notzip", "lcp-timeout", "lcp-reserved"} & set(names)


def test_create_from_emulated_s3(lam, server):
    s3 = server.client("s3")
    s3.put_object(Bucket="lcp-code", Key="builds/v7.zip", Body=package(handler_source(7)))
    create(lam, "lcp-from-s3", Code={"S3Bucket": "lcp-code", "S3Key": "builds/v7.zip"})
    assert invoke(lam, "lcp-from-s3")["version"] == 7

    missing = error_of(lambda: create(lam, "lcp-s3-missing", Code={"S3Bucket": "lcp-code", "S3Key": "nope.zip"}))
    assert missing["Error"]["Code"] == "InvalidParameterValueException"
    assert missing["Error"]["Message"] == ("Error occurred while GetObject. S3 Error Code: NoSuchKey. "
                                           "S3 Error Message: The specified key does not exist.")


def test_resource_policy(lam):
    create(lam, "lcp-policy")
    missing = error_of(lambda: lam.get_policy(FunctionName="lcp-policy"))
    assert missing["Error"]["Code"] == "ResourceNotFoundException"
    assert missing["Error"]["Message"] == "The resource you requested does not exist."

    added = lam.add_permission(FunctionName="lcp-policy", StatementId="s3-invoke", Action="lambda:InvokeFunction",
                               Principal="s3.amazonaws.com", SourceArn="arn:aws:s3:::lcp-code",
                               SourceAccount=ACCOUNT_ID)
    assert added["ResponseMetadata"]["HTTPStatusCode"] == 201
    statement = json.loads(added["Statement"])
    assert statement == {
        "Sid": "s3-invoke", "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
        "Action": "lambda:InvokeFunction",
        "Resource": f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:lcp-policy",
        "Condition": {"StringEquals": {"AWS:SourceAccount": ACCOUNT_ID},
                      "ArnLike": {"AWS:SourceArn": "arn:aws:s3:::lcp-code"}},
    }
    policy = json.loads(lam.get_policy(FunctionName="lcp-policy")["Policy"])
    assert policy["Version"] == "2012-10-17" and policy["Statement"] == [statement]

    again = error_of(lambda: lam.add_permission(FunctionName="lcp-policy", StatementId="s3-invoke",
                                                Action="lambda:InvokeFunction", Principal="s3.amazonaws.com"))
    assert again["Error"]["Code"] == "ResourceConflictException"
    assert again["ResponseMetadata"]["HTTPStatusCode"] == 409

    lam.remove_permission(FunctionName="lcp-policy", StatementId="s3-invoke")
    gone = error_of(lambda: lam.get_policy(FunctionName="lcp-policy"))
    assert gone["Error"]["Message"] == "The resource you requested does not exist."


def test_concurrency_tags_and_account_settings(lam):
    created = create(lam, "lcp-settings", Tags={"a": "1"})
    arn = created["FunctionArn"]
    assert lam.get_function_concurrency(FunctionName="lcp-settings").get("ReservedConcurrentExecutions") is None
    assert lam.put_function_concurrency(FunctionName="lcp-settings",
                                        ReservedConcurrentExecutions=1)["ReservedConcurrentExecutions"] == 1
    assert lam.get_function_concurrency(FunctionName="lcp-settings")["ReservedConcurrentExecutions"] == 1
    assert lam.get_function(FunctionName="lcp-settings")["Concurrency"] == {"ReservedConcurrentExecutions": 1}
    settings = lam.get_account_settings()
    limit = settings["AccountLimit"]["ConcurrentExecutions"]
    assert settings["AccountLimit"]["UnreservedConcurrentExecutions"] == limit - 1
    assert settings["AccountUsage"]["FunctionCount"] == len(lam.list_functions(MaxItems=50)["Functions"])
    lam.delete_function_concurrency(FunctionName="lcp-settings")
    assert lam.get_function_concurrency(FunctionName="lcp-settings").get("ReservedConcurrentExecutions") is None
    # Reserved concurrency 0 throttles every invocation (the gate enforces it).
    lam.put_function_concurrency(FunctionName="lcp-settings", ReservedConcurrentExecutions=0)
    throttled = error_of(lambda: lam.invoke(FunctionName="lcp-settings", Payload=b"{}"))
    assert throttled["Error"]["Code"] == "TooManyRequestsException"
    lam.delete_function_concurrency(FunctionName="lcp-settings")
    assert invoke(lam, "lcp-settings")["version"] == 1

    lam.tag_resource(Resource=arn, Tags={"b": "2", "c": "3"})
    assert lam.list_tags(Resource=arn)["Tags"] == {"a": "1", "b": "2", "c": "3"}
    lam.untag_resource(Resource=arn, TagKeys=["a", "c"])
    assert lam.list_tags(Resource=arn)["Tags"] == {"b": "2"}
    unknown = error_of(lambda: lam.list_tags(Resource=f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:lcp-none"))
    assert unknown["Error"]["Code"] == "ResourceNotFoundException"


def test_delete_function(lam):
    create(lam, "lcp-doomed")
    deleted = lam.delete_function(FunctionName="lcp-doomed")
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    gone = error_of(lambda: lam.get_function(FunctionName="lcp-doomed"))
    assert gone["Error"]["Code"] == "ResourceNotFoundException"
    assert gone["Error"]["Message"] == f"Function not found: arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:lcp-doomed"
    again = error_of(lambda: lam.delete_function(FunctionName="lcp-doomed"))
    assert again["Error"]["Code"] == "ResourceNotFoundException"
    invoked = error_of(lambda: lam.invoke(FunctionName="lcp-doomed", Payload=b"{}"))
    assert invoked["Error"]["Code"] == "ResourceNotFoundException"


def test_versions_and_aliases(lam):
    create(lam, "lcp-versions", source=handler_source(1))
    first = lam.publish_version(FunctionName="lcp-versions")
    assert first["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert first["Version"] == "1"
    assert first["FunctionArn"] == f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:lcp-versions:1"
    # Nothing changed since version 1: publishing again answers version 1.
    assert lam.publish_version(FunctionName="lcp-versions")["Version"] == "1"
    lam.update_function_code(FunctionName="lcp-versions", ZipFile=package(handler_source(2)))
    lam.get_waiter("function_updated_v2").wait(FunctionName="lcp-versions", WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    assert lam.publish_version(FunctionName="lcp-versions", Description="second")["Version"] == "2"
    listed = lam.list_versions_by_function(FunctionName="lcp-versions")["Versions"]
    assert [v["Version"] for v in listed] == ["$LATEST", "1", "2"]
    # https://docs.aws.amazon.com/lambda/latest/api/API_ListVersionsByFunction.html lists $LATEST qualified.
    assert [v["FunctionArn"].rsplit(":", 1)[1] for v in listed] == ["$LATEST", "1", "2"]
    lam.update_function_code(FunctionName="lcp-versions", ZipFile=package(handler_source(3)))
    lam.get_waiter("function_updated_v2").wait(FunctionName="lcp-versions", WaiterConfig={"Delay": 1, "MaxAttempts": 30})

    # Versions freeze code: $LATEST runs 3, version 1 runs 1, version 2 runs 2.
    assert invoke(lam, "lcp-versions")["version"] == 3
    assert invoke(lam, "lcp-versions:1")["version"] == 1
    response = lam.invoke(FunctionName="lcp-versions", Qualifier="2", Payload=b"{}")
    assert response["ExecutedVersion"] == "2"
    assert json.loads(response["Payload"].read())["version"] == 2

    alias = lam.create_alias(FunctionName="lcp-versions", Name="live", FunctionVersion="1", Description="prod")
    assert alias["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert alias["AliasArn"] == f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:lcp-versions:live"
    assert invoke(lam, "lcp-versions:live")["version"] == 1
    lam.update_alias(FunctionName="lcp-versions", Name="live", FunctionVersion="2")
    assert invoke(lam, "lcp-versions", Qualifier="live")["version"] == 2
    lam.update_alias(FunctionName="lcp-versions", Name="live", RoutingConfig={"AdditionalVersionWeights": {"1": 1.0}})
    assert invoke(lam, "lcp-versions:live")["version"] == 1
    routed = lam.update_alias(FunctionName="lcp-versions", Name="live",
                              RoutingConfig={"AdditionalVersionWeights": {"1": 0.5}})
    assert routed["RoutingConfig"] == {"AdditionalVersionWeights": {"1": 0.5}}
    assert {invoke(lam, "lcp-versions:live")["version"] for _ in range(24)} == {1, 2}

    duplicate = error_of(lambda: lam.create_alias(FunctionName="lcp-versions", Name="live", FunctionVersion="1"))
    assert duplicate["Error"]["Code"] == "ResourceConflictException"
    assert duplicate["ResponseMetadata"]["HTTPStatusCode"] == 409
    no_version = error_of(lambda: lam.create_alias(FunctionName="lcp-versions", Name="next", FunctionVersion="9"))
    assert no_version["Error"]["Code"] == "ResourceNotFoundException"
    missing = error_of(lambda: lam.get_alias(FunctionName="lcp-versions", Name="nope"))
    assert missing["Error"]["Code"] == "ResourceNotFoundException"
    assert missing["Error"]["Message"] == f"Alias not found: arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:lcp-versions:nope"
    assert [a["Name"] for a in lam.list_aliases(FunctionName="lcp-versions")["Aliases"]] == ["live"]
    unknown = error_of(lambda: lam.invoke(FunctionName="lcp-versions:9", Payload=b"{}"))
    assert unknown["Error"]["Code"] == "ResourceNotFoundException"
    assert unknown["Error"]["Message"] == f"Function not found: arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:lcp-versions:9"

    lam.delete_alias(FunctionName="lcp-versions", Name="live")
    assert lam.list_aliases(FunctionName="lcp-versions")["Aliases"] == []
    lam.delete_function(FunctionName="lcp-versions", Qualifier="1")
    assert [v["Version"] for v in lam.list_versions_by_function(FunctionName="lcp-versions")["Versions"]] == ["$LATEST", "2"]


def test_aws_cli_create_and_invoke(server, tmp_path):
    archive = tmp_path / "function.zip"
    archive.write_bytes(package(handler_source(42)))
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env.update({"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": REGION,
                "AWS_DEFAULT_OUTPUT": "json", "AWS_CONFIG_FILE": str(tmp_path / "config"),
                "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"), "AWS_MAX_ATTEMPTS": "1", "AWS_PAGER": ""})

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "awscli", "--endpoint-url", server.endpoint, *args],
                              capture_output=True, text=True, env=env, timeout=120)

    created = cli("lambda", "create-function", "--function-name", "lcp-cli", "--runtime", "python3.12",
                  "--role", ROLE, "--handler", "index.handler", "--zip-file", f"fileb://{archive}")
    assert created.returncode == 0, created.stderr
    assert json.loads(created.stdout)["FunctionName"] == "lcp-cli"
    waited = cli("lambda", "wait", "function-active-v2", "--function-name", "lcp-cli")
    assert waited.returncode == 0, waited.stderr
    out = tmp_path / "out.json"
    invoked = cli("lambda", "invoke", "--function-name", "lcp-cli", str(out))
    assert invoked.returncode == 0, invoked.stderr
    assert json.loads(out.read_text())["version"] == 42
    duplicate = cli("lambda", "create-function", "--function-name", "lcp-cli", "--runtime", "python3.12",
                    "--role", ROLE, "--handler", "index.handler", "--zip-file", f"fileb://{archive}")
    assert duplicate.returncode != 0
    assert "(ResourceConflictException)" in duplicate.stderr and "Function already exist: lcp-cli" in duplicate.stderr


def test_warm_environment_credentials_survive_a_clock_jump_of_days(lam, server):
    create(lam, "lcp-table-writer", source=TABLE_HANDLER, Timeout=30)
    assert invoke(lam, "lcp-table-writer", {"pk": "before"}) == {"stored": "before"}
    clock = Clock(server.endpoint)
    clock.advance("2d")
    try:
        # The warm environment's session (12 h) has expired on the virtual clock: the function still reaches DynamoDB.
        assert invoke(lam, "lcp-table-writer", {"pk": "after"}) == {"stored": "after"}
    finally:
        clock.reset()


LAYER_MODULE = "GREETING = 'from the layer'\n"
LAYER_USER = "import shared\ndef handler(event, context):\n    return {'greeting': shared.GREETING}\n"


def test_layers_publish_list_get_delete(lam, server):
    """PublishLayerVersion / GetLayerVersion / GetLayerVersionByArn / ListLayerVersions / ListLayers /
    DeleteLayerVersion (https://docs.aws.amazon.com/lambda/latest/api/API_PublishLayerVersion.html): versions count
    up per layer and are never reused; a function's `Layers` may name them and sees their files under /opt."""
    archive = package(LAYER_MODULE, name="python/shared.py")
    first = lam.publish_layer_version(LayerName="lcp-shared", Description="shared code", Content={"ZipFile": archive},
                                      CompatibleRuntimes=["python3.12"], CompatibleArchitectures=["x86_64"],
                                      LicenseInfo="MIT")
    assert first["ResponseMetadata"]["HTTPStatusCode"] == 201
    layer_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:layer:lcp-shared"
    assert (first["LayerArn"], first["LayerVersionArn"], first["Version"]) == (layer_arn, f"{layer_arn}:1", 1)
    assert first["Content"]["CodeSha256"] == base64.b64encode(hashlib.sha256(archive).digest()).decode()
    assert first["Content"]["CodeSize"] == len(archive)
    assert requests.get(first["Content"]["Location"], timeout=10).content == archive
    second = lam.publish_layer_version(LayerName=layer_arn, Content={"ZipFile": archive})
    assert second["Version"] == 2

    fetched = lam.get_layer_version(LayerName="lcp-shared", VersionNumber=1)
    assert (fetched["Description"], fetched["CompatibleRuntimes"], fetched["LicenseInfo"]) == ("shared code", ["python3.12"], "MIT")
    assert lam.get_layer_version_by_arn(Arn=f"{layer_arn}:2")["Version"] == 2
    assert [v["Version"] for v in lam.list_layer_versions(LayerName="lcp-shared")["LayerVersions"]] == [2, 1]
    assert [v["Version"] for v in lam.list_layer_versions(LayerName="lcp-shared", CompatibleRuntime="python3.12")["LayerVersions"]] == [1]
    listed = {layer["LayerName"]: layer for layer in lam.list_layers()["Layers"]}
    assert listed["lcp-shared"]["LatestMatchingVersion"]["Version"] == 2
    assert listed["lcp-shared"]["LayerArn"] == layer_arn
    paged = lam.list_layer_versions(LayerName="lcp-shared", MaxItems=1)
    assert [v["Version"] for v in paged["LayerVersions"]] == [2] and paged["NextMarker"]

    create(lam, "lcp-layered", source=LAYER_USER, Layers=[f"{layer_arn}:1"])
    assert invoke(lam, "lcp-layered") == {"greeting": "from the layer"}
    assert lam.get_function(FunctionName="lcp-layered")["Configuration"]["Layers"][0]["Arn"] == f"{layer_arn}:1"

    lam.delete_layer_version(LayerName="lcp-shared", VersionNumber=2)
    lam.delete_layer_version(LayerName="lcp-shared", VersionNumber=2)  # AWS answers 204 again
    missing = error_of(lambda: lam.get_layer_version(LayerName="lcp-shared", VersionNumber=2))
    assert (missing["Error"]["Code"], missing["Error"]["Message"], missing["ResponseMetadata"]["HTTPStatusCode"]) == (
        "ResourceNotFoundException", "The resource you requested does not exist.", 404)
    # A deleted number is never reused.
    assert lam.publish_layer_version(LayerName="lcp-shared", Content={"ZipFile": archive})["Version"] == 3
    refused = error_of(lambda: create(lam, "lcp-layered-2", source=LAYER_USER, Layers=[f"{layer_arn}:2"]))
    assert (refused["Error"]["Code"], refused["Error"]["Message"]) == (
        "InvalidParameterValueException", f"Layer version {layer_arn}:2 does not exist.")
    bad = error_of(lambda: lam.publish_layer_version(LayerName="bad name", Content={"ZipFile": archive}))
    assert bad["Error"]["Code"] == "ValidationException"
    not_zip = error_of(lambda: lam.publish_layer_version(LayerName="lcp-shared", Content={"ZipFile": b"not a zip"}))
    assert not_zip["Error"]["Code"] == "InvalidParameterValueException"


def test_layer_version_permissions(lam):
    """AddLayerVersionPermission / GetLayerVersionPolicy / RemoveLayerVersionPermission
    (https://docs.aws.amazon.com/lambda/latest/api/API_AddLayerVersionPermission.html): statements of the layer
    version's own policy, a new RevisionId with every change, AWS's errors for a stale revision, a statement id in use,
    an unknown version or statement and members that do not fit."""
    version = lam.publish_layer_version(LayerName="lcp-perm", Content={"ZipFile": package(LAYER_MODULE, name="python/shared.py")})
    arn = version["LayerVersionArn"]
    number = version["Version"]
    none = error_of(lambda: lam.get_layer_version_policy(LayerName="lcp-perm", VersionNumber=number))
    assert (none["Error"]["Code"], none["Error"]["Message"], none["ResponseMetadata"]["HTTPStatusCode"]) == (
        "ResourceNotFoundException", "No policy is associated with the given resource.", 404)

    added = lam.add_layer_version_permission(LayerName="lcp-perm", VersionNumber=number, StatementId="xaccount",
                                             Action="lambda:GetLayerVersion", Principal="210987654321")
    assert added["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert json.loads(added["Statement"]) == {
        "Sid": "xaccount", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
        "Action": "lambda:GetLayerVersion", "Resource": arn}
    org = lam.add_layer_version_permission(LayerName=arn.rsplit(":", 1)[0], VersionNumber=number, StatementId="org",
                                           Action="lambda:GetLayerVersion", Principal="*",
                                           OrganizationId="o-abcdefghij", RevisionId=added["RevisionId"])
    assert org["RevisionId"] != added["RevisionId"]
    assert json.loads(org["Statement"])["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": "o-abcdefghij"}}
    policy = lam.get_layer_version_policy(LayerName="lcp-perm", VersionNumber=number)
    assert policy["RevisionId"] == org["RevisionId"]
    document = json.loads(policy["Policy"])
    assert (document["Version"], document["Id"]) == ("2012-10-17", "default")
    assert [statement["Sid"] for statement in document["Statement"]] == ["xaccount", "org"]

    stale = error_of(lambda: lam.add_layer_version_permission(
        LayerName="lcp-perm", VersionNumber=number, StatementId="late", Action="lambda:GetLayerVersion",
        Principal="*", RevisionId=added["RevisionId"]))
    assert (stale["Error"]["Code"], stale["ResponseMetadata"]["HTTPStatusCode"]) == ("PreconditionFailedException", 412)
    duplicate = error_of(lambda: lam.add_layer_version_permission(
        LayerName="lcp-perm", VersionNumber=number, StatementId="xaccount", Action="lambda:GetLayerVersion", Principal="*"))
    assert (duplicate["Error"]["Code"], duplicate["Error"]["Message"], duplicate["ResponseMetadata"]["HTTPStatusCode"]) == (
        "ResourceConflictException",
        "The statement id (xaccount) provided already exists. Please provide a new statement id, or remove the existing statement.",
        409)
    unknown = error_of(lambda: lam.add_layer_version_permission(
        LayerName="lcp-perm", VersionNumber=number + 5, StatementId="s", Action="lambda:GetLayerVersion", Principal="*"))
    assert (unknown["Error"]["Code"], unknown["Error"]["Message"]) == (
        "ResourceNotFoundException", f"Layer version {arn.rsplit(':', 1)[0]}:{number + 5} does not exist.")
    for action, principal, org_id, member in [("lambda:ListLayerVersions", "*", None, "action"),
                                              ("lambda:GetLayerVersion", "someone", None, "principal"),
                                              ("lambda:GetLayerVersion", "*", "org-1", "organizationId")]:
        extra = {"OrganizationId": org_id} if org_id else {}
        refused = error_of(lambda: lam.add_layer_version_permission(
            LayerName="lcp-perm", VersionNumber=number, StatementId="bad", Action=action, Principal=principal, **extra))
        assert refused["Error"]["Code"] == "ValidationException", member
        assert f"at '{member}' failed to satisfy constraint" in refused["Error"]["Message"]

    stale_remove = error_of(lambda: lam.remove_layer_version_permission(
        LayerName="lcp-perm", VersionNumber=number, StatementId="xaccount", RevisionId=added["RevisionId"]))
    assert stale_remove["Error"]["Code"] == "PreconditionFailedException"
    removed = lam.remove_layer_version_permission(LayerName="lcp-perm", VersionNumber=number, StatementId="xaccount",
                                                  RevisionId=org["RevisionId"])
    assert removed["ResponseMetadata"]["HTTPStatusCode"] == 204
    missing = error_of(lambda: lam.remove_layer_version_permission(LayerName="lcp-perm", VersionNumber=number,
                                                                   StatementId="xaccount"))
    assert (missing["Error"]["Code"], missing["Error"]["Message"]) == (
        "ResourceNotFoundException", "Statement xaccount is not found in resource policy.")
    left = json.loads(lam.get_layer_version_policy(LayerName="lcp-perm", VersionNumber=number)["Policy"])
    assert [statement["Sid"] for statement in left["Statement"]] == ["org"]


def test_layer_version_permission_stack(lam, server):
    """AWS::Lambda::LayerVersionPermission: the statement is in the layer version's policy while the stack lives
    (Ref is LAYER_VERSION_ARN#STATEMENT_ID) and gone after DeleteStack."""
    server.client("s3").put_object(Bucket="lcp-code", Key="perm-layer.zip", Body=package(LAYER_MODULE, name="python/shared.py"))
    template = """
Resources:
  Layer:
    Type: AWS::Lambda::LayerVersion
    Properties:
      LayerName: lcp-stack-layer
      Content: {S3Bucket: lcp-code, S3Key: perm-layer.zip}
  Share:
    Type: AWS::Lambda::LayerVersionPermission
    Properties:
      LayerVersionArn: !Ref Layer
      Action: lambda:GetLayerVersion
      Principal: '210987654321'
Outputs:
  Share: {Value: !Ref Share}
  Layer: {Value: !Ref Layer}
"""
    cfn = server.client("cloudformation")
    cfn.create_stack(StackName="lcp-layer-perm", TemplateBody=template)
    stack = cfn.describe_stacks(StackName="lcp-layer-perm")["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE", cfn.describe_stack_events(StackName="lcp-layer-perm")["StackEvents"]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
    layer_arn, statement_id = outputs["Share"].split("#")
    assert layer_arn == outputs["Layer"]
    number = int(layer_arn.rsplit(":", 1)[1])
    document = json.loads(lam.get_layer_version_policy(LayerName="lcp-stack-layer", VersionNumber=number)["Policy"])
    assert document["Statement"] == [{
        "Sid": statement_id, "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
        "Action": "lambda:GetLayerVersion", "Resource": layer_arn}]

    cfn.delete_stack(StackName="lcp-layer-perm")
    gone = error_of(lambda: lam.get_layer_version(LayerName="lcp-stack-layer", VersionNumber=number))
    assert gone["Error"]["Code"] == "ResourceNotFoundException"

    bad = template.replace("lambda:GetLayerVersion", "lambda:InvokeFunction")
    cfn.create_stack(StackName="lcp-layer-perm-bad", TemplateBody=bad)
    failed = cfn.describe_stacks(StackName="lcp-layer-perm-bad")["Stacks"][0]
    assert failed["StackStatus"] == "ROLLBACK_COMPLETE"
    reasons = [e.get("ResourceStatusReason", "") for e in cfn.describe_stack_events(StackName="lcp-layer-perm-bad")["StackEvents"]
               if e["LogicalResourceId"] == "Share" and e["ResourceStatus"] == "CREATE_FAILED"]
    assert reasons and "Member must satisfy regular expression pattern: lambda:GetLayerVersion" in reasons[0], reasons


def test_api_functions_survive_restart(server, tmp_path_factory, data_dir):
    lam = server.client("lambda")
    create(lam, "lcp-durable", source=handler_source(5), Environment={"Variables": {"GREETING": "kept"}},
           Tags={"keep": "yes"})
    lam.add_permission(FunctionName="lcp-durable", StatementId="keep", Action="lambda:InvokeFunction",
                       Principal="apigateway.amazonaws.com")
    lam.publish_version(FunctionName="lcp-durable")
    lam.create_alias(FunctionName="lcp-durable", Name="stable", FunctionVersion="1")
    lam.update_function_code(FunctionName="lcp-durable", ZipFile=package(handler_source(6)))
    before = lam.get_function(FunctionName="lcp-durable")
    server.stop()

    second = EmulatorProcess(tmp_path_factory.mktemp("lcp-logs-2"), template=TEMPLATE, data_dir=data_dir)
    try:
        lam2 = second.client("lambda")
        after = lam2.get_function(FunctionName="lcp-durable")
        for key in ("CodeSha256", "CodeSize", "RevisionId", "LastModified", "Environment", "Role", "Handler"):
            assert after["Configuration"][key] == before["Configuration"][key], key
        assert after["Tags"] == {"keep": "yes"}
        assert json.loads(lam2.get_policy(FunctionName="lcp-durable")["Policy"])["Statement"][0]["Sid"] == "keep"
        assert invoke(lam2, "lcp-durable") == {"version": 6, "greeting": "kept", "event": {}}
        assert invoke(lam2, "lcp-durable:stable") == {"version": 5, "greeting": "kept", "event": {}}
        assert [v["Version"] for v in lam2.list_versions_by_function(FunctionName="lcp-durable")["Versions"]] == ["$LATEST", "1"]
        # Published layer versions (and the numbers deleted ones used) survive too.
        assert [v["Version"] for v in lam2.list_layer_versions(LayerName="lcp-shared")["LayerVersions"]] == [3, 1]
        assert invoke(lam2, "lcp-layered") == {"greeting": "from the layer"}
        # So do layer version policies.
        kept = json.loads(lam2.get_layer_version_policy(LayerName="lcp-perm", VersionNumber=1)["Policy"])
        assert [statement["Sid"] for statement in kept["Statement"]] == ["org"]
        gone = error_of(lambda: lam2.get_function(FunctionName="lcp-doomed"))
        assert gone["Error"]["Code"] == "ResourceNotFoundException"
    finally:
        second.stop()
