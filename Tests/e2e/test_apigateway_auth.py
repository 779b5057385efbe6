"""API Gateway REST API authorization (issue 16): Lambda TOKEN and REQUEST authorizers with policy caching, API keys
and usage plans, AWS_IAM, on the fixture Fixtures/apigateway-tests/auth (SAM `Auth` and plain
`AWS::ApiGateway::Authorizer` / `ApiKey` / `UsagePlan` / `UsagePlanKey` resources).

AWS's answers, as the developer guide's "Gateway response types for API Gateway" lists them and API Gateway writes
them: UNAUTHORIZED 401 `{"message":"Unauthorized"}` (UnauthorizedException); ACCESS_DENIED 403
`{"Message":"User is not authorized to access this resource"}` or `... with an explicit deny in an identity-based
policy` (AccessDeniedException); AUTHORIZER_CONFIGURATION_ERROR 500 `{"message":null}`
(AuthorizerConfigurationException); INVALID_API_KEY 403 `{"message":"Forbidden"}` (ForbiddenException);
QUOTA_EXCEEDED 429 `{"message":"Limit Exceeded"}` (LimitExceededException). The Lambda authorizer input and output
follow "Input to an API Gateway Lambda authorizer" and "Output from an API Gateway Lambda authorizer".
"""

import re

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from conftest import ACCESS_KEY, ACCOUNT_ID, REPO_ROOT, SECRET_KEY, Clock, EmulatorProcess

FIXTURE = REPO_ROOT / "Fixtures" / "apigateway-tests" / "auth" / "template.yaml"
TIMEOUT = 60
UNAUTHORIZED = {"message": "Unauthorized"}
IMPLICIT_DENY = {"Message": "User is not authorized to access this resource"}
EXPLICIT_DENY = {"Message": "User is not authorized to access this resource with an explicit deny in an identity-based policy"}
PLAIN_KEY = "plain-key-0123456789abcdefghij"


@pytest.fixture(scope="module")
def auth(tmp_path_factory):
    server = EmulatorProcess(tmp_path_factory.mktemp("apigw-auth"), "--stack-name", "apigw-auth", template=FIXTURE)
    described = server.client("cloudformation").describe_stacks(StackName="apigw-auth")["Stacks"][0]
    server.urls = {o["OutputKey"]: o["OutputValue"] for o in described["Outputs"]}
    server.ddb = server.client("dynamodb")
    server.clock = Clock(server.endpoint)
    yield server
    server.clock.reset()
    server.stop()


def calls(server, token):
    """How often the fixture's authorizers were invoked for `token` (their side effect)."""
    item = server.ddb.get_item(TableName="apigw-auth-calls", Key={"token": {"S": token}}).get("Item")
    return int(item["calls"]["N"]) if item else 0


def get(server, path, token=None, api="AuthApiUrl", method="GET", **headers):
    if token is not None:
        headers["Authorization"] = token
    return requests.request(method, server.urls[api] + path, headers=headers, timeout=TIMEOUT)


def refused(response, status, body, error_type):
    assert response.status_code == status, response.text
    assert response.json() == body
    assert response.headers["x-amzn-ErrorType"] == error_type


def generated_key(server):
    """The value of SAM's generated `AuthApiApiKey`: printed at start (there is no control plane to read it from)."""
    key_id = server.urls["GeneratedKeyId"]
    for line in server.log_path.read_text(errors="replace").splitlines():
        if "Generated API key value" in line and key_id in line:
            return re.search(r"\b[A-Za-z0-9]{40}\b", line).group(0)
    raise AssertionError("the generated API key was not printed")


# ------------------------------------------------------------------------------------------- TOKEN authorizer


def test_token_authorizer_allows_and_passes_principal_and_context(auth):
    response = get(auth, "token", "Bearer allow-context")
    assert response.status_code == 200, response.text
    authorizer = response.json()["requestContext"]["authorizer"]
    assert isinstance(authorizer.pop("integrationLatency"), int)
    api_id = auth.urls["AuthApiUrl"].split("/_aws/execute-api/")[1].split("/")[0]
    assert authorizer.pop("methodArn") == f"arn:aws:execute-api:us-east-1:{ACCOUNT_ID}:{api_id}/prod/GET/token"
    # REST APIs pass context values as strings; the TOKEN event has exactly type, authorizationToken and methodArn.
    assert authorizer == {
        "principalId": "user-allow", "tier": "gold", "count": "3", "admin": "true", "eventType": "TOKEN",
        "eventKeys": "authorizationToken,methodArn,type",
    }
    assert calls(auth, "Bearer allow-context") == 1


def test_missing_or_invalid_token_is_401_without_invoking(auth):
    refused(get(auth, "token"), 401, UNAUTHORIZED, "UnauthorizedException")
    refused(get(auth, "token", ""), 401, UNAUTHORIZED, "UnauthorizedException")
    # identityValidationExpression "Bearer .+" refuses before the authorizer runs.
    refused(get(auth, "token", "Basic abc"), 401, UNAUTHORIZED, "UnauthorizedException")
    assert calls(auth, "Basic abc") == 0


def test_deny_policies_are_403_access_denied(auth):
    refused(get(auth, "token", "Bearer deny-1"), 403, EXPLICIT_DENY, "AccessDeniedException")
    refused(get(auth, "token", "Bearer elsewhere-1"), 403, IMPLICIT_DENY, "AccessDeniedException")


def test_authorizer_errors(auth):
    refused(get(auth, "token", "Bearer unauthorized-1"), 401, UNAUTHORIZED, "UnauthorizedException")
    refused(get(auth, "token", "Bearer broken-1"), 500, {"message": None}, "AuthorizerConfigurationException")
    refused(get(auth, "token", "Bearer nopolicy-1"), 500, {"message": None}, "AuthorizerConfigurationException")


def test_policy_is_cached_per_token_and_evaluated_per_method(auth):
    token = "Bearer wild-cache"
    assert get(auth, "token", token).status_code == 200
    assert get(auth, "token", token).status_code == 200
    assert calls(auth, token) == 1
    # The cached policy allows GET only: POST on the same authorizer is denied from the cache, not re-invoked.
    refused(get(auth, "token", token, method="POST"), 403, IMPLICIT_DENY, "AccessDeniedException")
    assert calls(auth, token) == 1
    # ReauthorizeEvery 300: past it (virtual clock) the authorizer runs again.
    auth.clock.advance("301s")
    assert get(auth, "token", token).status_code == 200
    assert calls(auth, token) == 2


def test_authorizer_none_opts_out_of_the_default(auth):
    response = get(auth, "open")
    assert response.status_code == 200
    assert "authorizer" not in response.json()["requestContext"]


# ------------------------------------------------------------------------------------------- REQUEST authorizer


def test_request_authorizer_gets_the_request_and_decides(auth):
    response = get(auth, "request/7?tenant=t1", **{"X-User": "alice"})
    assert response.status_code == 200, response.text
    authorizer = response.json()["requestContext"]["authorizer"]
    assert authorizer["principalId"] == "alice"
    assert authorizer["eventType"] == "REQUEST"
    assert authorizer["resource"] == "/request/{id}"
    assert authorizer["eventKeys"] == (
        "headers,httpMethod,methodArn,multiValueHeaders,multiValueQueryStringParameters,path,pathParameters,"
        "queryStringParameters,requestContext,resource,stageVariables,type"
    )
    refused(get(auth, "request/7?tenant=t1", **{"X-User": "bob"}), 403, EXPLICIT_DENY, "AccessDeniedException")


def test_request_authorizer_missing_source_is_401_and_ttl_0_is_not_cached(auth):
    refused(get(auth, "request/7", **{"X-User": "carol"}), 401, UNAUTHORIZED, "UnauthorizedException")
    assert calls(auth, "request:carol:") == 0
    for _ in range(2):
        assert get(auth, "request/8?tenant=t1", **{"X-User": "alice"}).status_code == 200
    assert calls(auth, "request:alice:t1") >= 3  # one per request: ReauthorizeEvery 0 disables the cache


# ------------------------------------------------------------------------------------------- API keys


def test_api_key_required_checks_x_api_key(auth):
    forbidden = {"message": "Forbidden"}
    refused(get(auth, "keyed", "Bearer allow-key"), 403, forbidden, "ForbiddenException")
    refused(get(auth, "keyed", "Bearer allow-key", **{"x-api-key": "not-a-key"}), 403, forbidden, "ForbiddenException")
    # A key of another API's usage plan is not accepted here.
    refused(get(auth, "keyed", "Bearer allow-key", **{"x-api-key": PLAIN_KEY}), 403, forbidden, "ForbiddenException")
    key = generated_key(auth)
    response = get(auth, "keyed", "Bearer allow-key", **{"x-api-key": key})
    assert response.status_code == 200, response.text
    identity = response.json()["requestContext"]["identity"]
    assert identity["apiKey"] == key
    assert identity["apiKeyId"] == auth.urls["GeneratedKeyId"]
    # Methods without ApiKeyRequired ignore the header (another token: the cached policy of "Bearer allow-key"
    # allows /keyed only, and API Gateway applies a cached policy to every method of the API).
    assert get(auth, "token", "Bearer allow-nokey").status_code == 200
    refused(get(auth, "token", "Bearer allow-key"), 403, IMPLICIT_DENY, "AccessDeniedException")


def test_plain_resources_authorizer_key_and_daily_quota(auth):
    assert re.fullmatch(r"[a-z0-9]{10}", auth.urls["PlainKeyId"])
    def things(**headers):
        return get(auth, "things", api="PlainApiUrl", **headers)
    # The CUSTOM method's authorizer reads X-Token (IdentitySource) and runs before the key check.
    refused(things(**{"x-api-key": PLAIN_KEY}), 401, UNAUTHORIZED, "UnauthorizedException")
    refused(things(**{"X-Token": "Bearer allow-nocount", "x-api-key": "disabled-key-0123456789abcdefgh"}), 403,
            {"message": "Forbidden"}, "ForbiddenException")
    auth.clock.advance("1d")
    headers = {"X-Token": "Bearer allow-nocount", "x-api-key": PLAIN_KEY}
    for _ in range(2):
        response = things(**headers)
        assert response.status_code == 200, response.text
        assert response.json()["requestContext"]["authorizer"]["principalId"] == "user-allow"
    refused(things(**headers), 429, {"message": "Limit Exceeded"}, "LimitExceededException")
    auth.clock.advance("1d")
    assert things(**headers).status_code == 200
    # The SAM event on the same API has no authorization.
    assert get(auth, "direct", api="PlainApiUrl").status_code == 200


# ------------------------------------------------------------------------------------------- AWS_IAM


def test_aws_iam_method_refuses_unsigned_requests(auth):
    refused(get(auth, "iam"), 403, {"message": "Missing Authentication Token"}, "MissingAuthenticationTokenException")


def signed(url, service="execute-api", secret=SECRET_KEY):
    """A GET signed with botocore's SigV4Auth (as `requests-aws4auth`/`awscurl` users sign execute-api calls)."""
    request = AWSRequest(method="GET", url=url, headers={})
    SigV4Auth(Credentials(ACCESS_KEY, secret), service, "us-east-1").add_auth(request)
    return requests.get(url, headers=dict(request.headers), timeout=TIMEOUT)


def test_aws_iam_method_accepts_a_sigv4_signed_request(auth):
    response = signed(auth.urls["AuthApiUrl"] + "iam")
    assert response.status_code == 200, response.text
    identity = response.json()["requestContext"]["identity"]
    assert identity["accessKey"] == ACCESS_KEY
    assert identity["accountId"] == ACCOUNT_ID
    assert identity["userArn"] == f"arn:aws:iam::{ACCOUNT_ID}:root"
    assert "authorizer" not in response.json()["requestContext"]


def test_aws_iam_method_refuses_bad_signatures(auth):
    response = signed(auth.urls["AuthApiUrl"] + "iam", service="s3")
    refused(response, 403, {"message": "Credential should be scoped to correct service: 'execute-api'. "},
            "InvalidSignatureException")
    response = signed(auth.urls["AuthApiUrl"] + "iam", secret="wrong-secret")
    assert response.status_code == 403
    assert response.headers["x-amzn-ErrorType"] == "InvalidSignatureException"
    assert response.json()["message"].startswith("The request signature we calculated does not match the signature you provided.")


def test_aws_iam_method_refuses_a_caller_whose_policy_does_not_allow_invoke(auth):
    """An IAM user's own keys (the IAM API's CreateAccessKey) whose policy allows another method only: refused with API
    Gateway's AccessDeniedException, its message as API Gateway writes it (account id masked in the resource ARN but
    its last four digits, e.g. "User: anonymous is not authorized to perform: execute-api:Invoke on resource:
    arn:aws:execute-api:us-west-2:********2543:vd2gh6uqw3/api/GET/" quoted in ASFHyP3/hyp3#2283)."""
    iam = auth.client("iam")
    api_id = auth.urls["AuthApiUrl"].split("/_aws/execute-api/")[1].split("/")[0]
    iam.create_user(UserName="api-caller")
    iam.put_user_policy(UserName="api-caller", PolicyName="invoke-other", PolicyDocument=(
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke", '
        f'"Resource": "arn:aws:execute-api:us-east-1:{ACCOUNT_ID}:{api_id}/prod/GET/other"}}]}}'))
    key = iam.create_access_key(UserName="api-caller")["AccessKey"]
    url = auth.urls["AuthApiUrl"] + "iam"
    request = AWSRequest(method="GET", url=url, headers={})
    SigV4Auth(Credentials(key["AccessKeyId"], key["SecretAccessKey"]), "execute-api", "us-east-1").add_auth(request)
    response = requests.get(url, headers=dict(request.headers), timeout=TIMEOUT)
    masked = "*" * 8 + ACCOUNT_ID[-4:]
    refused(response, 403, {"Message": f"User: arn:aws:iam::{ACCOUNT_ID}:user/api-caller is not authorized to perform: "
                                       f"execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:{masked}:{api_id}"
                                       "/prod/GET/iam"},
            "AccessDeniedException")
