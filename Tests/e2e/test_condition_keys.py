"""Condition keys that services supply to IAM (issue 11 item 4).

The standard Cognito fine-grained access control policy,
`ForAllValues:StringEquals {"dynamodb:LeadingKeys": ["${cognito-identity.amazonaws.com:sub}"]}`, on the identity
pool's role (Tests/e2e/templates/condition_keys.yaml): each guest identity reads and writes its own partition, and
is denied every other identity's partition with DynamoDB's AccessDeniedException, as in AWS. The same role reads
S3 objects only when tagged `visibility=public` (`s3:ExistingObjectTag/visibility`) and writes only with SSE-S3
requested (`s3:x-amz-server-side-encryption`), and reads or updates profiles only through two attributes
(`dynamodb:Attributes`, `dynamodb:Select`, `dynamodb:ReturnValues`).
"""

from pathlib import Path

import pytest
from botocore.exceptions import ClientError
from conftest import ACCOUNT_ID, REGION, EmulatorProcess

TEMPLATE = Path(__file__).parent / "templates" / "condition_keys.yaml"
BUCKET = "condition-keys-docs"
STACK = "leadingkeys"
TABLE = "LeadingKeys-Notes"
TABLE_ARN = f"arn:aws:dynamodb:{REGION}:{ACCOUNT_ID}:table/{TABLE}"
PROFILES = "ConditionKeys-Profiles"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    process = EmulatorProcess(tmp_path_factory.mktemp("condition-keys"), "--stack-name", STACK, template=TEMPLATE)
    yield process
    process.stop()


@pytest.fixture(scope="module")
def role_name(server):
    resources = server.client("cloudformation").list_stack_resources(StackName=STACK)["StackResourceSummaries"]
    return next(r["PhysicalResourceId"] for r in resources if r["LogicalResourceId"] == "GuestRole")


def guest(server, service="dynamodb"):
    """A new guest identity: (identity id, a `service` client signing with its Cognito credentials)."""
    pool_id = next(o["OutputValue"] for o in server.client("cloudformation").describe_stacks(StackName=STACK)["Stacks"][0]["Outputs"]
                   if o["OutputKey"] == "IdentityPoolId")
    cognito = server.client("cognito-identity")
    identity_id = cognito.get_id(IdentityPoolId=pool_id)["IdentityId"]
    credentials = cognito.get_credentials_for_identity(IdentityId=identity_id)["Credentials"]
    signed = server.client(service, key=credentials["AccessKeyId"], secret=credentials["SecretKey"],
                           token=credentials["SessionToken"])
    return identity_id, signed


@pytest.fixture(scope="module")
def alice(server):
    return guest(server)


@pytest.fixture(scope="module")
def bob(server):
    return guest(server)


def denial(role_name, action, table=TABLE):
    return (f"User: arn:aws:sts::{ACCOUNT_ID}:assumed-role/{role_name}/CognitoIdentityCredentials "
            f"is not authorized to perform: dynamodb:{action} on resource: "
            f"arn:aws:dynamodb:{REGION}:{ACCOUNT_ID}:table/{table} "
            f"because no identity-based policy allows the dynamodb:{action} action")


def assert_denied(excinfo, role_name, action, table=TABLE):
    error = excinfo.value.response["Error"]
    status = excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"]
    assert (error["Code"], status) == ("AccessDeniedException", 400)
    assert error["Message"] == denial(role_name, action, table)


def key(owner, note):
    return {"userId": {"S": owner}, "noteId": {"S": note}}


class TestLeadingKeysOwnPartition:
    def test_put_get_query_update_delete_own_partition_allowed(self, alice):
        identity, dynamodb = alice
        dynamodb.put_item(TableName=TABLE, Item={**key(identity, "n1"), "text": {"S": "mine"}})
        dynamodb.put_item(TableName=TABLE, Item={**key(identity, "n2"), "text": {"S": "also mine"}})
        assert dynamodb.get_item(TableName=TABLE, Key=key(identity, "n1"))["Item"]["text"] == {"S": "mine"}
        page = dynamodb.query(TableName=TABLE, KeyConditionExpression="userId = :me",
                              ExpressionAttributeValues={":me": {"S": identity}})
        assert sorted(item["noteId"]["S"] for item in page["Items"]) == ["n1", "n2"]
        dynamodb.update_item(TableName=TABLE, Key=key(identity, "n1"), UpdateExpression="SET #t = :t",
                             ExpressionAttributeNames={"#t": "text"}, ExpressionAttributeValues={":t": {"S": "edited"}})
        got = dynamodb.batch_get_item(RequestItems={TABLE: {"Keys": [key(identity, "n1"), key(identity, "n2")]}})
        assert sorted(item["text"]["S"] for item in got["Responses"][TABLE]) == ["also mine", "edited"]
        dynamodb.delete_item(TableName=TABLE, Key=key(identity, "n2"))

    def test_other_identity_partition_denied(self, alice, bob, role_name):
        alice_id, alice_db = alice
        bob_id, bob_db = bob
        bob_db.put_item(TableName=TABLE, Item={**key(bob_id, "secret"), "text": {"S": "bob's"}})

        with pytest.raises(ClientError) as excinfo:
            alice_db.get_item(TableName=TABLE, Key=key(bob_id, "secret"))
        assert_denied(excinfo, role_name, "GetItem")

        with pytest.raises(ClientError) as excinfo:
            alice_db.put_item(TableName=TABLE, Item={**key(bob_id, "forged"), "text": {"S": "from alice"}})
        assert_denied(excinfo, role_name, "PutItem")

        with pytest.raises(ClientError) as excinfo:
            alice_db.query(TableName=TABLE, KeyConditionExpression="userId = :them",
                           ExpressionAttributeValues={":them": {"S": bob_id}})
        assert_denied(excinfo, role_name, "Query")

        with pytest.raises(ClientError) as excinfo:
            alice_db.update_item(TableName=TABLE, Key=key(bob_id, "secret"), UpdateExpression="SET #t = :t",
                                 ExpressionAttributeNames={"#t": "text"}, ExpressionAttributeValues={":t": {"S": "x"}})
        assert_denied(excinfo, role_name, "UpdateItem")

        with pytest.raises(ClientError) as excinfo:
            alice_db.delete_item(TableName=TABLE, Key=key(bob_id, "secret"))
        assert_denied(excinfo, role_name, "DeleteItem")

        # Nothing of Bob's changed.
        assert bob_db.get_item(TableName=TABLE, Key=key(bob_id, "secret"))["Item"]["text"] == {"S": "bob's"}
        assert "Item" not in bob_db.get_item(TableName=TABLE, Key=key(bob_id, "forged"))
        assert alice_id != bob_id

    def test_batch_touching_any_other_partition_denied(self, alice, bob, role_name):
        alice_id, alice_db = alice
        bob_id, _ = bob
        # ForAllValues: every partition of the batch must be the caller's own.
        with pytest.raises(ClientError) as excinfo:
            alice_db.batch_get_item(RequestItems={TABLE: {"Keys": [key(alice_id, "n1"), key(bob_id, "secret")]}})
        assert_denied(excinfo, role_name, "BatchGetItem")

        with pytest.raises(ClientError) as excinfo:
            alice_db.batch_write_item(RequestItems={TABLE: [
                {"PutRequest": {"Item": {**key(alice_id, "b1"), "text": {"S": "ok"}}}},
                {"DeleteRequest": {"Key": key(bob_id, "secret")}},
            ]})
        assert_denied(excinfo, role_name, "BatchWriteItem")
        assert "Item" not in alice_db.get_item(TableName=TABLE, Key=key(alice_id, "b1"))

        alice_db.batch_write_item(RequestItems={TABLE: [{"PutRequest": {"Item": {**key(alice_id, "b1"), "text": {"S": "ok"}}}}]})
        assert alice_db.get_item(TableName=TABLE, Key=key(alice_id, "b1"))["Item"]["text"] == {"S": "ok"}

    def test_scan_is_not_granted(self, alice, role_name):
        # The policy lists no Scan (AWS's example leaves it out: Scan reads every partition).
        with pytest.raises(ClientError) as excinfo:
            alice[1].scan(TableName=TABLE)
        assert_denied(excinfo, role_name, "Scan")

    def test_administrator_reads_every_partition(self, server, alice, bob):
        items = server.client("dynamodb").scan(TableName=TABLE)["Items"]
        owners = {item["userId"]["S"] for item in items}
        assert {alice[0], bob[0]} <= owners


class TestDynamoDBAttributes:
    def test_reads_only_through_the_allowed_attributes(self, server, role_name):
        server.client("dynamodb").put_item(TableName=PROFILES, Item={
            "userId": {"S": "u1"}, "nickname": {"S": "neo"}, "email": {"S": "neo@example.com"}})
        _, dynamodb = guest(server)
        item = dynamodb.get_item(TableName=PROFILES, Key={"userId": {"S": "u1"}}, ProjectionExpression="userId, nickname")["Item"]
        assert item == {"userId": {"S": "u1"}, "nickname": {"S": "neo"}}
        # Every attribute (implied Select ALL_ATTRIBUTES), or one outside the list, is refused.
        with pytest.raises(ClientError) as excinfo:
            dynamodb.get_item(TableName=PROFILES, Key={"userId": {"S": "u1"}})
        assert_denied(excinfo, role_name, "GetItem", PROFILES)
        with pytest.raises(ClientError) as excinfo:
            dynamodb.get_item(TableName=PROFILES, Key={"userId": {"S": "u1"}}, ProjectionExpression="nickname, email")
        assert_denied(excinfo, role_name, "GetItem", PROFILES)
        page = dynamodb.query(TableName=PROFILES, KeyConditionExpression="userId = :u", ProjectionExpression="nickname",
                              ExpressionAttributeValues={":u": {"S": "u1"}})
        assert page["Items"] == [{"nickname": {"S": "neo"}}]
        with pytest.raises(ClientError) as excinfo:
            dynamodb.query(TableName=PROFILES, KeyConditionExpression="userId = :u", Select="ALL_ATTRIBUTES",
                           ExpressionAttributeValues={":u": {"S": "u1"}})
        assert_denied(excinfo, role_name, "Query", PROFILES)

    def test_updates_only_the_allowed_attributes_and_return_values(self, server, role_name):
        _, dynamodb = guest(server)
        key = {"userId": {"S": "u2"}}
        dynamodb.update_item(TableName=PROFILES, Key=key, UpdateExpression="SET nickname = :n",
                             ExpressionAttributeValues={":n": {"S": "trinity"}}, ReturnValues="UPDATED_NEW")
        with pytest.raises(ClientError) as excinfo:
            dynamodb.update_item(TableName=PROFILES, Key=key, UpdateExpression="SET email = :e",
                                 ExpressionAttributeValues={":e": {"S": "t@example.com"}})
        assert_denied(excinfo, role_name, "UpdateItem", PROFILES)
        with pytest.raises(ClientError) as excinfo:
            dynamodb.update_item(TableName=PROFILES, Key=key, UpdateExpression="SET nickname = :n",
                                 ExpressionAttributeValues={":n": {"S": "x"}}, ReturnValues="ALL_NEW")
        assert_denied(excinfo, role_name, "UpdateItem", PROFILES)
        with pytest.raises(ClientError) as excinfo:
            dynamodb.update_item(TableName=PROFILES, Key=key, UpdateExpression="SET nickname = :n",
                                 ConditionExpression="attribute_not_exists(email)",
                                 ExpressionAttributeValues={":n": {"S": "x"}})
        assert_denied(excinfo, role_name, "UpdateItem", PROFILES)
        stored = server.client("dynamodb").get_item(TableName=PROFILES, Key=key)["Item"]
        assert stored == {"userId": {"S": "u2"}, "nickname": {"S": "trinity"}}


def s3_denial(role_name, action, key):
    return (f"User: arn:aws:sts::{ACCOUNT_ID}:assumed-role/{role_name}/CognitoIdentityCredentials "
            f"is not authorized to perform: s3:{action} on resource: \"arn:aws:s3:::{BUCKET}/{key}\" "
            f"because no identity-based policy allows the s3:{action} action")


def assert_s3_denied(excinfo, role_name, action, key):
    error = excinfo.value.response["Error"]
    status = excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"]
    assert (error["Code"], status) == ("AccessDenied", 403)
    assert error["Message"] == s3_denial(role_name, action, key)


class TestS3ConditionKeys:
    def test_existing_object_tag_decides_get_object(self, server, role_name):
        admin = server.client("s3")
        admin.put_object(Bucket=BUCKET, Key="public.txt", Body=b"hello", Tagging="visibility=public")
        admin.put_object(Bucket=BUCKET, Key="private.txt", Body=b"secret", Tagging="visibility=private")
        admin.put_object(Bucket=BUCKET, Key="untagged.txt", Body=b"plain")
        _, s3 = guest(server, "s3")
        assert s3.get_object(Bucket=BUCKET, Key="public.txt")["Body"].read() == b"hello"
        for key in ("private.txt", "untagged.txt"):
            with pytest.raises(ClientError) as excinfo:
                s3.get_object(Bucket=BUCKET, Key=key)
            assert_s3_denied(excinfo, role_name, "GetObject", key)
        # The tag is read as it is when the request arrives: retagging changes the decision.
        admin.put_object_tagging(Bucket=BUCKET, Key="private.txt", Tagging={"TagSet": [{"Key": "visibility", "Value": "public"}]})
        assert s3.get_object(Bucket=BUCKET, Key="private.txt")["Body"].read() == b"secret"

    def test_server_side_encryption_header_decides_put_object(self, server, role_name):
        _, s3 = guest(server, "s3")
        with pytest.raises(ClientError) as excinfo:
            s3.put_object(Bucket=BUCKET, Key="plain-upload.txt", Body=b"x")
        assert_s3_denied(excinfo, role_name, "PutObject", "plain-upload.txt")
        with pytest.raises(ClientError) as excinfo:
            s3.put_object(Bucket=BUCKET, Key="kms-upload.txt", Body=b"x", ServerSideEncryption="aws:kms")
        assert_s3_denied(excinfo, role_name, "PutObject", "kms-upload.txt")
        s3.put_object(Bucket=BUCKET, Key="sse-upload.txt", Body=b"x", ServerSideEncryption="AES256")
        admin = server.client("s3")
        assert admin.get_object(Bucket=BUCKET, Key="sse-upload.txt")["ServerSideEncryption"] == "AES256"
        with pytest.raises(ClientError) as excinfo:
            admin.head_object(Bucket=BUCKET, Key="plain-upload.txt")
        assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404

    def test_copy_object_source_tags_decide_the_read(self, server, role_name):
        admin = server.client("s3")
        admin.put_object(Bucket=BUCKET, Key="copy-public.txt", Body=b"open", Tagging="visibility=public")
        admin.put_object(Bucket=BUCKET, Key="copy-private.txt", Body=b"closed", Tagging="visibility=private")
        _, s3 = guest(server, "s3")
        s3.copy_object(Bucket=BUCKET, Key="copied-public.txt", CopySource={"Bucket": BUCKET, "Key": "copy-public.txt"},
                       ServerSideEncryption="AES256")
        assert admin.get_object(Bucket=BUCKET, Key="copied-public.txt")["Body"].read() == b"open"
        with pytest.raises(ClientError) as excinfo:
            s3.copy_object(Bucket=BUCKET, Key="copied-private.txt", CopySource={"Bucket": BUCKET, "Key": "copy-private.txt"},
                           ServerSideEncryption="AES256")
        assert_s3_denied(excinfo, role_name, "GetObject", "copy-private.txt")
        with pytest.raises(ClientError) as excinfo:
            admin.head_object(Bucket=BUCKET, Key="copied-private.txt")
        assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
