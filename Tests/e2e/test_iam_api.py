"""The IAM API (query protocol), driven with unmodified boto3 and the AWS CLI: roles, inline and managed policies
with versions, users and access keys that IAM enforces, SimulatePrincipalPolicy, template roles, and the round trip
CreateRole + PutRolePolicy + Cognito SetIdentityPoolRoles -> credentials limited by that policy.

The module runs its own emulator (the project template, its own data folder): it changes template roles, which
would disturb other modules sharing the session emulator."""

import json
import os
import subprocess
import sys
import uuid

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT_ID, REGION, REPO_ROOT, EmulatorProcess

SESSIONS_TABLE = "SynapScribe-Sessions"
AUDIO_BUCKET = f"synapscribe-audio-{ACCOUNT_ID}"
NO_KEY = {"sessionId": {"S": "none"}, "lectureId": {"S": "none"}}

LAMBDA_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
ACCOUNT_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT_ID}:root"}, "Action": "sts:AssumeRole"}],
}


def allow(actions, resource="*"):
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": resource}]}


def error_of(excinfo):
    """(code, message, HTTP status) of a botocore ClientError."""
    response = excinfo.value.response
    return (response["Error"].get("Code"), response["Error"].get("Message", ""),
            response["ResponseMetadata"]["HTTPStatusCode"])


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    base = tmp_path_factory.mktemp("iam-api")
    process = EmulatorProcess(base, data_dir=base / "data")
    yield process
    process.stop()


@pytest.fixture(scope="module")
def iam(server):
    return server.client("iam")


@pytest.fixture(scope="module")
def cli(server, tmp_path_factory):
    """`aws --endpoint-url SERVER ARGS...` with the test key pair; returns (exit code, stdout, stderr)."""
    home = tmp_path_factory.mktemp("iam-cli-home")
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env.update({
        "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": REGION,
        "AWS_DEFAULT_OUTPUT": "json", "AWS_CONFIG_FILE": str(home / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "credentials"), "AWS_MAX_ATTEMPTS": "1", "AWS_PAGER": "",
    })

    def run(*args):
        result = subprocess.run([sys.executable, "-m", "awscli", "--endpoint-url", server.endpoint, *map(str, args)],
                                capture_output=True, text=True, env=env, timeout=120, cwd=REPO_ROOT)
        return result.returncode, result.stdout, result.stderr

    return run


# =========================================================================== roles


def test_role_lifecycle(iam):
    name = unique("api-role")
    created = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST), Description="first",
                              Tags=[{"Key": "team", "Value": "scribe"}])["Role"]
    assert created["RoleName"] == name
    assert created["Arn"] == f"arn:aws:iam::{ACCOUNT_ID}:role/{name}"
    assert created["RoleId"].startswith("AROA") and len(created["RoleId"]) == 21
    assert created["Path"] == "/"
    assert created["AssumeRolePolicyDocument"] == LAMBDA_TRUST
    assert created["Tags"] == [{"Key": "team", "Value": "scribe"}]

    role = iam.get_role(RoleName=name)["Role"]
    assert role["AssumeRolePolicyDocument"] == LAMBDA_TRUST
    assert role["Description"] == "first"
    assert role["MaxSessionDuration"] == 3600
    assert name in [r["RoleName"] for r in iam.list_roles()["Roles"]]

    iam.update_role(RoleName=name, Description="second", MaxSessionDuration=7200)
    iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(ACCOUNT_TRUST))
    role = iam.get_role(RoleName=name)["Role"]
    assert (role["Description"], role["MaxSessionDuration"]) == ("second", 7200)
    assert role["AssumeRolePolicyDocument"] == ACCOUNT_TRUST

    with pytest.raises(ClientError) as excinfo:
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))
    assert error_of(excinfo) == ("EntityAlreadyExists", f"Role with name {name} already exists.", 409)

    iam.put_role_policy(RoleName=name, PolicyName="Read", PolicyDocument=json.dumps(allow("s3:GetObject")))
    assert iam.list_role_policies(RoleName=name)["PolicyNames"] == ["Read"]
    got = iam.get_role_policy(RoleName=name, PolicyName="Read")
    assert (got["RoleName"], got["PolicyName"], got["PolicyDocument"]) == (name, "Read", allow("s3:GetObject"))
    with pytest.raises(ClientError) as excinfo:
        iam.delete_role(RoleName=name)
    assert error_of(excinfo) == ("DeleteConflict", "Cannot delete entity, must delete policies first.", 409)
    iam.delete_role_policy(RoleName=name, PolicyName="Read")
    with pytest.raises(ClientError) as excinfo:
        iam.get_role_policy(RoleName=name, PolicyName="Read")
    assert error_of(excinfo) == ("NoSuchEntity", "The role policy with name Read cannot be found.", 404)

    iam.delete_role(RoleName=name)
    with pytest.raises(ClientError) as excinfo:
        iam.get_role(RoleName=name)
    assert error_of(excinfo) == ("NoSuchEntity", f"The role with name {name} cannot be found.", 404)


def test_role_input_errors(iam):
    with pytest.raises(ClientError) as excinfo:
        iam.create_role(RoleName="bad/name", AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))
    assert error_of(excinfo) == (
        "ValidationError",
        "1 validation error detected: Value 'bad/name' at 'roleName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\w+=,.@-]+", 400)
    with pytest.raises(ClientError) as excinfo:
        iam.create_role(RoleName=unique("r"), AssumeRolePolicyDocument=json.dumps(allow("s3:GetObject")))
    assert error_of(excinfo) == ("MalformedPolicyDocument", "Missing required field Principal", 400)
    with pytest.raises(ClientError) as excinfo:
        iam.create_role(RoleName=unique("r"), AssumeRolePolicyDocument="{not json")
    assert error_of(excinfo) == ("MalformedPolicyDocument", "Syntax errors in policy.", 400)
    with pytest.raises(ClientError) as excinfo:
        iam.put_role_policy(RoleName="NoSuchRoleHere", PolicyName="p", PolicyDocument=json.dumps(allow("s3:GetObject")))
    assert error_of(excinfo) == ("NoSuchEntity", "The role with name NoSuchRoleHere cannot be found.", 404)
    name = unique("r")
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))
    with pytest.raises(ClientError) as excinfo:
        iam.put_role_policy(RoleName=name, PolicyName="p",
                            PolicyDocument=json.dumps({"Version": "2012-10-17",
                                                       "Statement": [{"Effect": "Allow", "Action": "s3:GetObject"}]}))
    assert error_of(excinfo) == ("MalformedPolicyDocument", "Policy statement must contain resources.", 400)
    iam.delete_role(RoleName=name)


def test_unsupported_operation_is_invalid_action(iam):
    with pytest.raises(ClientError) as excinfo:
        iam.create_instance_profile(InstanceProfileName="admins")
    assert error_of(excinfo) == ("InvalidAction", "Could not find operation CreateInstanceProfile for version 2010-05-08", 400)


def test_template_roles_are_listed_and_changes_apply_to_next_request(server, iam):
    roles = {role["RoleName"]: role for role in iam.list_roles()["Roles"]}
    cfn = server.client("cloudformation")
    resources = {r["LogicalResourceId"]: r["PhysicalResourceId"]
                 for r in cfn.list_stack_resources(StackName="synapscribe-mvp")["StackResourceSummaries"]}
    lambda_role = resources["LambdaExecutionRole"]
    assert lambda_role in roles
    assert sorted(iam.list_role_policies(RoleName=lambda_role)["PolicyNames"]) == [
        "AudioBucketReadWrite", "SessionsTableReadWrite", "WebSocketManageConnections"]
    attached = iam.list_attached_role_policies(RoleName=lambda_role)["AttachedPolicies"]
    assert attached == [{"PolicyName": "AWSLambdaBasicExecutionRole",
                         "PolicyArn": "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"}]

    # A session of the template role: allowed what the template says, then what PutRolePolicy adds.
    iam.update_assume_role_policy(RoleName=lambda_role, PolicyDocument=json.dumps(ACCOUNT_TRUST))
    credentials = server.client("sts").assume_role(RoleArn=roles[lambda_role]["Arn"], RoleSessionName="probe")["Credentials"]
    session_dynamodb = server.client("dynamodb", credentials["AccessKeyId"], credentials["SecretAccessKey"],
                                     credentials["SessionToken"])
    session_dynamodb.get_item(TableName=SESSIONS_TABLE, Key=NO_KEY)
    with pytest.raises(ClientError) as excinfo:
        session_dynamodb.describe_table(TableName=SESSIONS_TABLE)
    assert error_of(excinfo)[0] == "AccessDeniedException"
    iam.put_role_policy(RoleName=lambda_role, PolicyName="Describe", PolicyDocument=json.dumps(allow("dynamodb:DescribeTable")))
    assert session_dynamodb.describe_table(TableName=SESSIONS_TABLE)["Table"]["TableName"] == SESSIONS_TABLE
    iam.delete_role_policy(RoleName=lambda_role, PolicyName="SessionsTableReadWrite")
    with pytest.raises(ClientError) as excinfo:
        session_dynamodb.get_item(TableName=SESSIONS_TABLE, Key=NO_KEY)
    assert error_of(excinfo)[0] == "AccessDeniedException"


# =========================================================================== managed policies


def test_managed_policy_versions_and_attachments(iam):
    name = unique("policy")
    policy = iam.create_policy(PolicyName=name, PolicyDocument=json.dumps(allow("s3:GetObject")), Description="d")["Policy"]
    arn = policy["Arn"]
    assert arn == f"arn:aws:iam::{ACCOUNT_ID}:policy/{name}"
    assert (policy["DefaultVersionId"], policy["AttachmentCount"], policy["IsAttachable"]) == ("v1", 0, True)
    with pytest.raises(ClientError) as excinfo:
        iam.create_policy(PolicyName=name, PolicyDocument=json.dumps(allow("s3:GetObject")))
    assert error_of(excinfo) == ("EntityAlreadyExists",
                                 f"A policy called {name} already exists. Duplicate names are not allowed.", 409)

    for index in range(2, 6):
        version = iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(allow(f"s3:Get{index}")))["PolicyVersion"]
        assert (version["VersionId"], version["IsDefaultVersion"]) == (f"v{index}", False)
    with pytest.raises(ClientError) as excinfo:
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(allow("s3:GetObject")))
    assert error_of(excinfo) == (
        "LimitExceeded",
        "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.",
        409)
    versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    assert [v["VersionId"] for v in versions] == ["v5", "v4", "v3", "v2", "v1"]
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v3")
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v3"
    got = iam.get_policy_version(PolicyArn=arn, VersionId="v3")["PolicyVersion"]
    assert (got["Document"], got["IsDefaultVersion"]) == (allow("s3:Get3"), True)
    with pytest.raises(ClientError) as excinfo:
        iam.delete_policy_version(PolicyArn=arn, VersionId="v3")
    assert error_of(excinfo) == ("DeleteConflict", "Cannot delete the default version of a policy.", 409)
    with pytest.raises(ClientError) as excinfo:
        iam.get_policy_version(PolicyArn=arn, VersionId="v9")
    assert error_of(excinfo) == ("NoSuchEntity", f"Policy {arn} version v9 does not exist or is not attachable.", 404)

    role = unique("attached")
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))
    iam.attach_role_policy(RoleName=role, PolicyArn=arn)
    assert iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"] == [{"PolicyName": name, "PolicyArn": arn}]
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 1
    assert arn in [p["Arn"] for p in iam.list_policies(Scope="Local", OnlyAttached=True)["Policies"]]
    with pytest.raises(ClientError) as excinfo:
        iam.delete_policy(PolicyArn=arn)
    assert error_of(excinfo) == ("DeleteConflict", "Cannot delete a policy attached to entities.", 409)
    with pytest.raises(ClientError) as excinfo:
        iam.delete_role(RoleName=role)
    assert error_of(excinfo) == ("DeleteConflict", "Cannot delete entity, must detach all policies first.", 409)
    missing = f"arn:aws:iam::{ACCOUNT_ID}:policy/NoSuchPolicyHere"
    with pytest.raises(ClientError) as excinfo:
        iam.attach_role_policy(RoleName=role, PolicyArn=missing)
    assert error_of(excinfo) == ("NoSuchEntity", f"Policy {missing} does not exist or is not attachable.", 404)

    iam.detach_role_policy(RoleName=role, PolicyArn=arn)
    iam.delete_role(RoleName=role)
    for version in ("v1", "v2", "v4", "v5"):
        iam.delete_policy_version(PolicyArn=arn, VersionId=version)
    iam.delete_policy(PolicyArn=arn)
    with pytest.raises(ClientError) as excinfo:
        iam.get_policy(PolicyArn=arn)
    assert error_of(excinfo) == ("NoSuchEntity", f"Policy {arn} was not found.", 404)

    aws_managed = iam.get_policy(PolicyArn="arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")["Policy"]
    assert aws_managed["PolicyName"] == "AmazonS3ReadOnlyAccess"


# =========================================================================== users and access keys


def test_user_access_keys_are_enforced(server, iam):
    user = unique("ci")
    created = iam.create_user(UserName=user)["User"]
    assert created["Arn"] == f"arn:aws:iam::{ACCOUNT_ID}:user/{user}"
    assert created["UserId"].startswith("AIDA")
    assert user in [u["UserName"] for u in iam.list_users()["Users"]]
    iam.put_user_policy(UserName=user, PolicyName="ReadSessions",
                        PolicyDocument=json.dumps(allow("dynamodb:GetItem",
                                                        f"arn:aws:dynamodb:{REGION}:{ACCOUNT_ID}:table/{SESSIONS_TABLE}")))
    assert iam.list_user_policies(UserName=user)["PolicyNames"] == ["ReadSessions"]
    key = iam.create_access_key(UserName=user)["AccessKey"]
    assert key["AccessKeyId"].startswith("AKIA") and len(key["AccessKeyId"]) == 20
    assert key["Status"] == "Active"

    dynamodb = server.client("dynamodb", key["AccessKeyId"], key["SecretAccessKey"])
    dynamodb.get_item(TableName=SESSIONS_TABLE, Key=NO_KEY)
    with pytest.raises(ClientError) as excinfo:
        dynamodb.put_item(TableName=SESSIONS_TABLE, Item={"sessionId": {"S": "x"}, "lectureId": {"S": "x"}})
    assert error_of(excinfo) == (
        "AccessDeniedException",
        f"User: arn:aws:iam::{ACCOUNT_ID}:user/{user} is not authorized to perform: dynamodb:PutItem on resource: "
        f"arn:aws:dynamodb:{REGION}:{ACCOUNT_ID}:table/{SESSIONS_TABLE} because no identity-based policy allows the "
        "dynamodb:PutItem action", 400)
    with pytest.raises(ClientError) as excinfo:
        server.client("s3", key["AccessKeyId"], key["SecretAccessKey"]).list_objects_v2(Bucket=AUDIO_BUCKET)
    assert error_of(excinfo)[0] == "AccessDenied"
    # The key's own IAM calls are authorized as well: it may not create roles.
    with pytest.raises(ClientError) as excinfo:
        server.client("iam", key["AccessKeyId"], key["SecretAccessKey"]).create_role(
            RoleName=unique("escalate"), AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))
    assert error_of(excinfo)[0] == "AccessDenied"
    assert error_of(excinfo)[2] == 403
    # A wrong secret is a signature mismatch: the key is verified, not accepted as an unknown key.
    with pytest.raises(ClientError) as excinfo:
        server.client("dynamodb", key["AccessKeyId"], "wrong-secret").get_item(
            TableName=SESSIONS_TABLE, Key=NO_KEY)
    assert error_of(excinfo)[0] == "InvalidSignatureException"

    assert [k["AccessKeyId"] for k in iam.list_access_keys(UserName=user)["AccessKeyMetadata"]] == [key["AccessKeyId"]]
    second = iam.create_access_key(UserName=user)["AccessKey"]
    with pytest.raises(ClientError) as excinfo:
        iam.create_access_key(UserName=user)
    assert error_of(excinfo) == ("LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2", 409)

    iam.update_access_key(UserName=user, AccessKeyId=key["AccessKeyId"], Status="Inactive")
    with pytest.raises(ClientError) as excinfo:
        dynamodb.get_item(TableName=SESSIONS_TABLE, Key=NO_KEY)
    assert error_of(excinfo)[0] == "AccessDeniedException"
    iam.update_access_key(UserName=user, AccessKeyId=key["AccessKeyId"], Status="Active")
    dynamodb.get_item(TableName=SESSIONS_TABLE, Key=NO_KEY)

    with pytest.raises(ClientError) as excinfo:
        iam.delete_user(UserName=user)
    assert error_of(excinfo) == ("DeleteConflict", "Cannot delete entity, must delete access keys first.", 409)
    iam.delete_access_key(UserName=user, AccessKeyId=key["AccessKeyId"])
    iam.delete_access_key(UserName=user, AccessKeyId=second["AccessKeyId"])
    # A deleted key is refused, not taken for an unknown key of the administrator.
    with pytest.raises(ClientError) as excinfo:
        dynamodb.get_item(TableName=SESSIONS_TABLE, Key=NO_KEY)
    assert error_of(excinfo)[0] == "AccessDeniedException"
    with pytest.raises(ClientError) as excinfo:
        iam.delete_access_key(UserName=user, AccessKeyId=key["AccessKeyId"])
    assert error_of(excinfo) == ("NoSuchEntity", f"The Access Key with id {key['AccessKeyId']} cannot be found", 404)
    with pytest.raises(ClientError) as excinfo:
        iam.delete_user(UserName=user)
    assert error_of(excinfo) == ("DeleteConflict", "Cannot delete entity, must delete policies first.", 409)
    iam.delete_user_policy(UserName=user, PolicyName="ReadSessions")
    iam.delete_user(UserName=user)
    with pytest.raises(ClientError) as excinfo:
        iam.get_user(UserName=user)
    assert error_of(excinfo) == ("NoSuchEntity", f"The user with name {user} cannot be found.", 404)


def test_simulate_principal_policy(iam):
    name = unique("sim")
    role_arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))["Role"]["Arn"]
    iam.put_role_policy(RoleName=name, PolicyName="p", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
                      {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}]}))
    results = iam.simulate_principal_policy(PolicySourceArn=role_arn,
                                            ActionNames=["s3:GetObject", "s3:DeleteObject", "dynamodb:GetItem"],
                                            ResourceArns=["arn:aws:s3:::b/k"])["EvaluationResults"]
    decisions = {r["EvalActionName"]: r["EvalDecision"] for r in results}
    assert decisions == {"s3:GetObject": "allowed", "s3:DeleteObject": "explicitDeny", "dynamodb:GetItem": "implicitDeny"}
    assert all(r["EvalResourceName"] == "arn:aws:s3:::b/k" for r in results)
    # Paged by MaxItems/Marker over the (action, resource) pairs.
    first = iam.simulate_principal_policy(PolicySourceArn=role_arn, ActionNames=["s3:GetObject", "s3:DeleteObject"],
                                          ResourceArns=["arn:aws:s3:::b/1", "arn:aws:s3:::b/2"], MaxItems=3)
    assert (len(first["EvaluationResults"]), first["IsTruncated"]) == (3, True)
    rest = iam.simulate_principal_policy(PolicySourceArn=role_arn, ActionNames=["s3:GetObject", "s3:DeleteObject"],
                                         ResourceArns=["arn:aws:s3:::b/1", "arn:aws:s3:::b/2"], MaxItems=3,
                                         Marker=first["Marker"])
    assert (len(rest["EvaluationResults"]), rest["IsTruncated"]) == (1, False)
    assert (rest["EvaluationResults"][0]["EvalActionName"], rest["EvaluationResults"][0]["EvalResourceName"]) == (
        "s3:DeleteObject", "arn:aws:s3:::b/2")
    iam.delete_role_policy(RoleName=name, PolicyName="p")
    iam.delete_role(RoleName=name)


# =========================================================================== the Cognito round trip


def pool_role(iam, cognito, pool, kind, prefix):
    """A role created through the IAM API that Cognito Identity may assume for the pool's `kind` identities
    (`authenticated`/`unauthenticated`), allowed only dynamodb:GetItem on the sessions table, set as the pool's role."""
    trust = {
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow", "Principal": {"Federated": "cognito-identity.amazonaws.com"},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {"cognito-identity.amazonaws.com:aud": pool},
                          "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": kind}},
        }],
    }
    name = unique(prefix)
    role_arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    iam.put_role_policy(RoleName=name, PolicyName="ReadSessions", PolicyDocument=json.dumps(
        allow("dynamodb:GetItem", f"arn:aws:dynamodb:{REGION}:{ACCOUNT_ID}:table/{SESSIONS_TABLE}")))
    cognito.set_identity_pool_roles(IdentityPoolId=pool, Roles={kind: role_arn})
    return name, role_arn


def test_create_role_put_policy_set_pool_roles_limits_credentials(server, iam):
    cognito = server.client("cognito-identity")
    pool = cognito.create_identity_pool(IdentityPoolName=unique("pool").replace("-", "_"),
                                        AllowUnauthenticatedIdentities=True)["IdentityPoolId"]
    name, role_arn = pool_role(iam, cognito, pool, "unauthenticated", "guest")

    identity = cognito.get_id(IdentityPoolId=pool)["IdentityId"]
    credentials = cognito.get_credentials_for_identity(IdentityId=identity)["Credentials"]
    dynamodb = server.client("dynamodb", credentials["AccessKeyId"], credentials["SecretKey"], credentials["SessionToken"])
    dynamodb.get_item(TableName=SESSIONS_TABLE, Key=NO_KEY)
    with pytest.raises(ClientError) as excinfo:
        dynamodb.put_item(TableName=SESSIONS_TABLE, Item={"sessionId": {"S": "x"}, "lectureId": {"S": "x"}})
    assert error_of(excinfo) == (
        "AccessDeniedException",
        f"User: arn:aws:sts::{ACCOUNT_ID}:assumed-role/{name}/CognitoIdentityCredentials is not authorized to perform: "
        f"dynamodb:PutItem on resource: arn:aws:dynamodb:{REGION}:{ACCOUNT_ID}:table/{SESSIONS_TABLE} because no "
        "identity-based policy allows the dynamodb:PutItem action", 400)


# =========================================================================== the AWS CLI


def test_cli_role_round_trip(cli, tmp_path):
    name = unique("cli-role")
    trust = tmp_path / "trust.json"
    trust.write_text(json.dumps(LAMBDA_TRUST))
    code, out, err = cli("iam", "create-role", "--role-name", name, "--assume-role-policy-document", f"file://{trust}")
    assert code == 0, err
    assert json.loads(out)["Role"]["AssumeRolePolicyDocument"] == LAMBDA_TRUST
    code, out, err = cli("iam", "put-role-policy", "--role-name", name, "--policy-name", "p",
                         "--policy-document", json.dumps(allow("s3:GetObject")))
    assert code == 0, err
    code, out, err = cli("iam", "list-roles")
    assert code == 0, err
    assert name in [role["RoleName"] for role in json.loads(out)["Roles"]]
    code, out, err = cli("iam", "simulate-principal-policy", "--policy-source-arn",
                         f"arn:aws:iam::{ACCOUNT_ID}:role/{name}", "--action-names", "s3:GetObject")
    assert code == 0, err
    assert json.loads(out)["EvaluationResults"][0]["EvalDecision"] == "allowed"
    code, out, err = cli("iam", "delete-role", "--role-name", name)
    assert code == 255  # AWS CLI v1 exit code for a service error
    assert "An error occurred (DeleteConflict) when calling the DeleteRole operation: " \
           "Cannot delete entity, must delete policies first." in err
    code, out, err = cli("iam", "get-role", "--role-name", "NoSuchCliRole")
    assert code == 255  # AWS CLI v1 exit code for a service error
    assert "An error occurred (NoSuchEntity) when calling the GetRole operation: " \
           "The role with name NoSuchCliRole cannot be found." in err


# =========================================================================== persistence


def test_iam_state_survives_a_restart(tmp_path):
    data = tmp_path / "data"
    first = EmulatorProcess(tmp_path, data_dir=data)
    try:
        iam = first.client("iam")
        iam.create_role(RoleName="Kept", AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))
        iam.create_user(UserName="kept-user")
        iam.put_user_policy(UserName="kept-user", PolicyName="p", PolicyDocument=json.dumps(allow("dynamodb:GetItem")))
        key = iam.create_access_key(UserName="kept-user")["AccessKey"]
    finally:
        first.stop()
    second = EmulatorProcess(tmp_path, data_dir=data)
    try:
        iam = second.client("iam")
        assert iam.get_role(RoleName="Kept")["Role"]["AssumeRolePolicyDocument"] == LAMBDA_TRUST
        assert iam.list_user_policies(UserName="kept-user")["PolicyNames"] == ["p"]
        dynamodb = second.client("dynamodb", key["AccessKeyId"], key["SecretAccessKey"])
        dynamodb.get_item(TableName=SESSIONS_TABLE, Key=NO_KEY)
        with pytest.raises(ClientError) as excinfo:
            dynamodb.describe_table(TableName=SESSIONS_TABLE)
        assert error_of(excinfo)[0] == "AccessDeniedException"
    finally:
        second.stop()


# =========================================================================== Cognito Identity gaps


MISSING_POOL = "us-east-1:00000000-0000-0000-0000-000000000000"


def test_update_identity_pool_and_missing_pools(server):
    cognito = server.client("cognito-identity")
    pool = cognito.create_identity_pool(IdentityPoolName="before", AllowUnauthenticatedIdentities=True)["IdentityPoolId"]
    updated = cognito.update_identity_pool(IdentityPoolId=pool, IdentityPoolName="after", AllowUnauthenticatedIdentities=False,
                                           DeveloperProviderName="login.example.com")
    assert (updated["IdentityPoolName"], updated["AllowUnauthenticatedIdentities"], updated["DeveloperProviderName"]) == (
        "after", False, "login.example.com")
    described = cognito.describe_identity_pool(IdentityPoolId=pool)
    assert (described["IdentityPoolName"], described["AllowUnauthenticatedIdentities"]) == ("after", False)
    with pytest.raises(ClientError) as excinfo:
        cognito.get_id(IdentityPoolId=pool)
    assert error_of(excinfo) == ("NotAuthorizedException", "Unauthenticated access is not supported for this identity pool.", 400)
    with pytest.raises(ClientError) as excinfo:
        cognito.update_identity_pool(IdentityPoolId=MISSING_POOL, IdentityPoolName="x", AllowUnauthenticatedIdentities=True)
    assert error_of(excinfo) == ("ResourceNotFoundException", f"IdentityPool '{MISSING_POOL}' not found.", 400)
    with pytest.raises(ClientError) as excinfo:
        cognito.get_open_id_token_for_developer_identity(IdentityPoolId=MISSING_POOL, Logins={"login.example.com": "u"})
    assert error_of(excinfo) == ("ResourceNotFoundException", f"IdentityPool '{MISSING_POOL}' not found.", 400)
    with pytest.raises(ClientError) as excinfo:
        cognito.lookup_developer_identity(IdentityPoolId=MISSING_POOL, DeveloperUserIdentifier="u")
    assert error_of(excinfo) == ("ResourceNotFoundException", f"IdentityPool '{MISSING_POOL}' not found.", 400)


def test_developer_identities_get_the_authenticated_role(server, iam):
    cognito = server.client("cognito-identity")
    provider = "login.example.com"
    pool = cognito.create_identity_pool(IdentityPoolName="developers", AllowUnauthenticatedIdentities=False,
                                        DeveloperProviderName=provider)["IdentityPoolId"]
    name, role_arn = pool_role(iam, cognito, pool, "authenticated", "members")

    alice = cognito.get_open_id_token_for_developer_identity(IdentityPoolId=pool, Logins={provider: "alice"})
    again = cognito.get_open_id_token_for_developer_identity(IdentityPoolId=pool, Logins={provider: "alice"},
                                                             TokenDuration=3600)
    assert again["IdentityId"] == alice["IdentityId"]
    with pytest.raises(ClientError) as excinfo:
        cognito.get_open_id_token_for_developer_identity(IdentityPoolId=pool, Logins={"other.example.com": "alice"})
    assert error_of(excinfo) == ("NotAuthorizedException",
                                 "Logins don't match. Please include at least one valid login for this identity or identity pool.",
                                 400)
    found = cognito.lookup_developer_identity(IdentityPoolId=pool, DeveloperUserIdentifier="alice")
    assert (found["IdentityId"], found["DeveloperUserIdentifierList"]) == (alice["IdentityId"], ["alice"])

    credentials = cognito.get_credentials_for_identity(
        IdentityId=alice["IdentityId"], Logins={"cognito-identity.amazonaws.com": alice["Token"]})["Credentials"]
    dynamodb = server.client("dynamodb", credentials["AccessKeyId"], credentials["SecretKey"], credentials["SessionToken"])
    dynamodb.get_item(TableName=SESSIONS_TABLE, Key=NO_KEY)
    with pytest.raises(ClientError) as excinfo:
        dynamodb.put_item(TableName=SESSIONS_TABLE, Item={"sessionId": {"S": "x"}, "lectureId": {"S": "x"}})
    assert error_of(excinfo)[0] == "AccessDeniedException"
    # The same token works with STS, as with AWS's basic flow.
    web = server.client("sts").assume_role_with_web_identity(RoleArn=role_arn, RoleSessionName="web",
                                                             WebIdentityToken=alice["Token"])
    assert web["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/{name}/web"
    with pytest.raises(ClientError) as excinfo:
        cognito.get_credentials_for_identity(IdentityId=alice["IdentityId"],
                                             Logins={"cognito-identity.amazonaws.com": "not-a-token"})
    assert error_of(excinfo) == ("NotAuthorizedException", "Invalid login token. Not a valid OpenId Connect identity token.", 400)

    bob = cognito.get_open_id_token_for_developer_identity(IdentityPoolId=pool, Logins={provider: "bob"})
    assert bob["IdentityId"] != alice["IdentityId"]
    merged = cognito.merge_developer_identities(SourceUserIdentifier="bob", DestinationUserIdentifier="alice",
                                                DeveloperProviderName=provider, IdentityPoolId=pool)
    assert merged["IdentityId"] == alice["IdentityId"]
    found = cognito.lookup_developer_identity(IdentityPoolId=pool, IdentityId=alice["IdentityId"])
    assert found["DeveloperUserIdentifierList"] == ["alice", "bob"]
    with pytest.raises(ClientError) as excinfo:
        cognito.describe_identity(IdentityId=bob["IdentityId"])
    assert error_of(excinfo) == ("ResourceNotFoundException", f"Identity '{bob['IdentityId']}' not found.", 400)

    with pytest.raises(ClientError) as excinfo:
        cognito.unlink_identity(IdentityId=alice["IdentityId"], Logins={"graph.facebook.com": "t"},
                                LoginsToRemove=["graph.facebook.com"])
    assert error_of(excinfo)[0] == "NotAuthorizedException"

    unknown = "us-east-1:11111111-1111-1111-1111-111111111111"
    result = cognito.delete_identities(IdentityIdsToDelete=[alice["IdentityId"], unknown])
    assert result["UnprocessedIdentityIds"] == [{"IdentityId": unknown, "ErrorCode": "ResourceNotFound"}]
    with pytest.raises(ClientError) as excinfo:
        cognito.describe_identity(IdentityId=alice["IdentityId"])
    assert error_of(excinfo)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as excinfo:
        cognito.lookup_developer_identity(IdentityPoolId=pool, DeveloperUserIdentifier="alice")
    assert error_of(excinfo)[0] == "ResourceNotFoundException"


# =========================================================================== STS AssumeRole: trust policy, session policies, tags


def clients_for(server, credentials, *services):
    """Clients signed with STS credentials."""
    return [server.client(service, credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"])
            for service in services]


def assert_describe_table_denied(dynamodb, principal, table_arn, policy_kind):
    """DescribeTable on the sessions table is refused with DynamoDB's AccessDeniedException text."""
    with pytest.raises(ClientError) as excinfo:
        dynamodb.describe_table(TableName=SESSIONS_TABLE)
    assert error_of(excinfo) == (
        "AccessDeniedException",
        f"User: {principal} is not authorized to perform: dynamodb:DescribeTable on resource: {table_arn} "
        f"because no {policy_kind} policy allows the dynamodb:DescribeTable action", 400)


def assert_pattern_refused(call, value, field, pattern):
    """STS's ValidationError for a value that does not match its field's pattern."""
    with pytest.raises(ClientError) as excinfo:
        call()
    assert error_of(excinfo) == (
        "ValidationError",
        f"1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: "
        f"Member must satisfy regular expression pattern: {pattern}", 400)


def make_user(iam, server, name, policy):
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return server.client("sts", key["AccessKeyId"], key["SecretAccessKey"])


def test_assume_role_honours_trust_policy_and_external_id(server, iam):
    role = unique("partner")
    alice_name, bob_name = unique("alice"), unique("bob")
    trust = {
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT_ID}:user/{alice_name}"},
            "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"sts:ExternalId": "ext-123"}},
        }],
    }
    role_arn = iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    alice = make_user(iam, server, alice_name, allow("sts:AssumeRole"))
    bob = make_user(iam, server, bob_name, allow("sts:AssumeRole"))

    with pytest.raises(ClientError) as excinfo:
        bob.assume_role(RoleArn=role_arn, RoleSessionName="s1", ExternalId="ext-123")
    assert error_of(excinfo) == (
        "AccessDenied",
        f"User: arn:aws:iam::{ACCOUNT_ID}:user/{bob_name} is not authorized to perform: sts:AssumeRole on resource: {role_arn}",
        403)
    with pytest.raises(ClientError) as excinfo:
        alice.assume_role(RoleArn=role_arn, RoleSessionName="s1")
    assert error_of(excinfo)[0] == "AccessDenied"
    with pytest.raises(ClientError) as excinfo:
        alice.assume_role(RoleArn=role_arn, RoleSessionName="s1", ExternalId="wrong")
    assert error_of(excinfo)[0] == "AccessDenied"
    assumed = alice.assume_role(RoleArn=role_arn, RoleSessionName="s1", ExternalId="ext-123")
    assert assumed["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/{role}/s1"


def test_assume_role_session_policies_and_tags_limit_the_session(server, iam):
    role = unique("broad")
    table_arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT_ID}:table/{SESSIONS_TABLE}"
    role_arn = iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(ACCOUNT_TRUST))["Role"]["Arn"]
    iam.put_role_policy(RoleName=role, PolicyName="p", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:DescribeTable", "dynamodb:PutItem"], "Resource": table_arn},
            {"Effect": "Allow", "Action": "dynamodb:Query", "Resource": table_arn,
             "Condition": {"StringEquals": {"aws:PrincipalTag/team": "scribe"}}},
        ]}))
    sts = server.client("sts")

    def session(**extra):
        credentials = sts.assume_role(RoleArn=role_arn, RoleSessionName="capped", **extra)["Credentials"]
        return clients_for(server, credentials, "dynamodb")[0]

    capped = session(Policy=json.dumps(allow("dynamodb:GetItem", table_arn)))
    capped.get_item(TableName=SESSIONS_TABLE, Key=NO_KEY)
    assert_describe_table_denied(capped, f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/{role}/capped", table_arn, "session")
    # The session policy cannot grant what the role does not have.
    widened = session(Policy=json.dumps(allow("dynamodb:*")))
    with pytest.raises(ClientError) as excinfo:
        widened.delete_item(TableName=SESSIONS_TABLE, Key=NO_KEY)
    assert error_of(excinfo)[0] == "AccessDeniedException"
    read_only = session(PolicyArns=[{"arn": "arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess"}])
    read_only.describe_table(TableName=SESSIONS_TABLE)
    with pytest.raises(ClientError) as excinfo:
        read_only.put_item(TableName=SESSIONS_TABLE, Item={"sessionId": {"S": "x"}, "lectureId": {"S": "x"}})
    assert error_of(excinfo)[0] == "AccessDeniedException"

    session(Tags=[{"Key": "team", "Value": "scribe"}]).query(
        TableName=SESSIONS_TABLE, KeyConditionExpression="sessionId = :s", ExpressionAttributeValues={":s": {"S": "x"}})
    with pytest.raises(ClientError) as excinfo:
        session(Tags=[{"Key": "team", "Value": "other"}]).query(
            TableName=SESSIONS_TABLE, KeyConditionExpression="sessionId = :s", ExpressionAttributeValues={":s": {"S": "x"}})
    assert error_of(excinfo)[0] == "AccessDeniedException"

    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(RoleArn=role_arn, RoleSessionName="bad", Policy='{"Version": "2012-10-17"}')
    assert error_of(excinfo) == ("MalformedPolicyDocument", "Syntax errors in policy.", 400)


# =========================================================================== STS GetSessionToken, GetFederationToken, GetAccessKeyInfo


def test_get_session_token_acts_as_the_user_with_its_current_policies(server, iam):
    """https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html: long-term credentials only; the
    session has the calling user's permissions (a policy change applies to the next request), 12 h by default,
    900..129600 s; the root user's sessions are capped at one hour."""
    name = unique("carol")
    table_arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT_ID}:table/{SESSIONS_TABLE}"
    user_sts = make_user(iam, server, name, allow("dynamodb:GetItem", table_arn))
    user_id = iam.get_user(UserName=name)["User"]["UserId"]
    issued = user_sts.get_session_token()["Credentials"]
    lifetime = issued["Expiration"] - server.client("sts").get_session_token()["Credentials"]["Expiration"]
    assert 11 * 3600 - 60 <= lifetime.total_seconds() <= 11 * 3600 + 60  # 12 h for the user, 1 h for root
    session_sts, dynamodb = clients_for(server, issued, "sts", "dynamodb")
    identity = session_sts.get_caller_identity()
    assert (identity["Arn"], identity["UserId"]) == (f"arn:aws:iam::{ACCOUNT_ID}:user/{name}", user_id)

    dynamodb.get_item(TableName=SESSIONS_TABLE, Key=NO_KEY)
    assert_describe_table_denied(dynamodb, f"arn:aws:iam::{ACCOUNT_ID}:user/{name}", table_arn, "identity-based")
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps(allow("dynamodb:DescribeTable", table_arn)))
    dynamodb.describe_table(TableName=SESSIONS_TABLE)

    with pytest.raises(ClientError) as excinfo:
        session_sts.get_session_token()
    assert error_of(excinfo) == ("AccessDenied", "Cannot call GetSessionToken with session credentials", 403)
    with pytest.raises(ClientError) as excinfo:
        user_sts.get_session_token(DurationSeconds=129601)
    assert error_of(excinfo) == (
        "ValidationError",
        "1 validation error detected: Value '129601' at 'durationSeconds' failed to satisfy constraint: "
        "Member must have value less than or equal to 129600", 400)
    long_lived = user_sts.get_session_token(DurationSeconds=129600)["Credentials"]
    assert long_lived["Expiration"] > issued["Expiration"]
    # No MFA devices exist here, so no serial number can be validated.
    with pytest.raises(ClientError) as excinfo:
        user_sts.get_session_token(SerialNumber=f"arn:aws:iam::{ACCOUNT_ID}:mfa/{name}", TokenCode="123456")
    assert error_of(excinfo) == ("AccessDenied", "MultiFactorAuthentication failed, unable to validate MFA code.", 403)
    with pytest.raises(ClientError) as excinfo:
        user_sts.get_session_token(SerialNumber=f"arn:aws:iam::{ACCOUNT_ID}:mfa/{name}", TokenCode="12345x")
    assert error_of(excinfo)[0] == "ValidationError"

    # Root's session (the administrator's keys) is the root user.
    root = server.client("sts").get_session_token(DurationSeconds=7200)["Credentials"]
    root_identity = clients_for(server, root, "sts")[0].get_caller_identity()
    assert (root_identity["Arn"], root_identity["UserId"]) == (f"arn:aws:iam::{ACCOUNT_ID}:root", ACCOUNT_ID)

    # A deleted user's sessions stop working.
    iam.delete_user_policy(UserName=name, PolicyName="p")
    for key in iam.list_access_keys(UserName=name)["AccessKeyMetadata"]:
        iam.delete_access_key(UserName=name, AccessKeyId=key["AccessKeyId"])
    iam.delete_user(UserName=name)
    with pytest.raises(ClientError) as excinfo:
        dynamodb.get_item(TableName=SESSIONS_TABLE, Key=NO_KEY)
    assert error_of(excinfo)[0] in ("AccessDeniedException", "UnrecognizedClientException")


def test_get_federation_token_is_capped_by_its_session_policy(server, iam):
    """https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html: the federated user's permissions
    are the intersection of the IAM user's policies and the session policies; none passed means no permissions."""
    name = unique("fed")
    table_arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT_ID}:table/{SESSIONS_TABLE}"
    user_sts = make_user(iam, server, name, allow(["sts:GetFederationToken", "dynamodb:GetItem", "dynamodb:DescribeTable"]))
    token = user_sts.get_federation_token(Name="bob", Policy=json.dumps(allow("dynamodb:GetItem", table_arn)))
    federated_arn = f"arn:aws:sts::{ACCOUNT_ID}:federated-user/bob"
    assert token["FederatedUser"] == {"FederatedUserId": f"{ACCOUNT_ID}:bob", "Arn": federated_arn}
    assert 1 <= token["PackedPolicySize"] <= 100
    federated_sts, dynamodb = clients_for(server, token["Credentials"], "sts", "dynamodb")
    identity = federated_sts.get_caller_identity()
    assert (identity["Arn"], identity["UserId"]) == (federated_arn, f"{ACCOUNT_ID}:bob")
    dynamodb.get_item(TableName=SESSIONS_TABLE, Key=NO_KEY)
    assert_describe_table_denied(dynamodb, federated_arn, table_arn, "session")

    bare = user_sts.get_federation_token(Name="nobody")["Credentials"]
    with pytest.raises(ClientError) as excinfo:
        clients_for(server, bare, "dynamodb")[0].get_item(TableName=SESSIONS_TABLE, Key=NO_KEY)
    assert error_of(excinfo)[0] == "AccessDeniedException"

    # The user's own policy must allow sts:GetFederationToken.
    other_sts = make_user(iam, server, unique("nofed"), allow("dynamodb:GetItem"))
    with pytest.raises(ClientError) as excinfo:
        other_sts.get_federation_token(Name="bob")
    code, message, status = error_of(excinfo)
    assert (code, status) == ("AccessDenied", 403) and "sts:GetFederationToken" in message
    assert_pattern_refused(lambda: user_sts.get_federation_token(Name="bad name"), "bad name", "name", "[\\w+=,.@-]*")
    session = server.client("sts").assume_role(
        RoleArn=iam.create_role(RoleName=unique("r"), AssumeRolePolicyDocument=json.dumps(ACCOUNT_TRUST))["Role"]["Arn"],
        RoleSessionName="s1")["Credentials"]
    with pytest.raises(ClientError) as excinfo:
        clients_for(server, session, "sts")[0].get_federation_token(Name="bob")
    assert error_of(excinfo) == ("AccessDenied", "Cannot call GetFederationToken with session credentials", 403)


def test_get_access_key_info_names_the_account(server, iam):
    """https://docs.aws.amazon.com/STS/latest/APIReference/API_GetAccessKeyInfo.html: the account a key belongs to;
    key ids from elsewhere are decoded as AWS encodes the account in them (bits 7-46 of the base32 body)."""
    sts = server.client("sts")
    key = iam.create_access_key(UserName=iam.create_user(UserName=unique("k"))["User"]["UserName"])["AccessKey"]
    assert sts.get_access_key_info(AccessKeyId=key["AccessKeyId"])["Account"] == ACCOUNT_ID
    assert sts.get_access_key_info(AccessKeyId="ASIAQNZGKIQY56JQ7WML")["Account"] == "029608264753"
    assert_pattern_refused(lambda: sts.get_access_key_info(AccessKeyId="AKIA-not-a-key!!"), "AKIA-not-a-key!!", "accessKeyId", "[\\w]*")


# =========================================================================== Tags on roles, users and managed policies


def test_role_user_and_policy_tags(iam):
    """TagRole/UntagRole/ListRoleTags, TagUser/..., TagPolicy/... (Terraform reads them on every plan): keys are
    compared without regard to case, a new value replaces the old tag, untagging an absent key is no error."""
    role = unique("tagged")
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST), Tags=[{"Key": "team", "Value": "core"}])
    iam.tag_role(RoleName=role, Tags=[{"Key": "Team", "Value": "scribe"}, {"Key": "env", "Value": "dev"}])
    assert iam.list_role_tags(RoleName=role)["Tags"] == [{"Key": "Team", "Value": "scribe"}, {"Key": "env", "Value": "dev"}]
    assert iam.get_role(RoleName=role)["Role"]["Tags"] == [{"Key": "Team", "Value": "scribe"}, {"Key": "env", "Value": "dev"}]
    iam.untag_role(RoleName=role, TagKeys=["TEAM", "absent"])
    assert iam.list_role_tags(RoleName=role)["Tags"] == [{"Key": "env", "Value": "dev"}]
    paged = iam.list_role_tags(RoleName=role, MaxItems=1)
    assert paged["IsTruncated"] is False

    user = unique("tagged-user")
    iam.create_user(UserName=user)
    iam.tag_user(UserName=user, Tags=[{"Key": "cost-center", "Value": "42"}])
    assert iam.list_user_tags(UserName=user)["Tags"] == [{"Key": "cost-center", "Value": "42"}]
    iam.untag_user(UserName=user, TagKeys=["cost-center"])
    assert iam.list_user_tags(UserName=user)["Tags"] == []

    policy_arn = iam.create_policy(PolicyName=unique("tagged-policy"), PolicyDocument=json.dumps(allow("s3:GetObject")),
                                   Tags=[{"Key": "owner", "Value": "me"}])["Policy"]["Arn"]
    assert iam.get_policy(PolicyArn=policy_arn)["Policy"]["Tags"] == [{"Key": "owner", "Value": "me"}]
    iam.tag_policy(PolicyArn=policy_arn, Tags=[{"Key": "stage", "Value": "prod"}])
    assert [tag["Key"] for tag in iam.list_policy_tags(PolicyArn=policy_arn)["Tags"]] == ["owner", "stage"]
    iam.untag_policy(PolicyArn=policy_arn, TagKeys=["owner"])
    assert iam.list_policy_tags(PolicyArn=policy_arn)["Tags"] == [{"Key": "stage", "Value": "prod"}]

    with pytest.raises(ClientError) as excinfo:
        iam.tag_role(RoleName=role, Tags=[{"Key": "a", "Value": "1"}, {"Key": "A", "Value": "2"}])
    assert error_of(excinfo) == (
        "InvalidInput", "Duplicate tag keys found. Please note that Tag keys are case insensitive.", 400)
    with pytest.raises(ClientError) as excinfo:
        iam.tag_role(RoleName=role, Tags=[{"Key": f"k{index}", "Value": "v"} for index in range(50)])
    code, _, status = error_of(excinfo)
    assert (code, status) == ("LimitExceeded", 409)
    assert len(iam.list_role_tags(RoleName=role)["Tags"]) == 1  # nothing changed
    with pytest.raises(ClientError) as excinfo:
        iam.list_role_tags(RoleName=unique("absent"))
    assert error_of(excinfo)[0] == "NoSuchEntity"
    with pytest.raises(ClientError) as excinfo:
        iam.tag_role(RoleName=role, Tags=[{"Key": "bad#key", "Value": "v"}])
    assert error_of(excinfo)[0] == "ValidationError"
    with pytest.raises(ClientError) as excinfo:
        iam.list_policy_tags(PolicyArn=f"arn:aws:iam::{ACCOUNT_ID}:policy/absent")
    assert error_of(excinfo) == ("NoSuchEntity", f"Policy arn:aws:iam::{ACCOUNT_ID}:policy/absent was not found.", 404)


# =========================================================================== Groups


def test_groups_give_their_members_policies(server, iam):
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/id_groups.html: a user's requests are evaluated with the inline
    and attached policies of its groups; membership changes apply to the next request."""
    table_arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT_ID}:table/{SESSIONS_TABLE}"
    group, user = unique("readers"), unique("member")
    created = iam.create_group(GroupName=group, Path="/team/")["Group"]
    assert created["Arn"] == f"arn:aws:iam::{ACCOUNT_ID}:group/team/{group}" and created["GroupId"].startswith("AGPA")
    iam.create_user(UserName=user)
    key = iam.create_access_key(UserName=user)["AccessKey"]
    dynamodb = server.client("dynamodb", key["AccessKeyId"], key["SecretAccessKey"])
    iam.put_group_policy(GroupName=group, PolicyName="describe", PolicyDocument=json.dumps(allow("dynamodb:DescribeTable", table_arn)))
    assert_describe_table_denied(dynamodb, f"arn:aws:iam::{ACCOUNT_ID}:user/{user}", table_arn, "identity-based")

    iam.add_user_to_group(GroupName=group, UserName=user)
    dynamodb.describe_table(TableName=SESSIONS_TABLE)
    fetched = iam.get_group(GroupName=group)
    assert [member["UserName"] for member in fetched["Users"]] == [user]
    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName=user)["Groups"]] == [group]
    assert group in [g["GroupName"] for g in iam.list_groups(PathPrefix="/team/")["Groups"]]
    assert iam.list_group_policies(GroupName=group)["PolicyNames"] == ["describe"]
    assert iam.get_group_policy(GroupName=group, PolicyName="describe")["PolicyDocument"]["Statement"][0]["Action"] == "dynamodb:DescribeTable"

    # A managed policy attached to the group counts too.
    iam.attach_group_policy(GroupName=group, PolicyArn="arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess")
    assert [p["PolicyName"] for p in iam.list_attached_group_policies(GroupName=group)["AttachedPolicies"]] == ["AmazonDynamoDBReadOnlyAccess"]
    dynamodb.get_item(TableName=SESSIONS_TABLE, Key=NO_KEY)

    with pytest.raises(ClientError) as excinfo:
        iam.delete_user(UserName=user)
    assert error_of(excinfo)[0] == "DeleteConflict"
    with pytest.raises(ClientError) as excinfo:
        iam.delete_group(GroupName=group)
    assert error_of(excinfo) == ("DeleteConflict", "Cannot delete entity, must remove users from group first.", 409)

    iam.remove_user_from_group(GroupName=group, UserName=user)
    assert_describe_table_denied(dynamodb, f"arn:aws:iam::{ACCOUNT_ID}:user/{user}", table_arn, "identity-based")
    with pytest.raises(ClientError) as excinfo:
        iam.remove_user_from_group(GroupName=group, UserName=user)
    assert error_of(excinfo)[0] == "NoSuchEntity"

    renamed = unique("renamed")
    iam.update_group(GroupName=group, NewGroupName=renamed)
    assert iam.get_group(GroupName=renamed)["Group"]["Arn"] == f"arn:aws:iam::{ACCOUNT_ID}:group/team/{renamed}"
    with pytest.raises(ClientError) as excinfo:
        iam.get_group(GroupName=group)
    assert error_of(excinfo) == ("NoSuchEntity", f"The group with name {group} cannot be found.", 404)
    with pytest.raises(ClientError) as excinfo:
        iam.delete_group(GroupName=renamed)
    assert error_of(excinfo) == ("DeleteConflict", "Cannot delete entity, must detach all policies first.", 409)
    iam.detach_group_policy(GroupName=renamed, PolicyArn="arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess")
    iam.delete_group_policy(GroupName=renamed, PolicyName="describe")
    iam.delete_group(GroupName=renamed)
    with pytest.raises(ClientError) as excinfo:
        iam.create_group(GroupName=unique("x") + "!")
    assert error_of(excinfo)[0] == "ValidationError"
    again = unique("dup")
    iam.create_group(GroupName=again)
    with pytest.raises(ClientError) as excinfo:
        iam.create_group(GroupName=again)
    assert error_of(excinfo) == ("EntityAlreadyExists", f"Group with name {again} already exists.", 409)


def test_list_entities_for_policy_and_instance_profiles_for_role(iam):
    """ListEntitiesForPolicy names what a managed policy is attached to (Terraform's aws_iam_policy_attachment reads
    it); ListInstanceProfilesForRole is empty (instance profiles are not emulated; Terraform calls it before deleting
    a role)."""
    policy_arn = iam.create_policy(PolicyName=unique("shared"), PolicyDocument=json.dumps(allow("s3:GetObject")))["Policy"]["Arn"]
    role, user, group = unique("r"), unique("u"), unique("g")
    role_id = iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))["Role"]["RoleId"]
    user_id = iam.create_user(UserName=user)["User"]["UserId"]
    group_id = iam.create_group(GroupName=group)["Group"]["GroupId"]
    iam.attach_role_policy(RoleName=role, PolicyArn=policy_arn)
    iam.attach_user_policy(UserName=user, PolicyArn=policy_arn)
    iam.attach_group_policy(GroupName=group, PolicyArn=policy_arn)
    listed = iam.list_entities_for_policy(PolicyArn=policy_arn)
    assert listed["PolicyRoles"] == [{"RoleName": role, "RoleId": role_id}]
    assert listed["PolicyUsers"] == [{"UserName": user, "UserId": user_id}]
    assert listed["PolicyGroups"] == [{"GroupName": group, "GroupId": group_id}]
    only_roles = iam.list_entities_for_policy(PolicyArn=policy_arn, EntityFilter="Role")
    assert (only_roles["PolicyRoles"], only_roles["PolicyUsers"], only_roles["PolicyGroups"]) == (
        [{"RoleName": role, "RoleId": role_id}], [], [])
    assert iam.get_policy(PolicyArn=policy_arn)["Policy"]["AttachmentCount"] == 3
    with pytest.raises(ClientError) as excinfo:
        iam.list_entities_for_policy(PolicyArn=f"arn:aws:iam::{ACCOUNT_ID}:policy/absent")
    assert error_of(excinfo) == ("NoSuchEntity", f"Policy arn:aws:iam::{ACCOUNT_ID}:policy/absent was not found.", 404)

    profiles = iam.list_instance_profiles_for_role(RoleName=role)
    assert (profiles["InstanceProfiles"], profiles["IsTruncated"]) == ([], False)
    with pytest.raises(ClientError) as excinfo:
        iam.list_instance_profiles_for_role(RoleName=unique("absent"))
    assert error_of(excinfo)[0] == "NoSuchEntity"
