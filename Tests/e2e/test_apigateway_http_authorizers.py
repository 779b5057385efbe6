"""HTTP API Lambda authorizers and AWS_IAM routes (issue 16 item 2), on Fixtures/apigateway-tests/http-authorizers
(SAM `HttpApi` `Auth` with `FunctionArn` authorizers and `EnableIamAuthorizer`, plus plain
`AWS::ApiGatewayV2::Authorizer` / `Route` resources).

What API Gateway documents ("Control access to HTTP APIs with AWS Lambda authorizers",
https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html): the payload 2.0 event
carries `type: REQUEST`, `routeArn`, `identitySource` (a list) and the request; 1.0 carries REST's REQUEST event with
`methodArn`, `identitySource` and `authorizationToken`; a simple response is `{"isAuthorized": bool, "context": {}}`;
the context reaches the integration as `requestContext.authorizer.lambda` (payload 2.0); a missing identity source
answers 401 `{"message":"Unauthorized"}`, a refusal 403 `{"message":"Forbidden"}`, a failing authorizer 500
`{"message":"Internal Server Error"}`; results are cached by identity source for `authorizerResultTtlInSeconds`.
IAM authorization ("Control access to HTTP APIs with IAM authorization" and the 2.0 event example of "Create AWS
Lambda proxy integrations for HTTP APIs",
https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html) puts the
caller in `requestContext.authorizer.iam` with `accessKey`, `accountId`, `callerId`, `cognitoIdentity`,
`principalOrgId`, `userArn`, `userId`.
"""

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from conftest import ACCESS_KEY, ACCOUNT_ID, REPO_ROOT, SECRET_KEY, Clock, EmulatorProcess

FIXTURE = REPO_ROOT / "Fixtures" / "apigateway-tests" / "http-authorizers" / "template.yaml"
TIMEOUT = 60
UNAUTHORIZED = {"message": "Unauthorized"}
FORBIDDEN = {"message": "Forbidden"}
FAILED = {"message": "Internal Server Error"}


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    server = EmulatorProcess(tmp_path_factory.mktemp("apigw-http-auth"), "--stack-name", "apigw-http-auth", template=FIXTURE)
    described = server.client("cloudformation").describe_stacks(StackName="apigw-http-auth")["Stacks"][0]
    server.urls = {o["OutputKey"]: o["OutputValue"] for o in described["Outputs"]}
    server.clock = Clock(server.endpoint)
    yield server
    server.clock.reset()
    server.stop()


def get(server, path, token=None, url="AuthHttpApiUrl"):
    headers = {"Authorization": token} if token is not None else {}
    return requests.get(server.urls[url] + path, headers=headers, timeout=TIMEOUT)


def refused(response, status, body):
    assert response.status_code == status, response.text
    assert response.json() == body


def route_arn(server, path):
    return f"arn:aws:execute-api:us-east-1:{ACCOUNT_ID}:{server.urls['AuthHttpApiId']}/$default/GET/{path}"


# ------------------------------------------------------------------------------------- simple responses (2.0)


def test_simple_response_authorizer_allows_and_passes_its_context(api):
    response = get(api, "simple", "allow-simple")
    assert response.status_code == 200, response.text
    authorizer = response.json()["requestContext"]["authorizer"]
    assert list(authorizer) == ["lambda"]
    context = authorizer["lambda"]
    # The 2.0 authorizer event as documented: type, version, routeArn, routeKey, identitySource.
    assert context["eventType"] == "REQUEST"
    assert context["version"] == "2.0"
    assert context["routeArn"] == route_arn(api, "simple")
    assert context["routeKey"] == "GET /simple"
    assert context["token"] == "allow-simple"
    # Context values keep their JSON types on HTTP APIs.
    assert context["count"] == 7
    assert context["flag"] is True


def test_simple_response_refusals(api):
    refused(get(api, "simple"), 401, UNAUTHORIZED)
    refused(get(api, "simple", "nope"), 403, FORBIDDEN)
    refused(get(api, "simple", "explode"), 500, FAILED)
    refused(get(api, "simple", "malformed"), 500, FAILED)


def test_results_are_cached_by_identity_source_for_the_ttl(api):
    first = get(api, "simple", "allow-cache").json()["requestContext"]["authorizer"]["lambda"]["answer"]
    again = get(api, "simple", "allow-cache").json()["requestContext"]["authorizer"]["lambda"]["answer"]
    assert again == first
    other = get(api, "simple", "allow-other").json()["requestContext"]["authorizer"]["lambda"]["answer"]
    assert other != first
    api.clock.advance("6m")
    later = get(api, "simple", "allow-cache").json()["requestContext"]["authorizer"]["lambda"]["answer"]
    assert later != first


# ------------------------------------------------------------------------------------------ IAM policies (1.0)


def test_policy_authorizer_payload_1_allows_with_its_context(api):
    response = get(api, "policy", "allow-policy")
    assert response.status_code == 200, response.text
    context = response.json()["requestContext"]["authorizer"]["lambda"]
    # The 1.0 authorizer event: REST's REQUEST event with version, identitySource, authorizationToken, methodArn.
    assert context["eventType"] == "REQUEST"
    assert context["version"] == "1.0"
    assert context["identitySource"] == "allow-policy"
    assert context["methodArn"] == route_arn(api, "policy")
    # TTL 0: not cached.
    again = get(api, "policy", "allow-policy").json()["requestContext"]["authorizer"]["lambda"]
    assert again["answer"] != context["answer"]


def test_policy_authorizer_deny_is_403_forbidden(api):
    refused(get(api, "policy", "deny-me"), 403, FORBIDDEN)
    refused(get(api, "policy"), 401, UNAUTHORIZED)


def test_payload_1_integration_gets_principal_and_flat_context(api):
    response = get(api, "policy-v1", "allow-v1")
    assert response.status_code == 200, response.text
    authorizer = response.json()["requestContext"]["authorizer"]
    assert authorizer["principalId"] == "user-allow-v1"
    assert authorizer["version"] == "1.0"
    assert isinstance(authorizer["integrationLatency"], int)


def test_plain_cloudformation_request_authorizer(api):
    response = get(api, "plain?token=allow-plain", url="PlainApiUrl")
    assert response.status_code == 200, response.text
    assert response.json()["requestContext"]["authorizer"]["lambda"]["token"] == "allow-plain"
    refused(get(api, "plain", url="PlainApiUrl"), 401, UNAUTHORIZED)
    refused(get(api, "plain?token=no", url="PlainApiUrl"), 403, FORBIDDEN)


# ---------------------------------------------------------------------------------------------------- AWS_IAM


def signed(url, service="execute-api", key=ACCESS_KEY, secret=SECRET_KEY):
    request = AWSRequest(method="GET", url=url, headers={})
    SigV4Auth(Credentials(key, secret), service, "us-east-1").add_auth(request)
    return requests.get(url, headers=dict(request.headers), timeout=TIMEOUT)


def test_iam_route_puts_the_caller_in_authorizer_iam(api):
    response = signed(api.urls["AuthHttpApiUrl"] + "iam")
    assert response.status_code == 200, response.text
    iam = response.json()["requestContext"]["authorizer"]["iam"]
    assert set(iam) == {"accessKey", "accountId", "callerId", "cognitoIdentity", "principalOrgId", "userArn", "userId"}
    assert iam["accessKey"] == ACCESS_KEY
    assert iam["accountId"] == ACCOUNT_ID
    assert iam["userArn"] == f"arn:aws:iam::{ACCOUNT_ID}:root"
    assert iam["cognitoIdentity"] is None


def test_iam_route_payload_1_puts_the_caller_in_identity(api):
    response = signed(api.urls["AuthHttpApiUrl"] + "iam-v1")
    assert response.status_code == 200, response.text
    identity = response.json()["requestContext"]["identity"]
    assert identity["accessKey"] == ACCESS_KEY
    assert identity["userArn"] == f"arn:aws:iam::{ACCOUNT_ID}:root"


def test_iam_route_refusals(api):
    refused(get(api, "iam"), 403, FORBIDDEN)
    response = signed(api.urls["AuthHttpApiUrl"] + "iam", secret="wrong-secret")
    assert response.status_code == 403
    assert response.json()["message"].startswith("The request signature we calculated does not match the signature you provided.")
    iam = api.client("iam")
    iam.create_user(UserName="http-api-caller")
    iam.put_user_policy(UserName="http-api-caller", PolicyName="invoke-other", PolicyDocument=(
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke", '
        f'"Resource": "{route_arn(api, "other")}"}}]}}'))
    key = iam.create_access_key(UserName="http-api-caller")["AccessKey"]
    refused(signed(api.urls["AuthHttpApiUrl"] + "iam", key=key["AccessKeyId"], secret=key["SecretAccessKey"]), 403, FORBIDDEN)
