"""Identity hardening: temporary credentials are only ever the ones the emulator issued.

* A temporary-looking key the emulator never issued (`ASIA...`, or any session token) is refused with each
  service's AWS error instead of being served as the account administrator.
* Issued credentials persist in the data folder: after a restart they still work (and are still limited by their
  role's policies) until the virtual clock passes their expiry; with --ephemeral a restart forgets them.
* Expired credentials are purged (memory and disk) as the clock passes their expiry; requests that still carry
  them keep getting ExpiredToken, and setting the clock back does not revive them.
"""

import sqlite3

import boto3
import pytest
import requests
from botocore.exceptions import ClientError

from conftest import ACCOUNT_ID, REGION, STACK_NAME, client_config, stop_process
from test_cognito_iam import AUDIO_BUCKET, SESSIONS_TABLE, client_for, error_of, guest_credentials, start_emulator

FORGED = {
    "AccessKeyId": "ASIAFORGEDFORGED0001",
    "SecretAccessKey": "forged/secret/key/forged/secret/key/0000",
    "SessionToken": "FQoGZXIvYXdzE" + "A" * 300,
}
INVALID_TOKEN = "The security token included in the request is invalid."
EXPIRED_TOKEN = "The security token included in the request is expired"


def raw_error(excinfo):
    return excinfo.value.response["Error"]


def assert_refused_everywhere(endpoint, credentials):
    """The forged/forgotten credentials get each protocol's "unknown client" answer, word for word."""
    key = credentials["AccessKeyId"]
    with pytest.raises(ClientError) as excinfo:
        client_for(endpoint, "s3", credentials).list_objects_v2(Bucket=AUDIO_BUCKET)
    assert error_of(excinfo) == ("InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.", 403)
    assert raw_error(excinfo)["AWSAccessKeyId"] == key
    with pytest.raises(ClientError) as excinfo:
        client_for(endpoint, "dynamodb", credentials).list_tables()
    assert error_of(excinfo) == ("UnrecognizedClientException", INVALID_TOKEN, 400)
    with pytest.raises(ClientError) as excinfo:
        client_for(endpoint, "sts", credentials).get_caller_identity()
    assert error_of(excinfo) == ("InvalidClientTokenId", INVALID_TOKEN, 403)
    with pytest.raises(ClientError) as excinfo:
        client_for(endpoint, "cloudformation", credentials).describe_stacks(StackName=STACK_NAME)
    assert error_of(excinfo) == ("InvalidClientTokenId", INVALID_TOKEN, 403)
    with pytest.raises(ClientError) as excinfo:
        client_for(endpoint, "lambda", credentials).list_functions()
    assert error_of(excinfo) == ("UnrecognizedClientException", INVALID_TOKEN, 403)


# =========================================================================== forged temporary credentials


def test_forged_temporary_credentials_are_refused(endpoint):
    assert_refused_everywhere(endpoint, FORGED)


def test_forged_session_token_on_a_long_term_looking_key_is_refused(endpoint):
    credentials = {**FORGED, "AccessKeyId": "AKIAUNKNOWNWITHTOKEN"}
    with pytest.raises(ClientError) as excinfo:
        client_for(endpoint, "dynamodb", credentials).list_tables()
    assert error_of(excinfo) == ("UnrecognizedClientException", INVALID_TOKEN, 400)


def test_asia_key_without_token_is_refused(endpoint):
    session = boto3.Session(aws_access_key_id="ASIANOTOKEN000000001", aws_secret_access_key="x", region_name=REGION)
    with pytest.raises(ClientError) as excinfo:
        session.client("sts", endpoint_url=endpoint, config=client_config()).get_caller_identity()
    assert error_of(excinfo) == ("InvalidClientTokenId", INVALID_TOKEN, 403)


def test_forged_presigned_url_and_post_are_refused(endpoint):
    session = boto3.Session(aws_access_key_id=FORGED["AccessKeyId"], aws_secret_access_key=FORGED["SecretAccessKey"],
                            aws_session_token=FORGED["SessionToken"], region_name=REGION)
    s3 = session.client("s3", endpoint_url=endpoint, config=client_config(signature_version="s3v4"))
    url = s3.generate_presigned_url("get_object", Params={"Bucket": AUDIO_BUCKET, "Key": "queries/x.wav"}, ExpiresIn=600)
    response = requests.get(url, timeout=10)
    assert response.status_code == 403 and "<Code>InvalidAccessKeyId</Code>" in response.text, response.text
    post = s3.generate_presigned_post(AUDIO_BUCKET, "lectures/forged.wav", ExpiresIn=600)
    response = requests.post(post["url"], data=post["fields"], files={"file": ("f.wav", b"RIFF")}, timeout=10)
    assert response.status_code == 403 and "<Code>InvalidAccessKeyId</Code>" in response.text, response.text


def test_unknown_long_term_keys_keep_working_as_administrator(client_with_credentials):
    assert "TableNames" in client_with_credentials("dynamodb", "AKIAANYTHIRDPARTYKEY", "whatever").list_tables()


# =========================================================================== purge on the virtual clock


def test_expired_credentials_are_purged_and_not_revived(unsigned_cognito_factory, endpoint, clock):
    pool_id, cognito = unsigned_cognito_factory(endpoint)
    _, credentials = guest_credentials(cognito, pool_id)
    sts = client_for(endpoint, "sts", credentials)
    arn = sts.get_caller_identity()["Arn"]
    issued_before = requests.get(f"{endpoint}/_local/health", timeout=10).json()["credentials"]["issued"]
    clock.advance("2d")
    issued_after = requests.get(f"{endpoint}/_local/health", timeout=10).json()["credentials"]["issued"]
    assert issued_after < issued_before, "expired credentials leave the store"
    # Purged, but still recognised as ours: ExpiredToken, as AWS answers.
    with pytest.raises(ClientError) as excinfo:
        sts.get_caller_identity()
    assert error_of(excinfo) == ("ExpiredToken", EXPIRED_TOKEN, 403)
    with pytest.raises(ClientError) as excinfo:
        client_for(endpoint, "dynamodb", credentials).get_item(TableName=SESSIONS_TABLE, Key={"sessionId": {"S": "x"}, "lectureId": {"S": "y"}})
    assert error_of(excinfo) == ("ExpiredTokenException", EXPIRED_TOKEN, 400)
    # Setting the clock back does not bring them back.
    clock.reset()
    with pytest.raises(ClientError) as excinfo:
        sts.get_caller_identity()
    assert error_of(excinfo)[0] == "ExpiredToken", arn


@pytest.fixture
def unsigned_cognito_factory():
    def make(endpoint):
        session = boto3.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name=REGION)
        cfn = session.client("cloudformation", endpoint_url=endpoint, config=client_config())
        outputs = {o["OutputKey"]: o["OutputValue"] for o in cfn.describe_stacks(StackName=STACK_NAME)["Stacks"][0]["Outputs"]}
        return outputs["IdentityPoolId"], session.client("cognito-identity", endpoint_url=endpoint, config=client_config())

    return make


# =========================================================================== restarts


def issued_rows(data_dir, access_key_id):
    with sqlite3.connect(data_dir / "credentials.sqlite") as db:
        return db.execute("SELECT COUNT(*) FROM issuedCredential WHERE accessKeyId = ?", (access_key_id,)).fetchone()[0]


def test_cognito_credentials_survive_a_restart_until_they_expire(tmp_path, unsigned_cognito_factory):
    data_dir = tmp_path / "data"
    process, endpoint, _ = start_emulator(tmp_path, data_dir=data_dir)
    try:
        pool_id, cognito = unsigned_cognito_factory(endpoint)
        identity_id, credentials = guest_credentials(cognito, pool_id)
        arn = client_for(endpoint, "sts", credentials).get_caller_identity()["Arn"]
    finally:
        stop_process(process)
    assert issued_rows(data_dir, credentials["AccessKeyId"]) == 1

    process, endpoint, _ = start_emulator(tmp_path, data_dir=data_dir)
    try:
        sts = client_for(endpoint, "sts", credentials)
        assert sts.get_caller_identity()["Arn"] == arn
        # Still limited by the role's policy, with the session facts (role, session name, identity) restored.
        ddb = client_for(endpoint, "dynamodb", credentials)
        ddb.put_item(TableName=SESSIONS_TABLE, Item={"sessionId": {"S": f"restart-{identity_id}"}, "lectureId": {"S": "l"}})
        s3 = client_for(endpoint, "s3", credentials)
        s3.put_object(Bucket=AUDIO_BUCKET, Key=f"queries/{identity_id}.wav", Body=b"RIFF")
        with pytest.raises(ClientError) as excinfo:
            s3.put_object(Bucket=AUDIO_BUCKET, Key=f"lectures/{identity_id}.wav", Body=b"RIFF")
        code, message, status = error_of(excinfo)
        assert (code, status) == ("AccessDenied", 403)
        assert message.startswith(f"User: {arn} is not authorized to perform: s3:PutObject"), message
        with pytest.raises(ClientError) as excinfo:
            client_for(endpoint, "lambda", credentials).list_functions()
        assert error_of(excinfo)[0] == "AccessDeniedException"

        # Past their expiry they stop working, and leave the data folder.
        requests.post(f"{endpoint}/_local/clock", json={"advance": "61m"}, timeout=10).raise_for_status()
        with pytest.raises(ClientError) as excinfo:
            sts.get_caller_identity()
        assert error_of(excinfo) == ("ExpiredToken", EXPIRED_TOKEN, 403)
        with pytest.raises(ClientError) as excinfo:
            ddb.get_item(TableName=SESSIONS_TABLE, Key={"sessionId": {"S": f"restart-{identity_id}"}, "lectureId": {"S": "l"}})
        assert error_of(excinfo) == ("ExpiredTokenException", EXPIRED_TOKEN, 400)
        assert issued_rows(data_dir, credentials["AccessKeyId"]) == 0
    finally:
        stop_process(process)


def test_ephemeral_restart_forgets_issued_credentials(tmp_path, unsigned_cognito_factory):
    process, endpoint, _ = start_emulator(tmp_path)
    try:
        pool_id, cognito = unsigned_cognito_factory(endpoint)
        _, credentials = guest_credentials(cognito, pool_id)
        assert client_for(endpoint, "sts", credentials).get_caller_identity()["Account"] == ACCOUNT_ID
    finally:
        stop_process(process)
    process, endpoint, _ = start_emulator(tmp_path)
    try:
        assert_refused_everywhere(endpoint, {**credentials, "SecretAccessKey": credentials["SecretKey"]})
    finally:
        stop_process(process)
