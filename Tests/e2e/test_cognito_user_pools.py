"""Cognito user pools (`cognito-idp`, issue 16), driven with unmodified boto3 and requests.

A template with `AWS::Cognito::UserPool` and `AWS::Cognito::UserPoolClient`, a SAM `Api` whose default authorizer is
the pool (`UserPoolArn`), an `HttpApi` whose JWT authorizer has the pool as issuer, and an identity pool listing the
pool in `CognitoIdentityProviders`. The sign-up and sign-in operations are unsigned, as in AWS; no message leaves
the machine: the confirmation code is read from the emulator's log (`--log-format json`).

AWS behaviour followed: the Cognito API reference (error codes and texts such as NotAuthorizedException "Incorrect
username or password."), "Using tokens with user pools" (claims), and API Gateway's Cognito authorizer (401
`{"message":"Unauthorized"}`; ID token without scopes, access token with them; claims in
`requestContext.authorizer.claims`).
"""

import base64
import hashlib
import hmac
import json
import time

import boto3
import pytest
import requests
from botocore import UNSIGNED
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from conftest import REGION, REPO_ROOT, Clock, EmulatorProcess, client_config

FIXTURE = REPO_ROOT / "Fixtures" / "cognito-user-pools" / "template.yaml"
TIMEOUT = 60
UNAUTHORIZED = {"message": "Unauthorized"}
PASSWORD = "Corr3ctHorse"
STRONG = "Corr3ct!Horse"


def claims_of(token):
    segment = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def error_of(call):
    with pytest.raises(ClientError) as excinfo:
        call()
    error = excinfo.value.response["Error"]
    return error["Code"], error.get("Message", "")


@pytest.fixture(scope="module")
def pools(tmp_path_factory):
    server = EmulatorProcess(tmp_path_factory.mktemp("cognito-idp"), "--stack-name", "cognito-idp", "--log-format", "json",
                             template=FIXTURE)
    described = server.client("cloudformation").describe_stacks(StackName="cognito-idp")["Stacks"][0]
    server.outputs = {o["OutputKey"]: o["OutputValue"] for o in described["Outputs"]}
    server.idp = server.client("cognito-idp")
    server.unsigned = boto3.session.Session().client(
        "cognito-idp", endpoint_url=server.endpoint, region_name=REGION, config=client_config(signature_version=UNSIGNED))
    server.clock = Clock(server.endpoint)
    yield server
    server.clock.reset()
    server.stop()


def confirmation_code(server, username):
    """The sign-up code the emulator logged for `username` (no mail leaves the machine)."""
    for _ in range(50):
        for line in reversed(server.log_path.read_text(errors="replace").splitlines()):
            if line.startswith("{"):
                entry = json.loads(line)
                if entry.get("username") == username and "code" in entry:
                    return entry["code"]
        time.sleep(0.1)
    raise AssertionError("no confirmation code logged for " + username)


def sign_up_and_confirm(server, username, email):
    client_id = server.outputs["ClientId"]
    server.unsigned.sign_up(ClientId=client_id, Username=username, Password=PASSWORD,
                            UserAttributes=[{"Name": "email", "Value": email}])
    server.unsigned.confirm_sign_up(ClientId=client_id, Username=username, ConfirmationCode=confirmation_code(server, username))


def sign_in(server, username, password=PASSWORD):
    return server.unsigned.initiate_auth(ClientId=server.outputs["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                                         AuthParameters={"USERNAME": username, "PASSWORD": password})["AuthenticationResult"]


def test_template_pool_refs_and_attributes(pools):
    pool_id = pools.outputs["UserPoolId"]
    assert pool_id.startswith(REGION + "_") and len(pool_id) == len(REGION) + 10
    assert pools.outputs["UserPoolArn"] == f"arn:aws:cognito-idp:{REGION}:000000000000:userpool/{pool_id}"
    assert pools.outputs["ProviderURL"] == f"https://cognito-idp.{REGION}.amazonaws.com/{pool_id}"
    pool = pools.idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["Name"] == "notes-users"
    assert pool["Policies"]["PasswordPolicy"]["RequireSymbols"] is False
    client = pools.idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=pools.outputs["ClientId"])["UserPoolClient"]
    assert client["ClientName"] == "notes-web"
    assert "ALLOW_USER_PASSWORD_AUTH" in client["ExplicitAuthFlows"]


def test_control_plane_and_admin_users(pools):
    idp = pools.idp
    pool = idp.create_user_pool(PoolName="admin-pool")["UserPool"]
    pool_id = pool["Id"]
    assert pool["Arn"].endswith("userpool/" + pool_id)
    assert pool_id in [p["Id"] for p in idp.list_user_pools(MaxResults=60)["UserPools"]]
    client = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="admin-app", GenerateSecret=True,
                                         ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]
    client_id, secret = client["ClientId"], client["ClientSecret"]
    assert [c["ClientId"] for c in idp.list_user_pool_clients(UserPoolId=pool_id)["UserPoolClients"]] == [client_id]

    created = idp.admin_create_user(UserPoolId=pool_id, Username="alice", TemporaryPassword="Temp0rary!x",
                                    MessageAction="SUPPRESS", UserAttributes=[{"Name": "email", "Value": "alice@example.com"}])["User"]
    assert created["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert {a["Name"] for a in created["Attributes"]} == {"sub", "email"}
    assert error_of(lambda: idp.admin_create_user(UserPoolId=pool_id, Username="alice", MessageAction="SUPPRESS")) == (
        "UsernameExistsException", "User account already exists")
    assert error_of(lambda: idp.admin_set_user_password(UserPoolId=pool_id, Username="alice", Password="short", Permanent=True)) == (
        "InvalidPasswordException", "Password did not conform with policy: Password not long enough")
    idp.admin_set_user_password(UserPoolId=pool_id, Username="alice", Password="Perm4nent!pw", Permanent=True)
    assert idp.admin_get_user(UserPoolId=pool_id, Username="alice")["UserStatus"] == "CONFIRMED"
    listed = idp.list_users(UserPoolId=pool_id, Filter='email = "alice@example.com"')["Users"]
    assert [u["Username"] for u in listed] == ["alice"]
    assert idp.list_users(UserPoolId=pool_id, Filter='email ^= "bob"')["Users"] == []

    secret_hash = base64.b64encode(hmac.new(secret.encode(), ("alice" + client_id).encode(), hashlib.sha256).digest()).decode()
    assert error_of(lambda: idp.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                                    AuthParameters={"USERNAME": "alice", "PASSWORD": "Perm4nent!pw"})) == (
        "NotAuthorizedException", f"Client {client_id} is configured for secret but secret was not received")
    result = idp.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                     AuthParameters={"USERNAME": "alice", "PASSWORD": "Perm4nent!pw", "SECRET_HASH": secret_hash})
    assert claims_of(result["AuthenticationResult"]["IdToken"])["cognito:username"] == "alice"
    assert error_of(lambda: idp.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                                    AuthParameters={"USERNAME": "alice", "PASSWORD": "Wrong4ever!",
                                                                    "SECRET_HASH": secret_hash})) == (
        "NotAuthorizedException", "Incorrect username or password.")

    idp.admin_delete_user(UserPoolId=pool_id, Username="alice")
    assert error_of(lambda: idp.admin_get_user(UserPoolId=pool_id, Username="alice")) == ("UserNotFoundException", "User does not exist.")
    idp.delete_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
    assert error_of(lambda: idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)) == (
        "ResourceNotFoundException", f"User pool client {client_id} does not exist.")
    idp.delete_user_pool(UserPoolId=pool_id)
    assert error_of(lambda: idp.describe_user_pool(UserPoolId=pool_id)) == ("ResourceNotFoundException", f"User pool {pool_id} does not exist.")


def test_sign_up_confirm_and_sign_in_unsigned(pools):
    unsigned, client_id = pools.unsigned, pools.outputs["ClientId"]
    answer = unsigned.sign_up(ClientId=client_id, Username="carol", Password=PASSWORD,
                              UserAttributes=[{"Name": "email", "Value": "carol@example.com"}])
    assert answer["UserConfirmed"] is False
    assert answer["CodeDeliveryDetails"] == {"Destination": "c***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}
    assert error_of(lambda: unsigned.sign_up(ClientId=client_id, Username="carol", Password=PASSWORD)) == (
        "UsernameExistsException", "User already exists")
    assert error_of(lambda: unsigned.sign_up(ClientId=client_id, Username="dave", Password="alllowercase1")) == (
        "InvalidPasswordException", "Password did not conform with policy: Password must have uppercase characters")
    assert error_of(lambda: sign_in(pools, "carol")) == ("UserNotConfirmedException", "User is not confirmed.")
    assert error_of(lambda: unsigned.confirm_sign_up(ClientId=client_id, Username="carol", ConfirmationCode="000000x")) == (
        "CodeMismatchException", "Invalid verification code provided, please try again.")
    unsigned.confirm_sign_up(ClientId=client_id, Username="carol", ConfirmationCode=confirmation_code(pools, "carol"))
    assert error_of(lambda: unsigned.confirm_sign_up(ClientId=client_id, Username="carol", ConfirmationCode="123456")) == (
        "NotAuthorizedException", "User cannot be confirmed. Current status is CONFIRMED")

    assert error_of(lambda: sign_in(pools, "carol", "Wr0ngPassword")) == ("NotAuthorizedException", "Incorrect username or password.")
    assert error_of(lambda: sign_in(pools, "nobody")) == ("UserNotFoundException", "User does not exist.")
    tokens = sign_in(pools, "carol")
    assert tokens["TokenType"] == "Bearer" and tokens["ExpiresIn"] == 3600
    id_claims, access_claims = claims_of(tokens["IdToken"]), claims_of(tokens["AccessToken"])
    issuer = pools.outputs["ProviderURL"]
    assert id_claims["iss"] == issuer and access_claims["iss"] == issuer
    assert id_claims["aud"] == client_id and access_claims["client_id"] == client_id
    assert (id_claims["token_use"], access_claims["token_use"]) == ("id", "access")
    assert id_claims["cognito:username"] == "carol" and access_claims["username"] == "carol"
    assert id_claims["email"] == "carol@example.com" and id_claims["email_verified"] is True
    assert id_claims["sub"] == answer["UserSub"] == access_claims["sub"]
    assert id_claims["exp"] - id_claims["iat"] == 3600
    assert abs(id_claims["auth_time"] - pools.clock.now().timestamp()) < 60

    me = unsigned.get_user(AccessToken=tokens["AccessToken"])
    assert me["Username"] == "carol"
    assert {"Name": "email", "Value": "carol@example.com"} in me["UserAttributes"]
    assert error_of(lambda: unsigned.get_user(AccessToken=tokens["IdToken"])) == ("NotAuthorizedException", "Invalid Access Token")

    refreshed = unsigned.initiate_auth(ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                       AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})["AuthenticationResult"]
    assert "RefreshToken" not in refreshed
    assert claims_of(refreshed["IdToken"])["auth_time"] == id_claims["auth_time"]
    assert error_of(lambda: unsigned.initiate_auth(ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                                   AuthParameters={"REFRESH_TOKEN": "nope"})) == (
        "NotAuthorizedException", "Invalid Refresh Token")
    assert error_of(lambda: unsigned.initiate_auth(ClientId=client_id, AuthFlow="USER_SRP_AUTH",
                                                   AuthParameters={"USERNAME": "carol"})) == (
        "InvalidParameterException", "Auth flow not enabled for this client")
    # An operation AWS serves unsigned but the emulator does not: AWS's unknown-operation error, not an auth error.
    assert error_of(lambda: unsigned.forgot_password(ClientId=client_id, Username="carol"))[0] == "UnknownOperationException"


def test_new_password_required_challenge(pools):
    pool_id, client_id = pools.outputs["UserPoolId"], pools.outputs["ClientId"]
    pools.idp.admin_create_user(UserPoolId=pool_id, Username="erin", TemporaryPassword="Tempor4ry", MessageAction="SUPPRESS")
    challenge = pools.unsigned.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                             AuthParameters={"USERNAME": "erin", "PASSWORD": "Tempor4ry"})
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    assert challenge["ChallengeParameters"]["USER_ID_FOR_SRP"] == "erin"
    assert error_of(lambda: pools.unsigned.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="NEW_PASSWORD_REQUIRED", Session="bogus" * 8,
        ChallengeResponses={"USERNAME": "erin", "NEW_PASSWORD": "N3wPassword"})) == ("NotAuthorizedException", "Invalid session for the user.")
    result = pools.unsigned.respond_to_auth_challenge(ClientId=client_id, ChallengeName="NEW_PASSWORD_REQUIRED",
                                                      Session=challenge["Session"],
                                                      ChallengeResponses={"USERNAME": "erin", "NEW_PASSWORD": "N3wPassword"})
    assert claims_of(result["AuthenticationResult"]["IdToken"])["cognito:username"] == "erin"
    assert pools.idp.admin_get_user(UserPoolId=pool_id, Username="erin")["UserStatus"] == "CONFIRMED"
    assert sign_in(pools, "erin", "N3wPassword")["AccessToken"]


def test_jwks_verifies_the_tokens(pools):
    pool_id = pools.outputs["UserPoolId"]
    sign_up_and_confirm(pools, "frank", "frank@example.com")
    token = sign_in(pools, "frank")["IdToken"]
    jwks = requests.get(f"{pools.endpoint}/{pool_id}/.well-known/jwks.json", timeout=TIMEOUT)
    assert jwks.status_code == 200
    [key] = jwks.json()["keys"]
    assert (key["kty"], key["alg"], key["use"]) == ("RSA", "RS256", "sig")
    header = json.loads(b64url_decode(token.split(".")[0]))
    assert header == {"alg": "RS256", "kid": key["kid"]}
    public = rsa.RSAPublicNumbers(int.from_bytes(b64url_decode(key["e"]), "big"),
                                  int.from_bytes(b64url_decode(key["n"]), "big")).public_key()
    signing_input, signature = token.rsplit(".", 1)
    public.verify(b64url_decode(signature), signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    discovery = requests.get(f"{pools.endpoint}/{pool_id}/.well-known/openid-configuration", timeout=TIMEOUT).json()
    assert discovery["issuer"] == pools.outputs["ProviderURL"]
    assert requests.get(discovery["jwks_uri"], timeout=TIMEOUT).json() == jwks.json()
    assert requests.get(f"{pools.endpoint}/{REGION}_NoSuchPool/.well-known/jwks.json", timeout=TIMEOUT).status_code == 404


def test_rest_api_cognito_authorizer(pools):
    url = pools.outputs["RestUrl"]
    sign_up_and_confirm(pools, "grace", "grace@example.com")
    tokens = sign_in(pools, "grace")
    for headers in [{}, {"Authorization": "not-a-token"}, {"Authorization": tokens["AccessToken"]}]:
        refused = requests.get(url + "me", headers=headers, timeout=TIMEOUT)
        assert refused.status_code == 401, refused.text
        assert refused.json() == UNAUTHORIZED
        assert refused.headers["x-amzn-ErrorType"] == "UnauthorizedException"
    answer = requests.get(url + "me", headers={"Authorization": tokens["IdToken"]}, timeout=TIMEOUT)
    assert answer.status_code == 200, answer.text
    claims = answer.json()["requestContext"]["authorizer"]["claims"]
    assert claims["cognito:username"] == "grace"
    assert claims["email"] == "grace@example.com"
    assert claims["email_verified"] == "true"
    assert claims["token_use"] == "id"
    assert claims["aud"] == pools.outputs["ClientId"]
    assert claims["exp"].endswith(" UTC " + claims["exp"][-4:])  # "Fri Dec 04 17:05:03 UTC 2026"
    # A method with AuthorizationScopes takes the access token with one of them, not the ID token.
    assert requests.get(url + "scoped", headers={"Authorization": tokens["IdToken"]}, timeout=TIMEOUT).status_code == 401
    scoped = requests.get(url + "scoped", headers={"Authorization": tokens["AccessToken"]}, timeout=TIMEOUT)
    assert scoped.status_code == 200, scoped.text
    assert scoped.json()["requestContext"]["authorizer"]["claims"]["scope"] == "aws.cognito.signin.user.admin"
    assert requests.get(url + "public", timeout=TIMEOUT).status_code == 200
    # Expiry follows the virtual clock (one hour).
    pools.clock.advance("61m")
    try:
        expired = requests.get(url + "me", headers={"Authorization": tokens["IdToken"]}, timeout=TIMEOUT)
        assert expired.status_code == 401 and expired.json() == UNAUTHORIZED
    finally:
        pools.clock.reset()


def test_http_api_jwt_authorizer_with_pool_issuer(pools):
    url = pools.outputs["HttpUrl"]
    sign_up_and_confirm(pools, "heidi", "heidi@example.com")
    tokens = sign_in(pools, "heidi")
    assert requests.get(url + "me", timeout=TIMEOUT).status_code == 401
    answer = requests.get(url + "me", headers={"Authorization": "Bearer " + tokens["IdToken"]}, timeout=TIMEOUT)
    assert answer.status_code == 200, answer.text
    claims = answer.json()["requestContext"]["authorizer"]["jwt"]["claims"]
    assert claims["cognito:username"] == "heidi"
    assert claims["iss"] == pools.outputs["ProviderURL"]
    # The access token names the client in `client_id`: accepted as well.
    assert requests.get(url + "me", headers={"Authorization": tokens["AccessToken"]}, timeout=TIMEOUT).status_code == 200


def test_identity_pool_credentials_from_the_id_token(pools):
    identity = pools.client("cognito-identity", signature_version=UNSIGNED)
    pool_id, provider = pools.outputs["IdentityPoolId"], pools.outputs["ProviderURL"].removeprefix("https://")
    sign_up_and_confirm(pools, "ivan", "ivan@example.com")
    id_token = sign_in(pools, "ivan")["IdToken"]
    identity_id = identity.get_id(IdentityPoolId=pool_id, Logins={provider: id_token})["IdentityId"]
    assert identity.get_id(IdentityPoolId=pool_id, Logins={provider: id_token})["IdentityId"] == identity_id
    credentials = identity.get_credentials_for_identity(IdentityId=identity_id, Logins={provider: id_token})["Credentials"]
    sts = pools.client("sts", key=credentials["AccessKeyId"], secret=credentials["SecretKey"], token=credentials["SessionToken"])
    assert ":assumed-role/" in sts.get_caller_identity()["Arn"]
    assert "/CognitoIdentityCredentials" in sts.get_caller_identity()["Arn"]
    assert error_of(lambda: identity.get_id(IdentityPoolId=pool_id, Logins={provider: id_token[:-4] + "AAAA"})) == (
        "NotAuthorizedException", "Invalid login token. Not a valid OpenId Connect identity token.")
    assert error_of(lambda: identity.get_id(IdentityPoolId=pool_id, Logins={})) == (
        "NotAuthorizedException", "Unauthenticated access is not supported for this identity pool.")


def test_snapshot_restores_users_and_keys(pools):
    pool_id = pools.outputs["UserPoolId"]
    sign_up_and_confirm(pools, "kim", "kim@example.com")
    id_token = sign_in(pools, "kim")["IdToken"]
    json_headers = {"Content-Type": "application/json"}
    saved = requests.post(f"{pools.endpoint}/_local/snapshots", headers=json_headers, data=json.dumps({"name": "with-kim"}),
                          timeout=TIMEOUT)
    assert saved.status_code in (200, 201), saved.text
    assert "cognito-idp" in saved.json()["services"]
    pools.idp.admin_delete_user(UserPoolId=pool_id, Username="kim")
    restored = requests.post(f"{pools.endpoint}/_local/snapshots/with-kim/restore", headers=json_headers, data="{}", timeout=TIMEOUT)
    assert restored.status_code == 200, restored.text
    assert pools.idp.admin_get_user(UserPoolId=pool_id, Username="kim")["UserStatus"] == "CONFIRMED"
    # The pool's key came back with it: the token signed before the snapshot still passes the REST authorizer.
    assert requests.get(pools.outputs["RestUrl"] + "me", headers={"Authorization": id_token}, timeout=TIMEOUT).status_code == 200


def test_reset_empties_the_template_pool(pools):
    pool_id = pools.outputs["UserPoolId"]
    pools.idp.admin_create_user(UserPoolId=pool_id, Username="judy", MessageAction="SUPPRESS")
    extra = pools.idp.create_user_pool(PoolName="api-made")["UserPool"]["Id"]
    reset = requests.post(f"{pools.endpoint}/_local/reset", headers={"Content-Type": "application/json"}, data="{}", timeout=TIMEOUT)
    assert reset.status_code == 200, reset.text
    assert "cognito-idp" in reset.json()["reset"]
    assert error_of(lambda: pools.idp.admin_get_user(UserPoolId=pool_id, Username="judy")) == ("UserNotFoundException", "User does not exist.")
    assert error_of(lambda: pools.idp.describe_user_pool(UserPoolId=extra))[0] == "ResourceNotFoundException"
    assert pools.idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["EstimatedNumberOfUsers"] == 0
    pools.idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=pools.outputs["ClientId"])


def test_stack_deploys_a_pool_and_client(pools):
    cfn = pools.client("cloudformation")
    template = """
Resources:
  StackPool:
    Type: AWS::Cognito::UserPool
    Properties: {UserPoolName: stack-pool, Policies: {PasswordPolicy: {MinimumLength: 10}}}
  StackClient:
    Type: AWS::Cognito::UserPoolClient
    Properties: {UserPoolId: !Ref StackPool, ClientName: stack-app, ExplicitAuthFlows: [ALLOW_ADMIN_USER_PASSWORD_AUTH]}
Outputs:
  PoolId: {Value: !Ref StackPool}
  ClientId: {Value: !Ref StackClient}
"""
    cfn.create_stack(StackName="user-pool-stack", TemplateBody=template)
    for _ in range(100):
        stack = cfn.describe_stacks(StackName="user-pool-stack")["Stacks"][0]
        if not stack["StackStatus"].endswith("IN_PROGRESS"):
            break
        time.sleep(0.1)
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
    pool = pools.idp.describe_user_pool(UserPoolId=outputs["PoolId"])["UserPool"]
    assert pool["Name"] == "stack-pool"
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == 10
    client = pools.idp.describe_user_pool_client(UserPoolId=outputs["PoolId"], ClientId=outputs["ClientId"])["UserPoolClient"]
    assert client["ClientName"] == "stack-app"
    pools.idp.admin_create_user(UserPoolId=outputs["PoolId"], Username="lee", TemporaryPassword="Temporary1!x", MessageAction="SUPPRESS")
    pools.idp.admin_set_user_password(UserPoolId=outputs["PoolId"], Username="lee", Password="Permanent1!x", Permanent=True)
    result = pools.idp.admin_initiate_auth(UserPoolId=outputs["PoolId"], ClientId=outputs["ClientId"], AuthFlow="ADMIN_NO_SRP_AUTH",
                                           AuthParameters={"USERNAME": "lee", "PASSWORD": "Permanent1!x"})
    assert claims_of(result["AuthenticationResult"]["AccessToken"])["client_id"] == outputs["ClientId"]
    cfn.delete_stack(StackName="user-pool-stack")
    for _ in range(100):
        try:
            pools.idp.describe_user_pool(UserPoolId=outputs["PoolId"])
        except ClientError as error:
            assert error.response["Error"]["Code"] == "ResourceNotFoundException"
            break
        time.sleep(0.1)
    else:
        raise AssertionError("the stack's pool outlived the stack")


def test_rest_control_plane_cognito_authorizer(tmp_path_factory):
    """CreateAuthorizer COGNITO_USER_POOLS + PutMethod with authorizationScopes, on the REST control plane's fixture."""
    template = REPO_ROOT / "Fixtures" / "apigateway-tests" / "apis" / "template.yaml"
    echo = f"arn:aws:lambda:{REGION}:000000000000:function:apigw-echo"
    uri = f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{echo}/invocations"
    server = EmulatorProcess(tmp_path_factory.mktemp("cognito-restcp"), "--stack-name", "cognito-restcp", template=template)
    try:
        idp, apigw = server.client("cognito-idp"), server.client("apigateway")
        pool = idp.create_user_pool(PoolName="cp-pool")["UserPool"]
        client_id = idp.create_user_pool_client(UserPoolId=pool["Id"], ClientName="cp-app",
                                                ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH"])["UserPoolClient"]["ClientId"]
        idp.admin_create_user(UserPoolId=pool["Id"], Username="mia", MessageAction="SUPPRESS")
        idp.admin_set_user_password(UserPoolId=pool["Id"], Username="mia", Password="Perm4nent!pw", Permanent=True)
        tokens = idp.admin_initiate_auth(UserPoolId=pool["Id"], ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                         AuthParameters={"USERNAME": "mia", "PASSWORD": "Perm4nent!pw"})["AuthenticationResult"]

        server.allow_api_gateway("apigw-echo")
        api_id = apigw.create_rest_api(name="cognito-cp")["id"]
        root = next(item["id"] for item in apigw.get_resources(restApiId=api_id)["items"] if item["path"] == "/")
        authorizer = apigw.create_authorizer(restApiId=api_id, name="pool", type="COGNITO_USER_POOLS", providerARNs=[pool["Arn"]],
                                             identitySource="method.request.header.Authorization")["id"]
        for part, scopes in [("plain", None), ("scoped", ["aws.cognito.signin.user.admin"])]:
            resource = apigw.create_resource(restApiId=api_id, parentId=root, pathPart=part)["id"]
            options = {"authorizationScopes": scopes} if scopes else {}
            apigw.put_method(restApiId=api_id, resourceId=resource, httpMethod="GET", authorizationType="COGNITO_USER_POOLS",
                             authorizerId=authorizer, **options)
            apigw.put_integration(restApiId=api_id, resourceId=resource, httpMethod="GET", type="AWS_PROXY",
                                  integrationHttpMethod="POST", uri=uri)
        apigw.create_deployment(restApiId=api_id, stageName="dev")
        base = f"{server.endpoint}/_aws/execute-api/{api_id}/dev"
        assert requests.get(base + "/plain", timeout=TIMEOUT).status_code == 401
        plain = requests.get(base + "/plain", headers={"Authorization": tokens["IdToken"]}, timeout=TIMEOUT)
        assert plain.status_code == 200, plain.text
        assert plain.json()["requestContext"]["authorizer"]["claims"]["cognito:username"] == "mia"
        assert requests.get(base + "/scoped", headers={"Authorization": tokens["IdToken"]}, timeout=TIMEOUT).status_code == 401
        scoped = requests.get(base + "/scoped", headers={"Authorization": tokens["AccessToken"]}, timeout=TIMEOUT)
        assert scoped.status_code == 200, scoped.text
    finally:
        server.stop()


def test_email_as_username(pools):
    idp = pools.idp
    # No `Policies`: Cognito's default policy (8 characters, upper, lower, numbers and symbols).
    pool_id = idp.create_user_pool(PoolName="email-pool", UsernameAttributes=["email"])["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="email-app",
                                            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"])["UserPoolClient"]["ClientId"]
    assert error_of(lambda: pools.unsigned.sign_up(ClientId=client_id, Username="nina", Password=STRONG)) == (
        "InvalidParameterException", "Username should be an email.")
    sub = pools.unsigned.sign_up(ClientId=client_id, Username="nina@example.com", Password=STRONG)["UserSub"]
    idp.admin_confirm_sign_up(UserPoolId=pool_id, Username="nina@example.com")
    user = idp.admin_get_user(UserPoolId=pool_id, Username="NINA@example.com")
    assert user["Username"] == sub and user["UserStatus"] == "CONFIRMED"
    tokens = pools.unsigned.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                          AuthParameters={"USERNAME": "nina@example.com", "PASSWORD": STRONG})["AuthenticationResult"]
    claims = claims_of(tokens["IdToken"])
    assert claims["cognito:username"] == sub and claims["email"] == "nina@example.com"
    idp.delete_user_pool(UserPoolId=pool_id)
