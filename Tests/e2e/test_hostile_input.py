"""Hostile input never takes the emulator down (issue 10, item 1).

Each test sends what an attacker or a careless client would: dates and expiries far outside any calendar,
numbers beyond 64 bits, a virtual clock moved by 10^19 seconds. The answer must be AWS's 4xx (or the
request served as AWS serves it), and the process must still answer `GET /_local/health` afterwards.

Every test here runs against its own emulator process (the websocket-tests fixture template, which has
Lambda functions, a WebSocket API and a role), so a crash stays local to the test that caused it.
"""

import asyncio
import http.client
import json
import xml.etree.ElementTree as ET

import pytest
import requests
import websockets
from botocore.exceptions import ClientError

from conftest import ACCESS_KEY, LOOPBACK, REPO_ROOT, SECRET_KEY, EmulatorProcess

FIXTURE_TEMPLATE = REPO_ROOT / "Fixtures" / "websocket-tests" / "template.yaml"
S3_NAMESPACE = "{http://s3.amazonaws.com/doc/2006-03-01/}"


class HostileServer(EmulatorProcess):
    """One emulator process for one test, on the WebSocket fixture template."""

    def __init__(self, tmp_path):
        super().__init__(tmp_path, "--parameter-overrides", f"EventLogDir={tmp_path / 'events'}", template=FIXTURE_TEMPLATE)

    def client(self, service, key=ACCESS_KEY, secret=SECRET_KEY, token=None, signature_version=None):
        return super().client(service, key, secret, token, connect_timeout=5, read_timeout=60,
                              signature_version=signature_version)

    def raw(self, method, target, headers=None, body=None):
        """One request exactly as given (http.client adds only Host and, with a body, Content-Length)."""
        connection = http.client.HTTPConnection(LOOPBACK, self.port, timeout=30)
        try:
            connection.request(method, target, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def assert_alive(self):
        """The process is running and answers its health endpoint."""
        assert self.process.poll() is None, f"emulator exited with {self.process.returncode}"
        assert requests.get(f"{self.endpoint}/_local/health", timeout=10).status_code == 200


@pytest.fixture
def server(tmp_path):
    instance = HostileServer(tmp_path)
    yield instance
    instance.stop()


def s3_error(body):
    """(Code, Message) of an S3 <Error> document."""
    root = ET.fromstring(body)
    return root.findtext("Code"), root.findtext("Message")


def status_of(call):
    """HTTP status of a boto3 call: 200 when it succeeds, the error's status when AWS answered with an error."""
    try:
        call()
        return 200
    except ClientError as error:
        return error.response["ResponseMetadata"]["HTTPStatusCode"]


# --------------------------------------------------------------------------- authentication dates


def test_sigv2_date_with_a_twelve_digit_year_is_access_denied(server):
    status, body = server.raw("GET", "/b/k", {"Authorization": "AWS test:x", "Date": "Thu, 01 Jan 999999999999 00:00:00 GMT"})
    assert status == 403, body
    assert s3_error(body) == ("AccessDenied", "AWS authentication requires a valid Date or x-amz-date header")
    server.assert_alive()


def test_sigv4_x_amz_date_with_a_twelve_digit_year_is_access_denied(server):
    authorization = ("AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/s3/aws4_request, "
                     "SignedHeaders=host;x-amz-date, Signature=00")
    status, body = server.raw("GET", "/b/k", {"Authorization": authorization,
                                              "X-Amz-Date": "Thu, 01 Jan 999999999999 00:00:00 GMT",
                                              "X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"})
    assert status == 403, body
    assert s3_error(body) == ("AccessDenied", "AWS authentication requires a valid Date or x-amz-date header")
    server.assert_alive()


@pytest.mark.parametrize("expires", ["-9223372036854775808", "9223372036854775807", "99999999999999999999", "soon"])
def test_sigv2_expires_outside_the_calendar_is_invalid_date(server, expires):
    status, body = server.raw("GET", f"/b/k?AWSAccessKeyId=test&Signature=x&Expires={expires}")
    assert status == 403, body
    assert s3_error(body) == ("AccessDenied", f"Invalid date (should be seconds since epoch): {expires}")
    server.assert_alive()


def test_presigned_x_amz_expires_beyond_64_bits_is_not_a_number(server):
    s3 = server.client("s3", signature_version="s3v4")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": "b", "Key": "k"}, ExpiresIn=60)
    response = requests.get(url.replace("X-Amz-Expires=60", "X-Amz-Expires=9223372036854775808"), timeout=30)
    assert response.status_code == 400, response.text
    assert s3_error(response.content) == ("AuthorizationQueryParametersError", "X-Amz-Expires should be a number")
    server.assert_alive()


# --------------------------------------------------------------------------- S3 headers and query values


def test_if_modified_since_dates_outside_the_calendar_are_ignored(server):
    s3 = server.client("s3")
    s3.create_bucket(Bucket="hostile-dates")
    s3.put_object(Bucket="hostile-dates", Key="k", Body=b"0123456789")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": "hostile-dates", "Key": "k"})
    for header in ("If-Modified-Since", "If-Unmodified-Since"):
        answer = requests.get(url, headers={header: "Thu, 01 Jan 999999999999 00:00:00 GMT"}, timeout=30)
        assert answer.status_code == 200, (header, answer.text)
        assert answer.content == b"0123456789"
    server.assert_alive()


def test_range_positions_beyond_64_bits(server):
    s3 = server.client("s3")
    s3.create_bucket(Bucket="hostile-ranges")
    s3.put_object(Bucket="hostile-ranges", Key="k", Body=b"0123456789")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": "hostile-ranges", "Key": "k"})
    to_end = requests.get(url, headers={"Range": "bytes=2-99999999999999999999"}, timeout=30)
    assert to_end.status_code == 206, to_end.text
    assert to_end.headers["Content-Range"] == "bytes 2-9/10"
    assert to_end.content == b"23456789"
    past_end = requests.get(url, headers={"Range": "bytes=99999999999999999999-"}, timeout=30)
    assert past_end.status_code == 416, past_end.text
    assert s3_error(past_end.content)[0] == "InvalidRange"
    server.assert_alive()


@pytest.mark.parametrize("value, message", [
    ("-1", "Argument maxKeys must be an integer between 0 and 2147483647"),
    ("2147483648", "Provided max-keys not an integer or within integer range"),
    ("99999999999999999999", "Provided max-keys not an integer or within integer range"),
])
def test_max_keys_outside_32_bits(server, value, message):
    s3 = server.client("s3")
    s3.create_bucket(Bucket="hostile-list")
    with pytest.raises(ClientError) as excinfo:
        s3.list_objects_v2(Bucket="hostile-list", MaxKeys=int(value))
    error = excinfo.value.response["Error"]
    assert (error["Code"], error["Message"]) == ("InvalidArgument", message)
    server.assert_alive()


@pytest.mark.parametrize("parameters, message", [
    ({"MaxParts": -42}, "Argument max-parts must be an integer between 0 and 2147483647"),
    ({"MaxParts": 2147483647 + 42}, "Provided max-parts not an integer or within integer range"),
    ({"PartNumberMarker": -42}, "Argument part-number-marker must be an integer between 0 and 2147483647"),
    ({"PartNumberMarker": 2147483647 + 42}, "Provided part-number-marker not an integer or within integer range"),
])
def test_list_parts_counts_outside_32_bits(server, parameters, message):
    s3 = server.client("s3")
    s3.create_bucket(Bucket="hostile-parts")
    upload = s3.create_multipart_upload(Bucket="hostile-parts", Key="k")["UploadId"]
    with pytest.raises(ClientError) as excinfo:
        s3.list_parts(Bucket="hostile-parts", Key="k", UploadId=upload, **parameters)
    error = excinfo.value.response["Error"]
    assert (error["Code"], error["Message"]) == ("InvalidArgument", message)
    server.assert_alive()


# --------------------------------------------------------------------------- the virtual clock


async def websocket_status(url):
    """101 when the WebSocket handshake succeeds, else the HTTP status the server refused it with."""
    try:
        async with websockets.connect(url, open_timeout=30) as socket:
            await socket.close()
            return 101
    except websockets.exceptions.InvalidStatus as error:
        return error.response.status_code


def exercise_time(server, bucket):
    """Every path that turns the virtual clock into integers or dates: S3 upload and event sequencer, presigned
    URL expiry, STS credential expiry and IAM time keys, a WebSocket connection id. Returns the statuses."""
    s3 = server.client("s3")
    statuses = {"create_bucket": status_of(lambda: s3.create_bucket(Bucket=bucket))}
    statuses["permission"] = status_of(lambda: server.client("lambda").add_permission(
        FunctionName="ws-handler", StatementId=f"s3-{bucket}", Action="lambda:InvokeFunction", Principal="s3.amazonaws.com",
        SourceArn=f"arn:aws:s3:::{bucket}"))
    statuses["notification"] = status_of(lambda: s3.put_bucket_notification_configuration(
        Bucket=bucket, NotificationConfiguration={"LambdaFunctionConfigurations": [{
            "LambdaFunctionArn": "arn:aws:lambda:us-east-1:000000000000:function:ws-handler",
            "Events": ["s3:ObjectCreated:*"]}]}))
    statuses["put_object"] = status_of(lambda: s3.put_object(Bucket=bucket, Key="k", Body=b"hello"))
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"}, ExpiresIn=60)
    statuses["presigned"] = requests.get(url, timeout=30).status_code
    cloudformation = server.client("cloudformation")
    stack = cloudformation.describe_stacks()["Stacks"][0]
    role = cloudformation.describe_stack_resource(StackName=stack["StackName"], LogicalResourceId="HandlerRole")
    role_arn = "arn:aws:iam::000000000000:role/" + role["StackResourceDetail"]["PhysicalResourceId"]
    credentials = {}

    def assume():
        credentials.update(server.client("sts").assume_role(RoleArn=role_arn, RoleSessionName="hostile")["Credentials"])

    statuses["assume_role"] = status_of(assume)
    if credentials:
        temporary = server.client("s3", credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"])
        statuses["temporary_s3"] = status_of(lambda: temporary.list_objects_v2(Bucket=bucket))
    echo_url = next(output["OutputValue"] for output in stack["Outputs"] if output["OutputKey"] == "EchoApiUrl")
    statuses["websocket"] = asyncio.run(asyncio.wait_for(websocket_status(echo_url), timeout=60))
    return statuses


@pytest.mark.parametrize("move", [
    {"advance": 1e19},
    {"advance": -1e19},
    {"advance": 1.7976931348623157e308},
    {"set": "9999-12-31T23:59:59Z"},
    {"set": "0001-01-01T00:00:00Z"},
])
def test_absurd_clock_moves_leave_every_time_path_answering(server, move):
    response = requests.post(f"{server.endpoint}/_local/clock", data=json.dumps(move),
                             headers={"Content-Type": "application/json"}, timeout=10)
    # Refused (400) or clamped to the documented range (200): either way the clock holds a usable time.
    assert response.status_code < 500, response.text
    assert requests.get(f"{server.endpoint}/_local/clock", timeout=10).status_code == 200
    statuses = exercise_time(server, "hostile-clock")
    assert all(status < 500 for status in statuses.values()), statuses
    assert statuses["websocket"] in (101, 403, 410, 429), statuses
    server.assert_alive()
