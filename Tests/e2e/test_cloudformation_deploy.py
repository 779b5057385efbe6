"""CloudFormation deploys into a running emulator: CreateStack/UpdateStack/DeleteStack, change sets, events, exports
and Fn::ImportValue, `aws cloudformation deploy` and `package` (a table + function + WebSocket API deployed, updated and deleted), rollback
of resources SynapScribe Local cannot deploy (an SQS queue: SQS is not emulated), and stacks kept across a restart. Each test asserts AWS's status, code and
message text where CloudFormation answers an error."""

import json
import os
import subprocess
import sys
import textwrap

import pytest
import requests
from botocore.exceptions import ClientError

from conftest import ACCESS_KEY, REGION, REPO_ROOT, SECRET_KEY, EmulatorProcess

STARTUP_TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  StartupBucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: cfn-deploy-startup
"""

APP_TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Description: second template
Parameters:
  Suffix:
    Type: String
    Default: one
Resources:
  Notes:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Sub notes-${Suffix}
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - {AttributeName: pk, AttributeType: S}
      KeySchema:
        - {AttributeName: pk, KeyType: HASH}
  Uploads:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub uploads-${Suffix}
  Worker:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}
      Policies:
        - PolicyName: notes
          PolicyDocument:
            Version: '2012-10-17'
            Statement:
              - {Effect: Allow, Action: dynamodb:GetItem, Resource: !GetAtt Notes.Arn}
Outputs:
  TableName:
    Value: !Ref Notes
    Export:
      Name: !Sub ${AWS::StackName}-table
  RoleArn:
    Value: !GetAtt Worker.Arn
"""


def cfn_error(excinfo):
    error = excinfo.value.response["Error"]
    return excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"], error["Code"], error["Message"]


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cfn-deploy-project")
    (folder / "template.yaml").write_text(STARTUP_TEMPLATE)
    return folder


@pytest.fixture(scope="module")
def server(project, tmp_path_factory):
    data = tmp_path_factory.mktemp("cfn-deploy-data")
    process = EmulatorProcess(tmp_path_factory.mktemp("cfn-deploy-logs"), template=project / "template.yaml",
                              data_dir=data, cwd=project)
    process.data_dir = data
    process.project = project
    yield process
    process.stop()


def cli(server, *args, cwd=None, extra_env=None):
    """Run the AWS CLI against `server`; returns (exit code, stdout, stderr)."""
    home = server.project / "awscli-home"
    home.mkdir(exist_ok=True)
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env.update({"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY, "AWS_DEFAULT_REGION": REGION,
                "AWS_DEFAULT_OUTPUT": "json", "AWS_CONFIG_FILE": str(home / "config"),
                "AWS_SHARED_CREDENTIALS_FILE": str(home / "credentials"), "AWS_MAX_ATTEMPTS": "1", "AWS_PAGER": ""})
    env.update(extra_env or {})
    result = subprocess.run([sys.executable, "-m", "awscli", "--endpoint-url", server.endpoint, *map(str, args)],
                            capture_output=True, text=True, env=env, timeout=180, cwd=cwd or REPO_ROOT)
    return result.returncode, result.stdout, result.stderr


def stack_of(cfn, name):
    return cfn.describe_stacks(StackName=name)["Stacks"][0]


def outputs_of(cfn, name):
    return {o["OutputKey"]: o for o in stack_of(cfn, name).get("Outputs", [])}


def test_create_stack_creates_table_bucket_and_role(server):
    cfn = server.client("cloudformation")
    stack_id = cfn.create_stack(StackName="app", TemplateBody=APP_TEMPLATE, Capabilities=["CAPABILITY_IAM"],
                                Tags=[{"Key": "team", "Value": "notes"}])["StackId"]
    assert stack_id.startswith(f"arn:aws:cloudformation:{REGION}:000000000000:stack/app/")
    stack = stack_of(cfn, "app")
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    assert stack["Description"] == "second template"
    assert stack["Parameters"] == [{"ParameterKey": "Suffix", "ParameterValue": "one"}]
    assert stack["Tags"] == [{"Key": "team", "Value": "notes"}]
    outputs = outputs_of(cfn, "app")
    assert outputs["TableName"]["OutputValue"] == "notes-one"
    assert outputs["TableName"]["ExportName"] == "app-table"

    table = server.client("dynamodb").describe_table(TableName="notes-one")["Table"]
    assert table["TableStatus"] == "ACTIVE"
    server.client("s3").head_bucket(Bucket="uploads-one")
    role_name = outputs["RoleArn"]["OutputValue"].split("/")[-1]
    assert role_name.startswith("app-Worker-")
    iam = server.client("iam")
    assert iam.get_role(RoleName=role_name)["Role"]["Arn"] == outputs["RoleArn"]["OutputValue"]
    assert iam.list_role_policies(RoleName=role_name)["PolicyNames"] == ["notes"]

    resources = {r["LogicalResourceId"]: r for r in cfn.list_stack_resources(StackName="app")["StackResourceSummaries"]}
    assert {k: r["ResourceStatus"] for k, r in resources.items()} == {
        "Notes": "CREATE_COMPLETE", "Uploads": "CREATE_COMPLETE", "Worker": "CREATE_COMPLETE"}
    assert resources["Notes"]["PhysicalResourceId"] == "notes-one"

    events = cfn.describe_stack_events(StackName="app")["StackEvents"]
    assert (events[0]["LogicalResourceId"], events[0]["ResourceStatus"]) == ("app", "CREATE_COMPLETE")
    assert (events[-1]["LogicalResourceId"], events[-1]["ResourceStatus"]) == ("app", "CREATE_IN_PROGRESS")
    notes = [e["ResourceStatus"] for e in events if e["LogicalResourceId"] == "Notes"]
    assert notes == ["CREATE_COMPLETE", "CREATE_IN_PROGRESS"]
    # The role's policy names the table's ARN: the table is created first.
    order = [e["LogicalResourceId"] for e in reversed(events) if e["ResourceStatus"] == "CREATE_COMPLETE"]
    assert order.index("Notes") < order.index("Worker")

    listed = {s["StackName"]: s["StackStatus"] for s in cfn.list_stacks()["StackSummaries"]}
    assert listed["app"] == "CREATE_COMPLETE"
    assert listed[server.project.name] == "CREATE_COMPLETE"
    assert "Type: AWS::DynamoDB::Table" in cfn.get_template(StackName="app")["TemplateBody"]


def test_create_stack_refusals(server):
    cfn = server.client("cloudformation")
    with pytest.raises(ClientError) as excinfo:
        cfn.create_stack(StackName="needs-iam", TemplateBody=APP_TEMPLATE.replace("Default: one", "Default: two"))
    assert cfn_error(excinfo) == (400, "InsufficientCapabilitiesException", "Requires capabilities : [CAPABILITY_IAM]")
    named = APP_TEMPLATE.replace("Default: one", "Default: two").replace(
        "      AssumeRolePolicyDocument:", "      RoleName: named-worker\n      AssumeRolePolicyDocument:")
    with pytest.raises(ClientError) as excinfo:
        cfn.create_stack(StackName="needs-iam", TemplateBody=named, Capabilities=["CAPABILITY_IAM"])
    assert cfn_error(excinfo) == (400, "InsufficientCapabilitiesException", "Requires capabilities : [CAPABILITY_NAMED_IAM]")
    with pytest.raises(ClientError) as excinfo:
        cfn.describe_stacks(StackName="needs-iam")
    assert cfn_error(excinfo) == (400, "ValidationError", "Stack with id needs-iam does not exist")

    with pytest.raises(ClientError) as excinfo:
        cfn.create_stack(StackName=server.project.name, TemplateBody=STARTUP_TEMPLATE)
    assert cfn_error(excinfo) == (400, "AlreadyExistsException", f"Stack [{server.project.name}] already exists")

    broken = "Resources:\n  Thing:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Ref Missing\n"
    with pytest.raises(ClientError) as excinfo:
        cfn.create_stack(StackName="broken", TemplateBody=broken)
    assert cfn_error(excinfo) == (
        400, "ValidationError", "Template format error: Unresolved resource dependencies [Missing] in the Resources block of the template")
    with pytest.raises(ClientError) as excinfo:
        cfn.create_stack(StackName="broken", TemplateURL="https://s3.amazonaws.com/a/b", TemplateBody=broken)
    assert cfn_error(excinfo) == (400, "ValidationError", "You cannot specify both TemplateURL and TemplateBody in the same request.")
    with pytest.raises(ClientError) as excinfo:
        cfn.create_stack(StackName="broken")
    assert cfn_error(excinfo) == (400, "ValidationError", "Either Template URL or Template Body must be specified.")
    with pytest.raises(ClientError) as excinfo:
        cfn.create_stack(StackName="bad_name", TemplateBody=STARTUP_TEMPLATE)
    assert cfn_error(excinfo)[:2] == (400, "ValidationError")
    assert "Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*" in cfn_error(excinfo)[2]


def test_undeployable_types_fail_and_roll_back(server):
    cfn = server.client("cloudformation")
    template = textwrap.dedent("""\
        Resources:
          Before:
            Type: AWS::DynamoDB::Table
            Properties:
              TableName: rollback-before
              BillingMode: PAY_PER_REQUEST
              AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
              KeySchema: [{AttributeName: pk, KeyType: HASH}]
          Queue:
            Type: AWS::SQS::Queue
            DependsOn: Before
            Properties:
              QueueName: rollback-queue
        """)
    cfn.create_stack(StackName="rollback", TemplateBody=template)
    stack = stack_of(cfn, "rollback")
    assert stack["StackStatus"] == "ROLLBACK_COMPLETE"
    events = cfn.describe_stack_events(StackName="rollback")["StackEvents"]
    failed = next(e for e in events if e["ResourceStatus"] == "CREATE_FAILED")
    assert failed["LogicalResourceId"] == "Queue"
    assert "AWS::SQS::Queue is not yet deployable by SynapScribe Local" in failed["ResourceStatusReason"]
    rollback = next(e for e in events if e["ResourceStatus"] == "ROLLBACK_IN_PROGRESS")
    assert rollback["ResourceStatusReason"] == "The following resource(s) failed to create: [Queue]. Rollback requested by user."
    assert [e["ResourceStatus"] for e in events if e["LogicalResourceId"] == "Before"] == [
        "DELETE_COMPLETE", "DELETE_IN_PROGRESS", "CREATE_COMPLETE", "CREATE_IN_PROGRESS"]
    with pytest.raises(ClientError) as excinfo:
        server.client("dynamodb").describe_table(TableName="rollback-before")
    assert cfn_error(excinfo) == (400, "ResourceNotFoundException", "Requested resource not found: Table: rollback-before not found")
    with pytest.raises(ClientError) as excinfo:
        cfn.update_stack(StackName="rollback", TemplateBody=template)
    assert cfn_error(excinfo) == (
        400, "ValidationError", f"Stack:{stack['StackId']} is in ROLLBACK_COMPLETE state and can not be updated.")
    cfn.delete_stack(StackName="rollback")
    assert cfn.describe_stacks(StackName=stack["StackId"])["Stacks"][0]["StackStatus"] == "DELETE_COMPLETE"


FUNCTION_TEMPLATE = textwrap.dedent("""\
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Fn:
        Type: AWS::Serverless::Function
        Properties:
          Runtime: python3.12
          Handler: index.handler
          InlineCode: "def handler(event, context):\\n    return {'version': VERSION}\\n"
    Outputs:
      FunctionName:
        Value: !Ref Fn
    """)


def test_lambda_function_deploys_updates_and_deletes(server):
    cfn = server.client("cloudformation")
    lam = server.client("lambda")
    cfn.create_stack(StackName="with-function", TemplateBody=FUNCTION_TEMPLATE.replace("VERSION", "1"),
                     Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"])
    stack = stack_of(cfn, "with-function")
    assert stack["StackStatus"] == "CREATE_COMPLETE", cfn.describe_stack_events(StackName="with-function")["StackEvents"]
    name = next(o["OutputValue"] for o in stack["Outputs"] if o["OutputKey"] == "FunctionName")
    assert name.startswith("with-function-Fn-")
    config = lam.get_function_configuration(FunctionName=name)
    assert config["Runtime"] == "python3.12" and config["Role"].split("/")[-1].startswith("with-function-FnRole-")
    assert json.loads(lam.invoke(FunctionName=name)["Payload"].read()) == {"version": 1}

    # The update changes the function's code: the next invocation runs the new code.
    cfn.update_stack(StackName="with-function", TemplateBody=FUNCTION_TEMPLATE.replace("VERSION", "2"),
                     Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"])
    assert stack_of(cfn, "with-function")["StackStatus"] == "UPDATE_COMPLETE"
    assert json.loads(lam.invoke(FunctionName=name)["Payload"].read()) == {"version": 2}

    cfn.delete_stack(StackName="with-function")
    with pytest.raises(ClientError) as excinfo:
        lam.get_function(FunctionName=name)
    assert excinfo.value.response["Error"]["Code"] == "ResourceNotFoundException"
    roles = [r["RoleName"] for r in server.client("iam").list_roles()["Roles"]]
    assert not any(role.startswith("with-function-") for role in roles)


def test_update_adds_gsi_and_keeps_items(server):
    cfn = server.client("cloudformation")
    ddb = server.client("dynamodb")
    ddb.put_item(TableName="notes-one", Item={"pk": {"S": "n1"}, "owner": {"S": "ada"}})
    with pytest.raises(ClientError) as excinfo:
        cfn.update_stack(StackName="app", TemplateBody=APP_TEMPLATE, Capabilities=["CAPABILITY_IAM"])
    assert cfn_error(excinfo) == (400, "ValidationError", "No updates are to be performed.")

    with_gsi = APP_TEMPLATE.replace(
        "        - {AttributeName: pk, AttributeType: S}\n",
        "        - {AttributeName: pk, AttributeType: S}\n        - {AttributeName: owner, AttributeType: S}\n",
    ).replace(
        "        - {AttributeName: pk, KeyType: HASH}\n  Uploads:",
        "        - {AttributeName: pk, KeyType: HASH}\n"
        "      GlobalSecondaryIndexes:\n"
        "        - IndexName: byOwner\n"
        "          KeySchema: [{AttributeName: owner, KeyType: HASH}]\n"
        "          Projection: {ProjectionType: ALL}\n"
        "      TimeToLiveSpecification: {AttributeName: expires, Enabled: true}\n"
        "  Uploads:")
    assert "byOwner" in with_gsi
    cfn.update_stack(StackName="app", TemplateBody=with_gsi, Capabilities=["CAPABILITY_IAM"])
    stack = stack_of(cfn, "app")
    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    assert "LastUpdatedTime" in stack
    table = ddb.describe_table(TableName="notes-one")["Table"]
    assert [index["IndexName"] for index in table["GlobalSecondaryIndexes"]] == ["byOwner"]
    assert ddb.describe_time_to_live(TableName="notes-one")["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "ENABLED", "AttributeName": "expires"}
    found = ddb.query(TableName="notes-one", IndexName="byOwner", KeyConditionExpression="#o = :o",
                      ExpressionAttributeNames={"#o": "owner"}, ExpressionAttributeValues={":o": {"S": "ada"}})["Items"]
    assert found == [{"pk": {"S": "n1"}, "owner": {"S": "ada"}}]
    events = cfn.describe_stack_events(StackName="app")["StackEvents"]
    assert [e["ResourceStatus"] for e in events if e["LogicalResourceId"] == "Notes"][:2] == ["UPDATE_COMPLETE", "UPDATE_IN_PROGRESS"]
    assert events[0]["ResourceStatus"] == "UPDATE_COMPLETE" and events[0]["LogicalResourceId"] == "app"


def test_change_set_lists_changes_then_executes(server):
    cfn = server.client("cloudformation")
    template = cfn.get_template(StackName="app")["TemplateBody"]
    changed = template.replace("      BucketName: !Sub uploads-${Suffix}\n", "      BucketName: !Sub uploads-${Suffix}\n"
                               "      VersioningConfiguration: {Status: Enabled}\n")
    changed = changed.replace("  RoleArn:\n    Value: !GetAtt Worker.Arn\n", "")
    changed = changed.replace("  Worker:\n    Type: AWS::IAM::Role", "  Worker:\n    Type: AWS::IAM::Role\n    DeletionPolicy: Delete", 1)
    created = cfn.create_change_set(StackName="app", ChangeSetName="versioning", TemplateBody=changed,
                                    Capabilities=["CAPABILITY_IAM"], ChangeSetType="UPDATE", Description="turn on versioning")
    assert created["Id"].startswith(f"arn:aws:cloudformation:{REGION}:000000000000:changeSet/versioning/")
    described = cfn.describe_change_set(StackName="app", ChangeSetName="versioning")
    assert (described["Status"], described["ExecutionStatus"]) == ("CREATE_COMPLETE", "AVAILABLE")
    assert described["Description"] == "turn on versioning"
    changes = [c["ResourceChange"] for c in described["Changes"]]
    assert [(c["Action"], c["LogicalResourceId"], c.get("Replacement")) for c in changes] == [("Modify", "Uploads", "False")]
    assert changes[0]["PhysicalResourceId"] == "uploads-one"
    assert changes[0]["Details"][0]["Target"]["Name"] == "VersioningConfiguration"
    assert [s["ChangeSetName"] for s in cfn.list_change_sets(StackName="app")["Summaries"]] == ["versioning"]

    same = cfn.create_change_set(StackName="app", ChangeSetName="nothing", TemplateBody=template,
                                 Capabilities=["CAPABILITY_IAM"])
    nothing = cfn.describe_change_set(ChangeSetName=same["Id"])
    assert (nothing["Status"], nothing["ExecutionStatus"]) == ("FAILED", "UNAVAILABLE")
    assert nothing["StatusReason"] == ("The submitted information didn't contain changes. "
                                       "Submit different information to create a change set.")
    cfn.delete_change_set(ChangeSetName=same["Id"])
    with pytest.raises(ClientError) as excinfo:
        cfn.describe_change_set(StackName="app", ChangeSetName="nothing")
    assert cfn_error(excinfo) == (404, "ChangeSetNotFound", "ChangeSet [nothing] does not exist")

    cfn.execute_change_set(StackName="app", ChangeSetName="versioning")
    assert stack_of(cfn, "app")["StackStatus"] == "UPDATE_COMPLETE"
    assert server.client("s3").get_bucket_versioning(Bucket="uploads-one")["Status"] == "Enabled"
    assert cfn.describe_change_set(StackName="app", ChangeSetName="versioning")["ExecutionStatus"] == "EXECUTE_COMPLETE"


def test_exports_and_import_value_across_stacks(server):
    cfn = server.client("cloudformation")
    assert {e["Name"]: e["Value"] for e in cfn.list_exports()["Exports"]}["app-table"] == "notes-one"
    importer = textwrap.dedent("""\
        Resources:
          Mirror:
            Type: AWS::DynamoDB::Table
            Properties:
              TableName: !Join ['-', [!ImportValue app-table, mirror]]
              BillingMode: PAY_PER_REQUEST
              AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
              KeySchema: [{AttributeName: pk, KeyType: HASH}]
        Outputs:
          Source:
            Value: !ImportValue app-table
        """)
    cfn.create_stack(StackName="consumer", TemplateBody=importer)
    assert stack_of(cfn, "consumer")["StackStatus"] == "CREATE_COMPLETE"
    assert outputs_of(cfn, "consumer")["Source"]["OutputValue"] == "notes-one"
    server.client("dynamodb").describe_table(TableName="notes-one-mirror")
    assert cfn.list_imports(ExportName="app-table")["Imports"] == ["consumer"]
    with pytest.raises(ClientError) as excinfo:
        cfn.list_imports(ExportName="nobody-imports-this")
    assert cfn_error(excinfo) == (400, "ValidationError", "Export 'nobody-imports-this' is not imported by any stack.")
    with pytest.raises(ClientError) as excinfo:
        cfn.create_stack(StackName="dangling", TemplateBody=importer.replace("app-table", "no-such-export"))
    assert cfn_error(excinfo) == (400, "ValidationError", "No export named no-such-export found.")

    cfn.delete_stack(StackName="app")
    stack = stack_of(cfn, "app")
    assert stack["StackStatus"] == "DELETE_FAILED"
    assert stack["StackStatusReason"] == "Export app-table cannot be deleted as it is in use by consumer"
    server.client("dynamodb").describe_table(TableName="notes-one")

    cfn.delete_stack(StackName="consumer")
    with pytest.raises(ClientError) as excinfo:
        server.client("dynamodb").describe_table(TableName="notes-one-mirror")
    assert cfn_error(excinfo)[1] == "ResourceNotFoundException"


def test_validate_template_and_summary(server):
    cfn = server.client("cloudformation")
    validated = cfn.validate_template(TemplateBody=APP_TEMPLATE)
    assert validated["Parameters"] == [{"ParameterKey": "Suffix", "DefaultValue": "one", "NoEcho": False}]
    assert validated["Description"] == "second template"
    assert validated["Capabilities"] == ["CAPABILITY_IAM"]
    assert validated["CapabilitiesReason"] == "The following resource(s) require capabilities: [AWS::IAM::Role]"
    summary = cfn.get_template_summary(TemplateBody=APP_TEMPLATE)
    assert summary["ResourceTypes"] == ["AWS::DynamoDB::Table", "AWS::S3::Bucket", "AWS::IAM::Role"]
    assert summary["Version"] == "2010-09-09"
    with pytest.raises(ClientError) as excinfo:
        cfn.validate_template(TemplateBody="Resources: {}\n")
    assert cfn_error(excinfo) == (400, "ValidationError", "Template format error: At least one Resources member must be defined.")


def test_template_url_reads_emulated_s3(server):
    cfn = server.client("cloudformation")
    s3 = server.client("s3")
    body = STARTUP_TEMPLATE.replace("cfn-deploy-startup", "from-template-url").replace("StartupBucket", "FromUrl")
    s3.put_object(Bucket="cfn-deploy-startup", Key="templates/url.yaml", Body=body.encode())
    cfn.create_stack(StackName="from-url", TemplateURL="https://s3.amazonaws.com/cfn-deploy-startup/templates/url.yaml")
    assert stack_of(cfn, "from-url")["StackStatus"] == "CREATE_COMPLETE"
    s3.head_bucket(Bucket="from-template-url")
    summary = cfn.get_template_summary(TemplateURL="https://cfn-deploy-startup.s3.us-east-1.amazonaws.com/templates/url.yaml")
    assert summary["ResourceTypes"] == ["AWS::S3::Bucket"]
    with pytest.raises(ClientError) as excinfo:
        cfn.create_stack(StackName="from-url-2", TemplateURL="https://cfn-deploy-startup.s3.amazonaws.com/templates/missing.yaml")
    assert cfn_error(excinfo) == (400, "ValidationError", "S3 error: The specified key does not exist.")
    cfn.delete_stack(StackName="from-url")
    with pytest.raises(ClientError):
        s3.head_bucket(Bucket="from-template-url")


def test_aws_cloudformation_deploy_and_package(server, tmp_path):
    sam = tmp_path / "sam.yaml"
    sam.write_text(textwrap.dedent("""\
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Sessions:
            Type: AWS::Serverless::SimpleTable
            Properties:
              TableName: cli-sessions
        Outputs:
          Table:
            Value: !Ref Sessions
        """))
    code, out, err = cli(server, "cloudformation", "deploy", "--template-file", sam, "--stack-name", "cli-stack")
    assert code == 0, err
    assert "Successfully created/updated stack - cli-stack" in out
    cfn = server.client("cloudformation")
    assert stack_of(cfn, "cli-stack")["StackStatus"] == "CREATE_COMPLETE"
    server.client("dynamodb").describe_table(TableName="cli-sessions")

    code, out, err = cli(server, "cloudformation", "deploy", "--template-file", sam, "--stack-name", "cli-stack")
    assert code == 255
    assert "No changes to deploy. Stack cli-stack is up to date" in err + out

    code, out, err = cli(server, "cloudformation", "delete-stack", "--stack-name", "cli-stack")
    assert code == 0, err
    with pytest.raises(ClientError) as excinfo:
        server.client("dynamodb").describe_table(TableName="cli-sessions")
    assert cfn_error(excinfo) == (400, "ResourceNotFoundException", "Requested resource not found: Table: cli-sessions not found")

    code_dir = tmp_path / "src"
    code_dir.mkdir()
    (code_dir / "app.py").write_text("def handler(event, context):\n    return 1\n")
    function = tmp_path / "function.yaml"
    function.write_text(textwrap.dedent("""\
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.12
              Handler: app.handler
              CodeUri: src/
        """))
    packaged = tmp_path / "packaged.yaml"
    # `package` uploads with its own S3 client, which `--endpoint-url` (the CloudFormation endpoint) does not reach:
    # AWS_ENDPOINT_URL_S3 points it at the emulator.
    code, out, err = cli(server, "cloudformation", "package", "--template-file", function, "--s3-bucket",
                         "cfn-deploy-startup", "--s3-prefix", "artifacts", "--output-template-file", packaged,
                         extra_env={"AWS_ENDPOINT_URL_S3": server.endpoint})
    assert code == 0, err
    assert "s3://cfn-deploy-startup/artifacts/" in packaged.read_text()
    keys = [o["Key"] for o in server.client("s3").list_objects_v2(Bucket="cfn-deploy-startup", Prefix="artifacts/")["Contents"]]
    assert len(keys) == 1


WEBSOCKET_APP = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Connections:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: ws-connections
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - {AttributeName: pk, AttributeType: S}
      KeySchema:
        - {AttributeName: pk, KeyType: HASH}
  Handler:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: ws-deployed-handler
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        def handler(event, context):
            if event["requestContext"]["routeKey"] == "$connect":
                return {"statusCode": 200}
            return {"statusCode": 200, "body": "VERSION:" + event["body"]}
  Socket:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      Name: deployed-sockets
      ProtocolType: WEBSOCKET
      RouteSelectionExpression: $request.body.action
  Integration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Socket
      IntegrationType: AWS_PROXY
      IntegrationUri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Handler.Arn}/invocations
  ConnectRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Socket
      RouteKey: $connect
      Target: !Sub integrations/${Integration}
  DefaultRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Socket
      RouteKey: $default
      Target: !Sub integrations/${Integration}
      RouteResponseSelectionExpression: $default
  DefaultResponse:
    Type: AWS::ApiGatewayV2::RouteResponse
    Properties:
      ApiId: !Ref Socket
      RouteId: !Ref DefaultRoute
      RouteResponseKey: $default
  Deployment:
    Type: AWS::ApiGatewayV2::Deployment
    DependsOn: [ConnectRoute, DefaultRoute, DefaultResponse]
    Properties:
      ApiId: !Ref Socket
  Stage:
    Type: AWS::ApiGatewayV2::Stage
    Properties:
      ApiId: !Ref Socket
      StageName: prod
      DeploymentId: !Ref Deployment
  InvokePermission:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: !Ref Handler
      Principal: apigateway.amazonaws.com
      SourceArn: !Sub arn:aws:execute-api:${AWS::Region}:${AWS::AccountId}:${Socket}/*
Outputs:
  ApiId:
    Value: !Ref Socket
  Endpoint:
    Value: !GetAtt Socket.ApiEndpoint
"""


def websocket_answer(server, api_id, stage, message):
    """Connect a real WebSocket client to the API's local URL, send one message, return the answer."""
    import asyncio

    import websockets

    async def exchange():
        url = f"ws://127.0.0.1:{server.port}/_aws/execute-api/{api_id}/{stage}"
        async with websockets.connect(url, open_timeout=30) as socket:
            await socket.send(message)
            return await asyncio.wait_for(socket.recv(), 30)

    return asyncio.run(asyncio.wait_for(exchange(), timeout=60))


def test_cloudformation_deploy_of_table_function_and_websocket_api(server, tmp_path):
    template = tmp_path / "websocket-app.yaml"
    template.write_text(WEBSOCKET_APP.replace("VERSION", "v1"))
    capabilities = ["--capabilities", "CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"]
    code, out, err = cli(server, "cloudformation", "deploy", "--template-file", template, "--stack-name", "ws-app", *capabilities)
    cfn = server.client("cloudformation")
    assert code == 0, (err, cfn.describe_stack_events(StackName="ws-app")["StackEvents"][:5])
    assert "Successfully created/updated stack - ws-app" in out
    outputs = outputs_of(cfn, "ws-app")
    api_id = outputs["ApiId"]["OutputValue"]
    assert outputs["Endpoint"]["OutputValue"] == f"wss://{api_id}.execute-api.{REGION}.amazonaws.com"

    # The deployed API is the same object as an API-created one: listed, described, with its routes and stage.
    v2 = server.client("apigatewayv2")
    assert api_id in [api["ApiId"] for api in v2.get_apis()["Items"]]
    assert v2.get_api(ApiId=api_id)["Name"] == "deployed-sockets"
    assert sorted(route["RouteKey"] for route in v2.get_routes(ApiId=api_id)["Items"]) == ["$connect", "$default"]
    stage = v2.get_stage(ApiId=api_id, StageName="prod")
    assert stage["DeploymentId"] == cfn.describe_stack_resource(
        StackName="ws-app", LogicalResourceId="Deployment")["StackResourceDetail"]["PhysicalResourceId"]
    lam = server.client("lambda")
    policy = json.loads(lam.get_policy(FunctionName="ws-deployed-handler")["Policy"])
    assert [(s["Principal"], s["Condition"]["ArnLike"]["AWS:SourceArn"]) for s in policy["Statement"]] == [
        ({"Service": "apigateway.amazonaws.com"}, f"arn:aws:execute-api:{REGION}:000000000000:{api_id}/*")]
    ddb = server.client("dynamodb")
    ddb.put_item(TableName="ws-connections", Item={"pk": {"S": "c1"}, "user": {"S": "ada"}})
    assert websocket_answer(server, api_id, "prod", '{"hello": 1}') == 'v1:{"hello": 1}'

    # Update: a GSI on the table (old items backfilled) and new function code (the next message runs it).
    updated = WEBSOCKET_APP.replace("VERSION", "v2").replace(
        "        - {AttributeName: pk, AttributeType: S}\n",
        "        - {AttributeName: pk, AttributeType: S}\n        - {AttributeName: user, AttributeType: S}\n",
    ).replace(
        "        - {AttributeName: pk, KeyType: HASH}\n  Handler:",
        "        - {AttributeName: pk, KeyType: HASH}\n"
        "      GlobalSecondaryIndexes:\n"
        "        - IndexName: byUser\n"
        "          KeySchema: [{AttributeName: user, KeyType: HASH}]\n"
        "          Projection: {ProjectionType: ALL}\n"
        "  Handler:")
    assert "byUser" in updated and "v2:" in updated
    template.write_text(updated)
    code, out, err = cli(server, "cloudformation", "deploy", "--template-file", template, "--stack-name", "ws-app", *capabilities)
    assert code == 0, (err, cfn.describe_stack_events(StackName="ws-app")["StackEvents"][:5])
    assert stack_of(cfn, "ws-app")["StackStatus"] == "UPDATE_COMPLETE"
    found = ddb.query(TableName="ws-connections", IndexName="byUser", KeyConditionExpression="#u = :u",
                      ExpressionAttributeNames={"#u": "user"}, ExpressionAttributeValues={":u": {"S": "ada"}})["Items"]
    assert found == [{"pk": {"S": "c1"}, "user": {"S": "ada"}}]
    assert websocket_answer(server, api_id, "prod", '{"hello": 2}') == 'v2:{"hello": 2}'

    # Delete: the API, the table and the function are gone.
    code, out, err = cli(server, "cloudformation", "delete-stack", "--stack-name", "ws-app")
    assert code == 0, err
    with pytest.raises(ClientError) as excinfo:
        v2.get_api(ApiId=api_id)
    assert cfn_error(excinfo) == (404, "NotFoundException", f"Invalid API identifier specified 000000000000:{api_id}")
    assert api_id not in [api["ApiId"] for api in v2.get_apis()["Items"]]
    with pytest.raises(ClientError) as excinfo:
        ddb.describe_table(TableName="ws-connections")
    assert cfn_error(excinfo) == (400, "ResourceNotFoundException", "Requested resource not found: Table: ws-connections not found")
    with pytest.raises(ClientError) as excinfo:
        lam.get_function(FunctionName="ws-deployed-handler")
    assert cfn_error(excinfo) == (
        404, "ResourceNotFoundException", f"Function not found: arn:aws:lambda:{REGION}:000000000000:function:ws-deployed-handler")


def test_websocket_api_refusal_rolls_back_with_api_gateways_message(server):
    cfn = server.client("cloudformation")
    template = textwrap.dedent("""\
        Resources:
          Socket:
            Type: AWS::ApiGatewayV2::Api
            Properties:
              Name: refused-sockets
              ProtocolType: WEBSOCKET
              RouteSelectionExpression: $request.body.action
          Broken:
            Type: AWS::ApiGatewayV2::Route
            Properties:
              ApiId: !Ref Socket
              RouteKey: $default
              Target: integrations/nope123
        Outputs:
          ApiId:
            Value: !Ref Socket
        """)
    cfn.create_stack(StackName="refused-ws", TemplateBody=template)
    assert stack_of(cfn, "refused-ws")["StackStatus"] == "ROLLBACK_COMPLETE"
    events = cfn.describe_stack_events(StackName="refused-ws")["StackEvents"]
    failed = next(e for e in events if e["ResourceStatus"] == "CREATE_FAILED")
    assert (failed["LogicalResourceId"], failed["ResourceStatusReason"]) == ("Broken", "Invalid Integration identifier specified nope123")
    api_id = next(e for e in events if e["LogicalResourceId"] == "Socket")["PhysicalResourceId"]
    assert [e["ResourceStatus"] for e in events if e["LogicalResourceId"] == "Socket"] == [
        "DELETE_COMPLETE", "DELETE_IN_PROGRESS", "CREATE_COMPLETE", "CREATE_IN_PROGRESS"]
    v2 = server.client("apigatewayv2")
    assert api_id not in [api["ApiId"] for api in v2.get_apis()["Items"]]
    cfn.delete_stack(StackName="refused-ws")


HTTP_API_APP = textwrap.dedent("""\
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Greeter:
        Type: AWS::Serverless::Function
        Properties:
          FunctionName: http-api-greeter
          Runtime: python3.12
          Handler: index.handler
          InlineCode: |
            import json
            def handler(event, context):
                return {"statusCode": 200, "body": json.dumps({"route": event["routeKey"]})}
      GreeterPermission:
        Type: AWS::Lambda::Permission
        Properties:
          Action: lambda:InvokeFunction
          FunctionName: !Ref Greeter
          Principal: apigateway.amazonaws.com
          SourceArn: !Sub arn:aws:execute-api:${AWS::Region}:${AWS::AccountId}:${Http}/*
      Http:
        Type: AWS::Serverless::HttpApi
        Properties:
          DefinitionBody:
            openapi: 3.0.1
            info: {title: deployed-http, version: '1'}
            paths:
              PATHS
    Outputs:
      ApiId:
        Value: !Ref Http
    """)

GREETER_ROUTE = """/ROUTE:
                get:
                  x-amazon-apigateway-integration:
                    type: aws_proxy
                    httpMethod: POST
                    payloadFormatVersion: '2.0'
                    uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Greeter.Arn}/invocations"""


def test_cloudformation_deploy_of_a_sam_http_api_with_a_definition_body(server, tmp_path):

    template = tmp_path / "http-app.yaml"
    template.write_text(HTTP_API_APP.replace("PATHS", GREETER_ROUTE.replace("ROUTE", "hello")))
    capabilities = ["--capabilities", "CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"]
    code, out, err = cli(server, "cloudformation", "deploy", "--template-file", template, "--stack-name", "http-app", *capabilities)
    cfn = server.client("cloudformation")
    assert code == 0, (err, cfn.describe_stack_events(StackName="http-app")["StackEvents"][:5])
    api_id = outputs_of(cfn, "http-app")["ApiId"]["OutputValue"]

    def get(path):
        return requests.get(f"{server.endpoint}/_aws/execute-api/{api_id}/{path}", timeout=30)

    # The OpenAPI body was imported: the route is served on the auto-deployed $default stage and listed.
    answer = get("hello")
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"route": "GET /hello"}
    v2 = server.client("apigatewayv2")
    assert v2.get_api(ApiId=api_id)["Name"] == "deployed-http"
    assert [r["RouteKey"] for r in v2.get_routes(ApiId=api_id)["Items"]] == ["GET /hello"]
    assert [(s["StageName"], s["AutoDeploy"]) for s in v2.get_stages(ApiId=api_id)["Items"]] == [("$default", True)]
    integration = v2.get_integrations(ApiId=api_id)["Items"][0]
    assert (integration["IntegrationType"], integration["PayloadFormatVersion"]) == ("AWS_PROXY", "2.0")

    # An update with a changed body reimports it: the new route is served, the old one is gone.
    two_routes = GREETER_ROUTE.replace("ROUTE", "hello") + "\n          " + GREETER_ROUTE.replace("ROUTE", "bye")
    template.write_text(HTTP_API_APP.replace("PATHS", two_routes))
    code, out, err = cli(server, "cloudformation", "deploy", "--template-file", template, "--stack-name", "http-app", *capabilities)
    assert code == 0, (err, cfn.describe_stack_events(StackName="http-app")["StackEvents"][:5])
    assert sorted(r["RouteKey"] for r in v2.get_routes(ApiId=api_id)["Items"]) == ["GET /bye", "GET /hello"]
    assert get("bye").json() == {"route": "GET /bye"}

    code, out, err = cli(server, "cloudformation", "delete-stack", "--stack-name", "http-app")
    assert code == 0, err
    assert api_id not in [api["ApiId"] for api in v2.get_apis()["Items"]]
    # No longer served (an id no API has is not an execute-api URL any more).
    assert get("hello").status_code != 200


def test_http_api_body_from_s3_is_imported_and_a_missing_object_rolls_back(server):

    s3 = server.client("s3")
    s3.put_object(Bucket="cfn-deploy-startup", Key="definitions/health.yaml", Body=textwrap.dedent(f"""\
        openapi: 3.0.1
        info: {{title: from-s3, version: '1'}}
        paths:
          /status:
            get:
              x-amazon-apigateway-integration: {{type: http_proxy, httpMethod: GET, uri: '{server.endpoint}/_local/health'}}
        """).encode())
    template = textwrap.dedent("""\
        Resources:
          Api:
            Type: AWS::ApiGatewayV2::Api
            Properties:
              Name: health-from-s3
              BodyS3Location: {Bucket: cfn-deploy-startup, Key: KEY}
          Stage:
            Type: AWS::ApiGatewayV2::Stage
            Properties:
              ApiId: !Ref Api
              StageName: live
              AutoDeploy: true
        Outputs:
          ApiId:
            Value: !Ref Api
        """)
    cfn = server.client("cloudformation")
    cfn.create_stack(StackName="http-s3", TemplateBody=template.replace("KEY", "definitions/health.yaml"))
    assert stack_of(cfn, "http-s3")["StackStatus"] == "CREATE_COMPLETE"
    api_id = outputs_of(cfn, "http-s3")["ApiId"]["OutputValue"]
    v2 = server.client("apigatewayv2")
    # The template's Name wins over the definition's title.
    assert v2.get_api(ApiId=api_id)["Name"] == "health-from-s3"
    assert [r["RouteKey"] for r in v2.get_routes(ApiId=api_id)["Items"]] == ["GET /status"]
    answer = requests.get(f"{server.endpoint}/_aws/execute-api/{api_id}/live/status", timeout=30)
    assert answer.status_code == 200 and answer.json()["status"] == "running"
    cfn.delete_stack(StackName="http-s3")

    cfn.create_stack(StackName="http-s3-missing", TemplateBody=template.replace("KEY", "definitions/none.yaml"))
    assert stack_of(cfn, "http-s3-missing")["StackStatus"] == "ROLLBACK_COMPLETE"
    failed = next(e for e in cfn.describe_stack_events(StackName="http-s3-missing")["StackEvents"]
                  if e["ResourceStatus"] == "CREATE_FAILED")
    assert failed["LogicalResourceId"] == "Api"
    assert "s3://cfn-deploy-startup/definitions/none.yaml" in failed["ResourceStatusReason"]
    cfn.delete_stack(StackName="http-s3-missing")


STREAM_APP = textwrap.dedent("""\
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Orders:
        Type: AWS::DynamoDB::Table
        Properties:
          TableName: streamed-orders
          BillingMode: PAY_PER_REQUEST
          AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
          KeySchema: [{AttributeName: pk, KeyType: HASH}]
          StreamSpecification: {StreamViewType: NEW_IMAGE}
      Consumer:
        Type: AWS::Serverless::Function
        Properties:
          FunctionName: stream-consumer
          Runtime: python3.12
          Handler: index.handler
          InlineCode: "def handler(event, context):\\n    return None\\n"
          Events:
            Changes:
              Type: DynamoDB
              Properties:
                Stream: !GetAtt Orders.StreamArn
                StartingPosition: TRIM_HORIZON
                BatchSize: BATCH
    """)


def test_event_source_mapping_deploys_updates_and_deletes(server):
    cfn = server.client("cloudformation")
    lam = server.client("lambda")
    capabilities = ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"]
    cfn.create_stack(StackName="streams", TemplateBody=STREAM_APP.replace("BATCH", "10"), Capabilities=capabilities)
    assert stack_of(cfn, "streams")["StackStatus"] == "CREATE_COMPLETE", cfn.describe_stack_events(StackName="streams")["StackEvents"][:5]
    uuid = cfn.describe_stack_resource(StackName="streams", LogicalResourceId="ConsumerChanges")[
        "StackResourceDetail"]["PhysicalResourceId"]
    mapping = lam.get_event_source_mapping(UUID=uuid)
    stream_arn = server.client("dynamodb").describe_table(TableName="streamed-orders")["Table"]["LatestStreamArn"]
    assert (mapping["EventSourceArn"], mapping["BatchSize"], mapping["StartingPosition"]) == (stream_arn, 10, "TRIM_HORIZON")
    assert mapping["FunctionArn"] == f"arn:aws:lambda:{REGION}:000000000000:function:stream-consumer"
    assert [m["UUID"] for m in lam.list_event_source_mappings(FunctionName="stream-consumer")["EventSourceMappings"]] == [uuid]

    cfn.update_stack(StackName="streams", TemplateBody=STREAM_APP.replace("BATCH", "25"), Capabilities=capabilities)
    assert stack_of(cfn, "streams")["StackStatus"] == "UPDATE_COMPLETE"
    assert lam.get_event_source_mapping(UUID=uuid)["BatchSize"] == 25

    cfn.delete_stack(StackName="streams")
    with pytest.raises(ClientError) as excinfo:
        lam.get_event_source_mapping(UUID=uuid)
    assert cfn_error(excinfo) == (404, "ResourceNotFoundException", "The resource you requested does not exist.")


def test_deletion_policy_retain_keeps_the_resource(server):
    cfn = server.client("cloudformation")
    template = textwrap.dedent("""\
        Resources:
          Kept:
            Type: AWS::DynamoDB::Table
            DeletionPolicy: Retain
            Properties:
              TableName: retained-table
              BillingMode: PAY_PER_REQUEST
              AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
              KeySchema: [{AttributeName: pk, KeyType: HASH}]
        """)
    stack_id = cfn.create_stack(StackName="retainer", TemplateBody=template)["StackId"]
    cfn.delete_stack(StackName="retainer")
    events = cfn.describe_stack_events(StackName=stack_id)["StackEvents"]
    assert [e["ResourceStatus"] for e in events if e["LogicalResourceId"] == "Kept"][0] == "DELETE_SKIPPED"
    assert server.client("dynamodb").describe_table(TableName="retained-table")["Table"]["TableStatus"] == "ACTIVE"


REST_APP = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: rest-deployed-hello
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        import json
        def handler(event, context):
            return {"statusCode": 200, "body": json.dumps({"resource": event["resource"], "path": event["path"],
                                                          "stage": event["requestContext"]["stage"]})}
      Events:
        Hello:
          Type: Api
          Properties:
            Path: /hello
            Method: get
Outputs:
  ApiId:
    Value: !Ref ServerlessRestApi
"""

REST_EVENT = """\
        Item:
          Type: Api
          Properties:
            Path: /items/{id}
            Method: post
Outputs:"""


def test_cloudformation_deploy_of_a_sam_rest_api(server, tmp_path):
    """`aws cloudformation deploy` of a function with an implicit REST API (SAM `Api` event): the API is the same
    object as an API-created one (get-rest-apis, get-resources, get-stages, get-deployments) and is served at its local
    URL; an update adds a path; delete-stack removes it."""
    template = tmp_path / "rest-app.yaml"
    template.write_text(REST_APP)
    capabilities = ["--capabilities", "CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"]
    code, out, err = cli(server, "cloudformation", "deploy", "--template-file", template, "--stack-name", "rest-app", *capabilities)
    cfn = server.client("cloudformation")
    assert code == 0, (err, cfn.describe_stack_events(StackName="rest-app")["StackEvents"][:5])
    api_id = outputs_of(cfn, "rest-app")["ApiId"]["OutputValue"]
    assert len(api_id) == 10 and api_id.isalnum() and api_id == api_id.lower()

    apigw = server.client("apigateway")
    assert api_id in [api["id"] for api in apigw.get_rest_apis()["items"]]
    api = apigw.get_rest_api(restApiId=api_id)
    assert api["name"] == "rest-app"
    resources = {r["path"]: r for r in apigw.get_resources(restApiId=api_id, embed=["methods"])["items"]}
    assert sorted(resources) == ["/", "/hello"]
    assert resources["/"]["id"] == api["rootResourceId"]
    method = apigw.get_method(restApiId=api_id, resourceId=resources["/hello"]["id"], httpMethod="GET")
    assert method["authorizationType"] == "NONE"
    assert method["methodIntegration"]["type"] == "AWS_PROXY"
    assert method["methodIntegration"]["uri"].endswith(":function:rest-deployed-hello/invocations")
    stages = {s["stageName"]: s for s in apigw.get_stages(restApiId=api_id)["item"]}
    assert sorted(stages) == ["Prod", "Stage"]
    deployment_id = cfn.describe_stack_resources(StackName="rest-app")["StackResources"]
    deployment_id = next(r["PhysicalResourceId"] for r in deployment_id if r["ResourceType"] == "AWS::ApiGateway::Deployment")
    assert stages["Prod"]["deploymentId"] == deployment_id
    assert [d["id"] for d in apigw.get_deployments(restApiId=api_id)["items"]] == [deployment_id]

    url = f"{server.endpoint}/_aws/execute-api/{api_id}"
    answer = requests.get(f"{url}/Prod/hello", timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"resource": "/hello", "path": "/hello", "stage": "Prod"}
    assert requests.post(f"{url}/Prod/items/7", timeout=30).status_code == 403

    # Update: a second event adds a path (SAM's new deployment is what the Prod stage serves).
    template.write_text(REST_APP.replace("Outputs:", REST_EVENT))
    code, out, err = cli(server, "cloudformation", "deploy", "--template-file", template, "--stack-name", "rest-app", *capabilities)
    assert code == 0, (err, cfn.describe_stack_events(StackName="rest-app")["StackEvents"][:5])
    assert stack_of(cfn, "rest-app")["StackStatus"] == "UPDATE_COMPLETE"
    answer = requests.post(f"{url}/Prod/items/7", timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"resource": "/items/{id}", "path": "/items/7", "stage": "Prod"}
    assert requests.get(f"{url}/Prod/hello", timeout=30).status_code == 200
    assert sorted(r["path"] for r in apigw.get_resources(restApiId=api_id)["items"]) == ["/", "/hello", "/items", "/items/{id}"]
    assert len(apigw.get_deployments(restApiId=api_id)["items"]) == 1

    # Delete: the API is gone from the control plane and no longer served.
    stack_id = stack_of(cfn, "rest-app")["StackId"]
    code, out, err = cli(server, "cloudformation", "delete-stack", "--stack-name", "rest-app")
    assert code == 0, err
    assert cfn.describe_stacks(StackName=stack_id)["Stacks"][0]["StackStatus"] == "DELETE_COMPLETE"
    with pytest.raises(ClientError) as excinfo:
        apigw.get_rest_api(restApiId=api_id)
    assert cfn_error(excinfo) == (404, "NotFoundException", f"Invalid API identifier specified 000000000000:{api_id}")
    assert api_id not in [api["id"] for api in apigw.get_rest_apis()["items"]]
    gone = requests.get(f"{url}/Prod/hello", timeout=30)
    assert (gone.status_code, gone.json(), gone.headers["x-amzn-ErrorType"]) == (403, {"message": "Forbidden"}, "ForbiddenException")


def test_stacks_survive_restart(server):
    cfn = server.client("cloudformation")
    before = stack_of(cfn, "app")
    server.stop()
    restarted = EmulatorProcess(server.log_path.parent, template=server.project / "template.yaml",
                                data_dir=server.data_dir, cwd=server.project)
    try:
        cfn = restarted.client("cloudformation")
        after = stack_of(cfn, "app")
        assert (after["StackId"], after["StackStatus"]) == (before["StackId"], before["StackStatus"])
        assert outputs_of(cfn, "app")["TableName"]["OutputValue"] == "notes-one"
        table = restarted.client("dynamodb").describe_table(TableName="notes-one")["Table"]
        assert [index["IndexName"] for index in table["GlobalSecondaryIndexes"]] == ["byOwner"]
        cfn.delete_stack(StackName="app")
        assert cfn.describe_stacks(StackName=before["StackId"])["Stacks"][0]["StackStatus"] == "DELETE_COMPLETE"
        with pytest.raises(ClientError) as excinfo:
            cfn.describe_stacks(StackName="app")
        assert cfn_error(excinfo) == (400, "ValidationError", "Stack with id app does not exist")
        with pytest.raises(ClientError) as excinfo:
            restarted.client("dynamodb").describe_table(TableName="notes-one")
        assert cfn_error(excinfo)[1] == "ResourceNotFoundException"
        assert json.loads(json.dumps(cfn.list_exports()["Exports"])) == []
    finally:
        restarted.stop()
