"""Foundation contract of SynapScribe Local: health, clock, SigV4 auth, errors, CloudFormation, CLI.

Expected wire behaviour follows AWS (status codes, error codes and messages as the real services
send them); the `/_local/*` endpoints follow the emulator's own contract.
"""

import json
import re
import subprocess
from datetime import datetime, timedelta, timezone

import pytest
import requests
from botocore.exceptions import ClientError
from conftest import (
    ACCOUNT_ID,
    REGION,
    STACK_NAME,
    TEMPLATE,
    emulator_binary,
    iso_to_datetime,
    parse_json_response,
    template_logical_ids,
)

EXPECTED_SERVICES = ["s3", "dynamodb", "lambda", "apigateway", "cognito-identity", "sts", "cloudformation", "iam"]
SESSIONS_TABLE = "SynapScribe-Sessions"
AUDIO_BUCKET = f"synapscribe-audio-{ACCOUNT_ID}"
DYNAMODB_JSON = "application/x-amz-json-1.0"
SIGNATURE_MISMATCH_PREFIX = "The request signature we calculated does not match the signature you provided."


def error_of(excinfo):
    """(code, message, HTTP status) of a botocore ClientError."""
    response = excinfo.value.response
    return (response["Error"].get("Code"), response["Error"].get("Message", ""),
            response["ResponseMetadata"]["HTTPStatusCode"])


def short_type(type_name):
    """`com.amazon.coral.service#UnknownOperationException` -> `UnknownOperationException`."""
    return type_name.rsplit("#", 1)[-1]


# =========================================================================== /_local/health


class TestHealth:
    def test_health_reports_running_emulator(self, endpoint):
        response = requests.get(f"{endpoint}/_local/health", timeout=10)
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("application/json")
        body = response.json()
        assert body["status"] == "running"
        assert body["region"] == REGION
        assert body["accountId"] == ACCOUNT_ID
        assert body["stackName"] == STACK_NAME

    def test_health_clock_block(self, endpoint):
        body = requests.get(f"{endpoint}/_local/health", timeout=10).json()
        now = iso_to_datetime(body["clock"]["now"])
        assert isinstance(body["clock"]["offsetSeconds"], (int, float))
        real_now = datetime.now(timezone.utc)
        expected = real_now + timedelta(seconds=body["clock"]["offsetSeconds"])
        assert abs((now - expected).total_seconds()) < 5

    def test_health_lists_every_service(self, endpoint):
        services = requests.get(f"{endpoint}/_local/health", timeout=10).json()["services"]
        assert isinstance(services, dict)
        missing = [name for name in EXPECTED_SERVICES if name not in services]
        assert not missing, f"services missing from health: {missing}"
        for name in EXPECTED_SERVICES:
            assert isinstance(services[name].get("state"), str) and services[name]["state"], name
            assert isinstance(services[name].get("resources"), dict), name

    @pytest.mark.parametrize("service", ["s3", "dynamodb", "lambda", "apigateway", "cognito-identity", "iam"])
    def test_health_services_hold_template_resources(self, endpoint, service):
        services = requests.get(f"{endpoint}/_local/health", timeout=10).json()["services"]
        if services[service]["state"] == "not-implemented":
            pytest.skip(f"{service} is not implemented yet")
        assert services[service]["resources"], f"{service} has no resources although the template declares some"


# =========================================================================== /_local/clock


class TestClock:
    def test_get_clock(self, clock):
        state = clock.state()
        assert set(state) >= {"now", "offsetSeconds"}
        now = iso_to_datetime(state["now"])
        expected = datetime.now(timezone.utc) + timedelta(seconds=state["offsetSeconds"])
        assert abs((now - expected).total_seconds()) < 5

    @pytest.mark.parametrize(
        ("spec", "seconds"),
        [("7d", 7 * 86400), ("90m", 5400), ("3600s", 3600), ("1h30m", 5400), ("2h", 7200)],
    )
    def test_advance(self, clock, spec, seconds):
        before = clock.state()
        after = clock.advance(spec)
        assert set(after) >= {"now", "offsetSeconds"}
        assert after["offsetSeconds"] - before["offsetSeconds"] == pytest.approx(seconds, abs=1)
        moved = (iso_to_datetime(after["now"]) - iso_to_datetime(before["now"])).total_seconds()
        assert moved == pytest.approx(seconds, abs=5)
        # The move is persistent: GET reads back the advanced time.
        assert (clock.now() - iso_to_datetime(before["now"])).total_seconds() == pytest.approx(seconds, abs=5)

    def test_advance_by_number_of_seconds(self, clock):
        before = clock.state()["offsetSeconds"]
        response = clock.raw_post({"advance": 120})
        assert response.status_code == 200, response.text
        assert response.json()["offsetSeconds"] - before == pytest.approx(120, abs=1)

    def test_advance_is_visible_in_health(self, clock, endpoint):
        clock.advance("7d")
        health = requests.get(f"{endpoint}/_local/health", timeout=10).json()
        assert health["clock"]["offsetSeconds"] == pytest.approx(7 * 86400, abs=10)

    def test_set_future(self, clock):
        state = clock.set("2030-01-01T00:00:00Z")
        assert iso_to_datetime(state["now"]) - datetime(2030, 1, 1, tzinfo=timezone.utc) < timedelta(seconds=5)
        now = clock.now()
        assert datetime(2030, 1, 1, tzinfo=timezone.utc) <= now < datetime(2030, 1, 1, 0, 1, tzinfo=timezone.utc)
        assert clock.state()["offsetSeconds"] > 0

    def test_set_past_is_allowed(self, clock):
        clock.set("2020-06-15T12:00:00Z")
        now = clock.now()
        assert datetime(2020, 6, 15, 12, tzinfo=timezone.utc) <= now < datetime(2020, 6, 15, 12, 1, tzinfo=timezone.utc)
        assert clock.state()["offsetSeconds"] < 0

    @pytest.mark.parametrize(
        "body",
        ["{not json", "[]", '{"advance": "7x"}', '{"advance": "soon"}', '{"advance": ""}', '{"set": "yesterday"}',
         '{"set": 12}', "{}"],
    )
    def test_malformed_body_is_validation_exception(self, clock, body):
        before = clock.state()["offsetSeconds"]
        response = clock.raw_post(body)
        assert response.status_code == 400
        payload = parse_json_response(response)
        assert short_type(payload["__type"]) == "ValidationException"
        assert payload.get("message") or payload.get("Message")
        assert clock.state()["offsetSeconds"] == pytest.approx(before, abs=1), "a rejected request moved the clock"


# =========================================================================== SigV4 authentication


class TestSignatures:
    def test_dynamodb_wrong_secret(self, client_with_credentials):
        dynamodb = client_with_credentials("dynamodb", "test", "wrong")
        with pytest.raises(ClientError) as excinfo:
            dynamodb.list_tables()
        code, message, status = error_of(excinfo)
        assert code == "InvalidSignatureException"
        assert status == 400
        assert message.startswith(SIGNATURE_MISMATCH_PREFIX)

    def test_s3_wrong_secret(self, client_with_credentials):
        s3 = client_with_credentials("s3", "test", "wrong")
        with pytest.raises(ClientError) as excinfo:
            s3.list_buckets()
        code, message, status = error_of(excinfo)
        assert code == "SignatureDoesNotMatch"
        assert status == 403
        assert message.startswith(SIGNATURE_MISMATCH_PREFIX)

    def test_s3_wrong_secret_head_bucket(self, client_with_credentials):
        s3 = client_with_credentials("s3", "test", "wrong")
        with pytest.raises(ClientError) as excinfo:
            s3.head_bucket(Bucket=AUDIO_BUCKET)
        # HEAD responses have no body: botocore falls back to the status code.
        assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403

    def test_cloudformation_wrong_secret(self, client_with_credentials):
        cloudformation = client_with_credentials("cloudformation", "test", "wrong")
        with pytest.raises(ClientError) as excinfo:
            cloudformation.describe_stacks()
        code, message, status = error_of(excinfo)
        assert code == "SignatureDoesNotMatch"
        assert status == 403
        assert message.startswith(SIGNATURE_MISMATCH_PREFIX)

    def test_unknown_access_key_is_accepted_without_strict_credentials(self, client_with_credentials):
        dynamodb = client_with_credentials("dynamodb", "AKIAUNKNOWN123", "any-secret-at-all")
        tables = dynamodb.list_tables()["TableNames"]
        assert SESSIONS_TABLE in tables

    def test_unknown_access_key_s3(self, client_with_credentials):
        s3 = client_with_credentials("s3", "AKIAUNKNOWN123", "another-secret")
        names = [bucket["Name"] for bucket in s3.list_buckets()["Buckets"]]
        assert AUDIO_BUCKET in names

    def test_correct_credentials_work(self, client):
        assert SESSIONS_TABLE in client("dynamodb").list_tables()["TableNames"]

    def test_unsigned_dynamodb_request(self, endpoint):
        response = requests.post(
            f"{endpoint}/",
            data="{}",
            headers={"X-Amz-Target": "DynamoDB_20120810.ListTables", "Content-Type": DYNAMODB_JSON},
            timeout=10,
        )
        assert response.status_code == 400
        payload = parse_json_response(response)
        assert short_type(payload["__type"]) == "MissingAuthenticationTokenException"
        assert payload["message"] == "Request is missing Authentication Token"
        assert "x-amzn-requestid" in {key.lower() for key in response.headers}

    @pytest.mark.parametrize(
        "authorization",
        [
            "AWS4-HMAC-SHA256 garbage",
            "AWS4-HMAC-SHA256 Credential=test/20251203/us-east-1/dynamodb/aws4_request",
            "AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date, Signature=abcdef",
        ],
    )
    def test_malformed_authorization_header(self, endpoint, authorization):
        response = requests.post(
            f"{endpoint}/",
            data="{}",
            headers={
                "X-Amz-Target": "DynamoDB_20120810.ListTables",
                "Content-Type": DYNAMODB_JSON,
                "X-Amz-Date": datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ"),
                "Authorization": authorization,
            },
            timeout=10,
        )
        assert response.status_code == 400
        payload = parse_json_response(response)
        assert short_type(payload["__type"]) == "IncompleteSignatureException"
        assert payload.get("message")

    def test_unknown_dynamodb_operation(self, signed_request):
        response = signed_request(
            "dynamodb",
            headers={"X-Amz-Target": "DynamoDB_20120810.NoSuchOp", "Content-Type": DYNAMODB_JSON},
            body=b"{}",
        )
        assert response.status_code == 400
        assert "<html" not in response.text.lower()
        assert response.headers.get("Content-Type", "").startswith(DYNAMODB_JSON)
        payload = parse_json_response(response)
        assert short_type(payload["__type"]) == "UnknownOperationException"

    def test_signed_raw_request_round_trip(self, signed_request):
        response = signed_request(
            "dynamodb",
            headers={"X-Amz-Target": "DynamoDB_20120810.ListTables", "Content-Type": DYNAMODB_JSON},
            body=b"{}",
        )
        assert response.status_code == 200, response.text
        assert SESSIONS_TABLE in response.json()["TableNames"]


# =========================================================================== AWS CLI


class TestCli:
    def test_list_tables(self, aws_cli):
        code, stdout, stderr = aws_cli("dynamodb", "list-tables")
        assert code == 0, stderr
        body = json.loads(stdout)
        assert isinstance(body["TableNames"], list)
        assert SESSIONS_TABLE in body["TableNames"]

    def test_describe_table(self, aws_cli):
        code, stdout, stderr = aws_cli("dynamodb", "describe-table", "--table-name", SESSIONS_TABLE)
        assert code == 0, stderr
        table = json.loads(stdout)["Table"]
        assert table["TableName"] == SESSIONS_TABLE
        assert table["TableStatus"] == "ACTIVE"
        assert {(key["AttributeName"], key["KeyType"]) for key in table["KeySchema"]} == {
            ("sessionId", "HASH"), ("lectureId", "RANGE")}
        assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"

    def test_cli_wrong_table_reports_aws_error(self, aws_cli):
        code, _, stderr = aws_cli("dynamodb", "describe-table", "--table-name", "NoSuchTable")
        assert code == 255  # AWS CLI v1 exit code for a service error
        assert "An error occurred (ResourceNotFoundException) when calling the DescribeTable operation" in stderr

    def test_cli_describe_stacks(self, aws_cli):
        code, stdout, stderr = aws_cli("cloudformation", "describe-stacks", "--stack-name", STACK_NAME)
        assert code == 0, stderr
        stacks = json.loads(stdout)["Stacks"]
        assert [stack["StackName"] for stack in stacks] == [STACK_NAME]


# =========================================================================== CloudFormation (read-only)


class TestCloudFormation:
    def outputs(self, client):
        stack = client("cloudformation").describe_stacks(StackName=STACK_NAME)["Stacks"][0]
        return {output["OutputKey"]: output for output in stack.get("Outputs", [])}

    def test_describe_stack(self, client, emulator):
        stacks = client("cloudformation").describe_stacks(StackName=STACK_NAME)["Stacks"]
        assert len(stacks) == 1
        stack = stacks[0]
        assert stack["StackName"] == STACK_NAME
        assert stack["StackStatus"] == "CREATE_COMPLETE"
        assert stack["StackId"].startswith(f"arn:aws:cloudformation:{REGION}:{ACCOUNT_ID}:stack/{STACK_NAME}/")
        parameters = {p["ParameterKey"]: p["ParameterValue"] for p in stack.get("Parameters", [])}
        assert parameters.get("EnvironmentName") == "prod"
        if emulator.process is not None:  # started by this suite with the fake AgentCore override
            assert parameters.get("AgentCoreEndpoint", "").startswith("http://127.0.0.1:")

    def test_describe_all_stacks(self, client):
        stacks = client("cloudformation").describe_stacks()["Stacks"]
        assert [stack["StackName"] for stack in stacks] == [STACK_NAME]

    def test_outputs_use_local_urls(self, client, endpoint):
        outputs = self.outputs(client)
        expected_keys = {"WebSocketURL", "WebSocketApiId", "ConnectionsURL", "AudioBucketName", "SessionsTableName",
                         "IdentityPoolId", "WebSocketHandlerArn", "ValidateLectureFunctionArn"}
        assert expected_keys <= set(outputs), f"missing outputs: {expected_keys - set(outputs)}"
        websocket_url = outputs["WebSocketURL"]["OutputValue"]
        assert websocket_url.startswith("ws://127.0.0.1:"), websocket_url
        assert "amazonaws.com" not in websocket_url
        assert websocket_url.endswith("/Prod")
        assert outputs["AudioBucketName"]["OutputValue"] == AUDIO_BUCKET
        assert outputs["SessionsTableName"]["OutputValue"] == SESSIONS_TABLE
        assert outputs["IdentityPoolId"]["OutputValue"].startswith(f"{REGION}:")
        assert outputs["WebSocketHandlerArn"]["OutputValue"].startswith(
            f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:")

    def test_outputs_have_exports(self, client):
        outputs = self.outputs(client)
        assert outputs["AudioBucketName"].get("ExportName") == f"{STACK_NAME}-AudioBucketName"

    def test_list_stack_resources_covers_template(self, client):
        cloudformation = client("cloudformation")
        summaries = []
        kwargs = {"StackName": STACK_NAME}
        while True:
            page = cloudformation.list_stack_resources(**kwargs)
            summaries.extend(page["StackResourceSummaries"])
            if not page.get("NextToken"):
                break
            kwargs["NextToken"] = page["NextToken"]
        by_id = {summary["LogicalResourceId"]: summary for summary in summaries}
        expected = template_logical_ids()
        assert len(expected) >= 20, expected
        missing = [logical_id for logical_id in expected if logical_id not in by_id]
        assert not missing, f"template resources missing from list_stack_resources: {missing}"
        for logical_id in expected:
            assert by_id[logical_id].get("PhysicalResourceId"), f"{logical_id} has no physical id"
        assert by_id["AudioBucket"]["ResourceType"] == "AWS::S3::Bucket"
        assert by_id["AudioBucket"]["PhysicalResourceId"] == AUDIO_BUCKET
        assert by_id["SessionsTable"]["PhysicalResourceId"] == SESSIONS_TABLE
        assert by_id["WebSocketHandler"]["ResourceType"] == "AWS::Lambda::Function"

    def test_unknown_stack(self, client):
        with pytest.raises(ClientError) as excinfo:
            client("cloudformation").describe_stacks(StackName="no-such-stack")
        code, message, status = error_of(excinfo)
        assert code == "ValidationError"
        assert message == "Stack with id no-such-stack does not exist"
        assert status == 400


# =========================================================================== emulator CLI (no server needed)


def run_binary(*args, cwd=None, timeout=120):
    binary = emulator_binary()
    result = subprocess.run([str(binary), *map(str, args)], capture_output=True, text=True, timeout=timeout,
                            cwd=cwd or TEMPLATE.parent)
    return result.returncode, result.stdout, result.stderr


STACK_TRACE_MARKERS = ("Fatal error", "Stack dump", "Current stack trace", "#0 0x", "Illegal instruction",
                       "Segmentation fault", "Backtrace")


class TestBinaryCli:
    def test_validate_lists_resources(self):
        code, stdout, stderr = run_binary("validate", "--template", TEMPLATE)
        assert code == 0, stderr
        output = stdout + stderr
        missing = [logical_id for logical_id in template_logical_ids() if logical_id not in output]
        assert not missing, f"validate output does not mention: {missing}"

    def test_validate_reports_yaml_syntax_error_position(self, tmp_path):
        broken = tmp_path / "broken-template.yaml"
        lines = TEMPLATE.read_text().splitlines()
        resources_line = lines.index("Resources:")
        # A tab can never start a YAML token: the scanner fails exactly on this line, column 1.
        broken_line_number = resources_line + 2  # 1-based number of the inserted line
        lines.insert(resources_line + 1, "\tBroken: [indentation")
        broken.write_text("\n".join(lines) + "\n")

        code, stdout, stderr = run_binary("validate", "--template", broken, cwd=tmp_path)
        assert code > 0, "validate must exit non-zero (and not die on a signal) on a YAML syntax error"
        output = stdout + stderr
        for marker in STACK_TRACE_MARKERS:
            assert marker not in output, f"looks like a crash/stack trace: {output[:2000]}"
        pattern = re.compile(rf"{re.escape(broken.name)}:(\d+):(\d+)")
        error_lines = [line for line in output.splitlines() if pattern.search(line)]
        assert len(error_lines) == 1, f"expected exactly one file:LINE:COLUMN error line, got:\n{output}"
        line, column = map(int, pattern.search(error_lines[0]).groups())
        assert abs(line - broken_line_number) <= 1, (line, broken_line_number, error_lines[0])
        assert column >= 1

    def test_validate_missing_file(self, tmp_path):
        code, stdout, stderr = run_binary("validate", "--template", tmp_path / "nope.yaml", cwd=tmp_path)
        assert code > 0
        output = stdout + stderr
        assert "nope.yaml" in output
        for marker in STACK_TRACE_MARKERS:
            assert marker not in output

    def test_outputs_json(self):
        code, stdout, stderr = run_binary("outputs", "--json", "--template", TEMPLATE)
        assert code == 0, stderr
        data = json.loads(stdout)
        if isinstance(data, list):  # [{"OutputKey": ..., "OutputValue": ...}] is accepted too
            data = {item["OutputKey"]: item["OutputValue"] for item in data}
        for key in ("WebSocketURL", "AudioBucketName", "SessionsTableName", "IdentityPoolId"):
            assert key in data, f"{key} missing from outputs: {data}"
        value = data["AudioBucketName"]
        value = value["OutputValue"] if isinstance(value, dict) else value
        assert value == AUDIO_BUCKET
