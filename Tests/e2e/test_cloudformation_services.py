"""CloudFormation resources that are the services' own objects: a stack's AWS::Logs::LogGroup is a CloudWatch Logs
group (DescribeLogGroups, retention, ListTagsForResource), its AWS::Cognito::IdentityPool and
IdentityPoolRoleAttachment are a Cognito Identity pool with its roles, role mappings, tags and OpenID Connect providers
(DescribeIdentityPool, GetIdentityPoolRoles).
`aws cloudformation deploy` creates, updates (in place, or a replacement for a new LogGroupName) and deletes them;
DeleteStack of the SynapScribe start-up stack (template.yaml) ends DELETE_COMPLETE (its CloudWatch alarm, which is not
emulated, included) and a restart on the same data folder brings the stack and its resources back."""

import os
import subprocess
import sys
import textwrap

import pytest
from botocore.exceptions import ClientError

from conftest import ACCESS_KEY, ACCOUNT_ID, REGION, REPO_ROOT, SECRET_KEY, TEMPLATE, EmulatorProcess

STACK_TEMPLATE = textwrap.dedent("""\
    AWSTemplateFormatVersion: '2010-09-09'
    Resources:
      Group:
        Type: AWS::Logs::LogGroup
        Properties:
          LogGroupName: cfmisc-group
          RetentionInDays: RETENTION
          Tags:
            - {Key: team, Value: TEAM}
      Renamed:
        Type: AWS::Logs::LogGroup
        Properties:
          LogGroupName: cfmisc-NAME
      Generated:
        Type: AWS::Logs::LogGroup
      GuestRole:
        Type: AWS::IAM::Role
        Properties:
          AssumeRolePolicyDocument:
            Version: '2012-10-17'
            Statement:
              - Effect: Allow
                Principal: {Federated: cognito-identity.amazonaws.com}
                Action: sts:AssumeRoleWithWebIdentity
      Pool:
        Type: AWS::Cognito::IdentityPool
        Properties:
          IdentityPoolName: cfmisc_pool
          AllowUnauthenticatedIdentities: GUESTS
          OpenIdConnectProviderARNs: [!Sub "arn:aws:iam::${AWS::AccountId}:oidc-provider/login.example.com"]
          IdentityPoolTags:
            - {Key: team, Value: TEAM}
      Attachment:
        Type: AWS::Cognito::IdentityPoolRoleAttachment
        Properties:
          IdentityPoolId: !Ref Pool
          Roles:
            unauthenticated: !GetAtt GuestRole.Arn
          RoleMappings:
            lectures:
              IdentityProvider: cognito-idp.us-east-1.amazonaws.com/us-east-1_example:client
              Type: Rules
              AmbiguousRoleResolution: Deny
              RulesConfiguration:
                Rules:
                  - {Claim: team, MatchType: Equals, Value: TEAM, RoleARN: !GetAtt GuestRole.Arn}
    Outputs:
      PoolId:
        Value: !Ref Pool
      GeneratedName:
        Value: !Ref Generated
      GeneratedArn:
        Value: !GetAtt Generated.Arn
    """)


def stack_template(retention, team, name, guests):
    return (STACK_TEMPLATE.replace("RETENTION", str(retention)).replace("TEAM", team).replace("NAME", name)
            .replace("GUESTS", guests))


def role_mappings(team, role_arn):
    """The attachment's RoleMappings as GetIdentityPoolRoles answers them: keyed by the identity provider."""
    return {"cognito-idp.us-east-1.amazonaws.com/us-east-1_example:client": {
        "Type": "Rules", "AmbiguousRoleResolution": "Deny",
        "RulesConfiguration": {"Rules": [{"Claim": "team", "MatchType": "Equals", "Value": team, "RoleARN": role_arn}]}}}


def error_of(excinfo):
    error = excinfo.value.response["Error"]
    return excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"], error["Code"], error["Message"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("cfmisc-data")
    process = EmulatorProcess(tmp_path_factory.mktemp("cfmisc-logs"), data_dir=data)
    process.data_dir = data
    process.home = tmp_path_factory.mktemp("cfmisc-cli")
    yield process
    process.stop()


def cli(server, *args):
    """The AWS CLI against `server`; returns (exit code, stdout, stderr)."""
    home = server.home
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env.update({"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY, "AWS_DEFAULT_REGION": REGION,
                "AWS_DEFAULT_OUTPUT": "json", "AWS_CONFIG_FILE": str(home / "config"),
                "AWS_SHARED_CREDENTIALS_FILE": str(home / "credentials"), "AWS_MAX_ATTEMPTS": "1", "AWS_PAGER": ""})
    result = subprocess.run([sys.executable, "-m", "awscli", "--endpoint-url", server.endpoint, *map(str, args)],
                            capture_output=True, text=True, env=env, timeout=180, cwd=REPO_ROOT)
    return result.returncode, result.stdout, result.stderr


def deploy(server, body):
    path = server.home / "stack.yaml"
    path.write_text(body)
    code, out, err = cli(server, "cloudformation", "deploy", "--stack-name", "cfmisc", "--template-file", path,
                         "--capabilities", "CAPABILITY_IAM")
    assert code == 0, out + err


def outputs(cfn, name):
    return {o["OutputKey"]: o["OutputValue"] for o in cfn.describe_stacks(StackName=name)["Stacks"][0].get("Outputs", [])}


def group_names(logs, prefix):
    return [g["logGroupName"] for g in logs.describe_log_groups(logGroupNamePrefix=prefix)["logGroups"]]


def test_log_group_and_identity_pool_deploy_update_and_delete(server):
    cfn, logs, cognito = server.client("cloudformation"), server.client("logs"), server.client("cognito-identity")
    deploy(server, stack_template(7, "notes", "old", "true"))
    group = logs.describe_log_groups(logGroupNamePrefix="cfmisc-group")["logGroups"]
    assert [(g["logGroupName"], g["retentionInDays"]) for g in group] == [("cfmisc-group", 7)]
    arn = f"arn:aws:logs:{REGION}:{ACCOUNT_ID}:log-group:cfmisc-group"
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"team": "notes"}
    assert logs.list_tags_log_group(logGroupName="cfmisc-group")["tags"] == {"team": "notes"}
    assert group_names(logs, "cfmisc-old") == ["cfmisc-old"]
    out = outputs(cfn, "cfmisc")
    generated = out["GeneratedName"]
    assert generated.startswith("cfmisc-Generated-")
    assert group_names(logs, generated) == [generated]
    assert out["GeneratedArn"] == f"arn:aws:logs:{REGION}:{ACCOUNT_ID}:log-group:{generated}:*"
    pool_id = out["PoolId"]
    pool = cognito.describe_identity_pool(IdentityPoolId=pool_id)
    assert (pool["IdentityPoolName"], pool["AllowUnauthenticatedIdentities"]) == ("cfmisc_pool", True)
    assert pool_id in [p["IdentityPoolId"] for p in cognito.list_identity_pools(MaxResults=60)["IdentityPools"]]
    role_arn = cfn.describe_stack_resource(StackName="cfmisc", LogicalResourceId="GuestRole")["StackResourceDetail"]
    role_arn = server.client("iam").get_role(RoleName=role_arn["PhysicalResourceId"])["Role"]["Arn"]
    assert cognito.get_identity_pool_roles(IdentityPoolId=pool_id)["Roles"] == {"unauthenticated": role_arn}
    assert (pool["IdentityPoolTags"], pool["OpenIdConnectProviderARNs"]) == (
        {"team": "notes"}, [f"arn:aws:iam::{ACCOUNT_ID}:oidc-provider/login.example.com"])
    assert cognito.get_identity_pool_roles(IdentityPoolId=pool_id)["RoleMappings"] == role_mappings("notes", role_arn)
    identity = cognito.get_id(IdentityPoolId=pool_id)["IdentityId"]
    logs.create_log_stream(logGroupName="cfmisc-group", logStreamName="kept")

    # In place: retention, tags, AllowUnauthenticatedIdentities; a new LogGroupName replaces the group.
    deploy(server, stack_template(30, "lectures", "new", "false"))
    group = logs.describe_log_groups(logGroupNamePrefix="cfmisc-group")["logGroups"]
    assert [(g["logGroupName"], g["retentionInDays"]) for g in group] == [("cfmisc-group", 30)]
    assert [s["logStreamName"] for s in logs.describe_log_streams(logGroupName="cfmisc-group")["logStreams"]] == ["kept"]
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"team": "lectures"}
    assert (group_names(logs, "cfmisc-old"), group_names(logs, "cfmisc-new")) == ([], ["cfmisc-new"])
    assert outputs(cfn, "cfmisc")["PoolId"] == pool_id
    assert cognito.describe_identity_pool(IdentityPoolId=pool_id)["AllowUnauthenticatedIdentities"] is False
    assert cognito.describe_identity_pool(IdentityPoolId=pool_id)["IdentityPoolTags"] == {"team": "lectures"}
    assert cognito.get_identity_pool_roles(IdentityPoolId=pool_id)["Roles"] == {"unauthenticated": role_arn}
    assert cognito.get_identity_pool_roles(IdentityPoolId=pool_id)["RoleMappings"] == role_mappings("lectures", role_arn)
    assert [i["IdentityId"] for i in cognito.list_identities(IdentityPoolId=pool_id, MaxResults=60)["Identities"]] == [identity]
    with pytest.raises(ClientError) as excinfo:
        cognito.get_id(IdentityPoolId=pool_id)
    assert error_of(excinfo) == (400, "NotAuthorizedException", "Unauthenticated access is not supported for this identity pool.")

    code, out, err = cli(server, "cloudformation", "delete-stack", "--stack-name", "cfmisc")
    assert code == 0, out + err
    assert group_names(logs, "cfmisc-") == []
    assert group_names(logs, generated) == []
    with pytest.raises(ClientError) as excinfo:
        cognito.describe_identity_pool(IdentityPoolId=pool_id)
    assert error_of(excinfo) == (400, "ResourceNotFoundException", f"IdentityPool '{pool_id}' not found.")


def test_log_group_name_taken_fails_the_create_and_rolls_back(server):
    cfn, logs = server.client("cloudformation"), server.client("logs")
    logs.create_log_group(logGroupName="cfmisc-taken")
    template = textwrap.dedent("""\
        Resources:
          Pool:
            Type: AWS::Cognito::IdentityPool
            Properties: {IdentityPoolName: cfmisc_rollback, AllowUnauthenticatedIdentities: false}
          Taken:
            Type: AWS::Logs::LogGroup
            DependsOn: Pool
            Properties: {LogGroupName: cfmisc-taken}
        """)
    cfn.create_stack(StackName="cfmisc-taken", TemplateBody=template)
    assert cfn.describe_stacks(StackName="cfmisc-taken")["Stacks"][0]["StackStatus"] == "ROLLBACK_COMPLETE"
    events = cfn.describe_stack_events(StackName="cfmisc-taken")["StackEvents"]
    failed = next(e for e in events if e["ResourceStatus"] == "CREATE_FAILED")
    assert (failed["LogicalResourceId"], failed["ResourceStatusReason"]) == (
        "Taken", "Resource of type 'AWS::Logs::LogGroup' with identifier 'cfmisc-taken' already exists.")
    pools = server.client("cognito-identity").list_identity_pools(MaxResults=60)["IdentityPools"]
    assert "cfmisc_rollback" not in [p["IdentityPoolName"] for p in pools]
    assert group_names(logs, "cfmisc-taken") == ["cfmisc-taken"]
    cfn.delete_stack(StackName="cfmisc-taken")


def startup_stack(cfn):
    stacks = [s for s in cfn.describe_stacks()["Stacks"] if "IdentityPoolId" in {o["OutputKey"] for o in s.get("Outputs", [])}]
    assert len(stacks) == 1
    return stacks[0]


def test_startup_stack_deletes_completely_and_a_restart_brings_it_back(server):
    cfn, logs, cognito = server.client("cloudformation"), server.client("logs"), server.client("cognito-identity")
    stack = startup_stack(cfn)
    resources = cfn.describe_stack_resources(StackName=stack["StackName"])["StackResources"]
    groups = sorted(r["PhysicalResourceId"] for r in resources if r["ResourceType"] == "AWS::Logs::LogGroup")
    assert len(groups) == 2
    assert [(g["logGroupName"], g["retentionInDays"]) for g in logs.describe_log_groups(logGroupIdentifiers=groups)["logGroups"]] == [
        (name, 14) for name in groups]
    pool_id = next(o["OutputValue"] for o in stack["Outputs"] if o["OutputKey"] == "IdentityPoolId")
    assert cognito.describe_identity_pool(IdentityPoolId=pool_id)["IdentityPoolName"] == "SynapScribe_IdentityPool"
    assert "unauthenticated" in cognito.get_identity_pool_roles(IdentityPoolId=pool_id)["Roles"]
    functions = sorted(r["PhysicalResourceId"] for r in resources if r["ResourceType"] == "AWS::Lambda::Function")
    tables = sorted(r["PhysicalResourceId"] for r in resources if r["ResourceType"] == "AWS::DynamoDB::Table")
    assert functions and tables

    cfn.delete_stack(StackName=stack["StackName"])
    deleted = cfn.describe_stacks(StackName=stack["StackId"])["Stacks"][0]
    events = cfn.describe_stack_events(StackName=stack["StackId"])["StackEvents"]
    assert deleted["StackStatus"] == "DELETE_COMPLETE", [e.get("ResourceStatusReason") for e in events if e["ResourceStatus"] == "DELETE_FAILED"]
    last = {}
    for event in reversed(events):
        last[event["LogicalResourceId"]] = event["ResourceStatus"]
    assert last["WebSocketHandlerErrorsAlarm"] == "DELETE_COMPLETE"
    assert {last[r["LogicalResourceId"]] for r in resources} == {"DELETE_COMPLETE"}
    assert logs.describe_log_groups(logGroupIdentifiers=groups)["logGroups"] == []
    with pytest.raises(ClientError) as excinfo:
        cognito.describe_identity_pool(IdentityPoolId=pool_id)
    assert error_of(excinfo)[1] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as excinfo:
        server.client("lambda").get_function(FunctionName=functions[0])
    assert error_of(excinfo)[1] == "ResourceNotFoundException"
    assert not set(tables) & set(server.client("dynamodb").list_tables()["TableNames"])

    server.stop()
    restarted = EmulatorProcess(server.log_path.parent, template=TEMPLATE, data_dir=server.data_dir)
    try:
        cfn, logs, cognito = restarted.client("cloudformation"), restarted.client("logs"), restarted.client("cognito-identity")
        assert startup_stack(cfn)["StackStatus"] == "CREATE_COMPLETE"
        assert [g["logGroupName"] for g in logs.describe_log_groups(logGroupIdentifiers=groups)["logGroups"]] == groups
        assert cognito.describe_identity_pool(IdentityPoolId=pool_id)["IdentityPoolName"] == "SynapScribe_IdentityPool"
        assert "unauthenticated" in cognito.get_identity_pool_roles(IdentityPoolId=pool_id)["Roles"]
        assert [restarted.client("lambda").get_function(FunctionName=f)["Configuration"]["FunctionName"] for f in functions] == functions
        assert set(tables) <= set(restarted.client("dynamodb").list_tables()["TableNames"])
    finally:
        restarted.stop()
