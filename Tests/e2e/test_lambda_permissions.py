"""Lambda resource-based policies checked when S3 and API Gateway invoke, as AWS checks them.

One template wires one function (`perm-echo`) to a REST API (with an `AWS::Lambda::Permission` for it), an HTTP
API and a WebSocket API (without one). API Gateway invocations the policy does not allow fail as AWS fails them
(REST `500 {"message": "Internal server error"}`, HTTP API `500 {"message":"Internal Server Error"}`, WebSocket: the
`$connect` refused and `Internal server error` frames); RemovePermission makes the next request fail, and a
permission with another API's SourceArn does not help. S3 refuses a notification configuration naming a function it
may not invoke (`InvalidArgument` `Unable to validate the following destination configurations`), from the API and
from a template, where the bucket's creation fails and `start` stops.
"""

import asyncio
import json
import subprocess

import pytest
import requests
import websockets
import websockets.exceptions
from botocore.exceptions import ClientError
from conftest import ACCOUNT_ID, REGION, EmulatorProcess, emulator_binary

FUNCTION = "perm-echo"
FUNCTION_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{FUNCTION}"
TIMEOUT = 60

HANDLER = """import json


def handler(event, context):
    if event.get("type") == "REQUEST" and "methodArn" in event:
        return {"principalId": "caller", "policyDocument": {"Version": "2012-10-17", "Statement": [
            {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": event["methodArn"]}]}}
    if "connectionId" in event.get("requestContext", {}):
        return {"statusCode": 200, "body": "echo:" + str(event.get("body"))}
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": json.dumps({"ok": True})}
"""

TEMPLATE = """AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Echo:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: perm-echo
      CodeUri: handlers/
      Handler: app.handler
      Runtime: python3.12
  RestApi:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: perm-rest
      Body:
        openapi: "3.0.1"
        info: {title: perm-rest, version: "1"}
        paths:
          /items/{id}:
            get:
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Echo.Arn}/invocations
  RestDeployment:
    Type: AWS::ApiGateway::Deployment
    Properties:
      RestApiId: !Ref RestApi
      StageName: prod
  RestPermission:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: !Ref Echo
      Principal: apigateway.amazonaws.com
      SourceArn: !Sub arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${RestApi}/*/GET/items/*
  HttpApi:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      Name: perm-http
      ProtocolType: HTTP
  HttpIntegration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref HttpApi
      IntegrationType: AWS_PROXY
      IntegrationUri: !GetAtt Echo.Arn
      PayloadFormatVersion: "2.0"
  HttpRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref HttpApi
      RouteKey: GET /things
      Target: !Sub integrations/${HttpIntegration}
  HttpStage:
    Type: AWS::ApiGatewayV2::Stage
    Properties:
      ApiId: !Ref HttpApi
      StageName: $default
      AutoDeploy: true
  Socket:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      Name: perm-socket
      ProtocolType: WEBSOCKET
      RouteSelectionExpression: $request.body.action
  SocketIntegration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Socket
      IntegrationType: AWS_PROXY
      IntegrationUri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Echo.Arn}/invocations
  ConnectRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Socket
      RouteKey: $connect
      Target: !Sub integrations/${SocketIntegration}
  DefaultRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Socket
      RouteKey: $default
      Target: !Sub integrations/${SocketIntegration}
      RouteResponseSelectionExpression: $default
  DefaultResponse:
    Type: AWS::ApiGatewayV2::RouteResponse
    Properties:
      ApiId: !Ref Socket
      RouteId: !Ref DefaultRoute
      RouteResponseKey: $default
  SocketStage:
    Type: AWS::ApiGatewayV2::Stage
    Properties:
      ApiId: !Ref Socket
      StageName: live
Outputs:
  RestUrl:
    Value: !Sub https://${RestApi}.execute-api.${AWS::Region}.amazonaws.com/prod/
  HttpUrl:
    Value: !Sub https://${HttpApi}.execute-api.${AWS::Region}.amazonaws.com/
  RestApiId:
    Value: !Ref RestApi
  HttpApiId:
    Value: !Ref HttpApi
  SocketId:
    Value: !Ref Socket
"""

UNPERMITTED_BUCKET_TEMPLATE = """AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Echo:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: perm-bucket-echo
      CodeUri: handlers/
      Handler: app.handler
      Runtime: python3.12
  Uploads:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: perm-uploads
      NotificationConfiguration:
        LambdaConfigurations:
          - Event: s3:ObjectCreated:*
            Function: !GetAtt Echo.Arn
"""


def write_template(folder, text):
    (folder / "handlers").mkdir(parents=True, exist_ok=True)
    (folder / "handlers" / "app.py").write_text(HANDLER)
    path = folder / "template.yaml"
    path.write_text(text)
    return path


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lambda-permissions")
    process = EmulatorProcess(folder, "--stack-name", "perm", template=write_template(folder, TEMPLATE))
    described = process.client("cloudformation").describe_stacks(StackName="perm")["Stacks"][0]
    process.outputs = {o["OutputKey"]: o["OutputValue"] for o in described["Outputs"]}
    yield process
    process.stop()


def policy_statements(server):
    return json.loads(server.client("lambda").get_policy(FunctionName=FUNCTION)["Policy"])["Statement"]


def add_permission(server, statement_id, source_arn, principal="apigateway.amazonaws.com"):
    server.client("lambda").add_permission(FunctionName=FUNCTION, StatementId=statement_id, Action="lambda:InvokeFunction",
                                           Principal=principal, SourceArn=source_arn)


def execute_api_arn(api_id, rest="*"):
    return f"arn:aws:execute-api:{REGION}:{ACCOUNT_ID}:{api_id}/{rest}"


def test_template_permission_is_in_the_policy(server):
    statements = policy_statements(server)
    assert len(statements) == 1
    statement = statements[0]
    assert statement["Principal"] == {"Service": "apigateway.amazonaws.com"}
    assert statement["Action"] == "lambda:InvokeFunction"
    assert statement["Resource"] == FUNCTION_ARN
    assert statement["Condition"] == {
        "ArnLike": {"AWS:SourceArn": execute_api_arn(server.outputs["RestApiId"], "*/GET/items/*")}}


def test_rest_api_needs_the_permission(server):
    url = server.outputs["RestUrl"] + "items/42"
    assert requests.get(url, timeout=TIMEOUT).json() == {"ok": True}
    sid = policy_statements(server)[0]["Sid"]
    server.client("lambda").remove_permission(FunctionName=FUNCTION, StatementId=sid)
    refused = requests.get(url, timeout=TIMEOUT)
    assert refused.status_code == 500
    assert refused.json() == {"message": "Internal server error"}
    server.log.flush()
    assert "Execution failed due to configuration error: Invalid permissions on Lambda function" in server.log_path.read_text(
        errors="replace")
    # A permission for another API (or another method) does not help.
    add_permission(server, "other-api", execute_api_arn("otherapi12", "*/GET/items/*"))
    add_permission(server, "other-method", execute_api_arn(server.outputs["RestApiId"], "*/POST/items/*"))
    assert requests.get(url, timeout=TIMEOUT).status_code == 500
    add_permission(server, "rest-api", execute_api_arn(server.outputs["RestApiId"], "prod/GET/items/*"))
    assert requests.get(url, timeout=TIMEOUT).json() == {"ok": True}


def test_http_api_needs_a_permission(server):
    url = server.outputs["HttpUrl"] + "things"
    refused = requests.get(url, timeout=TIMEOUT)
    assert refused.status_code == 500
    assert refused.json() == {"message": "Internal Server Error"}
    add_permission(server, "http-wrong-route", execute_api_arn(server.outputs["HttpApiId"], "*/GET/other"))
    assert requests.get(url, timeout=TIMEOUT).status_code == 500
    add_permission(server, "http-api", execute_api_arn(server.outputs["HttpApiId"], "*/GET/things"))
    answer = requests.get(url, timeout=TIMEOUT)
    assert answer.status_code == 200 and answer.json() == {"ok": True}
    server.client("lambda").remove_permission(FunctionName=FUNCTION, StatementId="http-api")
    assert requests.get(url, timeout=TIMEOUT).status_code == 500


def test_websocket_api_needs_a_permission_per_route(server):
    socket_id = server.outputs["SocketId"]
    url = f"ws://127.0.0.1:{server.port}/_aws/execute-api/{socket_id}/live"

    async def refused_status():
        with pytest.raises(websockets.exceptions.InvalidStatus) as raised:
            async with websockets.connect(url, open_timeout=TIMEOUT):
                pass
        return raised.value.response.status_code

    async def exchange():
        async with websockets.connect(url, open_timeout=TIMEOUT) as socket:
            await socket.send(json.dumps({"action": "anything"}))
            return await asyncio.wait_for(socket.recv(), TIMEOUT)

    assert asyncio.run(refused_status()) >= 500
    add_permission(server, "ws-connect", execute_api_arn(socket_id, "live/$connect"))
    frame = json.loads(asyncio.run(exchange()))
    assert frame["message"] == "Internal server error"
    assert set(frame) == {"message", "connectionId", "requestId"}
    add_permission(server, "ws-default", execute_api_arn(socket_id, "*/$default"))
    assert asyncio.run(exchange()) == 'echo:{"action": "anything"}'


def test_websocket_authorizer_with_credentials_is_invoked_as_the_role(server):
    """A REQUEST authorizer with AuthorizerCredentialsArn keeps it (GetAuthorizer) and API Gateway invokes its function
    as that role: no `API/authorizers/ID` permission is needed (the $connect integration still needs its own)."""
    v2 = server.client("apigatewayv2")
    api_id = v2.create_api(Name="perm-auth-socket", ProtocolType="WEBSOCKET",
                           RouteSelectionExpression="$request.body.action")["ApiId"]
    uri = f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{FUNCTION_ARN}/invocations"
    integration = v2.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=uri)["IntegrationId"]
    role_arn = f"arn:aws:iam::{ACCOUNT_ID}:role/perm-authorizer-invoker"
    authorizer = v2.create_authorizer(ApiId=api_id, Name="creds", AuthorizerType="REQUEST", AuthorizerUri=uri,
                                      IdentitySource=["route.request.header.Auth"],
                                      AuthorizerCredentialsArn=role_arn)["AuthorizerId"]
    assert v2.get_authorizer(ApiId=api_id, AuthorizerId=authorizer)["AuthorizerCredentialsArn"] == role_arn
    v2.create_route(ApiId=api_id, RouteKey="$connect", AuthorizationType="CUSTOM", AuthorizerId=authorizer,
                    Target=f"integrations/{integration}")
    v2.create_stage(ApiId=api_id, StageName="live")
    v2.create_deployment(ApiId=api_id, StageName="live")
    add_permission(server, "auth-socket-connect", execute_api_arn(api_id, "live/$connect"))
    url = f"ws://127.0.0.1:{server.port}/_aws/execute-api/{api_id}/live"

    async def connect():
        async with websockets.connect(url, open_timeout=TIMEOUT, additional_headers={"Auth": "token"}):
            return True

    assert asyncio.run(connect())
    assert not [s for s in policy_statements(server) if "/authorizers/" in json.dumps(s)]


def test_s3_notification_needs_a_permission(server):
    s3 = server.client("s3")
    s3.create_bucket(Bucket="perm-notify")
    configuration = {"LambdaFunctionConfigurations": [{"LambdaFunctionArn": FUNCTION_ARN, "Events": ["s3:ObjectCreated:*"]}]}
    with pytest.raises(ClientError) as raised:
        s3.put_bucket_notification_configuration(Bucket="perm-notify", NotificationConfiguration=configuration)
    error = raised.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["Error"]["Code"] == "InvalidArgument"
    assert error["Error"]["Message"] == "Unable to validate the following destination configurations"
    assert "LambdaFunctionConfigurations" not in s3.get_bucket_notification_configuration(Bucket="perm-notify")
    # A permission for another bucket does not help; one for this bucket does.
    add_permission(server, "s3-other", "arn:aws:s3:::another-bucket", principal="s3.amazonaws.com")
    with pytest.raises(ClientError):
        s3.put_bucket_notification_configuration(Bucket="perm-notify", NotificationConfiguration=configuration)
    add_permission(server, "s3-notify", "arn:aws:s3:::perm-notify", principal="s3.amazonaws.com")
    s3.put_bucket_notification_configuration(Bucket="perm-notify", NotificationConfiguration=configuration)
    got = s3.get_bucket_notification_configuration(Bucket="perm-notify")["LambdaFunctionConfigurations"]
    assert [c["LambdaFunctionArn"] for c in got] == [FUNCTION_ARN]


def test_s3_refusal_names_each_function(server):
    """The raw answer lists each refused function as S3 does (`ArgumentName1`, `ArgumentValue1`...)."""
    s3 = server.client("s3")
    s3.create_bucket(Bucket="perm-notify-raw")
    missing = f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:no-such-function"
    captured = {}

    def keep_body(http_response, **_):
        captured["body"] = http_response.content.decode()

    s3.meta.events.register("after-call.s3.PutBucketNotificationConfiguration", keep_body)
    with pytest.raises(ClientError):
        s3.put_bucket_notification_configuration(Bucket="perm-notify-raw", NotificationConfiguration={
            "LambdaFunctionConfigurations": [{"LambdaFunctionArn": missing, "Events": ["s3:ObjectCreated:*"]}]})
    body = captured["body"]
    assert "<Message>Unable to validate the following destination configurations</Message>" in body
    assert f"<ArgumentName1>{missing}, null</ArgumentName1>" in body
    assert f"<ArgumentValue1>Not authorized to invoke function [{missing}]</ArgumentValue1>" in body


def test_template_bucket_without_permission_fails_to_start(tmp_path):
    template = write_template(tmp_path, UNPERMITTED_BUCKET_TEMPLATE)
    log = tmp_path / "start.log"
    with open(log, "wb") as output:
        result = subprocess.run([str(emulator_binary()), "start", "--template", str(template), "--host", "127.0.0.1",
                                 "--port", "0", "--ephemeral"], stdout=output, stderr=subprocess.STDOUT, timeout=120)
    text = log.read_text(errors="replace")
    assert result.returncode != 0, text
    assert "Uploads" in text
    assert "Unable to validate the following destination configurations" in text
    assert "Not authorized to invoke function [arn:aws:lambda:us-east-1:000000000000:function:perm-bucket-echo]" in text


def test_a_version_and_an_alias_have_policies_of_their_own(server):
    """AddPermission/GetPolicy/RemovePermission with `Qualifier` act on the version's or alias's own policy (its
    statements name the qualified ARN), and an invocation through the alias ARN is checked against it alone: the
    function's policy allowing this bucket does not let S3 invoke `perm-echo:live`."""
    lam, s3 = server.client("lambda"), server.client("s3")
    version = lam.publish_version(FunctionName=FUNCTION)["Version"]
    lam.create_alias(FunctionName=FUNCTION, Name="live", FunctionVersion=version)
    for qualifier in ("live", version):
        with pytest.raises(ClientError) as raised:
            lam.get_policy(FunctionName=FUNCTION, Qualifier=qualifier)
        assert raised.value.response["Error"] == {"Code": "ResourceNotFoundException", "Message": "The resource you requested does not exist."}
    s3.create_bucket(Bucket="perm-alias")
    add_permission(server, "s3-alias-unqualified", "arn:aws:s3:::perm-alias", principal="s3.amazonaws.com")
    alias_arn = f"{FUNCTION_ARN}:live"
    configuration = {"LambdaFunctionConfigurations": [{"LambdaFunctionArn": alias_arn, "Events": ["s3:ObjectCreated:*"]}]}
    with pytest.raises(ClientError) as raised:
        s3.put_bucket_notification_configuration(Bucket="perm-alias", NotificationConfiguration=configuration)
    assert raised.value.response["Error"]["Message"] == "Unable to validate the following destination configurations"
    added = lam.add_permission(FunctionName=FUNCTION, Qualifier="live", StatementId="s3-alias", Action="lambda:InvokeFunction",
                               Principal="s3.amazonaws.com", SourceArn="arn:aws:s3:::perm-alias")
    assert json.loads(added["Statement"])["Resource"] == alias_arn
    alias_policy = json.loads(lam.get_policy(FunctionName=FUNCTION, Qualifier="live")["Policy"])
    assert [s["Sid"] for s in alias_policy["Statement"]] == ["s3-alias"]
    assert "s3-alias" not in [s["Sid"] for s in policy_statements(server)]
    with pytest.raises(ClientError) as raised:
        lam.get_policy(FunctionName=FUNCTION, Qualifier=version)
    assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"
    s3.put_bucket_notification_configuration(Bucket="perm-alias", NotificationConfiguration=configuration)
    # The same statement id may exist once per policy; an unknown qualifier names its qualified ARN.
    lam.add_permission(FunctionName=f"{FUNCTION}:{version}", StatementId="s3-alias", Action="lambda:InvokeFunction",
                       Principal="s3.amazonaws.com", SourceArn="arn:aws:s3:::perm-alias")
    assert [s["Resource"] for s in json.loads(lam.get_policy(FunctionName=FUNCTION, Qualifier=version)["Policy"])["Statement"]] == [
        f"{FUNCTION_ARN}:{version}"]
    with pytest.raises(ClientError) as raised:
        lam.add_permission(FunctionName=FUNCTION, Qualifier="nope", StatementId="x", Action="lambda:InvokeFunction",
                           Principal="s3.amazonaws.com")
    assert raised.value.response["Error"] == {"Code": "ResourceNotFoundException", "Message": f"Function not found: {FUNCTION_ARN}:nope"}
    with pytest.raises(ClientError) as raised:
        lam.add_permission(FunctionName=FUNCTION, Qualifier="$LATEST", StatementId="x", Action="lambda:InvokeFunction",
                           Principal="s3.amazonaws.com")
    assert raised.value.response["Error"] == {
        "Code": "InvalidParameterValueException", "Message": "We currently do not support adding policies for $LATEST."}
    assert "Statement" in lam.get_policy(FunctionName=FUNCTION, Qualifier="$LATEST")["Policy"]
    lam.remove_permission(FunctionName=FUNCTION, Qualifier="live", StatementId="s3-alias")
    with pytest.raises(ClientError) as raised:
        lam.remove_permission(FunctionName=FUNCTION, Qualifier="live", StatementId="s3-alias")
    assert raised.value.response["Error"]["Message"] == "No policy is associated with the given resource."
    with pytest.raises(ClientError):
        s3.put_bucket_notification_configuration(Bucket="perm-alias", NotificationConfiguration=configuration)


def test_reset_restores_the_template_policy(server):
    """POST /_local/reset gives the template's functions their policies as the template declares them: statements
    AddPermission added go, the template's statement RemovePermission removed (test_rest_api_needs_the_permission)
    comes back."""
    assert "rest-api" in [s["Sid"] for s in policy_statements(server)]
    response = requests.post(f"{server.endpoint}/_local/reset", data="{}", headers={"Content-Type": "application/json"}, timeout=60)
    assert response.status_code == 200, response.text
    statements = policy_statements(server)
    assert [s["Condition"] for s in statements] == [
        {"ArnLike": {"AWS:SourceArn": execute_api_arn(server.outputs["RestApiId"], "*/GET/items/*")}}]
    assert requests.get(server.outputs["RestUrl"] + "items/42", timeout=TIMEOUT).json() == {"ok": True}
