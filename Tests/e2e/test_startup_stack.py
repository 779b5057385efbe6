"""The start-up template's stack is a stack like any other: `update-stack`, `aws cloudformation deploy` (change sets)
and `delete-stack` on its name act through the same deployers as on API-created stacks (table items and bucket
objects kept on an update), DescribeStacks/GetTemplate/ListStackResources/DescribeStackEvents show the current
template, resources and events, `POST /_local/reset` brings the template's initial state back, and a restart deploys
the template again (what an update added in the earlier run is deleted, as a `sam deploy` of the template would)."""

import json
import os
import subprocess
import sys

import pytest
import requests
from botocore.exceptions import ClientError

from conftest import ACCESS_KEY, REGION, SECRET_KEY, STACK_NAME, EmulatorProcess

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Notes:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: startup-notes
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
      KeySchema: [{AttributeName: pk, KeyType: HASH}]
  Files:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: startup-files
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: startup-fn
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Environment:
        Variables:
          MODE: first
      Events:
        Hello:
          Type: Api
          Properties: {Path: /hello, Method: get}
Outputs:
  NotesName:
    Value: !Ref Notes
"""

UPDATED = TEMPLATE.replace("MODE: first", "MODE: second").replace(
    "          Properties: {Path: /hello, Method: get}\n",
    "          Properties: {Path: /hello, Method: get}\n"
    "        Hello2:\n          Type: Api\n          Properties: {Path: /hello2, Method: get}\n").replace("Outputs:\n", """\
  Extra:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: startup-extra
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
Outputs:
  ExtraName:
    Value: !Ref Extra
""")

CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"]
HANDLER = "import os\n\ndef handler(event, context):\n    return {'statusCode': 200, 'body': os.environ.get('MODE')}\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    project = tmp_path_factory.mktemp("startup-stack") / "startup-app"
    (project / "src").mkdir(parents=True)
    (project / "template.yaml").write_text(TEMPLATE)
    (project / "src" / "app.py").write_text(HANDLER)
    data = tmp_path_factory.mktemp("startup-stack-data")
    process = EmulatorProcess(tmp_path_factory.mktemp("startup-stack-logs"), template=project / "template.yaml",
                              data_dir=data, cwd=project)
    process.project = project
    process.data_dir = data
    process.name = "startup-app"
    yield process
    process.stop()


def error_of(excinfo):
    error = excinfo.value.response["Error"]
    return excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"], error["Code"], error["Message"]


def mode_of(server):
    return json.loads(server.client("lambda").invoke(FunctionName="startup-fn")["Payload"].read())["body"]


def table_names(server):
    return server.client("dynamodb").list_tables()["TableNames"]


def rest_status(server, path):
    """The status of `GET /Prod{path}` on the template's implicit REST API (a control-plane API named after the stack)."""
    apis = [api["id"] for api in server.client("apigateway").get_rest_apis()["items"] if api["name"] == server.name]
    if not apis:
        return None
    return requests.get(f"{server.endpoint}/_aws/execute-api/{apis[0]}/Prod{path}", timeout=30).status_code


def reset(server):
    response = requests.post(f"{server.endpoint}/_local/reset", data="{}", headers={"Content-Type": "application/json"},
                             timeout=120)
    assert response.status_code == 200, response.text
    return response.json()


def test_update_stack_on_the_startup_stack_keeps_items_and_reset_restores_the_template(server):
    cfn, ddb, s3 = server.client("cloudformation"), server.client("dynamodb"), server.client("s3")
    stack = cfn.describe_stacks(StackName=server.name)["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    assert "LastUpdatedTime" not in stack
    assert [o["OutputKey"] for o in stack["Outputs"]] == ["NotesName"]
    assert mode_of(server) == "first"
    assert (rest_status(server, "/hello"), rest_status(server, "/hello2")) == (200, 403)
    ddb.put_item(TableName="startup-notes", Item={"pk": {"S": "kept"}})
    s3.put_object(Bucket="startup-files", Key="kept.txt", Body=b"kept")

    stack_id = cfn.update_stack(StackName=server.name, TemplateBody=UPDATED, Capabilities=CAPABILITIES)["StackId"]
    assert stack_id == stack["StackId"]
    stack = cfn.describe_stacks(StackName=server.name)["Stacks"][0]
    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    assert "LastUpdatedTime" in stack
    assert {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]} == {
        "ExtraName": "startup-extra", "NotesName": "startup-notes"}
    assert "startup-extra" in cfn.get_template(StackName=server.name)["TemplateBody"]
    resources = {r["LogicalResourceId"]: r for r in cfn.list_stack_resources(StackName=server.name)["StackResourceSummaries"]}
    assert resources["Extra"]["PhysicalResourceId"] == "startup-extra"
    assert resources["Extra"]["ResourceStatus"] == "CREATE_COMPLETE"
    assert resources["Fn"]["ResourceStatus"] == "UPDATE_COMPLETE"
    assert resources["Notes"]["ResourceStatus"] == "CREATE_COMPLETE"
    described = cfn.describe_stack_resources(StackName=server.name, LogicalResourceId="Extra")["StackResources"]
    assert [r["PhysicalResourceId"] for r in described] == ["startup-extra"]
    events = cfn.describe_stack_events(StackName=server.name)["StackEvents"]
    assert (events[0]["LogicalResourceId"], events[0]["ResourceStatus"]) == (server.name, "UPDATE_COMPLETE")
    assert ("Fn", "UPDATE_COMPLETE") in [(e["LogicalResourceId"], e["ResourceStatus"]) for e in events]
    assert ("Notes", "CREATE_COMPLETE") in [(e["LogicalResourceId"], e["ResourceStatus"]) for e in events]

    # The function's environment changed, the new table exists, items and objects were kept.
    assert mode_of(server) == "second"
    assert (rest_status(server, "/hello"), rest_status(server, "/hello2")) == (200, 200)
    assert ddb.describe_table(TableName="startup-extra")["Table"]["TableStatus"] == "ACTIVE"
    assert ddb.get_item(TableName="startup-notes", Key={"pk": {"S": "kept"}})["Item"] == {"pk": {"S": "kept"}}
    assert s3.get_object(Bucket="startup-files", Key="kept.txt")["Body"].read() == b"kept"

    with pytest.raises(ClientError) as excinfo:
        cfn.update_stack(StackName=server.name, TemplateBody=UPDATED, Capabilities=CAPABILITIES)
    assert error_of(excinfo) == (400, "ValidationError", "No updates are to be performed.")

    # Reset: the template's initial state, the stack described as at start.
    assert "cloudformation" in reset(server)["reset"]
    stack = cfn.describe_stacks(StackName=server.name)["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    assert "LastUpdatedTime" not in stack
    assert "startup-extra" not in cfn.get_template(StackName=server.name)["TemplateBody"]
    assert "startup-extra" not in table_names(server)
    assert mode_of(server) == "first"
    assert (rest_status(server, "/hello"), rest_status(server, "/hello2")) == (200, 403)
    assert ddb.scan(TableName="startup-notes")["Count"] == 0
    assert s3.list_objects_v2(Bucket="startup-files").get("KeyCount") == 0


def test_cli_deploy_then_delete_stack_then_restart_deploys_the_template_again(server):
    home = server.project / "awscli-home"
    home.mkdir(exist_ok=True)
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env.update({"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY, "AWS_DEFAULT_REGION": REGION,
                "AWS_CONFIG_FILE": str(home / "config"), "AWS_SHARED_CREDENTIALS_FILE": str(home / "credentials"),
                "AWS_MAX_ATTEMPTS": "1", "AWS_PAGER": ""})
    updated = server.project / "updated.yaml"
    updated.write_text(UPDATED)
    result = subprocess.run([sys.executable, "-m", "awscli", "--endpoint-url", server.endpoint, "cloudformation", "deploy",
                             "--stack-name", server.name, "--template-file", str(updated), "--capabilities", *CAPABILITIES],
                            capture_output=True, text=True, env=env, timeout=180, cwd=server.project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Successfully created/updated stack - startup-app" in result.stdout
    cfn = server.client("cloudformation")
    stack = cfn.describe_stacks(StackName=server.name)["Stacks"][0]
    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    assert stack["ChangeSetId"].startswith(f"arn:aws:cloudformation:{REGION}:000000000000:changeSet/")
    assert mode_of(server) == "second"
    assert "startup-extra" in table_names(server)

    # DeleteStack: every resource goes, the stack stays found by its ARN.
    stack_id = stack["StackId"]
    cfn.delete_stack(StackName=server.name)
    assert cfn.describe_stacks(StackName=stack_id)["Stacks"][0]["StackStatus"] == "DELETE_COMPLETE"
    with pytest.raises(ClientError) as excinfo:
        cfn.describe_stacks(StackName=server.name)
    assert error_of(excinfo) == (400, "ValidationError", f"Stack with id {server.name} does not exist")
    assert not {"startup-notes", "startup-extra"} & set(table_names(server))
    with pytest.raises(ClientError) as excinfo:
        server.client("lambda").get_function(FunctionName="startup-fn")
    assert error_of(excinfo)[1] == "ResourceNotFoundException"
    assert "startup-files" not in [b["Name"] for b in server.client("s3").list_buckets()["Buckets"]]
    assert rest_status(server, "/hello") is None

    # A restart deploys the template again.
    server.stop()
    restarted = EmulatorProcess(server.log_path.parent, template=server.project / "template.yaml",
                                data_dir=server.data_dir, cwd=server.project)
    try:
        cfn = restarted.client("cloudformation")
        stack = cfn.describe_stacks(StackName=server.name)["Stacks"][0]
        assert (stack["StackId"], stack["StackStatus"]) == (stack_id, "CREATE_COMPLETE")
        assert "startup-notes" in restarted.client("dynamodb").list_tables()["TableNames"]
        assert json.loads(restarted.client("lambda").invoke(FunctionName="startup-fn")["Payload"].read())["body"] == "first"
        restarted.name = server.name
        assert rest_status(restarted, "/hello") == 200

        # What an update adds is deleted at the next start, as a `sam deploy` of the template would.
        cfn.update_stack(StackName=server.name, TemplateBody=UPDATED, Capabilities=CAPABILITIES)
        assert "startup-extra" in restarted.client("dynamodb").list_tables()["TableNames"]
    finally:
        restarted.stop()
    again = EmulatorProcess(server.log_path.parent, template=server.project / "template.yaml",
                            data_dir=server.data_dir, cwd=server.project)
    try:
        names = again.client("dynamodb").list_tables()["TableNames"]
        assert "startup-notes" in names and "startup-extra" not in names
        resources = again.client("cloudformation").list_stack_resources(StackName=server.name)["StackResourceSummaries"]
        assert "Extra" not in [r["LogicalResourceId"] for r in resources]
    finally:
        again.stop()


def test_template_resources_are_listed_by_their_services(client):
    """Every resource of the SynapScribe template is listed by its service's own listing, with the physical id the
    stack reports (the WebSocket API with the id its local URL uses)."""
    cfn = client("cloudformation")
    summaries = []
    kwargs = {"StackName": STACK_NAME}
    while True:
        page = cfn.list_stack_resources(**kwargs)
        summaries.extend(page["StackResourceSummaries"])
        if not page.get("NextToken"):
            break
        kwargs["NextToken"] = page["NextToken"]
    by_type = {}
    for summary in summaries:
        by_type.setdefault(summary["ResourceType"], set()).add(summary["PhysicalResourceId"])
    functions = [f["FunctionName"] for page in client("lambda").get_paginator("list_functions").paginate()
                 for f in page["Functions"]]
    assert by_type["AWS::Lambda::Function"] and by_type["AWS::Lambda::Function"] <= set(functions)
    assert by_type["AWS::DynamoDB::Table"] <= set(client("dynamodb").list_tables()["TableNames"])
    assert by_type["AWS::S3::Bucket"] <= {b["Name"] for b in client("s3").list_buckets()["Buckets"]}
    roles = [r["RoleName"] for page in client("iam").get_paginator("list_roles").paginate() for r in page["Roles"]]
    assert by_type["AWS::IAM::Role"] and by_type["AWS::IAM::Role"] <= set(roles)
    pools = client("cognito-identity").list_identity_pools(MaxResults=60)["IdentityPools"]
    assert by_type["AWS::Cognito::IdentityPool"] <= {p["IdentityPoolId"] for p in pools}

    outputs = {o["OutputKey"]: o["OutputValue"] for o in cfn.describe_stacks(StackName=STACK_NAME)["Stacks"][0]["Outputs"]}
    api_id = outputs["WebSocketApiId"]
    assert f"/_aws/execute-api/{api_id}/" in outputs["WebSocketURL"]
    v2 = client("apigatewayv2")
    apis = {a["ApiId"]: a for a in v2.get_apis()["Items"]}
    assert by_type["AWS::ApiGatewayV2::Api"] == {api_id} and apis[api_id]["ProtocolType"] == "WEBSOCKET"
    assert {r["RouteKey"] for r in v2.get_routes(ApiId=api_id)["Items"]} >= {"$connect", "$disconnect"}
    assert v2.get_integrations(ApiId=api_id)["Items"]
    assert [s["StageName"] for s in v2.get_stages(ApiId=api_id)["Items"]] == [outputs["WebSocketURL"].rsplit("/", 1)[1]]
