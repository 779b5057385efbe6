"""CloudFormation replacements and Lambda versions through the CloudFormation API: an update that replaces a resource
with a generated name creates it under a NEW physical id, repoints Ref/GetAtt and outputs, and deletes the old one in
UPDATE_COMPLETE_CLEANUP_IN_PROGRESS (a DynamoDB table whose KeySchema changes, the Lambda permission of a SAM `Api` event
whose Path changes); a custom-named resource still fails with CloudFormation's text; AWS::Lambda::LayerVersion, Version
and Alias are created, replaced (new numbers, Lambda's) and deleted, as the Lambda API shows; a SAM AutoPublishAlias
function publishes a new version on a code change and its alias moves to it."""

import io
import json
import zipfile

import pytest
import requests
from botocore.exceptions import ClientError

from conftest import EmulatorProcess

STARTUP_TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  StartupBucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: cfn-replacement-startup
"""

TABLE_TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Notes:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - {AttributeName: KEY, AttributeType: S}
      KeySchema:
        - {AttributeName: KEY, KeyType: HASH}
Outputs:
  TableName:
    Value: !Ref Notes
  TableArn:
    Value: !GetAtt Notes.Arn
"""

NAMED_TABLE_TEMPLATE = TABLE_TEMPLATE.replace("BillingMode:", "TableName: replacement-named\n      BillingMode:")

REPLACED_REASON = "Requested update requires the creation of a new physical resource; hence creating one."


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    project = tmp_path_factory.mktemp("cfn-replacement-project")
    (project / "template.yaml").write_text(STARTUP_TEMPLATE)
    process = EmulatorProcess(tmp_path_factory.mktemp("cfn-replacement-logs"), template=project / "template.yaml",
                              data_dir=tmp_path_factory.mktemp("cfn-replacement-data"), cwd=project)
    yield process
    process.stop()


def stack_of(cfn, name):
    return cfn.describe_stacks(StackName=name)["Stacks"][0]


def outputs_of(cfn, name):
    return {o["OutputKey"]: o["OutputValue"] for o in stack_of(cfn, name).get("Outputs", [])}


def physical_ids(cfn, name):
    return {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in cfn.describe_stack_resources(StackName=name)["StackResources"]}


def events_of(cfn, name):
    """The stack's events, oldest first."""
    return list(reversed(cfn.describe_stack_events(StackName=name)["StackEvents"]))


def test_table_with_a_generated_name_is_replaced_under_a_new_name(server):
    cfn, dynamodb = server.client("cloudformation"), server.client("dynamodb")
    cfn.create_stack(StackName="repl-table", TemplateBody=TABLE_TEMPLATE.replace("KEY", "pk"))
    assert stack_of(cfn, "repl-table")["StackStatus"] == "CREATE_COMPLETE"
    old = physical_ids(cfn, "repl-table")["Notes"]
    assert old.startswith("repl-table-Notes-")
    assert outputs_of(cfn, "repl-table")["TableName"] == old
    dynamodb.put_item(TableName=old, Item={"pk": {"S": "kept?"}})

    cfn.update_stack(StackName="repl-table", TemplateBody=TABLE_TEMPLATE.replace("KEY", "id"))
    stack = stack_of(cfn, "repl-table")
    assert stack["StackStatus"] == "UPDATE_COMPLETE", events_of(cfn, "repl-table")[-8:]
    new = physical_ids(cfn, "repl-table")["Notes"]
    assert new.startswith("repl-table-Notes-") and new != old
    outputs = outputs_of(cfn, "repl-table")
    assert outputs["TableName"] == new
    assert outputs["TableArn"].endswith(f":table/{new}")
    assert dynamodb.describe_table(TableName=new)["Table"]["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    assert dynamodb.scan(TableName=new)["Items"] == []
    with pytest.raises(ClientError) as excinfo:
        dynamodb.describe_table(TableName=old)
    assert excinfo.value.response["Error"]["Code"] == "ResourceNotFoundException"

    # The events tell the replacement as CloudFormation does: the new resource, then the old one deleted in cleanup.
    notes = [(e["ResourceStatus"], e["PhysicalResourceId"], e.get("ResourceStatusReason")) for e in events_of(cfn, "repl-table")
             if e["LogicalResourceId"] == "Notes"]
    assert ("UPDATE_IN_PROGRESS", new, REPLACED_REASON) in notes
    assert ("UPDATE_COMPLETE", new, None) in notes
    assert notes[-2:] == [("DELETE_IN_PROGRESS", old, None), ("DELETE_COMPLETE", old, None)]
    statuses = [e["ResourceStatus"] for e in events_of(cfn, "repl-table") if e["ResourceType"] == "AWS::CloudFormation::Stack"]
    assert statuses[-2:] == ["UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", "UPDATE_COMPLETE"]

    # A later update keeps the replacement's name (the generation is part of the stack's state).
    cfn.update_stack(StackName="repl-table", TemplateBody=TABLE_TEMPLATE.replace("KEY", "id").replace("Outputs:", "Outputs:\n  Extra:\n    Value: x"))
    assert physical_ids(cfn, "repl-table")["Notes"] == new
    cfn.delete_stack(StackName="repl-table")
    with pytest.raises(ClientError):
        dynamodb.describe_table(TableName=new)


def test_custom_named_replacement_fails_and_rolls_back(server):
    cfn, dynamodb = server.client("cloudformation"), server.client("dynamodb")
    cfn.create_stack(StackName="repl-named", TemplateBody=NAMED_TABLE_TEMPLATE.replace("KEY", "pk"))
    assert physical_ids(cfn, "repl-named")["Notes"] == "replacement-named"
    cfn.update_stack(StackName="repl-named", TemplateBody=NAMED_TABLE_TEMPLATE.replace("KEY", "id"))
    assert stack_of(cfn, "repl-named")["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    failed = [e for e in events_of(cfn, "repl-named") if e["ResourceStatus"] == "UPDATE_FAILED"]
    assert failed[0]["ResourceStatusReason"] == (
        "CloudFormation cannot update a stack when a custom-named resource requires replacing. Rename replacement-named and "
        "update the stack again.")
    assert physical_ids(cfn, "repl-named")["Notes"] == "replacement-named"
    assert dynamodb.describe_table(TableName="replacement-named")["Table"]["KeySchema"][0]["AttributeName"] == "pk"
    cfn.delete_stack(StackName="repl-named")


SAM_API = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: repl-hello
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        import json
        def handler(event, context):
            return {"statusCode": 200, "body": json.dumps({"path": event["path"]})}
      Events:
        Hello:
          Type: Api
          Properties:
            Path: /PATH
            Method: get
Outputs:
  ApiId:
    Value: !Ref ServerlessRestApi
"""


def test_sam_api_permission_is_replaced_when_the_path_changes(server):
    cfn, lam = server.client("cloudformation"), server.client("lambda")
    capabilities = ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"]
    cfn.create_stack(StackName="repl-api", TemplateBody=SAM_API.replace("PATH", "first"), Capabilities=capabilities)
    assert stack_of(cfn, "repl-api")["StackStatus"] == "CREATE_COMPLETE", events_of(cfn, "repl-api")[-5:]
    ids = physical_ids(cfn, "repl-api")
    old = ids["HelloHelloPermissionProd"]
    assert [s["Sid"] for s in json.loads(lam.get_policy(FunctionName="repl-hello")["Policy"])["Statement"]] == [old]

    cfn.update_stack(StackName="repl-api", TemplateBody=SAM_API.replace("PATH", "second"), Capabilities=capabilities)
    assert stack_of(cfn, "repl-api")["StackStatus"] == "UPDATE_COMPLETE", events_of(cfn, "repl-api")[-8:]
    new = physical_ids(cfn, "repl-api")["HelloHelloPermissionProd"]
    assert new != old and new.startswith("repl-api-HelloHelloPermissionProd-")
    statements = json.loads(lam.get_policy(FunctionName="repl-hello")["Policy"])["Statement"]
    assert [s["Sid"] for s in statements] == [new]
    assert statements[0]["Condition"]["ArnLike"]["AWS:SourceArn"].endswith("/*/GET/second")
    api_id = outputs_of(cfn, "repl-api")["ApiId"]
    answer = requests.get(f"{server.endpoint}/_aws/execute-api/{api_id}/Prod/second", timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"path": "/second"}
    cfn.delete_stack(StackName="repl-api")


def layer_zip(value):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("python/helper.py", f"VALUE = {value!r}\n")
    return buffer.getvalue()


VERSIONS = """\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}
  Layer:
    Type: AWS::Lambda::LayerVersion
    Properties:
      LayerName: repl-layer
      Description: LAYER
      CompatibleRuntimes: [python3.12]
      Content: {S3Bucket: repl-artifacts, S3Key: LAYER.zip}
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: repl-versioned
      Runtime: python3.12
      Handler: index.handler
      Role: !GetAtt Role.Arn
      Layers: [!Ref Layer]
      Code:
        ZipFile: |
          import helper
          def handler(event, context):
              return {"layer": helper.VALUE, "version": context.function_version}
  Version:
    Type: AWS::Lambda::Version
    Properties:
      FunctionName: !Ref Fn
      Description: DESCRIPTION
  Live:
    Type: AWS::Lambda::Alias
    Properties:
      FunctionName: !Ref Fn
      Name: live
      FunctionVersion: !GetAtt Version.Version
Outputs:
  LayerArn:
    Value: !Ref Layer
  VersionArn:
    Value: !Ref Version
  VersionNumber:
    Value: !GetAtt Version.Version
  AliasArn:
    Value: !Ref Live
"""


def versions_template(layer, description):
    return VERSIONS.replace("LAYER", layer).replace("DESCRIPTION", description)


def test_layer_version_version_and_alias_are_created_replaced_and_deleted(server):
    cfn, lam, s3 = server.client("cloudformation"), server.client("lambda"), server.client("s3")
    s3.create_bucket(Bucket="repl-artifacts")
    s3.put_object(Bucket="repl-artifacts", Key="one.zip", Body=layer_zip("one"))
    s3.put_object(Bucket="repl-artifacts", Key="two.zip", Body=layer_zip("two"))
    base = "arn:aws:lambda:us-east-1:000000000000"
    cfn.create_stack(StackName="repl-versions", TemplateBody=versions_template("one", "first"), Capabilities=["CAPABILITY_IAM"])
    assert stack_of(cfn, "repl-versions")["StackStatus"] == "CREATE_COMPLETE", events_of(cfn, "repl-versions")[-5:]
    outputs = outputs_of(cfn, "repl-versions")
    assert outputs == {
        "LayerArn": f"{base}:layer:repl-layer:1",
        "VersionArn": f"{base}:function:repl-versioned:1",
        "VersionNumber": "1",
        "AliasArn": f"{base}:function:repl-versioned:live",
    }
    assert lam.get_layer_version(LayerName="repl-layer", VersionNumber=1)["Description"] == "one"
    versions = lam.list_versions_by_function(FunctionName="repl-versioned")["Versions"]
    assert [(v["Version"], v.get("Description")) for v in versions] == [("$LATEST", ""), ("1", "first")]
    alias = lam.get_alias(FunctionName="repl-versioned", Name="live")
    assert (alias["AliasArn"], alias["FunctionVersion"]) == (outputs["AliasArn"], "1")
    answer = json.loads(lam.invoke(FunctionName="repl-versioned", Qualifier="live")["Payload"].read())
    assert answer == {"layer": "one", "version": "1"}

    # Every property of a layer version or a version replaces it: Lambda numbers the new ones; the alias follows.
    cfn.update_stack(StackName="repl-versions", TemplateBody=versions_template("two", "second"), Capabilities=["CAPABILITY_IAM"])
    assert stack_of(cfn, "repl-versions")["StackStatus"] == "UPDATE_COMPLETE", events_of(cfn, "repl-versions")[-8:]
    outputs = outputs_of(cfn, "repl-versions")
    assert outputs["LayerArn"] == f"{base}:layer:repl-layer:2"
    assert outputs["VersionArn"] == f"{base}:function:repl-versioned:2"
    assert outputs["VersionNumber"] == "2"
    ids = physical_ids(cfn, "repl-versions")
    assert (ids["Layer"], ids["Version"], ids["Live"]) == (outputs["LayerArn"], outputs["VersionArn"], outputs["AliasArn"])
    assert [v["Version"] for v in lam.list_layer_versions(LayerName="repl-layer")["LayerVersions"]] == [2]
    assert [v["Version"] for v in lam.list_versions_by_function(FunctionName="repl-versioned")["Versions"]] == ["$LATEST", "2"]
    assert lam.get_alias(FunctionName="repl-versioned", Name="live")["FunctionVersion"] == "2"
    answer = json.loads(lam.invoke(FunctionName="repl-versioned", Qualifier="live")["Payload"].read())
    assert answer == {"layer": "two", "version": "2"}

    cfn.delete_stack(StackName="repl-versions")
    assert lam.list_layer_versions(LayerName="repl-layer")["LayerVersions"] == []
    with pytest.raises(ClientError) as excinfo:
        lam.get_function(FunctionName="repl-versioned")
    assert excinfo.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_a_bad_alias_version_fails_the_create_with_lambdas_message(server):
    cfn = server.client("cloudformation")
    body = versions_template("one", "x").replace("FunctionVersion: !GetAtt Version.Version", "FunctionVersion: '7'")
    cfn.create_stack(StackName="repl-bad-alias", TemplateBody=body, Capabilities=["CAPABILITY_IAM"])
    assert stack_of(cfn, "repl-bad-alias")["StackStatus"] == "ROLLBACK_COMPLETE"
    failed = [e for e in events_of(cfn, "repl-bad-alias") if e["ResourceStatus"] == "CREATE_FAILED"]
    assert failed[0]["LogicalResourceId"] == "Live"
    assert "function:repl-versioned:7" in failed[0]["ResourceStatusReason"]
    cfn.delete_stack(StackName="repl-bad-alias")


AUTO_PUBLISH = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Changes:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
      KeySchema: [{AttributeName: pk, KeyType: HASH}]
      StreamSpecification: {StreamViewType: NEW_IMAGE}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: repl-auto
      Runtime: python3.12
      Handler: index.handler
      AutoPublishAlias: live
      InlineCode: |
        def handler(event, context):
            return {"code": CODE, "version": context.function_version}
      Events:
        Stream:
          Type: DynamoDB
          Properties: {Stream: !GetAtt Changes.StreamArn, StartingPosition: LATEST}
Outputs:
  Alias:
    Value: !Ref Fn.Alias
  Version:
    Value: !Ref Fn.Version
"""


def test_auto_publish_alias_moves_to_a_new_version_when_the_code_changes(server):
    cfn, lam = server.client("cloudformation"), server.client("lambda")
    capabilities = ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"]
    cfn.create_stack(StackName="repl-auto", TemplateBody=AUTO_PUBLISH.replace("CODE", "1"), Capabilities=capabilities)
    assert stack_of(cfn, "repl-auto")["StackStatus"] == "CREATE_COMPLETE", events_of(cfn, "repl-auto")[-5:]
    base = "arn:aws:lambda:us-east-1:000000000000:function:repl-auto"
    assert outputs_of(cfn, "repl-auto") == {"Alias": f"{base}:live", "Version": f"{base}:1"}
    types = {r["LogicalResourceId"]: r["ResourceType"] for r in cfn.describe_stack_resources(StackName="repl-auto")["StackResources"]}
    assert types["FnAliaslive"] == "AWS::Lambda::Alias"
    assert [t for i, t in types.items() if i.startswith("FnVersion")] == ["AWS::Lambda::Version"]
    assert json.loads(lam.invoke(FunctionName="repl-auto", Qualifier="live")["Payload"].read()) == {"code": 1, "version": "1"}
    # The stream's mapping invokes the alias, as SAM points every event source at it.
    mappings = lam.list_event_source_mappings(FunctionName=f"{base}:live")["EventSourceMappings"]
    assert [m["FunctionArn"] for m in mappings] == [f"{base}:live"]

    cfn.update_stack(StackName="repl-auto", TemplateBody=AUTO_PUBLISH.replace("CODE", "2"), Capabilities=capabilities)
    assert stack_of(cfn, "repl-auto")["StackStatus"] == "UPDATE_COMPLETE", events_of(cfn, "repl-auto")[-8:]
    assert outputs_of(cfn, "repl-auto") == {"Alias": f"{base}:live", "Version": f"{base}:2"}
    assert lam.get_alias(FunctionName="repl-auto", Name="live")["FunctionVersion"] == "2"
    assert json.loads(lam.invoke(FunctionName="repl-auto", Qualifier="live")["Payload"].read()) == {"code": 2, "version": "2"}
    # SAM's versions are retained (DeletionPolicy Retain): version 1 stays, and still runs the first code.
    assert [v["Version"] for v in lam.list_versions_by_function(FunctionName="repl-auto")["Versions"]] == ["$LATEST", "1", "2"]
    assert json.loads(lam.invoke(FunctionName="repl-auto", Qualifier="1")["Payload"].read()) == {"code": 1, "version": "1"}
    cfn.delete_stack(StackName="repl-auto")


STARTUP_AUTO_PUBLISH = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: startup-auto
      Runtime: python3.12
      Handler: index.handler
      AutoPublishAlias: live
      InlineCode: |
        import json
        def handler(event, context):
            return {"statusCode": 200, "body": json.dumps({"version": context.function_version})}
      Events:
        Hello:
          Type: Api
          Properties: {Path: /hello, Method: get}
Outputs:
  Alias:
    Value: !Ref Fn.Alias
  ApiId:
    Value: !Ref ServerlessRestApi
"""


def test_start_up_template_auto_publish_alias_serves_its_api_through_the_alias(tmp_path_factory):
    project = tmp_path_factory.mktemp("startup-auto-project")
    (project / "template.yaml").write_text(STARTUP_AUTO_PUBLISH)
    process = EmulatorProcess(tmp_path_factory.mktemp("startup-auto-logs"), template=project / "template.yaml", cwd=project,
                              data_dir=tmp_path_factory.mktemp("startup-auto-data"))
    try:
        lam, cfn = process.client("lambda"), process.client("cloudformation")
        assert [v["Version"] for v in lam.list_versions_by_function(FunctionName="startup-auto")["Versions"]] == ["$LATEST", "1"]
        assert lam.get_alias(FunctionName="startup-auto", Name="live")["FunctionVersion"] == "1"
        # The API event's permission is the alias's own policy, as SAM's FunctionName (the alias ARN) puts it there.
        policy = json.loads(lam.get_policy(FunctionName="startup-auto", Qualifier="live")["Policy"])
        assert policy["Statement"][0]["Resource"] == "arn:aws:lambda:us-east-1:000000000000:function:startup-auto:live"
        stack = cfn.describe_stacks()["Stacks"][0]
        outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
        assert outputs["Alias"] == "arn:aws:lambda:us-east-1:000000000000:function:startup-auto:live"
        answer = requests.get(f"{process.endpoint}/_aws/execute-api/{outputs['ApiId']}/Prod/hello", timeout=30)
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"version": "1"}

        # A snapshot restore and a reset bring the template's version and alias back, not the function alone.
        admin = {"Content-Type": "application/json"}
        assert requests.post(f"{process.endpoint}/_local/snapshots", json={"name": "auto"}, headers=admin, timeout=60).status_code == 200
        lam.update_alias(FunctionName="startup-auto", Name="live", FunctionVersion="$LATEST")
        restored = requests.post(f"{process.endpoint}/_local/snapshots/auto/restore", json={}, headers=admin, timeout=60)
        assert restored.status_code == 200, restored.text
        assert lam.get_alias(FunctionName="startup-auto", Name="live")["FunctionVersion"] == "1"
        assert requests.post(f"{process.endpoint}/_local/reset", json={}, headers=admin, timeout=60).status_code == 200
        assert [v["Version"] for v in lam.list_versions_by_function(FunctionName="startup-auto")["Versions"]] == ["$LATEST", "1"]
        assert lam.get_alias(FunctionName="startup-auto", Name="live")["FunctionVersion"] == "1"
        answer = requests.get(f"{process.endpoint}/_aws/execute-api/{outputs['ApiId']}/Prod/hello", timeout=30)
        assert (answer.status_code, answer.json()) == (200, {"version": "1"})
    finally:
        process.stop()


def test_a_replacement_keeps_its_name_across_a_restart(tmp_path_factory):
    project = tmp_path_factory.mktemp("restart-project")
    (project / "template.yaml").write_text(STARTUP_TEMPLATE)
    data = tmp_path_factory.mktemp("restart-data")
    logs = tmp_path_factory.mktemp("restart-logs")
    process = EmulatorProcess(logs, template=project / "template.yaml", data_dir=data, cwd=project)
    try:
        cfn = process.client("cloudformation")
        cfn.create_stack(StackName="repl-restart", TemplateBody=TABLE_TEMPLATE.replace("KEY", "pk"))
        first = physical_ids(cfn, "repl-restart")["Notes"]
        cfn.update_stack(StackName="repl-restart", TemplateBody=TABLE_TEMPLATE.replace("KEY", "id"))
        replaced = physical_ids(cfn, "repl-restart")["Notes"]
        assert replaced != first
    finally:
        process.stop()
    process = EmulatorProcess(logs, template=project / "template.yaml", data_dir=data, cwd=project)
    try:
        cfn, dynamodb = process.client("cloudformation"), process.client("dynamodb")
        assert physical_ids(cfn, "repl-restart")["Notes"] == replaced
        cfn.update_stack(StackName="repl-restart",
                         TemplateBody=TABLE_TEMPLATE.replace("KEY", "id").replace("Outputs:", "Outputs:\n  Extra:\n    Value: x"))
        assert stack_of(cfn, "repl-restart")["StackStatus"] == "UPDATE_COMPLETE"
        assert physical_ids(cfn, "repl-restart")["Notes"] == replaced
        assert outputs_of(cfn, "repl-restart")["TableName"] == replaced
        assert dynamodb.describe_table(TableName=replaced)["Table"]["TableStatus"] == "ACTIVE"
        # A second replacement gets yet another name.
        cfn.update_stack(StackName="repl-restart", TemplateBody=TABLE_TEMPLATE.replace("KEY", "sk"))
        again = physical_ids(cfn, "repl-restart")["Notes"]
        assert again not in (first, replaced) and again.startswith("repl-restart-Notes-")
    finally:
        process.stop()
