"""Cognito user pool groups and prefix domains (issue 15), driven with unmodified boto3.

A start-up template with a pool, an app client, two `AWS::Cognito::UserPoolGroup` (one with an IAM role) and an
`AWS::Cognito::UserPoolDomain`; the API's group and domain operations; `cognito:groups`, `cognito:roles` and
`cognito:preferred_role` in the tokens of a sign-in; CloudFormation stacks with groups and a domain; reset and a
restart on the same data folder.

AWS behaviour followed: the Cognito API reference (CreateGroup ... ListUsersInGroup, CreateUserPoolDomain ...
DeleteUserPoolDomain), the GroupType `Precedence` rules for `cognito:preferred_role`, and texts AWS answers
("Group not found.", "Domain already associated with another user pool.", "No such domain or user pool exists.",
"User pool cannot be deleted. It has a domain configured that should be deleted first.", an empty
`DomainDescription` for an unknown domain).
"""

import base64
import json
import subprocess

import pytest
import requests
from botocore.exceptions import ClientError

from conftest import ACCOUNT_ID, REGION, REPO_ROOT, EmulatorProcess, emulator_binary

FIXTURE = REPO_ROOT / "Fixtures" / "cognito-user-pool-groups" / "template.yaml"
TIMEOUT = 60
PASSWORD = "Corr3ctHorse"
ADMIN_ROLE = f"arn:aws:iam::{ACCOUNT_ID}:role/pool-admins"
READER_ROLE = f"arn:aws:iam::{ACCOUNT_ID}:role/pool-readers"


def claims_of(token):
    segment = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def error_of(call):
    with pytest.raises(ClientError) as excinfo:
        call()
    error = excinfo.value.response["Error"]
    return error["Code"], error.get("Message", "")


def start(log_dir, data_dir=None):
    server = EmulatorProcess(log_dir, "--stack-name", "team", template=FIXTURE, data_dir=data_dir)
    described = server.client("cloudformation").describe_stacks(StackName="team")["Stacks"][0]
    server.outputs = {o["OutputKey"]: o["OutputValue"] for o in described["Outputs"]}
    server.idp = server.client("cognito-idp")
    # Without botocore's own checks, so the emulator's answers to out-of-model values are what the test sees.
    server.raw = server.client("cognito-idp", parameter_validation=False)
    return server


@pytest.fixture(scope="module")
def groups(tmp_path_factory):
    server = start(tmp_path_factory.mktemp("cognito-groups"))
    yield server
    server.stop()


def new_pool(idp, name):
    pool_id = idp.create_user_pool(PoolName=name, Policies={"PasswordPolicy": {"MinimumLength": 8, "RequireSymbols": False}})["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="app",
                                            ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
    return pool_id, client_id


def new_user(idp, pool_id, username):
    idp.admin_create_user(UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS", TemporaryPassword="Temp0raryPass")
    idp.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=PASSWORD, Permanent=True)


def sign_in(idp, pool_id, client_id, username):
    return idp.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                   AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD})["AuthenticationResult"]


def test_template_groups_and_domain(groups):
    idp, pool_id = groups.idp, groups.outputs["UserPoolId"]
    assert groups.outputs["EditorsGroup"] == "editors"
    readers = groups.outputs["ReadersGroup"]
    assert readers.startswith("team-ReadersGroup-")
    assert groups.outputs["Domain"] == "team-notes-login"
    editors = idp.get_group(UserPoolId=pool_id, GroupName="editors")["Group"]
    assert {k: editors[k] for k in ("GroupName", "UserPoolId", "Description", "Precedence", "RoleArn")} == {
        "GroupName": "editors", "UserPoolId": pool_id, "Description": "Can edit notes", "Precedence": 1,
        "RoleArn": groups.outputs["EditorsRoleArn"]}
    assert "CreationDate" in editors and "LastModifiedDate" in editors
    assert idp.get_group(UserPoolId=pool_id, GroupName=readers)["Group"]["Precedence"] == 5
    assert idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Domain"] == "team-notes-login"
    description = idp.describe_user_pool_domain(Domain="team-notes-login")["DomainDescription"]
    assert {k: description[k] for k in ("UserPoolId", "AWSAccountId", "Domain", "Status")} == {
        "UserPoolId": pool_id, "AWSAccountId": ACCOUNT_ID, "Domain": "team-notes-login", "Status": "ACTIVE"}


def test_group_crud_and_errors(groups):
    idp, raw = groups.idp, groups.raw
    pool_id, _ = new_pool(idp, "crud-pool")
    created = idp.create_group(UserPoolId=pool_id, GroupName="admins", Description="Admins", Precedence=0, RoleArn=ADMIN_ROLE)["Group"]
    assert (created["GroupName"], created["UserPoolId"], created["Precedence"], created["RoleArn"]) == ("admins", pool_id, 0, ADMIN_ROLE)
    plain = idp.create_group(UserPoolId=pool_id, GroupName="plain")["Group"]
    assert "Precedence" not in plain and "RoleArn" not in plain and "Description" not in plain
    assert error_of(lambda: idp.create_group(UserPoolId=pool_id, GroupName="admins")) == (
        "GroupExistsException", "A group with the name already exists.")
    assert error_of(lambda: idp.get_group(UserPoolId=pool_id, GroupName="nobody")) == ("ResourceNotFoundException", "Group not found.")
    assert error_of(lambda: idp.create_group(UserPoolId=f"{REGION}_missing", GroupName="x")) == (
        "ResourceNotFoundException", f"User pool {REGION}_missing does not exist.")

    updated = idp.update_group(UserPoolId=pool_id, GroupName="admins", Precedence=3)["Group"]
    assert (updated["Precedence"], updated["Description"], updated["RoleArn"]) == (3, "Admins", ADMIN_ROLE)
    assert idp.get_group(UserPoolId=pool_id, GroupName="admins")["Group"]["Precedence"] == 3

    first = idp.list_groups(UserPoolId=pool_id, Limit=1)
    assert [g["GroupName"] for g in first["Groups"]] == ["admins"]
    second = idp.list_groups(UserPoolId=pool_id, Limit=1, NextToken=first["NextToken"])
    assert [g["GroupName"] for g in second["Groups"]] == ["plain"] and "NextToken" not in second
    assert idp.list_groups(UserPoolId=pool_id, NextToken=str(2**63 - 1))["Groups"] == []
    assert error_of(lambda: idp.list_groups(UserPoolId=pool_id, NextToken="not-a-token")) == (
        "InvalidParameterException", "Invalid pagination token.")

    code, message = error_of(lambda: raw.create_group(UserPoolId=pool_id, GroupName="neg", Precedence=-1))
    assert (code, message) == ("ValidationException", "1 validation error detected: Value '-1' at 'precedence' failed to satisfy "
                                                       "constraint: Member must have value greater than or equal to 0")
    code, message = error_of(lambda: raw.create_group(UserPoolId=pool_id, GroupName="has space"))
    assert code == "ValidationException" and "at 'groupName' failed to satisfy constraint" in message
    code, _ = error_of(lambda: raw.create_group(UserPoolId=pool_id, GroupName="bad-role", RoleArn="not-an-arn-at-all-really"))
    assert code == "ValidationException"
    assert error_of(lambda: raw.list_groups(UserPoolId=pool_id, Limit=0)) == ("InvalidParameterException", "Limit must be between 1 and 60.")
    assert error_of(lambda: raw.create_group(UserPoolId=pool_id)) == (
        "ValidationException", "1 validation error detected: Value null at 'groupName' failed to satisfy constraint: Member must not be null")

    idp.delete_group(UserPoolId=pool_id, GroupName="plain")
    assert error_of(lambda: idp.delete_group(UserPoolId=pool_id, GroupName="plain")) == ("ResourceNotFoundException", "Group not found.")
    assert [g["GroupName"] for g in idp.list_groups(UserPoolId=pool_id)["Groups"]] == ["admins"]


def test_membership_and_token_claims(groups):
    idp = groups.idp
    pool_id, client_id = new_pool(idp, "members-pool")
    new_user(idp, pool_id, "alice")
    new_user(idp, pool_id, "bob")
    idp.create_group(UserPoolId=pool_id, GroupName="readers", Precedence=10, RoleArn=READER_ROLE)
    idp.create_group(UserPoolId=pool_id, GroupName="admins", Precedence=1, RoleArn=ADMIN_ROLE)
    idp.create_group(UserPoolId=pool_id, GroupName="everyone")

    # Before any group: no group claims.
    tokens = sign_in(idp, pool_id, client_id, "alice")
    assert "cognito:groups" not in claims_of(tokens["IdToken"]) and "cognito:groups" not in claims_of(tokens["AccessToken"])

    for group in ("everyone", "readers", "admins"):
        idp.admin_add_user_to_group(UserPoolId=pool_id, Username="alice", GroupName=group)
    idp.admin_add_user_to_group(UserPoolId=pool_id, Username="alice", GroupName="admins")  # again: no change
    idp.admin_add_user_to_group(UserPoolId=pool_id, Username="bob", GroupName="readers")

    listed = idp.admin_list_groups_for_user(UserPoolId=pool_id, Username="alice")["Groups"]
    assert sorted(g["GroupName"] for g in listed) == ["admins", "everyone", "readers"]
    assert [u["Username"] for u in idp.list_users_in_group(UserPoolId=pool_id, GroupName="readers")["Users"]] == ["alice", "bob"]
    page = idp.list_users_in_group(UserPoolId=pool_id, GroupName="readers", Limit=1)
    assert len(page["Users"]) == 1 and "NextToken" in page

    tokens = sign_in(idp, pool_id, client_id, "alice")
    id_claims, access_claims = claims_of(tokens["IdToken"]), claims_of(tokens["AccessToken"])
    assert id_claims["cognito:groups"] == ["admins", "readers", "everyone"]
    assert access_claims["cognito:groups"] == ["admins", "readers", "everyone"]
    assert id_claims["cognito:roles"] == [ADMIN_ROLE, READER_ROLE]
    assert id_claims["cognito:preferred_role"] == ADMIN_ROLE
    assert "cognito:roles" not in access_claims and "cognito:preferred_role" not in access_claims
    # A refresh carries the groups as they are now.
    idp.admin_remove_user_from_group(UserPoolId=pool_id, Username="alice", GroupName="admins")
    refreshed = idp.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                        AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})["AuthenticationResult"]
    assert claims_of(refreshed["IdToken"])["cognito:groups"] == ["readers", "everyone"]
    assert claims_of(refreshed["IdToken"])["cognito:preferred_role"] == READER_ROLE

    # Two groups of the same precedence with different roles: no preferred role.
    idp.update_group(UserPoolId=pool_id, GroupName="admins", Precedence=10)
    idp.admin_add_user_to_group(UserPoolId=pool_id, Username="alice", GroupName="admins")
    tied = claims_of(sign_in(idp, pool_id, client_id, "alice")["IdToken"])
    assert "cognito:preferred_role" not in tied and sorted(tied["cognito:roles"]) == sorted([ADMIN_ROLE, READER_ROLE])

    assert error_of(lambda: idp.admin_add_user_to_group(UserPoolId=pool_id, Username="alice", GroupName="ghosts")) == (
        "ResourceNotFoundException", "Group not found.")
    assert error_of(lambda: idp.admin_add_user_to_group(UserPoolId=pool_id, Username="carol", GroupName="admins")) == (
        "UserNotFoundException", "User does not exist.")
    assert error_of(lambda: idp.admin_list_groups_for_user(UserPoolId=pool_id, Username="carol")) == (
        "UserNotFoundException", "User does not exist.")
    assert error_of(lambda: idp.list_users_in_group(UserPoolId=pool_id, GroupName="ghosts")) == (
        "ResourceNotFoundException", "Group not found.")

    # Deleting the user removes its memberships: a new user of the same name is in no group.
    idp.admin_delete_user(UserPoolId=pool_id, Username="alice")
    assert [u["Username"] for u in idp.list_users_in_group(UserPoolId=pool_id, GroupName="readers")["Users"]] == ["bob"]
    new_user(idp, pool_id, "alice")
    assert idp.admin_list_groups_for_user(UserPoolId=pool_id, Username="alice")["Groups"] == []
    # Deleting a group removes its memberships.
    idp.delete_group(UserPoolId=pool_id, GroupName="readers")
    assert idp.admin_list_groups_for_user(UserPoolId=pool_id, Username="bob")["Groups"] == []


def test_domains(groups):
    idp, raw = groups.idp, groups.raw
    pool_id, _ = new_pool(idp, "domain-pool")
    other_id, _ = new_pool(idp, "other-pool")
    assert idp.describe_user_pool_domain(Domain="notes-login-1")["DomainDescription"] == {}
    created = idp.create_user_pool_domain(UserPoolId=pool_id, Domain="notes-login-1")
    assert "CloudFrontDomain" not in created
    described = idp.describe_user_pool_domain(Domain="notes-login-1")["DomainDescription"]
    assert (described["UserPoolId"], described["Domain"], described["Status"]) == (pool_id, "notes-login-1", "ACTIVE")
    assert idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Domain"] == "notes-login-1"
    assert "Domain" not in idp.describe_user_pool(UserPoolId=other_id)["UserPool"]

    assert error_of(lambda: idp.create_user_pool_domain(UserPoolId=other_id, Domain="notes-login-1")) == (
        "InvalidParameterException", "Domain already associated with another user pool.")
    assert error_of(lambda: idp.create_user_pool_domain(UserPoolId=other_id, Domain="team-notes-login")) == (
        "InvalidParameterException", "Domain already associated with another user pool.")
    assert error_of(lambda: idp.create_user_pool_domain(UserPoolId=pool_id, Domain="notes-login-2"))[0] == "InvalidParameterException"
    code, message = error_of(lambda: idp.create_user_pool_domain(UserPoolId=other_id, Domain="Bad_Name"))
    assert code == "InvalidParameterException" and message.startswith("The domain name contains an invalid character.")
    assert error_of(lambda: idp.create_user_pool_domain(UserPoolId=other_id, Domain="auth.example.com", CustomDomainConfig={
        "CertificateArn": f"arn:aws:acm:us-east-1:{ACCOUNT_ID}:certificate/0000"})) == (
        "InvalidParameterException",
        "The specified SSL certificate doesn't exist, isn't in us-east-1 region, isn't valid, or doesn't include a valid certificate chain.")
    code, _ = error_of(lambda: raw.create_user_pool_domain(UserPoolId=other_id, Domain="x" * 64))
    assert code == "ValidationException"

    assert error_of(lambda: idp.delete_user_pool(UserPoolId=pool_id)) == (
        "InvalidParameterException", "User pool cannot be deleted. It has a domain configured that should be deleted first.")
    assert error_of(lambda: idp.delete_user_pool_domain(UserPoolId=other_id, Domain="notes-login-1")) == (
        "InvalidParameterException", "No such domain or user pool exists.")
    assert idp.update_user_pool_domain(UserPoolId=pool_id, Domain="notes-login-1", ManagedLoginVersion=2)["ManagedLoginVersion"] == 2
    assert idp.describe_user_pool_domain(Domain="notes-login-1")["DomainDescription"]["ManagedLoginVersion"] == 2
    idp.delete_user_pool_domain(UserPoolId=pool_id, Domain="notes-login-1")
    assert idp.describe_user_pool_domain(Domain="notes-login-1")["DomainDescription"] == {}
    assert "Domain" not in idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    idp.delete_user_pool(UserPoolId=pool_id)


STACK_TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Pool:
    Type: AWS::Cognito::UserPool
    Properties:
      UserPoolName: stack-pool
  Admins:
    Type: AWS::Cognito::UserPoolGroup
    Properties:
      UserPoolId: !Ref Pool
      GroupName: stack-admins
      Precedence: 2
      RoleArn: arn:aws:iam::000000000000:role/stack-admins
  Unnamed:
    Type: AWS::Cognito::UserPoolGroup
    Properties:
      UserPoolId: !Ref Pool
  Domain:
    Type: AWS::Cognito::UserPoolDomain
    Properties:
      UserPoolId: !Ref Pool
      Domain: stack-login-prefix
Outputs:
  PoolId: {Value: !Ref Pool}
  AdminsRef: {Value: !Ref Admins}
  UnnamedRef: {Value: !Ref Unnamed}
  DomainRef: {Value: !Ref Domain}
"""


def test_cloudformation_stack_with_groups_and_domain(groups):
    cfn, idp = groups.client("cloudformation"), groups.idp
    cfn.create_stack(StackName="pool-stack", TemplateBody=STACK_TEMPLATE)
    stack = cfn.describe_stacks(StackName="pool-stack")["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
    pool_id = outputs["PoolId"]
    assert outputs["AdminsRef"] == "stack-admins" and outputs["DomainRef"] == "stack-login-prefix"
    assert outputs["UnnamedRef"].startswith("pool-stack-Unnamed-")
    assert idp.get_group(UserPoolId=pool_id, GroupName="stack-admins")["Group"]["Precedence"] == 2
    assert idp.get_group(UserPoolId=pool_id, GroupName=outputs["UnnamedRef"])["Group"]["GroupName"] == outputs["UnnamedRef"]
    assert idp.describe_user_pool_domain(Domain="stack-login-prefix")["DomainDescription"]["UserPoolId"] == pool_id

    updated = STACK_TEMPLATE.replace("Precedence: 2", "Precedence: 7")
    cfn.update_stack(StackName="pool-stack", TemplateBody=updated)
    assert cfn.describe_stacks(StackName="pool-stack")["Stacks"][0]["StackStatus"] == "UPDATE_COMPLETE"
    assert idp.get_group(UserPoolId=pool_id, GroupName="stack-admins")["Group"]["Precedence"] == 7

    # A new Domain replaces the resource: the new domain is created first, and a pool has one domain (as on AWS).
    cfn.update_stack(StackName="pool-stack", TemplateBody=updated.replace("Domain: stack-login-prefix", "Domain: stack-login-other"))
    events = cfn.describe_stack_events(StackName="pool-stack")["StackEvents"]
    failed = [e for e in events if e["LogicalResourceId"] == "Domain" and e["ResourceStatus"] == "UPDATE_FAILED"]
    assert failed and failed[0]["ResourceStatusReason"].startswith("User pool already has a domain configured.")
    assert cfn.describe_stacks(StackName="pool-stack")["Stacks"][0]["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    assert idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Domain"] == "stack-login-prefix"

    cfn.delete_stack(StackName="pool-stack")
    assert idp.describe_user_pool_domain(Domain="stack-login-prefix")["DomainDescription"] == {}
    assert error_of(lambda: idp.describe_user_pool(UserPoolId=pool_id))[0] == "ResourceNotFoundException"

    custom = STACK_TEMPLATE.replace("Domain: stack-login-prefix", "Domain: auth.example.com\n      CustomDomainConfig:\n"
                                    "        CertificateArn: arn:aws:acm:us-east-1:000000000000:certificate/0000")
    cfn.create_stack(StackName="custom-domain", TemplateBody=custom)
    events = cfn.describe_stack_events(StackName="custom-domain")["StackEvents"]
    failed = [e for e in events if e["LogicalResourceId"] == "Domain" and e["ResourceStatus"] == "CREATE_FAILED"]
    assert failed and failed[0]["ResourceStatusReason"].startswith("The specified SSL certificate doesn't exist")
    assert cfn.describe_stacks(StackName="custom-domain")["Stacks"][0]["StackStatus"] in ("ROLLBACK_COMPLETE", "CREATE_FAILED")


USERS_TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Pool:
    Type: AWS::Cognito::UserPool
    Properties:
      UserPoolName: users-stack-pool
  Client:
    Type: AWS::Cognito::UserPoolClient
    Properties:
      UserPoolId: !Ref Pool
      ExplicitAuthFlows: [ALLOW_ADMIN_USER_PASSWORD_AUTH, ALLOW_REFRESH_TOKEN_AUTH]
  Writers:
    Type: AWS::Cognito::UserPoolGroup
    Properties:
      UserPoolId: !Ref Pool
      GroupName: stack-writers
  Alice:
    Type: AWS::Cognito::UserPoolUser
    Properties:
      UserPoolId: !Ref Pool
      Username: stack-alice
      UserAttributes:
        - {Name: email, Value: alice@example.com}
      DesiredDeliveryMediums: [EMAIL]
      MessageAction: SUPPRESS
  AliceWriter:
    Type: AWS::Cognito::UserPoolUserToGroupAttachment
    Properties:
      UserPoolId: !Ref Pool
      GroupName: !Ref Writers
      Username: !Ref Alice
Outputs:
  PoolId: {Value: !Ref Pool}
  ClientId: {Value: !Ref Client}
  AliceRef: {Value: !Ref Alice}
  AttachmentRef: {Value: !Ref AliceWriter}
"""


def temporary_password(server, username):
    """The temporary password the emulator logged for `username` (no invitation leaves the machine)."""
    for line in reversed(server.log_path.read_text(errors="replace").splitlines()):
        # The text log format: `... temporaryPassword=X userPoolId=... username=NAME [CognitoUserPoolsService] ...`.
        fields = dict(part.split("=", 1) for part in line.split() if "=" in part)
        if fields.get("username") == username and "temporaryPassword" in fields:
            return fields["temporaryPassword"]
    raise AssertionError("no temporary password logged for " + username)


def test_cloudformation_users_and_group_attachments(groups):
    cfn, idp = groups.client("cloudformation"), groups.idp
    cfn.create_stack(StackName="users-stack", TemplateBody=USERS_TEMPLATE)
    stack = cfn.describe_stacks(StackName="users-stack")["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
    pool_id, client_id = outputs["PoolId"], outputs["ClientId"]
    assert outputs["AliceRef"] == "stack-alice"
    assert outputs["AttachmentRef"].startswith("UserToGroupAttachment-")
    user = idp.admin_get_user(UserPoolId=pool_id, Username="stack-alice")
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD" and user["Enabled"] is True
    assert {"Name": "email", "Value": "alice@example.com"} in user["UserAttributes"]
    groups_of = idp.admin_list_groups_for_user(UserPoolId=pool_id, Username="stack-alice")["Groups"]
    assert [g["GroupName"] for g in groups_of] == ["stack-writers"]
    # The temporary password is logged, as AdminCreateUser logs it, and signs in to the new-password challenge.
    answer = idp.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                     AuthParameters={"USERNAME": "stack-alice", "PASSWORD": temporary_password(groups, "stack-alice")})
    assert answer["ChallengeName"] == "NEW_PASSWORD_REQUIRED"

    # Every property replaces a user: a new Username creates the new user first, and the attachment that names it
    # is replaced with it; the old user and its membership are deleted.
    cfn.update_stack(StackName="users-stack", TemplateBody=USERS_TEMPLATE.replace("Username: stack-alice", "Username: stack-alicia"))
    stack = cfn.describe_stacks(StackName="users-stack")["Stacks"][0]
    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
    assert outputs["AliceRef"] == "stack-alicia"
    events = cfn.describe_stack_events(StackName="users-stack")["StackEvents"]
    assert any(e["LogicalResourceId"] == "Alice" and e["ResourceStatus"] == "UPDATE_IN_PROGRESS"
               and "Requested update requires the creation of a new physical resource" in e.get("ResourceStatusReason", "")
               for e in events)
    assert error_of(lambda: idp.admin_get_user(UserPoolId=pool_id, Username="stack-alice")) == ("UserNotFoundException", "User does not exist.")
    assert idp.admin_get_user(UserPoolId=pool_id, Username="stack-alicia")["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert [g["GroupName"] for g in idp.admin_list_groups_for_user(UserPoolId=pool_id, Username="stack-alicia")["Groups"]] == ["stack-writers"]
    assert [u["Username"] for u in idp.list_users_in_group(UserPoolId=pool_id, GroupName="stack-writers")["Users"]] == ["stack-alicia"]
    cfn.delete_stack(StackName="users-stack")
    assert error_of(lambda: idp.describe_user_pool(UserPoolId=pool_id))[0] == "ResourceNotFoundException"

    # On a pool outside the stack, DeleteStack removes the stack's user and membership and leaves the rest.
    template_pool = groups.outputs["UserPoolId"]
    on_template_pool = (USERS_TEMPLATE.split("  Pool:")[0] + "  Alice:" + USERS_TEMPLATE.split("  Alice:")[1].split("Outputs:")[0])
    on_template_pool = on_template_pool.replace("!Ref Pool", template_pool).replace("!Ref Writers", "editors")
    cfn.create_stack(StackName="users-on-template-pool", TemplateBody=on_template_pool)
    assert cfn.describe_stacks(StackName="users-on-template-pool")["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
    assert "stack-alice" in [u["Username"] for u in idp.list_users_in_group(UserPoolId=template_pool, GroupName="editors")["Users"]]
    cfn.delete_stack(StackName="users-on-template-pool")
    assert error_of(lambda: idp.admin_get_user(UserPoolId=template_pool, Username="stack-alice"))[0] == "UserNotFoundException"
    assert "stack-alice" not in [u["Username"] for u in idp.list_users_in_group(UserPoolId=template_pool, GroupName="editors")["Users"]]
    assert idp.get_group(UserPoolId=template_pool, GroupName="editors")["Group"]["GroupName"] == "editors"

    # Cognito's answers fail the resource: a group that does not exist, a user that already exists.
    cfn.create_stack(StackName="users-bad-group", TemplateBody=USERS_TEMPLATE.replace("GroupName: !Ref Writers", "GroupName: nobody"))
    events = cfn.describe_stack_events(StackName="users-bad-group")["StackEvents"]
    failed = [e for e in events if e["LogicalResourceId"] == "AliceWriter" and e["ResourceStatus"] == "CREATE_FAILED"]
    assert failed and failed[0]["ResourceStatusReason"] == "Group not found."
    assert cfn.describe_stacks(StackName="users-bad-group")["Stacks"][0]["StackStatus"] == "ROLLBACK_COMPLETE"
    new_user(idp, template_pool, "taken")
    taken = on_template_pool.replace("Username: stack-alice", "Username: taken")
    cfn.create_stack(StackName="users-taken", TemplateBody=taken)
    events = cfn.describe_stack_events(StackName="users-taken")["StackEvents"]
    failed = [e for e in events if e["LogicalResourceId"] == "Alice" and e["ResourceStatus"] == "CREATE_FAILED"]
    assert failed and failed[0]["ResourceStatusReason"] == "User account already exists"
    assert cfn.describe_stacks(StackName="users-taken")["Stacks"][0]["StackStatus"] == "ROLLBACK_COMPLETE"
    assert idp.admin_get_user(UserPoolId=template_pool, Username="taken")["Username"] == "taken"
    idp.admin_delete_user(UserPoolId=template_pool, Username="taken")

    # MessageAction as AdminCreateUser checks it; RESEND names a user that must exist (here it does not).
    for action, reason in [
        ("BOGUS", "1 validation error detected: Value 'BOGUS' at 'messageAction' failed to satisfy constraint: "
                  "Member must satisfy enum value set: [RESEND, SUPPRESS]"),
        ("RESEND", "User does not exist."),
    ]:
        name = "users-action-" + action.lower()
        cfn.create_stack(StackName=name, TemplateBody=on_template_pool.replace("MessageAction: SUPPRESS", "MessageAction: " + action))
        events = cfn.describe_stack_events(StackName=name)["StackEvents"]
        failed = [e for e in events if e["LogicalResourceId"] == "Alice" and e["ResourceStatus"] == "CREATE_FAILED"]
        assert failed and failed[0]["ResourceStatusReason"] == reason
        assert cfn.describe_stacks(StackName=name)["Stacks"][0]["StackStatus"] == "ROLLBACK_COMPLETE"


@pytest.mark.parametrize("resource", [
    "  Frank:\n    Type: AWS::Cognito::UserPoolUser\n    Properties:\n      UserPoolId: !Ref UserPool\n      Username: frank\n",
    "  FrankEditor:\n    Type: AWS::Cognito::UserPoolUserToGroupAttachment\n    Properties:\n      UserPoolId: !Ref UserPool\n"
    "      GroupName: editors\n      Username: frank\n",
])
def test_a_template_user_or_attachment_is_refused_at_start(tmp_path, resource):
    template = tmp_path / "template.yaml"
    template.write_text(FIXTURE.read_text().replace("\nOutputs:\n", "\n" + resource + "\nOutputs:\n"))
    result = subprocess.run([str(emulator_binary()), "start", "--template", str(template), "--host", "127.0.0.1", "--port", "0",
                             "--ephemeral"], capture_output=True, text=True, timeout=60, cwd=str(tmp_path))
    assert result.returncode != 0
    assert "is not yet deployable by SynapScribe Local in the start-up template" in result.stderr


def test_reset_keeps_template_groups_and_drops_the_rest(groups):
    idp, pool_id = groups.idp, groups.outputs["UserPoolId"]
    new_user(idp, pool_id, "dora")
    idp.admin_add_user_to_group(UserPoolId=pool_id, Username="dora", GroupName="editors")
    idp.create_group(UserPoolId=pool_id, GroupName="api-made")
    idp.update_group(UserPoolId=pool_id, GroupName="editors", Precedence=9)
    idp.delete_user_pool_domain(UserPoolId=pool_id, Domain="team-notes-login")
    response = requests.post(f"{groups.endpoint}/_local/reset", headers={"Content-Type": "application/json"}, data="{}", timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    assert sorted(g["GroupName"] for g in idp.list_groups(UserPoolId=pool_id)["Groups"]) == sorted(["editors", groups.outputs["ReadersGroup"]])
    assert idp.get_group(UserPoolId=pool_id, GroupName="editors")["Group"]["Precedence"] == 1
    assert idp.list_users_in_group(UserPoolId=pool_id, GroupName="editors")["Users"] == []
    assert idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Domain"] == "team-notes-login"


def test_groups_and_memberships_survive_kill_9(tmp_path):
    data = tmp_path / "data"
    server = start(tmp_path, data_dir=data)
    try:
        idp, pool_id = server.idp, server.outputs["UserPoolId"]
        new_user(idp, pool_id, "erin")
        idp.create_group(UserPoolId=pool_id, GroupName="kept", Precedence=4)
        idp.admin_add_user_to_group(UserPoolId=pool_id, Username="erin", GroupName="kept")
        idp.admin_add_user_to_group(UserPoolId=pool_id, Username="erin", GroupName="editors")
        server.process.kill()  # SIGKILL: acknowledged writes must already be on disk
        server.process.wait(timeout=30)
    finally:
        server.stop()
    server = start(tmp_path, data_dir=data)
    try:
        idp, pool_id = server.idp, server.outputs["UserPoolId"]
        assert sorted(g["GroupName"] for g in idp.admin_list_groups_for_user(UserPoolId=pool_id, Username="erin")["Groups"]) == ["editors", "kept"]
        assert idp.get_group(UserPoolId=pool_id, GroupName="kept")["Group"]["Precedence"] == 4
        assert idp.describe_user_pool_domain(Domain="team-notes-login")["DomainDescription"]["UserPoolId"] == pool_id
    finally:
        server.stop()


@pytest.mark.parametrize("domain, reason", [
    ("Domain: auth.example.com\n      CustomDomainConfig:\n        CertificateArn: arn:aws:acm:us-east-1:000000000000:certificate/0000",
     "The specified SSL certificate doesn't exist, isn't in us-east-1 region, isn't valid, or doesn't include a valid certificate chain."),
    ("Domain: Team_Login", "The domain name contains an invalid character."),
])
def test_a_template_domain_cognito_refuses_fails_the_start(tmp_path, domain, reason):
    template = tmp_path / "template.yaml"
    template.write_text(FIXTURE.read_text().replace("Domain: team-notes-login", domain))
    result = subprocess.run([str(emulator_binary()), "start", "--template", str(template), "--host", "127.0.0.1", "--port", "0",
                             "--ephemeral"], capture_output=True, text=True, timeout=60, cwd=str(tmp_path))
    assert result.returncode != 0
    assert "resource UserPoolDomain: CREATE_FAILED: " + reason in result.stderr


def test_group_operations_are_authorized_as_cognito_idp_actions(groups):
    iam, pool_id = groups.client("iam"), groups.outputs["UserPoolId"]
    iam.create_user(UserName="group-reader")
    pool_arn = f"arn:aws:cognito-idp:{REGION}:{ACCOUNT_ID}:userpool/{pool_id}"
    iam.put_user_policy(UserName="group-reader", PolicyName="read-groups", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["cognito-idp:GetGroup", "cognito-idp:ListGroups"], "Resource": pool_arn}]}))
    key = iam.create_access_key(UserName="group-reader")["AccessKey"]
    reader = groups.client("cognito-idp", key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    assert reader.get_group(UserPoolId=pool_id, GroupName="editors")["Group"]["GroupName"] == "editors"
    assert [g["GroupName"] for g in reader.list_groups(UserPoolId=pool_id)["Groups"]]
    code, message = error_of(lambda: reader.create_group(UserPoolId=pool_id, GroupName="sneaky"))
    assert code == "AccessDeniedException" and "cognito-idp:CreateGroup" in message
    code, message = error_of(lambda: reader.create_user_pool_domain(UserPoolId=pool_id, Domain="sneaky-domain"))
    assert code == "AccessDeniedException" and "cognito-idp:CreateUserPoolDomain" in message
