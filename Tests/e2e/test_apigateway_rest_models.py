"""API Gateway v1 models, request validators and gateway responses: their control plane with boto3 (`CreateModel`,
`CreateRequestValidator`, `PutGatewayResponse` and the rest, AWS's defaults and errors), the OpenAPI import of
`definitions`, `x-amazon-apigateway-request-validators` and `x-amazon-apigateway-gateway-responses`, CloudFormation's
`AWS::ApiGateway::Model`/`RequestValidator`/`GatewayResponse`, and what a deployed stage does with them: a request
validator refuses missing parameters and invalid bodies with AWS's 400s, and gateway responses reshape the 4XX answers
(status, headers, templates).
"""

import json

import pytest
import requests
from conftest import REPO_ROOT, EmulatorProcess
from test_apigateway_rest_control_plane import error_of, invoke_url, mock_method, root_id, start

PET_SCHEMA = json.dumps({
    "$schema": "http://json-schema.org/draft-04/schema#", "type": "object", "required": ["name"],
    "properties": {"name": {"type": "string", "minLength": 1}, "age": {"type": "integer", "minimum": 0}},
})


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    process = start(tmp_path_factory, "apigw-rest-models")
    yield process
    process.stop()


@pytest.fixture(scope="module")
def apigw(server):
    return server.client("apigateway")


def test_models(apigw):
    api_id = apigw.create_rest_api(name="models")["id"]
    # A new REST API has API Gateway's `Empty` and `Error` models.
    defaults = {m["name"]: m for m in apigw.get_models(restApiId=api_id)["items"]}
    assert set(defaults) == {"Empty", "Error"}
    assert defaults["Empty"]["contentType"] == "application/json"
    assert json.loads(defaults["Empty"]["schema"])["title"] == "Empty Schema"

    created = apigw.create_model(restApiId=api_id, name="Pet", contentType="application/json", schema=PET_SCHEMA,
                                 description="a pet")
    assert created["name"] == "Pet" and created["id"] and created["schema"] == PET_SCHEMA
    fetched = apigw.get_model(restApiId=api_id, modelName="Pet")
    assert {k: fetched[k] for k in ("id", "name", "description", "contentType", "schema")} == {
        "id": created["id"], "name": "Pet", "description": "a pet", "contentType": "application/json", "schema": PET_SCHEMA}

    assert error_of(lambda: apigw.create_model(restApiId=api_id, name="Pet", contentType="application/json",
                                               schema="{}")) == (409, "ConflictException", "Model name already exists for this REST API")
    status, code, _ = error_of(lambda: apigw.create_model(restApiId=api_id, name="Bad", contentType="application/json",
                                                          schema="not json"))
    assert (status, code) == (400, "BadRequestException")
    status, code, _ = error_of(lambda: apigw.create_model(restApiId=api_id, name="not-alnum", contentType="application/json",
                                                          schema="{}"))
    assert (status, code) == (400, "BadRequestException")
    assert error_of(lambda: apigw.create_model(restApiId=api_id, name="NoSchema", contentType="application/json")) == (
        400, "BadRequestException", "Model schema must have at least 1 property or array items defined")
    assert error_of(lambda: apigw.get_model(restApiId=api_id, modelName="Nope")) == (
        404, "NotFoundException", "Invalid model name specified: Nope")

    updated = apigw.update_model(restApiId=api_id, modelName="Pet",
                                 patchOperations=[{"op": "replace", "path": "/description", "value": "a good pet"}])
    assert updated["description"] == "a good pet"
    # A model a method names cannot be deleted.
    pets = apigw.create_resource(restApiId=api_id, parentId=root_id(apigw, api_id), pathPart="pets")["id"]
    apigw.put_method(restApiId=api_id, resourceId=pets, httpMethod="POST", authorizationType="NONE",
                     requestModels={"application/json": "Pet"})
    assert error_of(lambda: apigw.delete_model(restApiId=api_id, modelName="Pet")) == (
        409, "ConflictException", "Cannot delete model 'Pet', is referenced in method request: /pets/POST")
    apigw.delete_method(restApiId=api_id, resourceId=pets, httpMethod="POST")
    apigw.delete_model(restApiId=api_id, modelName="Pet")
    assert error_of(lambda: apigw.get_model(restApiId=api_id, modelName="Pet"))[:2] == (404, "NotFoundException")
    assert error_of(lambda: apigw.get_models(restApiId="nosuchapi"))[:2] == (404, "NotFoundException")


def test_request_validators_and_method_fields(apigw):
    api_id = apigw.create_rest_api(name="validators")["id"]
    created = apigw.create_request_validator(restApiId=api_id, name="body-only", validateRequestBody=True)
    assert {k: created[k] for k in ("name", "validateRequestBody", "validateRequestParameters")} == {
        "name": "body-only", "validateRequestBody": True, "validateRequestParameters": False}
    validator_id = created["id"]
    assert apigw.get_request_validator(restApiId=api_id, requestValidatorId=validator_id)["name"] == "body-only"
    assert [v["id"] for v in apigw.get_request_validators(restApiId=api_id)["items"]] == [validator_id]
    updated = apigw.update_request_validator(restApiId=api_id, requestValidatorId=validator_id, patchOperations=[
        {"op": "replace", "path": "/validateRequestParameters", "value": "true"}])
    assert updated["validateRequestParameters"] is True

    root = root_id(apigw, api_id)
    method = apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="POST", authorizationType="NONE",
                              requestValidatorId=validator_id, requestModels={"application/json": "Empty"},
                              requestParameters={"method.request.querystring.q": True, "method.request.header.x-h": False})
    assert method["requestValidatorId"] == validator_id
    assert method["requestModels"] == {"application/json": "Empty"}
    assert method["requestParameters"] == {"method.request.querystring.q": True, "method.request.header.x-h": False}
    got = apigw.get_method(restApiId=api_id, resourceId=root, httpMethod="POST")
    assert got["requestParameters"] == method["requestParameters"] and got["requestValidatorId"] == validator_id

    status, code, _ = error_of(lambda: apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET",
                                                        authorizationType="NONE", requestValidatorId="nosuch"))
    assert (status, code) == (400, "BadRequestException")
    status, code, _ = error_of(lambda: apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET",
                                                        authorizationType="NONE", requestModels={"application/json": "Nope"}))
    assert (status, code) == (400, "BadRequestException")

    apigw.delete_request_validator(restApiId=api_id, requestValidatorId=validator_id)
    assert error_of(lambda: apigw.get_request_validator(restApiId=api_id, requestValidatorId=validator_id))[:2] == (
        404, "NotFoundException")


def test_gateway_responses(apigw):
    api_id = apigw.create_rest_api(name="responses")["id"]
    listed = {r["responseType"]: r for r in apigw.get_gateway_responses(restApiId=api_id)["items"]}
    assert len(listed) == 21 and all(r["defaultResponse"] for r in listed.values())
    assert "statusCode" not in listed["DEFAULT_4XX"]
    assert listed["BAD_REQUEST_BODY"]["statusCode"] == "400"
    assert listed["MISSING_AUTHENTICATION_TOKEN"]["statusCode"] == "403"
    assert listed["UNAUTHORIZED"]["responseTemplates"] == {"application/json": '{"message":$context.error.messageString}'}

    put = apigw.put_gateway_response(restApiId=api_id, responseType="DEFAULT_4XX",
                                     responseParameters={"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"})
    assert put["defaultResponse"] is False and put["responseType"] == "DEFAULT_4XX"
    assert apigw.get_gateway_response(restApiId=api_id, responseType="DEFAULT_4XX")["responseParameters"] == {
        "gatewayresponse.header.Access-Control-Allow-Origin": "'*'"}
    updated = apigw.update_gateway_response(restApiId=api_id, responseType="BAD_REQUEST_BODY", patchOperations=[
        {"op": "replace", "path": "/statusCode", "value": "422"}])
    assert updated["statusCode"] == "422" and updated["defaultResponse"] is False
    apigw.delete_gateway_response(restApiId=api_id, responseType="DEFAULT_4XX")
    assert apigw.get_gateway_response(restApiId=api_id, responseType="DEFAULT_4XX")["defaultResponse"] is True
    assert error_of(lambda: apigw.delete_gateway_response(restApiId=api_id, responseType="DEFAULT_4XX")) == (
        404, "NotFoundException", "Gateway response type not defined on api")

    status, code, message = error_of(lambda: apigw.get_gateway_response(restApiId=api_id, responseType="NOPE"))
    assert (status, code) == (400, "ValidationException")
    assert message.startswith("1 validation error detected: Value 'NOPE' at 'responseType' failed to satisfy constraint")
    status, code, _ = error_of(lambda: apigw.put_gateway_response(restApiId=api_id, responseType="DEFAULT_5XX",
                                                                   statusCode="999"))
    assert (status, code) == (400, "BadRequestException")


def validated_api(apigw):
    """`POST /pets` (MOCK) checking `q`, `x-client` and a `Pet` body, deployed to `dev`."""
    api_id = apigw.create_rest_api(name="validated")["id"]
    apigw.create_model(restApiId=api_id, name="Pet", contentType="application/json", schema=PET_SCHEMA)
    validator = apigw.create_request_validator(restApiId=api_id, name="all", validateRequestBody=True,
                                               validateRequestParameters=True)["id"]
    pets = apigw.create_resource(restApiId=api_id, parentId=root_id(apigw, api_id), pathPart="pets")["id"]
    mock_method(apigw, api_id, pets, http_method="POST", body='{"created": true}', requestValidatorId=validator,
                requestModels={"application/json": "Pet"},
                requestParameters={"method.request.querystring.q": True, "method.request.header.x-client": True,
                                   "method.request.querystring.optional": False})
    apigw.create_deployment(restApiId=api_id, stageName="dev")
    return api_id


def test_deployed_validator_refuses_missing_parameters_and_invalid_bodies(server, apigw):
    api_id = validated_api(apigw)
    url = invoke_url(server, api_id, "dev", "/pets")
    json_type = {"Content-Type": "application/json"}

    missing = requests.post(url, data='{"name": "rex"}', headers=json_type, timeout=30)
    assert missing.status_code == 400
    assert missing.headers["x-amzn-ErrorType"] == "BadRequestException"
    assert missing.json() == {"message": "Missing required request parameters: [x-client, q]"}
    missing_one = requests.post(url + "?q=1", data='{"name": "rex"}', headers=json_type, timeout=30)
    assert missing_one.json() == {"message": "Missing required request parameters: [x-client]"}

    headers = {**json_type, "x-client": "tests"}
    for body in ('{"age": 3}', '{"name": "rex", "age": -1}', '{"name": ""}', "[1]", "{not json"):
        invalid = requests.post(url + "?q=1", data=body, headers=headers, timeout=30)
        assert invalid.status_code == 400, body
        assert invalid.headers["x-amzn-ErrorType"] == "BadRequestException"
        assert invalid.json() == {"message": "Invalid request body"}

    valid = requests.post(url + "?q=1", data='{"name": "rex", "age": 3}', headers=headers, timeout=30)
    assert valid.status_code == 200, valid.text
    assert valid.json() == {"created": True}


def test_gateway_responses_reshape_the_answers_once_deployed(server, apigw):
    api_id = validated_api(apigw)
    apigw.put_gateway_response(
        restApiId=api_id, responseType="DEFAULT_4XX",
        responseParameters={"gatewayresponse.header.Access-Control-Allow-Origin": "'*'",
                            "gatewayresponse.header.x-echo": "method.request.header.x-client"},
        responseTemplates={"application/json": '{"error": $context.error.messageString, "type": "$context.error.responseType"}'})
    apigw.put_gateway_response(restApiId=api_id, responseType="BAD_REQUEST_BODY", statusCode="422",
                               responseTemplates={"application/json": '{"bad": "$context.error.message"}'})
    url = invoke_url(server, api_id, "dev", "/pets")
    headers = {"Content-Type": "application/json", "x-client": "tests"}

    # Not deployed yet: the stage answers as before.
    before = requests.post(url, data="{}", headers=headers, timeout=30)
    assert before.status_code == 400 and "Access-Control-Allow-Origin" not in before.headers

    apigw.create_deployment(restApiId=api_id, stageName="dev")
    missing = requests.post(url, data='{"name": "rex"}', headers=headers, timeout=30)
    assert missing.status_code == 400
    assert missing.headers["Access-Control-Allow-Origin"] == "*"
    assert missing.headers["x-echo"] == "tests"
    assert missing.headers["x-amzn-ErrorType"] == "BadRequestException"
    assert missing.json() == {"error": "Missing required request parameters: [q]", "type": "BAD_REQUEST_PARAMETERS"}

    invalid = requests.post(url + "?q=1", data="{}", headers=headers, timeout=30)
    assert invalid.status_code == 422
    assert invalid.json() == {"bad": "Invalid request body"}
    assert "Access-Control-Allow-Origin" not in invalid.headers

    # No such route: MISSING_AUTHENTICATION_TOKEN falls back to DEFAULT_4XX.
    unknown = requests.get(invoke_url(server, api_id, "dev", "/nothing"), timeout=30)
    assert unknown.status_code == 403
    assert unknown.headers["Access-Control-Allow-Origin"] == "*"
    assert unknown.json() == {"error": "Missing Authentication Token", "type": "MISSING_AUTHENTICATION_TOKEN"}


SWAGGER = {
    "swagger": "2.0",
    "info": {"title": "imported-validation", "version": "1"},
    "x-amazon-apigateway-request-validators": {
        "all": {"validateRequestBody": True, "validateRequestParameters": True},
        "params-only": {"validateRequestBody": False, "validateRequestParameters": True},
    },
    "x-amazon-apigateway-request-validator": "all",
    "x-amazon-apigateway-gateway-responses": {
        "BAD_REQUEST_BODY": {
            "statusCode": "400",
            "responseParameters": {"gatewayresponse.header.x-why": "'schema'"},
            "responseTemplates": {"application/json": '{"why": $context.error.messageString}'},
        },
    },
    "definitions": {
        "Pet": {**json.loads(PET_SCHEMA), "properties": {**json.loads(PET_SCHEMA)["properties"],
                                                         "owner": {"$ref": "#/definitions/Owner"}}},
        "Owner": {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}},
    },
    "paths": {
        "/pets": {
            "post": {
                "parameters": [
                    {"in": "query", "name": "q", "required": True, "type": "string"},
                    {"in": "body", "name": "Pet", "required": True, "schema": {"$ref": "#/definitions/Pet"}},
                ],
                "responses": {"200": {"description": "ok"}},
                "x-amazon-apigateway-integration": {
                    "type": "mock", "requestTemplates": {"application/json": '{"statusCode": 200}'},
                    "responses": {"default": {"statusCode": "200", "responseTemplates": {"application/json": '{"ok": 1}'}}},
                },
            },
            "get": {
                "x-amazon-apigateway-request-validator": "params-only",
                "parameters": [{"in": "header", "name": "x-h", "required": True, "type": "string"}],
                "responses": {"200": {"description": "ok"}},
                "x-amazon-apigateway-integration": {
                    "type": "mock", "requestTemplates": {"application/json": '{"statusCode": 200}'},
                    "responses": {"default": {"statusCode": "200"}},
                },
            },
        },
    },
}


def test_openapi_import_carries_models_validators_and_gateway_responses(server, apigw):
    api_id = apigw.import_rest_api(body=json.dumps(SWAGGER))["id"]
    assert {m["name"] for m in apigw.get_models(restApiId=api_id)["items"]} == {"Empty", "Error", "Pet", "Owner"}
    # References between models become model URLs, as API Gateway writes them.
    pet = json.loads(apigw.get_model(restApiId=api_id, modelName="Pet")["schema"])
    assert pet["properties"]["owner"]["$ref"] == f"https://apigateway.amazonaws.com/restapis/{api_id}/models/Owner"
    validators = {v["name"]: v for v in apigw.get_request_validators(restApiId=api_id)["items"]}
    assert validators["params-only"]["validateRequestBody"] is False
    pets = next(r["id"] for r in apigw.get_resources(restApiId=api_id)["items"] if r["path"] == "/pets")
    post = apigw.get_method(restApiId=api_id, resourceId=pets, httpMethod="POST")
    assert post["requestValidatorId"] == validators["all"]["id"]
    assert post["requestParameters"] == {"method.request.querystring.q": True}
    assert post["requestModels"] == {"application/json": "Pet"}
    get = apigw.get_method(restApiId=api_id, resourceId=pets, httpMethod="GET")
    assert get["requestValidatorId"] == validators["params-only"]["id"]
    assert apigw.get_gateway_response(restApiId=api_id, responseType="BAD_REQUEST_BODY")["defaultResponse"] is False

    apigw.create_deployment(restApiId=api_id, stageName="v1")
    url = invoke_url(server, api_id, "v1", "/pets")
    invalid = requests.post(url + "?q=1", json={"age": 1}, timeout=30)
    assert invalid.status_code == 400
    assert invalid.headers["x-why"] == "schema"
    assert invalid.json() == {"why": "Invalid request body"}
    assert requests.post(url + "?q=1", json={"name": "rex"}, timeout=30).json() == {"ok": 1}
    assert requests.post(url + "?q=1", json={"name": "rex", "owner": {"id": 7}}, timeout=30).json() == {"ok": 1}
    assert requests.post(url + "?q=1", json={"name": "rex", "owner": {"id": "x"}}, timeout=30).status_code == 400
    assert requests.get(url, timeout=30).json() == {"message": "Missing required request parameters: [x-h]"}
    assert requests.get(url, headers={"x-h": "1"}, timeout=30).status_code == 200


STACK = """
Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: cfn-validation
  Pets:
    Type: AWS::ApiGateway::Resource
    Properties:
      RestApiId: !Ref Api
      ParentId: !GetAtt Api.RootResourceId
      PathPart: pets
  PetModel:
    Type: AWS::ApiGateway::Model
    Properties:
      RestApiId: !Ref Api
      Name: Pet
      ContentType: application/json
      Schema:
        type: object
        required: [name]
        properties:
          name: {type: string}
  Validator:
    Type: AWS::ApiGateway::RequestValidator
    Properties:
      RestApiId: !Ref Api
      Name: body-and-params
      ValidateRequestBody: true
      ValidateRequestParameters: true
  PostPets:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !Ref Pets
      HttpMethod: POST
      AuthorizationType: NONE
      RequestValidatorId: !Ref Validator
      RequestModels:
        application/json: !Ref PetModel
      RequestParameters:
        method.request.querystring.q: true
      Integration:
        Type: MOCK
        RequestTemplates:
          application/json: '{"statusCode": 200}'
        IntegrationResponses:
          - StatusCode: "200"
            ResponseTemplates:
              application/json: '{"stored": true}'
      MethodResponses:
        - StatusCode: "200"
  Cors4xx:
    Type: AWS::ApiGateway::GatewayResponse
    Properties:
      RestApiId: !Ref Api
      ResponseType: DEFAULT_4XX
      ResponseParameters:
        gatewayresponse.header.Access-Control-Allow-Origin: "'*'"
  Deployment:
    Type: AWS::ApiGateway::Deployment
    DependsOn: [PostPets, Cors4xx]
    Properties:
      RestApiId: !Ref Api
      StageName: prod
Outputs:
  ApiId:
    Value: !Ref Api
  ModelName:
    Value: !Ref PetModel
  ValidatorId:
    Value: !Ref Validator
"""


def test_cloudformation_models_validators_and_gateway_responses(server, apigw):
    cfn = server.client("cloudformation")
    cfn.create_stack(StackName="restvalidation", TemplateBody=STACK)
    stack = cfn.describe_stacks(StackName="restvalidation")["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack.get("StackStatusReason")
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
    api_id = outputs["ApiId"]
    assert outputs["ModelName"] == "Pet"
    assert apigw.get_request_validator(restApiId=api_id, requestValidatorId=outputs["ValidatorId"])["name"] == "body-and-params"
    assert json.loads(apigw.get_model(restApiId=api_id, modelName="Pet")["schema"])["required"] == ["name"]
    assert apigw.get_gateway_response(restApiId=api_id, responseType="DEFAULT_4XX")["defaultResponse"] is False

    url = invoke_url(server, api_id, "prod", "/pets")
    missing = requests.post(url, json={"name": "rex"}, timeout=30)
    assert missing.status_code == 400
    assert missing.headers["Access-Control-Allow-Origin"] == "*"
    assert missing.json() == {"message": "Missing required request parameters: [q]"}
    invalid = requests.post(url + "?q=1", json={}, timeout=30)
    assert invalid.json() == {"message": "Invalid request body"}
    assert requests.post(url + "?q=1", json={"name": "rex"}, timeout=30).json() == {"stored": True}

    # An update changes the model and the validator in place (the method keeps naming them), and moves the gateway
    # response to another type; a new deployment serves them.
    updated = (STACK.replace("required: [name]", "required: [name, age]")
               .replace("ValidateRequestParameters: true", "ValidateRequestParameters: false")
               .replace("ResponseType: DEFAULT_4XX", "ResponseType: BAD_REQUEST_BODY")
               .replace("      StageName: prod\n", "      StageName: prod\n      Description: second\n"))
    cfn.update_stack(StackName="restvalidation", TemplateBody=updated)
    assert cfn.describe_stacks(StackName="restvalidation")["Stacks"][0]["StackStatus"] == "UPDATE_COMPLETE"
    assert json.loads(apigw.get_model(restApiId=api_id, modelName="Pet")["schema"])["required"] == ["name", "age"]
    assert apigw.get_request_validator(restApiId=api_id, requestValidatorId=outputs["ValidatorId"])[
        "validateRequestParameters"] is False
    assert apigw.get_gateway_response(restApiId=api_id, responseType="DEFAULT_4XX")["defaultResponse"] is True
    assert apigw.get_gateway_response(restApiId=api_id, responseType="BAD_REQUEST_BODY")["defaultResponse"] is False
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    no_age = requests.post(url, json={"name": "rex"}, timeout=30)
    assert no_age.status_code == 400 and no_age.json() == {"message": "Invalid request body"}
    assert no_age.headers["Access-Control-Allow-Origin"] == "*"

    cfn.delete_stack(StackName="restvalidation")
    assert error_of(lambda: apigw.get_models(restApiId=api_id))[:2] == (404, "NotFoundException")


SAM_TEMPLATE = """
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  ValidatedApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: dev
      Models:
        User:
          type: object
          required: [name]
          properties:
            name: {type: string}
      GatewayResponses:
        DEFAULT_4XX:
          ResponseParameters:
            Headers:
              Access-Control-Allow-Origin: "'*'"
  UsersFunction:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: sam-users
      Runtime: python3.12
      CodeUri: HANDLERS
      Handler: app.echo
      Events:
        Create:
          Type: Api
          Properties:
            RestApiId: !Ref ValidatedApi
            Path: /users
            Method: post
            RequestModel:
              Model: User
              Required: true
              ValidateBody: true
              ValidateParameters: true
            RequestParameters:
              - method.request.querystring.team:
                  Required: true
              - method.request.header.x-trace
"""


def test_sam_models_request_models_and_gateway_responses(tmp_path):
    handlers = REPO_ROOT / "Fixtures" / "apigateway-tests" / "apis" / "handlers"
    template = tmp_path / "template.yaml"
    template.write_text(SAM_TEMPLATE.replace("HANDLERS", str(handlers)))
    process = EmulatorProcess(tmp_path, "--stack-name", "samvalidation", template=template)
    try:
        apigw = process.client("apigateway")
        api_id = next(api["id"] for api in apigw.get_rest_apis()["items"]
                      if any(r["path"] == "/users" for r in apigw.get_resources(restApiId=api["id"])["items"]))
        # SAM writes model names lower-cased and names its validator after what it checks.
        assert "user" in {m["name"] for m in apigw.get_models(restApiId=api_id)["items"]}
        assert [v["name"] for v in apigw.get_request_validators(restApiId=api_id)["items"]] == ["body-and-params"]
        users = next(r["id"] for r in apigw.get_resources(restApiId=api_id)["items"] if r["path"] == "/users")
        method = apigw.get_method(restApiId=api_id, resourceId=users, httpMethod="POST")
        assert method["requestParameters"] == {"method.request.querystring.team": True, "method.request.header.x-trace": False}
        assert method["requestModels"] == {"application/json": "user"}

        url = invoke_url(process, api_id, "dev", "/users")
        missing = requests.post(url, json={"name": "ann"}, timeout=30)
        assert missing.status_code == 400
        assert missing.json() == {"message": "Missing required request parameters: [team]"}
        assert missing.headers["Access-Control-Allow-Origin"] == "*"
        invalid = requests.post(url + "?team=a", json={"nom": "ann"}, timeout=30)
        assert (invalid.status_code, invalid.json()) == (400, {"message": "Invalid request body"})
        valid = requests.post(url + "?team=a", json={"name": "ann"}, timeout=60)
        assert valid.status_code == 200, valid.text
        assert json.loads(valid.json()["body"]) == {"name": "ann"}
    finally:
        process.stop()
