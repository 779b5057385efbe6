"""Cognito Identity, STS and IAM enforcement, driven with unmodified boto3.

Guest (unauthenticated) identities get temporary credentials bound to the identity pool's unauthenticated
role; every request they sign is authorized against that role's policies from `template.yaml`, as in AWS.
"""

import base64
import json
import re
import subprocess
from datetime import datetime, timedelta, timezone

import boto3
import pytest
import requests
from botocore import UNSIGNED
from botocore.exceptions import ClientError
from conftest import (
    ACCOUNT_ID,
    LOOPBACK,
    REGION,
    REPO_ROOT,
    STACK_NAME,
    TEMPLATE,
    client_config,
    emulator_binary,
    free_port,
    stop_process,
    wait_until_healthy,
)

AUDIO_BUCKET = f"synapscribe-audio-{ACCOUNT_ID}"
SESSIONS_TABLE = "SynapScribe-Sessions"
IDENTITY_ID = re.compile(r"^us-east-1:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
MISSING_POOL = "us-east-1:00000000-0000-0000-0000-000000000000"


def error_of(excinfo):
    """(code, message, HTTP status) of a botocore ClientError."""
    response = excinfo.value.response
    return (response["Error"].get("Code"), response["Error"].get("Message", ""),
            response["ResponseMetadata"]["HTTPStatusCode"])


def jwt_part(token, index):
    """A decoded JSON segment of a compact JWS."""
    segment = token.split(".")[index]
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


@pytest.fixture(scope="module")
def stack_facts(client):
    """Identity pool id and role names/ARNs from the deployed stack."""
    cfn = client("cloudformation")
    outputs = {o["OutputKey"]: o["OutputValue"] for o in cfn.describe_stacks(StackName=STACK_NAME)["Stacks"][0]["Outputs"]}
    resources = {r["LogicalResourceId"]: r["PhysicalResourceId"]
                 for r in cfn.list_stack_resources(StackName=STACK_NAME)["StackResourceSummaries"]}
    return {
        "pool_id": outputs["IdentityPoolId"],
        "unauth_role": resources["CognitoUnauthRole"],
        "lambda_role": resources["LambdaExecutionRole"],
    }


@pytest.fixture(scope="module")
def cognito(client):
    return client("cognito-identity")


@pytest.fixture(scope="module")
def unsigned_cognito(endpoint):
    """A Cognito client that signs nothing, as browser and mobile SDKs call GetId."""
    session = boto3.Session(region_name=REGION)
    return session.client("cognito-identity", endpoint_url=endpoint, config=client_config(signature_version=UNSIGNED))


def guest_credentials(cognito_client, pool_id):
    identity_id = cognito_client.get_id(IdentityPoolId=pool_id)["IdentityId"]
    response = cognito_client.get_credentials_for_identity(IdentityId=identity_id)
    return identity_id, response["Credentials"]


def client_for(endpoint, service, credentials):
    """A boto3 client signing with temporary credentials from Cognito or STS."""
    session = boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials.get("SecretKey") or credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=REGION,
    )
    return session.client(service, endpoint_url=endpoint, config=client_config())


@pytest.fixture
def guest(unsigned_cognito, stack_facts, endpoint):
    """Fresh guest credentials and a factory of clients signing with them."""
    identity_id, credentials = guest_credentials(unsigned_cognito, stack_facts["pool_id"])
    return {
        "identity_id": identity_id,
        "credentials": credentials,
        "client": lambda service: client_for(endpoint, service, credentials),
    }


# =========================================================================== Cognito Identity


class TestCognitoFlow:
    def test_health_counts_pools(self, endpoint):
        services = requests.get(f"{endpoint}/_local/health", timeout=10).json()["services"]
        assert services["cognito-identity"]["state"] == "running"
        assert services["cognito-identity"]["resources"]["identityPools"] >= 1
        assert services["sts"]["state"] == "running"

    def test_get_id_unsigned(self, unsigned_cognito, stack_facts):
        identity_id = unsigned_cognito.get_id(IdentityPoolId=stack_facts["pool_id"])["IdentityId"]
        assert IDENTITY_ID.match(identity_id), identity_id

    def test_get_id_signed_and_with_account(self, cognito, stack_facts):
        first = cognito.get_id(IdentityPoolId=stack_facts["pool_id"], AccountId=ACCOUNT_ID)["IdentityId"]
        second = cognito.get_id(IdentityPoolId=stack_facts["pool_id"])["IdentityId"]
        assert IDENTITY_ID.match(first) and IDENTITY_ID.match(second)
        assert first != second, "each GetId without logins creates a new guest identity"

    def test_get_credentials_for_identity(self, unsigned_cognito, stack_facts, clock):
        identity_id, credentials = guest_credentials(unsigned_cognito, stack_facts["pool_id"])
        assert re.match(r"^ASIA[A-Z2-7]{16}$", credentials["AccessKeyId"]), credentials["AccessKeyId"]
        assert len(credentials["SecretKey"]) == 40
        assert credentials["SessionToken"]
        lifetime = credentials["Expiration"] - clock.now()
        assert timedelta(minutes=59) < lifetime <= timedelta(hours=1, seconds=1), lifetime

    def test_expiration_follows_virtual_clock(self, unsigned_cognito, stack_facts, clock):
        clock.advance("3d")
        _, credentials = guest_credentials(unsigned_cognito, stack_facts["pool_id"])
        expected = clock.now() + timedelta(hours=1)
        assert abs((credentials["Expiration"] - expected).total_seconds()) < 5

    def test_describe_identity_pool(self, cognito, stack_facts):
        pool = cognito.describe_identity_pool(IdentityPoolId=stack_facts["pool_id"])
        assert pool["IdentityPoolId"] == stack_facts["pool_id"]
        assert pool["IdentityPoolName"] == "SynapScribe_IdentityPool"
        assert pool["AllowUnauthenticatedIdentities"] is True
        assert pool["AllowClassicFlow"] is False

    def test_identity_pool_roles_from_template(self, cognito, stack_facts):
        roles = cognito.get_identity_pool_roles(IdentityPoolId=stack_facts["pool_id"])
        assert roles["IdentityPoolId"] == stack_facts["pool_id"]
        assert roles["Roles"] == {"unauthenticated": f"arn:aws:iam::{ACCOUNT_ID}:role/{stack_facts['unauth_role']}"}

    def test_list_identity_pools(self, cognito, stack_facts):
        pools = cognito.list_identity_pools(MaxResults=60)["IdentityPools"]
        assert {"IdentityPoolId": stack_facts["pool_id"], "IdentityPoolName": "SynapScribe_IdentityPool"} in pools

    def test_describe_and_list_identities(self, cognito, unsigned_cognito, stack_facts):
        identity_id = unsigned_cognito.get_id(IdentityPoolId=stack_facts["pool_id"])["IdentityId"]
        identity = cognito.describe_identity(IdentityId=identity_id)
        assert identity["IdentityId"] == identity_id
        assert isinstance(identity["CreationDate"], datetime)
        assert identity["Logins"] == []
        listed = []
        kwargs = {"IdentityPoolId": stack_facts["pool_id"], "MaxResults": 2}
        while True:
            page = cognito.list_identities(**kwargs)
            assert page["IdentityPoolId"] == stack_facts["pool_id"]
            assert len(page["Identities"]) <= 2
            listed += [entry["IdentityId"] for entry in page["Identities"]]
            if "NextToken" not in page:
                break
            kwargs["NextToken"] = page["NextToken"]
        assert identity_id in listed
        assert len(listed) == len(set(listed))

    def test_open_id_token(self, unsigned_cognito, stack_facts, clock):
        identity_id = unsigned_cognito.get_id(IdentityPoolId=stack_facts["pool_id"])["IdentityId"]
        response = unsigned_cognito.get_open_id_token(IdentityId=identity_id)
        assert response["IdentityId"] == identity_id
        header, claims = jwt_part(response["Token"], 0), jwt_part(response["Token"], 1)
        assert header["alg"] == "ES256" and header["kid"]
        assert claims["sub"] == identity_id
        assert claims["aud"] == stack_facts["pool_id"]
        assert claims["amr"] == ["unauthenticated"]
        assert claims["iss"] == "https://cognito-identity.amazonaws.com"
        assert claims["exp"] - claims["iat"] == 600
        assert abs(claims["iat"] - clock.now().timestamp()) < 5

    def test_create_set_roles_delete_pool(self, cognito, unsigned_cognito, stack_facts):
        created = cognito.create_identity_pool(
            IdentityPoolName="scratch pool", AllowUnauthenticatedIdentities=True,
            IdentityPoolTags={"team": "qa"},
        )
        pool_id = created["IdentityPoolId"]
        try:
            assert IDENTITY_ID.match(pool_id)
            assert created["IdentityPoolName"] == "scratch pool"
            assert created["IdentityPoolTags"] == {"team": "qa"}
            identity_id = unsigned_cognito.get_id(IdentityPoolId=pool_id)["IdentityId"]
            # No role yet: Cognito cannot hand out credentials.
            with pytest.raises(ClientError) as excinfo:
                unsigned_cognito.get_credentials_for_identity(IdentityId=identity_id)
            assert error_of(excinfo) == ("InvalidIdentityPoolConfigurationException",
                                         "Invalid identity pool configuration. Check assigned IAM roles for this pool.", 400)
            role_arn = f"arn:aws:iam::{ACCOUNT_ID}:role/{stack_facts['unauth_role']}"
            cognito.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"unauthenticated": role_arn})
            assert cognito.get_identity_pool_roles(IdentityPoolId=pool_id)["Roles"] == {"unauthenticated": role_arn}
            # The template role's trust policy names the template pool only (cognito-identity.amazonaws.com:aud).
            with pytest.raises(ClientError) as excinfo:
                unsigned_cognito.get_credentials_for_identity(IdentityId=identity_id)
            assert error_of(excinfo)[0] == "InvalidIdentityPoolConfigurationException"
        finally:
            cognito.delete_identity_pool(IdentityPoolId=pool_id)
        with pytest.raises(ClientError) as excinfo:
            cognito.describe_identity_pool(IdentityPoolId=pool_id)
        assert error_of(excinfo) == ("ResourceNotFoundException", f"IdentityPool '{pool_id}' not found.", 400)
        with pytest.raises(ClientError) as excinfo:
            cognito.describe_identity(IdentityId=identity_id)
        assert error_of(excinfo) == ("ResourceNotFoundException", f"Identity '{identity_id}' not found.", 400)


class TestCognitoErrors:
    def test_unknown_pool(self, unsigned_cognito, cognito):
        for call in (lambda: unsigned_cognito.get_id(IdentityPoolId=MISSING_POOL),
                     lambda: cognito.describe_identity_pool(IdentityPoolId=MISSING_POOL)):
            with pytest.raises(ClientError) as excinfo:
                call()
            assert error_of(excinfo) == ("ResourceNotFoundException", f"IdentityPool '{MISSING_POOL}' not found.", 400)

    def test_unknown_identity(self, unsigned_cognito):
        with pytest.raises(ClientError) as excinfo:
            unsigned_cognito.get_credentials_for_identity(IdentityId=MISSING_POOL)
        assert error_of(excinfo) == ("ResourceNotFoundException", f"Identity '{MISSING_POOL}' not found.", 400)

    def test_unauthenticated_not_allowed(self, cognito, unsigned_cognito):
        pool_id = cognito.create_identity_pool(IdentityPoolName="members_only",
                                               AllowUnauthenticatedIdentities=False)["IdentityPoolId"]
        try:
            with pytest.raises(ClientError) as excinfo:
                unsigned_cognito.get_id(IdentityPoolId=pool_id)
            assert error_of(excinfo) == ("NotAuthorizedException",
                                         "Unauthenticated access is not supported for this identity pool.", 400)
        finally:
            cognito.delete_identity_pool(IdentityPoolId=pool_id)

    def test_logins_are_refused_clearly(self, unsigned_cognito, stack_facts):
        with pytest.raises(ClientError) as excinfo:
            unsigned_cognito.get_id(IdentityPoolId=stack_facts["pool_id"], Logins={"accounts.google.com": "token"})
        code, message, status = error_of(excinfo)
        assert (code, status) == ("NotAuthorizedException", 400)
        assert "accounts.google.com" in message and "not emulated" in message

    def test_malformed_pool_id(self, unsigned_cognito):
        with pytest.raises(ClientError) as excinfo:
            unsigned_cognito.get_id(IdentityPoolId="not-a-pool")
        assert error_of(excinfo) == (
            "ValidationException",
            "1 validation error detected: Value 'not-a-pool' at 'identityPoolId' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [\\w-]+:[0-9a-f-]+",
            400,
        )

    def test_max_results_above_limit(self, cognito):
        with pytest.raises(ClientError) as excinfo:
            cognito.list_identity_pools(MaxResults=61)
        assert error_of(excinfo) == (
            "ValidationException",
            "1 validation error detected: Value '61' at 'maxResults' failed to satisfy constraint: "
            "Member must have value less than or equal to 60",
            400,
        )

    def test_signed_operation_needs_signature(self, unsigned_cognito, stack_facts):
        with pytest.raises(ClientError) as excinfo:
            unsigned_cognito.describe_identity_pool(IdentityPoolId=stack_facts["pool_id"])
        assert error_of(excinfo)[0] == "MissingAuthenticationTokenException"

    def test_guest_may_not_describe_pool(self, guest, stack_facts):
        with pytest.raises(ClientError) as excinfo:
            guest["client"]("cognito-identity").describe_identity_pool(IdentityPoolId=stack_facts["pool_id"])
        code, message, status = error_of(excinfo)
        assert (code, status) == ("AccessDeniedException", 400)
        pool_arn = f"arn:aws:cognito-identity:{REGION}:{ACCOUNT_ID}:identitypool/{stack_facts['pool_id']}"
        assert message == (
            f"User: arn:aws:sts::{ACCOUNT_ID}:assumed-role/{stack_facts['unauth_role']}/CognitoIdentityCredentials "
            f"is not authorized to perform: cognito-identity:DescribeIdentityPool on resource: {pool_arn} "
            "because no identity-based policy allows the cognito-identity:DescribeIdentityPool action"
        )


# =========================================================================== STS


class TestSTS:
    def test_caller_identity_of_test_keys(self, client):
        identity = client("sts").get_caller_identity()
        assert identity["Arn"] == f"arn:aws:iam::{ACCOUNT_ID}:root"
        assert identity["Account"] == ACCOUNT_ID
        assert identity["UserId"] == ACCOUNT_ID

    def test_caller_identity_of_cognito_credentials(self, guest, stack_facts):
        identity = guest["client"]("sts").get_caller_identity()
        assert identity["Arn"] == (f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/{stack_facts['unauth_role']}"
                                   "/CognitoIdentityCredentials")
        assert identity["Account"] == ACCOUNT_ID
        assert re.match(r"^AROA[A-Z0-9]+:CognitoIdentityCredentials$", identity["UserId"]), identity["UserId"]

    def test_cli_caller_identity(self, aws_cli):
        code, out, err = aws_cli("sts", "get-caller-identity")
        assert code == 0, err
        assert json.loads(out)["Arn"] == f"arn:aws:iam::{ACCOUNT_ID}:root"

    def test_assume_role(self, client, endpoint, stack_facts, clock):
        role_arn = f"arn:aws:iam::{ACCOUNT_ID}:role/{stack_facts['lambda_role']}"
        response = client("sts").assume_role(RoleArn=role_arn, RoleSessionName="local-dev", DurationSeconds=900)
        credentials = response["Credentials"]
        assert credentials["AccessKeyId"].startswith("ASIA")
        lifetime = credentials["Expiration"] - clock.now()
        assert timedelta(minutes=14) < lifetime <= timedelta(minutes=15, seconds=1), lifetime
        user = response["AssumedRoleUser"]
        assert user["Arn"] == f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/{stack_facts['lambda_role']}/local-dev"
        assert re.match(r"^AROA[A-Z0-9]+:local-dev$", user["AssumedRoleId"]), user["AssumedRoleId"]
        identity = client_for(endpoint, "sts", credentials).get_caller_identity()
        assert identity["Arn"] == user["Arn"]
        assert identity["UserId"] == user["AssumedRoleId"]

    def test_assume_unknown_role(self, client):
        role_arn = f"arn:aws:iam::{ACCOUNT_ID}:role/NoSuchRole"
        with pytest.raises(ClientError) as excinfo:
            client("sts").assume_role(RoleArn=role_arn, RoleSessionName="s1")
        assert error_of(excinfo) == (
            "AccessDenied",
            f"User: arn:aws:iam::{ACCOUNT_ID}:root is not authorized to perform: sts:AssumeRole on resource: {role_arn}",
            403,
        )

    def test_duration_above_max_session(self, client, stack_facts):
        with pytest.raises(ClientError) as excinfo:
            client("sts").assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT_ID}:role/{stack_facts['lambda_role']}",
                                      RoleSessionName="long", DurationSeconds=7200)
        assert error_of(excinfo) == (
            "ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.", 400)

    def test_bad_session_name(self, client, stack_facts):
        with pytest.raises(ClientError) as excinfo:
            client("sts").assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT_ID}:role/{stack_facts['lambda_role']}",
                                      RoleSessionName="has space")
        assert error_of(excinfo) == (
            "ValidationError",
            "1 validation error detected: Value 'has space' at 'roleSessionName' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [\\w+=,.@-]*",
            400,
        )

    def test_guest_may_not_assume_other_roles(self, guest, stack_facts):
        role_arn = f"arn:aws:iam::{ACCOUNT_ID}:role/{stack_facts['lambda_role']}"
        with pytest.raises(ClientError) as excinfo:
            guest["client"]("sts").assume_role(RoleArn=role_arn, RoleSessionName="escalate")
        code, message, status = error_of(excinfo)
        assert (code, status) == ("AccessDenied", 403)
        assert message.startswith(f"User: arn:aws:sts::{ACCOUNT_ID}:assumed-role/{stack_facts['unauth_role']}"
                                  f"/CognitoIdentityCredentials is not authorized to perform: sts:AssumeRole on "
                                  f"resource: {role_arn}")

    def test_assume_role_with_web_identity(self, unsigned_cognito, endpoint, stack_facts):
        identity_id = unsigned_cognito.get_id(IdentityPoolId=stack_facts["pool_id"])["IdentityId"]
        token = unsigned_cognito.get_open_id_token(IdentityId=identity_id)["Token"]
        sts = boto3.Session(region_name=REGION).client("sts", endpoint_url=endpoint,
                                                        config=client_config(signature_version=UNSIGNED))
        role_arn = f"arn:aws:iam::{ACCOUNT_ID}:role/{stack_facts['unauth_role']}"
        response = sts.assume_role_with_web_identity(RoleArn=role_arn, RoleSessionName="web", WebIdentityToken=token)
        assert response["SubjectFromWebIdentityToken"] == identity_id
        assert response["Audience"] == stack_facts["pool_id"]
        assert response["Provider"] == "cognito-identity.amazonaws.com"
        identity = client_for(endpoint, "sts", response["Credentials"]).get_caller_identity()
        assert identity["Arn"] == f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/{stack_facts['unauth_role']}/web"
        # The Lambda role trusts lambda.amazonaws.com only.
        with pytest.raises(ClientError) as excinfo:
            sts.assume_role_with_web_identity(RoleArn=f"arn:aws:iam::{ACCOUNT_ID}:role/{stack_facts['lambda_role']}",
                                              RoleSessionName="web", WebIdentityToken=token)
        assert error_of(excinfo) == ("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity", 403)
        with pytest.raises(ClientError) as excinfo:
            sts.assume_role_with_web_identity(RoleArn=role_arn, RoleSessionName="web", WebIdentityToken=token[:-4] + "AAAA")
        assert error_of(excinfo)[0] == "InvalidIdentityToken"

    def test_unsigned_assume_role_with_saml_reaches_sts(self, endpoint, stack_facts):
        # AssumeRoleWithSAML is unsigned like AssumeRoleWithWebIdentity; SAML providers are not emulated, so STS
        # answers its unknown-operation error (it used to fall through to S3 and answer S3's AccessDenied).
        sts = boto3.Session(region_name=REGION).client("sts", endpoint_url=endpoint,
                                                        config=client_config(signature_version=UNSIGNED))
        with pytest.raises(ClientError) as excinfo:
            sts.assume_role_with_saml(RoleArn=f"arn:aws:iam::{ACCOUNT_ID}:role/{stack_facts['unauth_role']}",
                                      PrincipalArn=f"arn:aws:iam::{ACCOUNT_ID}:saml-provider/corporate",
                                      SAMLAssertion="x" * 8)
        assert error_of(excinfo) == ("InvalidAction", "Could not find operation AssumeRoleWithSAML for version 2011-06-15",
                                     400)


# =========================================================================== expiry


class TestExpiry:
    def test_cognito_credentials_expire_after_one_hour(self, guest, clock, stack_facts):
        sts = guest["client"]("sts")
        cfn = guest["client"]("cloudformation")
        assert sts.get_caller_identity()["Account"] == ACCOUNT_ID
        clock.advance("59m")
        assert sts.get_caller_identity()["Account"] == ACCOUNT_ID
        clock.advance("1m")
        # Query-protocol services (STS, CloudFormation) say ExpiredToken/403, JSON services ExpiredTokenException/400.
        for call in (sts.get_caller_identity, lambda: cfn.describe_stacks(StackName=STACK_NAME)):
            with pytest.raises(ClientError) as excinfo:
                call()
            assert error_of(excinfo) == ("ExpiredToken", "The security token included in the request is expired", 403)
        with pytest.raises(ClientError) as excinfo:
            guest["client"]("cognito-identity").describe_identity_pool(IdentityPoolId=stack_facts["pool_id"])
        assert error_of(excinfo) == ("ExpiredTokenException", "The security token included in the request is expired", 400)

    def test_assumed_role_credentials_expire(self, client, endpoint, stack_facts, clock):
        credentials = client("sts").assume_role(
            RoleArn=f"arn:aws:iam::{ACCOUNT_ID}:role/{stack_facts['lambda_role']}",
            RoleSessionName="short", DurationSeconds=900)["Credentials"]
        clock.advance("16m")
        with pytest.raises(ClientError) as excinfo:
            client_for(endpoint, "sts", credentials).get_caller_identity()
        assert error_of(excinfo)[:1] == ("ExpiredToken",)


# =========================================================================== enforcement on S3 and DynamoDB


@pytest.mark.requires("s3")
class TestS3Enforcement:
    def test_put_object_under_queries_allowed(self, guest, client):
        s3 = guest["client"]("s3")
        key = f"queries/{guest['identity_id']}/q.wav"
        s3.put_object(Bucket=AUDIO_BUCKET, Key=key, Body=b"RIFF")
        assert client("s3").get_object(Bucket=AUDIO_BUCKET, Key=key)["Body"].read() == b"RIFF"

    def test_put_object_under_lectures_denied(self, guest, stack_facts, client):
        key = f"lectures/{guest['identity_id']}.wav"
        with pytest.raises(ClientError) as excinfo:
            guest["client"]("s3").put_object(Bucket=AUDIO_BUCKET, Key=key, Body=b"RIFF")
        code, message, status = error_of(excinfo)
        assert (code, status) == ("AccessDenied", 403)
        assert message == (
            f"User: arn:aws:sts::{ACCOUNT_ID}:assumed-role/{stack_facts['unauth_role']}/CognitoIdentityCredentials "
            f"is not authorized to perform: s3:PutObject on resource: \"arn:aws:s3:::{AUDIO_BUCKET}/{key}\" "
            "because no identity-based policy allows the s3:PutObject action"
        )
        with pytest.raises(ClientError) as excinfo:
            client("s3").head_object(Bucket=AUDIO_BUCKET, Key=key)
        assert error_of(excinfo)[2] == 404, "a denied upload must not create the object"

    def test_get_object_denied(self, guest):
        with pytest.raises(ClientError) as excinfo:
            guest["client"]("s3").get_object(Bucket=AUDIO_BUCKET, Key="queries/anything.wav")
        assert error_of(excinfo)[:1] == ("AccessDenied",)

    def test_presigned_put_works_and_dies_with_credentials(self, guest, endpoint, clock):
        session = boto3.Session(
            aws_access_key_id=guest["credentials"]["AccessKeyId"],
            aws_secret_access_key=guest["credentials"]["SecretKey"],
            aws_session_token=guest["credentials"]["SessionToken"],
            region_name=REGION,
        )
        s3 = session.client("s3", endpoint_url=endpoint, config=client_config(signature_version="s3v4"))
        url = s3.generate_presigned_url("put_object", Params={"Bucket": AUDIO_BUCKET, "Key": "queries/presigned.wav"},
                                        ExpiresIn=7200)
        assert requests.put(url, data=b"RIFF", timeout=10).status_code == 200
        clock.advance("61m")
        response = requests.put(url, data=b"RIFF", timeout=10)
        assert response.status_code in (400, 403), response.text
        assert "<Code>ExpiredToken</Code>" in response.text or "<Code>AccessDenied</Code>" in response.text

    def test_presigned_post_works_and_dies_with_credentials(self, guest, endpoint, clock):
        session = boto3.Session(
            aws_access_key_id=guest["credentials"]["AccessKeyId"],
            aws_secret_access_key=guest["credentials"]["SecretKey"],
            aws_session_token=guest["credentials"]["SessionToken"],
            region_name=REGION,
        )
        s3 = session.client("s3", endpoint_url=endpoint, config=client_config(signature_version="s3v4"))
        post = s3.generate_presigned_post(AUDIO_BUCKET, "queries/posted.wav", ExpiresIn=7200)
        ok = requests.post(post["url"], data=post["fields"], files={"file": ("posted.wav", b"RIFF")}, timeout=10)
        assert ok.status_code == 204, ok.text
        clock.advance("61m")
        expired = requests.post(post["url"], data=post["fields"], files={"file": ("posted.wav", b"RIFF")}, timeout=10)
        assert expired.status_code in (400, 403), expired.text
        assert "<Code>ExpiredToken</Code>" in expired.text, expired.text
        assert "<Message>The provided token has expired.</Message>" in expired.text, expired.text


class TestDynamoDBEnforcement:
    def test_put_and_get_item_on_sessions_allowed(self, guest):
        dynamodb = guest["client"]("dynamodb")
        key = {"sessionId": {"S": guest["identity_id"]}, "lectureId": {"S": "l1"}}
        dynamodb.put_item(TableName=SESSIONS_TABLE, Item={**key, "note": {"S": "hi"}})
        assert dynamodb.get_item(TableName=SESSIONS_TABLE, Key=key)["Item"]["note"] == {"S": "hi"}

    def test_other_table_denied(self, guest, stack_facts):
        dynamodb = guest["client"]("dynamodb")
        with pytest.raises(ClientError) as excinfo:
            dynamodb.put_item(TableName="OtherTable", Item={"id": {"S": "x"}})
        code, message, status = error_of(excinfo)
        assert (code, status) == ("AccessDeniedException", 400)
        table_arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT_ID}:table/OtherTable"
        assert message == (
            f"User: arn:aws:sts::{ACCOUNT_ID}:assumed-role/{stack_facts['unauth_role']}/CognitoIdentityCredentials "
            f"is not authorized to perform: dynamodb:PutItem on resource: {table_arn} "
            "because no identity-based policy allows the dynamodb:PutItem action"
        )

    def test_delete_item_on_sessions_denied(self, guest):
        key = {"sessionId": {"S": guest["identity_id"]}, "lectureId": {"S": "l1"}}
        with pytest.raises(ClientError) as excinfo:
            guest["client"]("dynamodb").delete_item(TableName=SESSIONS_TABLE, Key=key)
        assert error_of(excinfo)[0] == "AccessDeniedException"


# =========================================================================== --iam audit / off


def start_emulator(tmp_path, *extra, data_dir=None):
    """Start a second emulator with extra `start` options; returns (process, endpoint, log path)."""
    port = free_port()
    log_path = tmp_path / f"emulator-{port}.log"
    storage = ["--data-dir", str(data_dir)] if data_dir else ["--ephemeral"]
    command = [str(emulator_binary()), "start", "--template", str(TEMPLATE), "--host", LOOPBACK, "--port", str(port),
               *storage, "--parameter-overrides", "AgentCoreEndpoint=http://127.0.0.1:9", *extra]
    with open(log_path, "ab") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=REPO_ROOT)
    endpoint = f"http://{LOOPBACK}:{port}"
    try:
        wait_until_healthy(endpoint, process, log_path)
    except BaseException:
        stop_process(process)
        raise
    return process, endpoint, log_path


@pytest.mark.parametrize("mode", ["audit", "off"])
def test_iam_modes_let_denied_requests_through(tmp_path, mode):
    process, endpoint, log_path = start_emulator(tmp_path, "--iam", mode)
    try:
        session = boto3.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name=REGION)
        cfn = session.client("cloudformation", endpoint_url=endpoint, config=client_config())
        outputs = {o["OutputKey"]: o["OutputValue"]
                   for o in cfn.describe_stacks(StackName=STACK_NAME)["Stacks"][0]["Outputs"]}
        cognito = session.client("cognito-identity", endpoint_url=endpoint, config=client_config())
        _, credentials = guest_credentials(cognito, outputs["IdentityPoolId"])
        guest_cognito = client_for(endpoint, "cognito-identity", credentials)
        pool = guest_cognito.describe_identity_pool(IdentityPoolId=outputs["IdentityPoolId"])
        assert pool["IdentityPoolId"] == outputs["IdentityPoolId"]
    finally:
        stop_process(process)
    log = log_path.read_text(errors="replace")
    if mode == "audit":
        assert "IAM audit: AWS would deny this request" in log
        assert "cognito-identity:DescribeIdentityPool" in log
    else:
        assert "IAM audit" not in log


def test_iam_option_is_validated(tmp_path):
    result = subprocess.run([str(emulator_binary()), "start", "--iam", "lenient", "--template", str(TEMPLATE)],
                            capture_output=True, text=True, timeout=30, cwd=REPO_ROOT)
    assert result.returncode != 0
    assert "--iam must be one of enforce, audit, off" in result.stderr


def test_enforce_denial_is_logged(guest, stack_facts, emulator):
    if emulator.log_path is None:
        pytest.skip("reusing an emulator: its log is not ours to read")
    with pytest.raises(ClientError):
        guest["client"]("cognito-identity").list_identities(IdentityPoolId=stack_facts["pool_id"], MaxResults=5)
    log = emulator.log_tail()
    assert "IAM denied: User: arn:aws:sts::" in log
    assert "cognito-identity:ListIdentities" in log


def test_identities_persist_across_restarts(tmp_path):
    data_dir = tmp_path / "data"
    session = boto3.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name=REGION)

    def pool_and_client(endpoint):
        cfn = session.client("cloudformation", endpoint_url=endpoint, config=client_config())
        outputs = {o["OutputKey"]: o["OutputValue"]
                   for o in cfn.describe_stacks(StackName=STACK_NAME)["Stacks"][0]["Outputs"]}
        return outputs["IdentityPoolId"], session.client("cognito-identity", endpoint_url=endpoint, config=client_config())

    process, endpoint, _ = start_emulator(tmp_path, data_dir=data_dir)
    try:
        pool_id, cognito = pool_and_client(endpoint)
        identity_id = cognito.get_id(IdentityPoolId=pool_id)["IdentityId"]
        created = cognito.describe_identity(IdentityId=identity_id)["CreationDate"]
        scratch = cognito.create_identity_pool(IdentityPoolName="kept", AllowUnauthenticatedIdentities=True)
    finally:
        stop_process(process)
    process, endpoint, _ = start_emulator(tmp_path, data_dir=data_dir)
    try:
        same_pool, cognito = pool_and_client(endpoint)
        assert same_pool == pool_id, "the template pool keeps its id"
        assert cognito.describe_identity(IdentityId=identity_id)["CreationDate"] == created
        assert cognito.get_credentials_for_identity(IdentityId=identity_id)["Credentials"]["AccessKeyId"].startswith("ASIA")
        assert cognito.describe_identity_pool(IdentityPoolId=scratch["IdentityPoolId"])["IdentityPoolName"] == "kept"
    finally:
        stop_process(process)
