"""API Gateway v2 `ImportApi` / `ReimportApi` with boto3: an OpenAPI 3.0 definition (JSON or YAML) becomes an HTTP
API's routes, integrations and authorizers (AWS's shapes, read back with GetRoutes/GetIntegrations/GetAuthorizers),
served once a stage deploys it (a Lambda `AWS_PROXY` route, an `HTTP_PROXY` route to the emulator's own
`/_local/health`, the `$default` route); a reimport replaces them; `basepath`, `failOnWarnings` and the refusals
(BadRequestException / NotFoundException) change nothing.

The start-up template's HTTP APIs live in the same store: listed with the id their URL uses, changed and deleted
through the API (what is served follows), and brought back by `POST /_local/reset`.

The emulator runs a small template with one Python function, `import-echo`, answering its route key and path, and
SAM's implicit HTTP API with its `GET /hello` route.
"""

import json
import textwrap

import pytest
import requests
from botocore.exceptions import ClientError
from conftest import ACCOUNT_ID, REGION, EmulatorProcess

TEMPLATE = textwrap.dedent("""\
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Echo:
        Type: AWS::Serverless::Function
        Properties:
          FunctionName: import-echo
          Runtime: python3.12
          Handler: index.handler
          InlineCode: |
            import json
            def handler(event, context):
                # Payload 2.0 carries routeKey and rawPath; 1.0 the method, resource and path.
                route = event.get("routeKey") or f'{event["httpMethod"]} {event["resource"]}'
                return {"statusCode": 200, "body": json.dumps({"route": route, "path": event.get("rawPath") or event["path"]})}
          Events:
            Hello:
              Type: HttpApi
              Properties:
                Path: /hello
                Method: GET
    """)

ECHO_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:import-echo"
ECHO_URI = f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{ECHO_ARN}/invocations"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("apigwv2-import")
    (folder / "template.yaml").write_text(TEMPLATE)
    process = EmulatorProcess(folder, template=folder / "template.yaml", cwd=folder)
    process.allow_api_gateway("import-echo")
    yield process
    process.stop()


def error_of(call):
    with pytest.raises(ClientError) as raised:
        call()
    response = raised.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"], response["Error"]["Message"]


def definition(server):
    return {
        "openapi": "3.0.1",
        "info": {"title": "imported-pets", "description": "from OpenAPI", "version": "2.1"},
        "x-amazon-apigateway-cors": {"allowOrigins": ["https://app.example"], "allowMethods": ["GET"], "maxAge": 60},
        "components": {"securitySchemes": {
            "jwt": {"type": "oauth2", "x-amazon-apigateway-authorizer": {
                "type": "jwt", "identitySource": "$request.header.Authorization",
                "jwtConfiguration": {"issuer": f"{server.endpoint}/issuer", "audience": ["app"]}}},
            "gate": {"type": "apiKey", "name": "Authorization", "in": "header", "x-amazon-apigateway-authorizer": {
                "type": "request", "authorizerUri": ECHO_URI, "authorizerPayloadFormatVersion": "2.0",
                "enableSimpleResponses": True, "identitySource": "$request.header.Authorization"}},
        }},
        "paths": {
            "/items": {"get": {"operationId": "listItems", "x-amazon-apigateway-integration": {
                "type": "aws_proxy", "httpMethod": "POST", "uri": ECHO_URI, "payloadFormatVersion": "2.0"}}},
            "/health/{proxy+}": {"get": {"x-amazon-apigateway-integration": {
                "type": "http_proxy", "httpMethod": "GET", "uri": f"{server.endpoint}/_local/health",
                "timeoutInMillis": 5000}}},
            "/secure": {"get": {"security": [{"jwt": ["items.read"]}], "x-amazon-apigateway-integration": {
                "type": "aws_proxy", "httpMethod": "POST", "uri": ECHO_URI, "payloadFormatVersion": "2.0"}}},
            "/gated": {"post": {"security": [{"gate": []}], "x-amazon-apigateway-integration": {
                "type": "aws_proxy", "httpMethod": "POST", "uri": ECHO_URI, "payloadFormatVersion": "2.0"}}},
            "/$default": {"x-amazon-apigateway-any-method": {"x-amazon-apigateway-integration": {
                "type": "aws_proxy", "httpMethod": "POST", "uri": ECHO_URI, "payloadFormatVersion": "2.0"}}},
        },
    }


def invoke(server, api_id, path, method="GET"):
    return requests.request(method, f"{server.endpoint}/_aws/execute-api/{api_id}/{path}", timeout=30)


def test_import_creates_routes_integrations_and_authorizers_and_a_stage_serves_them(server):
    v2 = server.client("apigatewayv2")
    imported = v2.import_api(Body=json.dumps(definition(server)))
    api_id = imported["ApiId"]
    assert imported["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert (imported["Name"], imported["Description"], imported["Version"], imported["ProtocolType"]) == (
        "imported-pets", "from OpenAPI", "2.1", "HTTP")
    assert imported["ApiEndpoint"] == f"https://{api_id}.execute-api.{REGION}.amazonaws.com"
    assert imported["RouteSelectionExpression"] == "$request.method $request.path"
    assert imported["CorsConfiguration"]["AllowOrigins"] == ["https://app.example"]
    assert imported["CorsConfiguration"]["MaxAge"] == 60
    assert "Warnings" not in imported
    assert api_id in [api["ApiId"] for api in v2.get_apis()["Items"]]

    routes = {route["RouteKey"]: route for route in v2.get_routes(ApiId=api_id)["Items"]}
    assert sorted(routes) == ["$default", "GET /health/{proxy+}", "GET /items", "GET /secure", "POST /gated"]
    assert all(len(route["RouteId"]) == 7 for route in routes.values())
    assert routes["GET /items"]["OperationName"] == "listItems"
    assert routes["GET /items"]["AuthorizationType"] == "NONE"
    authorizers = {a["Name"]: a for a in v2.get_authorizers(ApiId=api_id)["Items"]}
    assert sorted(authorizers) == ["gate", "jwt"]
    assert authorizers["jwt"]["AuthorizerType"] == "JWT"
    assert authorizers["jwt"]["IdentitySource"] == ["$request.header.Authorization"]
    assert authorizers["jwt"]["JwtConfiguration"] == {"Audience": ["app"], "Issuer": f"{server.endpoint}/issuer"}
    assert authorizers["gate"]["AuthorizerType"] == "REQUEST"
    assert authorizers["gate"]["AuthorizerUri"] == ECHO_URI
    assert authorizers["gate"]["EnableSimpleResponses"] is True
    assert authorizers["gate"]["AuthorizerPayloadFormatVersion"] == "2.0"
    assert (routes["GET /secure"]["AuthorizationType"], routes["GET /secure"]["AuthorizerId"],
            routes["GET /secure"]["AuthorizationScopes"]) == ("JWT", authorizers["jwt"]["AuthorizerId"], ["items.read"])
    assert (routes["POST /gated"]["AuthorizationType"], routes["POST /gated"]["AuthorizerId"]) == (
        "CUSTOM", authorizers["gate"]["AuthorizerId"])

    integrations = {i["IntegrationId"]: i for i in v2.get_integrations(ApiId=api_id)["Items"]}
    lambda_integration = integrations[routes["GET /items"]["Target"].removeprefix("integrations/")]
    assert (lambda_integration["IntegrationType"], lambda_integration["IntegrationUri"],
            lambda_integration["PayloadFormatVersion"], lambda_integration["TimeoutInMillis"]) == (
        "AWS_PROXY", ECHO_URI, "2.0", 30000)
    proxy = integrations[routes["GET /health/{proxy+}"]["Target"].removeprefix("integrations/")]
    assert (proxy["IntegrationType"], proxy["IntegrationMethod"], proxy["PayloadFormatVersion"], proxy["TimeoutInMillis"]) == (
        "HTTP_PROXY", "GET", "1.0", 5000)
    # An import makes no stage: nothing is served until one deploys the API.
    assert v2.get_stages(ApiId=api_id)["Items"] == []
    assert invoke(server, api_id, "items").status_code == 404

    v2.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    answer = invoke(server, api_id, "items")
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"route": "GET /items", "path": "/items"}
    assert invoke(server, api_id, "health/anything").json()["status"] == "running"
    assert invoke(server, api_id, "elsewhere", method="DELETE").json() == {"route": "$default", "path": "/elsewhere"}
    # The JWT route asks for a token.
    assert invoke(server, api_id, "secure").status_code == 401


def test_reimport_replaces_the_definition_and_auto_deploys(server):
    v2 = server.client("apigatewayv2")
    api_id = v2.import_api(Body=json.dumps(definition(server)))["ApiId"]
    v2.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    assert invoke(server, api_id, "items").status_code == 200
    replacement = textwrap.dedent(f"""\
        openapi: 3.0.1
        info:
          title: reimported
          version: '3'
        paths:
          /v2/items:
            get:
              x-amazon-apigateway-integration:
                type: aws_proxy
                uri: {ECHO_URI}
                payloadFormatVersion: '1.0'
        """)
    reimported = v2.reimport_api(ApiId=api_id, Body=replacement)
    assert reimported["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert (reimported["ApiId"], reimported["Name"], reimported["Version"]) == (api_id, "reimported", "3")
    assert "CorsConfiguration" not in reimported and "Description" not in reimported
    assert [r["RouteKey"] for r in v2.get_routes(ApiId=api_id)["Items"]] == ["GET /v2/items"]
    assert [i["PayloadFormatVersion"] for i in v2.get_integrations(ApiId=api_id)["Items"]] == ["1.0"]
    assert v2.get_authorizers(ApiId=api_id)["Items"] == []
    # The stage stays and its automatic deployment serves the new routes only.
    assert [s["StageName"] for s in v2.get_stages(ApiId=api_id)["Items"]] == ["$default"]
    assert invoke(server, api_id, "items").status_code == 404
    assert invoke(server, api_id, "v2/items").json() == {"route": "GET /v2/items", "path": "/v2/items"}


def test_basepath_prepend_and_split(server):
    v2 = server.client("apigatewayv2")
    body = json.dumps({"openapi": "3.0.1", "info": {"title": "based", "version": "1"},
                       "servers": [{"url": "https://api.example.com/{basePath}",
                                    "variables": {"basePath": {"default": "/prod/shop"}}}],
                       "paths": {"/cart": {"get": {"x-amazon-apigateway-integration": {
                           "type": "aws_proxy", "uri": ECHO_URI, "payloadFormatVersion": "2.0"}}}}})

    def keys(**options):
        api_id = v2.import_api(Body=body, **options)["ApiId"]
        return [r["RouteKey"] for r in v2.get_routes(ApiId=api_id)["Items"]]

    assert keys() == ["GET /cart"]
    assert keys(Basepath="ignore") == ["GET /cart"]
    assert keys(Basepath="prepend") == ["GET /prod/shop/cart"]
    assert keys(Basepath="split") == ["GET /shop/cart"]


def test_warnings_and_fail_on_warnings(server):
    v2 = server.client("apigatewayv2")
    body = json.dumps({"openapi": "3.0.1", "info": {"title": "warned", "version": "1"},
                       "paths": {"/open": {"get": {"security": [{"missing": []}], "x-amazon-apigateway-integration": {
                           "type": "aws_proxy", "uri": ECHO_URI, "payloadFormatVersion": "2.0"}}}}})
    before = len(v2.get_apis()["Items"])
    status, code, message = error_of(lambda: v2.import_api(Body=body, FailOnWarnings=True))
    assert (status, code) == (400, "BadRequestException")
    assert message.startswith("Warnings found during import:\n\t") and "missing" in message
    assert len(v2.get_apis()["Items"]) == before
    imported = v2.import_api(Body=body)
    assert len(imported["Warnings"]) == 1 and "missing" in imported["Warnings"][0]
    assert [r["AuthorizationType"] for r in v2.get_routes(ApiId=imported["ApiId"])["Items"]] == ["NONE"]


def test_refusals_change_nothing(server):
    v2 = server.client("apigatewayv2")
    before = len(v2.get_apis()["Items"])
    assert error_of(lambda: v2.reimport_api(ApiId="nope123456", Body="openapi: 3.0.1\npaths: {}\n")) == (
        404, "NotFoundException", f"Invalid API identifier specified {ACCOUNT_ID}:nope123456")
    status, code, _ = error_of(lambda: v2.import_api(Body="{not json or yaml"))
    assert (status, code) == (400, "BadRequestException")
    status, code, _ = error_of(lambda: v2.import_api(Body='{"swagger": "2.0", "info": {"title": "old"}, "paths": {}}'))
    assert (status, code) == (400, "BadRequestException")
    status, code, _ = error_of(lambda: v2.import_api(Body="openapi: 3.0.1\ninfo: {title: x}\npaths: {}\n", Basepath="sideways"))
    assert (status, code) == (400, "BadRequestException")
    # HTTP APIs take only proxy integrations (AWS's text).
    aws_integration = json.dumps({"openapi": "3.0.1", "info": {"title": "aws-int", "version": "1"}, "paths": {
        "/x": {"get": {"x-amazon-apigateway-integration": {"type": "aws", "uri": ECHO_URI}}}}})
    assert error_of(lambda: v2.import_api(Body=aws_integration)) == (
        400, "BadRequestException",
        "Currently, an API with a protocol type of HTTP may only be associated with proxy integrations (AWS_PROXY, HTTP_PROXY)")
    # A definition without a title has no API name.
    assert error_of(lambda: v2.import_api(Body="openapi: 3.0.1\npaths: {}\n")) == (
        400, "BadRequestException", "Invalid API name specified. Must be between 1 and 128 characters.")
    assert len(v2.get_apis()["Items"]) == before
    # A WebSocket API cannot take a definition.
    socket = v2.create_api(Name="sockets", ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action")
    status, code, _ = error_of(lambda: v2.reimport_api(ApiId=socket["ApiId"], Body="openapi: 3.0.1\ninfo: {title: x}\npaths: {}\n"))
    assert (status, code) == (400, "BadRequestException")
    assert v2.get_routes(ApiId=socket["ApiId"])["Items"] == []


def test_export_round_trips_through_import(server):
    v2 = server.client("apigatewayv2")
    api_id = v2.import_api(Body=json.dumps(definition(server)))["ApiId"]
    exported = json.loads(v2.export_api(ApiId=api_id, Specification="OAS30", OutputType="JSON")["body"].read())
    assert exported["openapi"] == "3.0.1" and exported["info"]["title"] == "imported-pets"
    assert exported["x-amazon-apigateway-importexport-version"] == "1.0"
    items = exported["paths"]["/items"]["get"]
    assert items["responses"] == {"default": {"description": "Default response for GET /items"}}
    assert items["x-amazon-apigateway-integration"]["type"] == "aws_proxy"
    assert "x-amazon-apigateway-any-method" in exported["paths"]["/$default"]
    assert exported["paths"]["/secure"]["get"]["security"] == [{"jwt": ["items.read"]}]
    assert exported["components"]["securitySchemes"]["jwt"]["x-amazon-apigateway-authorizer"]["type"] == "jwt"
    # The YAML export imports into the same routes, integrations and authorizers.
    yaml_text = v2.export_api(ApiId=api_id, Specification="OAS30", OutputType="YAML")["body"].read().decode()
    copy = v2.import_api(Body=yaml_text)["ApiId"]

    def shape(target):
        routes = v2.get_routes(ApiId=target)["Items"]
        names = {a["AuthorizerId"]: a["Name"] for a in v2.get_authorizers(ApiId=target)["Items"]}
        integrations = {i["IntegrationId"]: i for i in v2.get_integrations(ApiId=target)["Items"]}
        return sorted((r["RouteKey"], r["AuthorizationType"], names.get(r.get("AuthorizerId")), tuple(r.get("AuthorizationScopes", [])),
                       integrations[r["Target"].removeprefix("integrations/")]["IntegrationType"],
                       integrations[r["Target"].removeprefix("integrations/")]["IntegrationUri"]) for r in routes)

    assert shape(copy) == shape(api_id)
    assert v2.get_api(ApiId=copy)["CorsConfiguration"] == v2.get_api(ApiId=api_id)["CorsConfiguration"]
    # Without extensions; a stage's export is what its deployment serves.
    bare = json.loads(v2.export_api(ApiId=api_id, Specification="OAS30", OutputType="JSON", IncludeExtensions=False)["body"].read())
    assert "x-amazon-apigateway-integration" not in bare["paths"]["/items"]["get"] and "x-amazon-apigateway-cors" not in bare
    v2.create_stage(ApiId=api_id, StageName="frozen", DeploymentId=v2.create_deployment(ApiId=api_id)["DeploymentId"])
    v2.create_route(ApiId=api_id, RouteKey="GET /later")
    staged = json.loads(v2.export_api(ApiId=api_id, Specification="OAS30", OutputType="JSON", StageName="frozen")["body"].read())
    assert "/later" not in staged["paths"] and "/items" in staged["paths"]
    assert "/later" in json.loads(v2.export_api(ApiId=api_id, Specification="OAS30", OutputType="JSON")["body"].read())["paths"]
    assert error_of(lambda: v2.export_api(ApiId=api_id, Specification="OAS30", OutputType="XML"))[:2] == (400, "BadRequestException")
    assert error_of(lambda: v2.export_api(ApiId=api_id, Specification="OAS30", OutputType="JSON", StageName="nope")) == (
        404, "NotFoundException", "Invalid stage identifier specified nope")


def test_the_template_http_api_is_listed_changed_deleted_and_reset(server):
    v2 = server.client("apigatewayv2")
    cfn = server.client("cloudformation")
    stack = cfn.describe_stacks()["Stacks"][0]["StackName"]
    api_id = cfn.describe_stack_resource(StackName=stack, LogicalResourceId="ServerlessHttpApi")[
        "StackResourceDetail"]["PhysicalResourceId"]
    listed = {api["ApiId"]: api for api in v2.get_apis()["Items"]}
    assert listed[api_id]["ProtocolType"] == "HTTP"
    assert listed[api_id]["ApiEndpoint"] == f"https://{api_id}.execute-api.{REGION}.amazonaws.com"
    routes = v2.get_routes(ApiId=api_id)["Items"]
    assert [r["RouteKey"] for r in routes] == ["GET /hello"]
    integration = v2.get_integration(ApiId=api_id, IntegrationId=routes[0]["Target"].removeprefix("integrations/"))
    assert (integration["IntegrationType"], integration["PayloadFormatVersion"]) == ("AWS_PROXY", "2.0")
    assert ECHO_ARN in integration["IntegrationUri"]
    assert [(s["StageName"], s["AutoDeploy"]) for s in v2.get_stages(ApiId=api_id)["Items"]] == [("$default", True)]
    assert invoke(server, api_id, "hello").json() == {"route": "GET /hello", "path": "/hello"}

    # Changes through the API change what is served.
    v2.update_route(ApiId=api_id, RouteId=routes[0]["RouteId"], RouteKey="GET /hi")
    assert invoke(server, api_id, "hi").json() == {"route": "GET /hi", "path": "/hi"}
    assert invoke(server, api_id, "hello").status_code == 404
    v2.delete_route(ApiId=api_id, RouteId=routes[0]["RouteId"])
    assert invoke(server, api_id, "hi").status_code == 404
    v2.delete_api(ApiId=api_id)
    assert api_id not in [api["ApiId"] for api in v2.get_apis()["Items"]]
    assert invoke(server, api_id, "hello").status_code != 200

    # A reset brings the template's API back as declared.
    reset = requests.post(f"{server.endpoint}/_local/reset", data="{}", headers={"Content-Type": "application/json"}, timeout=60)
    assert reset.status_code == 200, reset.text
    assert [r["RouteKey"] for r in v2.get_routes(ApiId=api_id)["Items"]] == ["GET /hello"]
    assert invoke(server, api_id, "hello").json() == {"route": "GET /hello", "path": "/hello"}

    # A route added to the template's API is the template's too: a snapshot keeps it, a restore brings it back. The
    # reset gave the function back the template's policy (SAM's permission covers GET /hello only): allow the new
    # route again, as the fixture did.
    server.allow_api_gateway("import-echo")
    added = v2.create_route(ApiId=api_id, RouteKey="GET /added", Target=routes[0]["Target"])
    assert invoke(server, api_id, "added").json() == {"route": "GET /added", "path": "/added"}
    saved = requests.post(f"{server.endpoint}/_local/snapshots", json={"name": "with-added"}, timeout=60)
    assert saved.status_code == 200, saved.text
    v2.delete_route(ApiId=api_id, RouteId=added["RouteId"])
    assert invoke(server, api_id, "added").status_code == 404
    restored = requests.post(f"{server.endpoint}/_local/snapshots/with-added/restore", json={}, timeout=60)
    assert restored.status_code == 200, restored.text
    assert sorted(r["RouteKey"] for r in v2.get_routes(ApiId=api_id)["Items"]) == ["GET /added", "GET /hello"]
    assert invoke(server, api_id, "added").json() == {"route": "GET /added", "path": "/added"}
