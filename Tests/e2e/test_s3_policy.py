"""S3 bucket policies against the real emulator (issue 13 item 2): Put/Get/DeleteBucketPolicy with S3's validation,
GetBucketPolicyStatus, evaluation beside identity-based policies (same-account logic: an explicit deny anywhere
wins, else an allow from either side), anonymous requests (botocore UNSIGNED and plain `requests`), the condition keys
aws:SecureTransport, aws:SourceIp and s3:x-amz-acl, and each public access block setting.
"""

import json
import uuid
from pathlib import Path

import pytest
import requests
from botocore import UNSIGNED
from botocore.exceptions import ClientError
from conftest import ACCOUNT_ID, EmulatorProcess, client_config, drop_s3_bucket

TEMPLATE = Path(__file__).parent / "templates" / "s3_policy.yaml"
TABLE_BUCKET = "policy-table"
ROOT = f"arn:aws:iam::{ACCOUNT_ID}:root"
NO_BLOCK = {"BlockPublicAcls": False, "IgnorePublicAcls": False, "BlockPublicPolicy": False, "RestrictPublicBuckets": False}


def error_of(excinfo):
    response = excinfo.value.response
    return response["Error"].get("Code"), response["Error"].get("Message", ""), response["ResponseMetadata"]["HTTPStatusCode"]


def unique(prefix="pol"):
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def statement(effect, principal, action, resource, condition=None):
    entry = {"Effect": effect, "Principal": principal, "Action": action, "Resource": resource}
    if condition:
        entry["Condition"] = condition
    return entry


@pytest.fixture(scope="module")
def s3(client):
    return client("s3")


@pytest.fixture(scope="module")
def anonymous(boto_session, endpoint):
    return boto_session.client("s3", endpoint_url=endpoint, config=client_config(signature_version=UNSIGNED))


@pytest.fixture
def bucket(s3):
    name = unique()
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="doc.txt", Body=b"hello")
    yield name
    drop_s3_bucket(s3, name)


@pytest.fixture
def open_bucket(s3, bucket):
    """A bucket without a public access block."""
    s3.delete_public_access_block(Bucket=bucket)
    return bucket


class TestPolicyOperations:
    def test_put_get_delete(self, s3, bucket):
        with pytest.raises(ClientError) as excinfo:
            s3.get_bucket_policy(Bucket=bucket)
        assert error_of(excinfo) == ("NoSuchBucketPolicy", "The bucket policy does not exist", 404)
        assert excinfo.value.response["Error"]["BucketName"] == bucket
        text = policy(statement("Allow", {"AWS": ROOT}, "s3:GetObject", f"arn:aws:s3:::{bucket}/*"))
        response = s3.put_bucket_policy(Bucket=bucket, Policy=text)
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
        assert s3.get_bucket_policy(Bucket=bucket)["Policy"] == text
        assert s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"] == {"IsPublic": False}
        assert s3.delete_bucket_policy(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
        with pytest.raises(ClientError) as excinfo:
            s3.get_bucket_policy_status(Bucket=bucket)
        assert error_of(excinfo)[0] == "NoSuchBucketPolicy"

    @pytest.mark.parametrize("text,reason", [
        ("nope", "Policies must be valid JSON and the first byte must be '{'"),
        ('{"Statement": [', "This policy contains invalid Json"),
        (policy(statement("Allow", "*", "s3:GetObject", "arn:aws:s3:::some-other-bucket/*")), "Policy has invalid resource"),
        (policy(statement("Allow", {"AWS": "somebody"}, "s3:GetObject", "arn:aws:s3:::BUCKET/*")), "Invalid principal in policy"),
        (policy({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::BUCKET/*"}), "Missing required field Principal"),
        (policy(statement("Allow", "*", "sqs:SendMessage", "arn:aws:s3:::BUCKET/*")), "Policy has invalid action"),
        (policy(statement("Allow", {"AWS": ROOT}, "s3:PutObject", "arn:aws:s3:::BUCKET")),
         "Action does not apply to any resource(s) in statement"),
        (policy(statement("Allow", {"AWS": ROOT}, "s3:GetObject", "*")), "Policy has invalid resource"),
    ])
    def test_malformed_policies(self, s3, bucket, text, reason):
        with pytest.raises(ClientError) as excinfo:
            s3.put_bucket_policy(Bucket=bucket, Policy=text.replace("BUCKET", bucket))
        assert error_of(excinfo) == ("MalformedPolicy", reason, 400)
        with pytest.raises(ClientError):
            s3.get_bucket_policy(Bucket=bucket)

    def test_policy_status_is_public(self, s3, open_bucket):
        resource = f"arn:aws:s3:::{open_bucket}/*"
        s3.put_bucket_policy(Bucket=open_bucket, Policy=policy(statement("Allow", "*", "s3:GetObject", resource)))
        assert s3.get_bucket_policy_status(Bucket=open_bucket)["PolicyStatus"] == {"IsPublic": True}
        s3.put_bucket_policy(Bucket=open_bucket, Policy=policy(
            statement("Allow", "*", "s3:GetObject", resource, {"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}})))
        assert s3.get_bucket_policy_status(Bucket=open_bucket)["PolicyStatus"] == {"IsPublic": False}

    def test_block_public_policy_refuses_a_public_policy(self, s3, bucket):
        public = policy(statement("Allow", "*", "s3:GetObject", f"arn:aws:s3:::{bucket}/*"))
        with pytest.raises(ClientError) as excinfo:
            s3.put_bucket_policy(Bucket=bucket, Policy=public)
        code, message, status = error_of(excinfo)
        assert (code, status) == ("AccessDenied", 403)
        assert message == (f'User: {ROOT} is not authorized to perform: s3:PutBucketPolicy on resource: "arn:aws:s3:::{bucket}" '
                           "because public policies are blocked by the BlockPublicPolicy block public access setting.")
        # A policy naming the account's principals is not public and is accepted.
        s3.put_bucket_policy(Bucket=bucket, Policy=policy(statement("Allow", {"AWS": ROOT}, "s3:GetObject", f"arn:aws:s3:::{bucket}/*")))


class TestAnonymous:
    def test_unsigned_requests_to_a_private_bucket_are_denied(self, anonymous, bucket, endpoint):
        with pytest.raises(ClientError) as excinfo:
            anonymous.get_object(Bucket=bucket, Key="doc.txt")
        assert error_of(excinfo) == ("AccessDenied", "Access Denied", 403)
        response = requests.get(f"{endpoint}/{bucket}/doc.txt", timeout=10)
        assert response.status_code == 403
        assert "<Code>AccessDenied</Code>" in response.text and "<Message>Access Denied</Message>" in response.text
        assert requests.get(f"{endpoint}/{bucket}", timeout=10).status_code == 403

    def test_unsigned_requests_to_a_missing_bucket_get_no_such_bucket(self, anonymous, endpoint):
        missing = unique("missing")
        with pytest.raises(ClientError) as excinfo:
            anonymous.get_object(Bucket=missing, Key="k")
        assert error_of(excinfo) == ("NoSuchBucket", "The specified bucket does not exist", 404)
        response = requests.get(f"{endpoint}/{missing}", timeout=10)
        assert response.status_code == 404 and "<Code>NoSuchBucket</Code>" in response.text
        assert requests.put(f"{endpoint}/{missing}", timeout=10).status_code == 403  # CreateBucket needs a signature

    def test_a_public_read_acl_admits_anonymous_reads_when_the_block_allows(self, s3, anonymous, endpoint):
        name = unique("aclpub")
        s3.create_bucket(Bucket=name, ObjectOwnership="ObjectWriter")
        try:
            s3.delete_public_access_block(Bucket=name)
            s3.put_object(Bucket=name, Key="public.txt", Body=b"open", ACL="public-read")
            s3.put_object(Bucket=name, Key="private.txt", Body=b"closed")
            assert anonymous.get_object(Bucket=name, Key="public.txt")["Body"].read() == b"open"
            assert requests.get(f"{endpoint}/{name}/public.txt", timeout=10).content == b"open"
            assert requests.get(f"{endpoint}/{name}/private.txt", timeout=10).status_code == 403
            # Listing needs READ on the bucket ACL.
            assert requests.get(f"{endpoint}/{name}", timeout=10).status_code == 403
            s3.put_bucket_acl(Bucket=name, ACL="public-read")
            assert requests.get(f"{endpoint}/{name}", timeout=10).status_code == 200
            # A missing key is reported to callers that may list the bucket.
            assert requests.get(f"{endpoint}/{name}/absent", timeout=10).status_code == 404
            # Anonymous writes need WRITE on the bucket.
            assert requests.put(f"{endpoint}/{name}/new", data=b"x", timeout=10).status_code == 403
            # IgnorePublicAcls: the grants stay, but no longer admit anyone.
            s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration={**NO_BLOCK, "IgnorePublicAcls": True})
            assert requests.get(f"{endpoint}/{name}/public.txt", timeout=10).status_code == 403
            assert ("http://acs.amazonaws.com/groups/global/AllUsers" in
                    json.dumps(s3.get_object_acl(Bucket=name, Key="public.txt")["Grants"]))
        finally:
            drop_s3_bucket(s3, name)

    def test_an_enforced_bucket_ignores_stored_acls(self, s3, endpoint):
        name = unique("enf")
        s3.create_bucket(Bucket=name, ObjectOwnership="ObjectWriter")
        try:
            s3.delete_public_access_block(Bucket=name)
            s3.put_object(Bucket=name, Key="public.txt", Body=b"open", ACL="public-read")
            assert requests.get(f"{endpoint}/{name}/public.txt", timeout=10).status_code == 200
            s3.put_bucket_ownership_controls(Bucket=name, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})
            assert requests.get(f"{endpoint}/{name}/public.txt", timeout=10).status_code == 403
        finally:
            drop_s3_bucket(s3, name)

    def test_a_public_policy_admits_anonymous_reads_unless_restricted(self, s3, anonymous, open_bucket, endpoint):
        s3.put_bucket_policy(Bucket=open_bucket, Policy=policy(
            statement("Allow", "*", "s3:GetObject", f"arn:aws:s3:::{open_bucket}/*")))
        assert anonymous.get_object(Bucket=open_bucket, Key="doc.txt")["Body"].read() == b"hello"
        assert requests.get(f"{endpoint}/{open_bucket}/doc.txt", timeout=10).content == b"hello"
        # Without s3:ListBucket a missing key is AccessDenied, not NoSuchKey.
        response = requests.get(f"{endpoint}/{open_bucket}/absent", timeout=10)
        assert response.status_code == 403 and "<Code>AccessDenied</Code>" in response.text
        # Other actions stay denied.
        assert requests.delete(f"{endpoint}/{open_bucket}/doc.txt", timeout=10).status_code == 403
        assert s3.head_object(Bucket=open_bucket, Key="doc.txt")
        # RestrictPublicBuckets: only the account's principals gain from a public policy.
        s3.put_public_access_block(Bucket=open_bucket, PublicAccessBlockConfiguration={**NO_BLOCK, "RestrictPublicBuckets": True})
        with pytest.raises(ClientError) as excinfo:
            anonymous.get_object(Bucket=open_bucket, Key="doc.txt")
        assert error_of(excinfo) == ("AccessDenied", "Access Denied", 403)
        assert s3.get_object(Bucket=open_bucket, Key="doc.txt")["Body"].read() == b"hello"

    def test_anonymous_principal_forms_and_conditions(self, s3, anonymous, open_bucket, endpoint):
        resource = f"arn:aws:s3:::{open_bucket}/*"
        s3.put_bucket_policy(Bucket=open_bucket, Policy=policy(
            statement("Allow", {"AWS": "*"}, ["s3:GetObject", "s3:PutObject"], resource),
            statement("Allow", {"AWS": "*"}, "s3:ListBucket", f"arn:aws:s3:::{open_bucket}",
                      {"IpAddress": {"aws:SourceIp": "198.51.100.0/24"}})))
        assert requests.get(f"{endpoint}/{open_bucket}/doc.txt", timeout=10).status_code == 200
        assert requests.put(f"{endpoint}/{open_bucket}/new.txt", data=b"anon", timeout=10).status_code == 200
        assert s3.get_object(Bucket=open_bucket, Key="new.txt")["Body"].read() == b"anon"
        # aws:SourceIp is 127.0.0.1: the listing statement for 198.51.100.0/24 does not apply.
        assert requests.get(f"{endpoint}/{open_bucket}", timeout=10).status_code == 403
        assert requests.get(f"{endpoint}/{open_bucket}/absent", timeout=10).status_code == 403


    def test_an_unsigned_browser_upload_needs_a_policy_that_admits_it(self, s3, open_bucket, endpoint):
        form = {"key": "posted/${filename}"}
        files = {"file": ("a.txt", b"posted body")}
        response = requests.post(f"{endpoint}/{open_bucket}", data=form, files=files, timeout=10)
        assert response.status_code == 403 and "<Code>AccessDenied</Code>" in response.text
        s3.put_bucket_policy(Bucket=open_bucket, Policy=policy(
            statement("Allow", "*", "s3:PutObject", f"arn:aws:s3:::{open_bucket}/posted/*")))
        response = requests.post(f"{endpoint}/{open_bucket}", data=form, files=files, timeout=10)
        assert response.status_code == 204, response.text
        assert s3.get_object(Bucket=open_bucket, Key="posted/a.txt")["Body"].read() == b"posted body"


    def test_a_copy_source_version_is_authorized_by_its_own_acl(self, s3, anonymous, open_bucket):
        """CopyObject and UploadPartCopy with ?versionId= check that version's ACL, not the latest's."""
        source = unique("cpsrc")
        s3.create_bucket(Bucket=source, ObjectOwnership="ObjectWriter")
        try:
            s3.delete_public_access_block(Bucket=source)
            s3.put_bucket_versioning(Bucket=source, VersioningConfiguration={"Status": "Enabled"})
            public = s3.put_object(Bucket=source, Key="k", Body=b"public v1", ACL="public-read")["VersionId"]
            private = s3.put_object(Bucket=source, Key="k", Body=b"private v2")["VersionId"]
            s3.put_bucket_policy(Bucket=open_bucket, Policy=policy(
                statement("Allow", "*", "s3:PutObject", f"arn:aws:s3:::{open_bucket}/*")))
            # The latest version is private; the named one is public.
            anonymous.copy_object(Bucket=open_bucket, Key="copied", CopySource={"Bucket": source, "Key": "k", "VersionId": public})
            assert s3.get_object(Bucket=open_bucket, Key="copied")["Body"].read() == b"public v1"
            upload = anonymous.create_multipart_upload(Bucket=open_bucket, Key="part-copied")["UploadId"]
            part = anonymous.upload_part_copy(Bucket=open_bucket, Key="part-copied", UploadId=upload, PartNumber=1,
                                              CopySource={"Bucket": source, "Key": "k", "VersionId": public})
            assert part["CopySourceVersionId"] == public
            # The named version is private while the latest is public.
            s3.put_object_acl(Bucket=source, Key="k", VersionId=private, ACL="public-read")
            s3.put_object_acl(Bucket=source, Key="k", VersionId=public, ACL="private")
            with pytest.raises(ClientError) as excinfo:
                anonymous.copy_object(Bucket=open_bucket, Key="denied", CopySource={"Bucket": source, "Key": "k", "VersionId": public})
            assert error_of(excinfo) == ("AccessDenied", "Access Denied", 403)
            with pytest.raises(ClientError) as excinfo:
                anonymous.upload_part_copy(Bucket=open_bucket, Key="part-copied", UploadId=upload, PartNumber=2,
                                           CopySource={"Bucket": source, "Key": "k", "VersionId": public})
            assert error_of(excinfo) == ("AccessDenied", "Access Denied", 403)
            # A delete marker on top: the named public version still copies.
            s3.put_object_acl(Bucket=source, Key="k", VersionId=public, ACL="public-read")
            s3.delete_object(Bucket=source, Key="k")
            anonymous.copy_object(Bucket=open_bucket, Key="after-marker", CopySource={"Bucket": source, "Key": "k", "VersionId": public})
            assert s3.get_object(Bucket=open_bucket, Key="after-marker")["Body"].read() == b"public v1"
            s3.abort_multipart_upload(Bucket=open_bucket, Key="part-copied", UploadId=upload)
        finally:
            drop_s3_bucket(s3, source)


class TestConditions:
    def test_secure_transport_deny_applies_to_the_plain_http_listener(self, s3, bucket):
        s3.put_bucket_policy(Bucket=bucket, Policy=policy(statement(
            "Deny", "*", "s3:*", [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
            {"Bool": {"aws:SecureTransport": "false"}})))
        with pytest.raises(ClientError) as excinfo:
            s3.get_object(Bucket=bucket, Key="doc.txt")
        assert error_of(excinfo) == ("AccessDenied", (
            f'User: {ROOT} is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::{bucket}/doc.txt" '
            "with an explicit deny in a resource-based policy"), 403)
        # The bucket owner can still remove the policy (the deny names s3:* but AWS keeps the owner's policy rights).
        s3.delete_bucket_policy(Bucket=bucket)
        assert s3.get_object(Bucket=bucket, Key="doc.txt")["Body"].read() == b"hello"

    def test_x_amz_acl_condition(self, s3, client):
        name = unique("cond")
        s3.create_bucket(Bucket=name, ObjectOwnership="ObjectWriter")
        try:
            s3.put_bucket_policy(Bucket=name, Policy=policy(statement(
                "Deny", {"AWS": ROOT}, "s3:PutObject", f"arn:aws:s3:::{name}/*",
                {"StringNotEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}})))
            s3.put_object(Bucket=name, Key="ok", Body=b"x", ACL="bucket-owner-full-control")
            with pytest.raises(ClientError) as excinfo:
                s3.put_object(Bucket=name, Key="no", Body=b"x", ACL="log-delivery-write")
            assert error_of(excinfo)[0] == "AccessDenied"
        finally:
            drop_s3_bucket(s3, name)


# --------------------------------------------------------------------------- identity x resource table


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    process = EmulatorProcess(tmp_path_factory.mktemp("s3-policy"), template=TEMPLATE)
    admin = process.client("s3")
    admin.put_object(Bucket=TABLE_BUCKET, Key="doc.txt", Body=b"table")
    yield process
    process.stop()


def role_client(server, role):
    credentials = server.client("sts").assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT_ID}:role/{role}",
                                                   RoleSessionName="table")["Credentials"]
    return server.client("s3", key=credentials["AccessKeyId"], secret=credentials["SecretAccessKey"],
                         token=credentials["SessionToken"])


IDENTITIES = {"allow": "PolicyAllowRole", "deny": "PolicyDenyRole", "none": "PolicyNoneRole"}


@pytest.mark.parametrize("identity", ["allow", "deny", "none"])
@pytest.mark.parametrize("resource", ["none", "allow", "deny"])
def test_identity_and_bucket_policy_table(server, identity, resource):
    """Same account: an explicit deny in either policy wins; else an allow in either allows; else implicit deny."""
    admin = server.client("s3")
    role = IDENTITIES[identity]
    role_arn = f"arn:aws:iam::{ACCOUNT_ID}:role/{role}"
    if resource == "none":
        admin.delete_bucket_policy(Bucket=TABLE_BUCKET)
    else:
        effect = "Allow" if resource == "allow" else "Deny"
        admin.put_bucket_policy(Bucket=TABLE_BUCKET, Policy=policy(
            statement(effect, {"AWS": role_arn}, "s3:GetObject", f"arn:aws:s3:::{TABLE_BUCKET}/*")))
    s3 = role_client(server, role)
    session = f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/{role}/table"
    resource_arn = f'"arn:aws:s3:::{TABLE_BUCKET}/doc.txt"'
    if resource == "deny":
        expected = (f"User: {session} is not authorized to perform: s3:GetObject on resource: {resource_arn} "
                    "with an explicit deny in a resource-based policy")
    elif identity == "deny":
        expected = (f"User: {session} is not authorized to perform: s3:GetObject on resource: {resource_arn} "
                    "with an explicit deny in an identity-based policy")
    elif identity == "allow" or resource == "allow":
        expected = None
    else:
        expected = (f"User: {session} is not authorized to perform: s3:GetObject on resource: {resource_arn} "
                    "because no identity-based policy allows the s3:GetObject action")
    if expected is None:
        assert s3.get_object(Bucket=TABLE_BUCKET, Key="doc.txt")["Body"].read() == b"table"
    else:
        with pytest.raises(ClientError) as excinfo:
            s3.get_object(Bucket=TABLE_BUCKET, Key="doc.txt")
        assert error_of(excinfo) == ("AccessDenied", expected, 403)
    # Anonymous callers gain nothing from a policy naming a role.
    anonymous = server.client("s3", signature_version=UNSIGNED)
    with pytest.raises(ClientError) as excinfo:
        anonymous.get_object(Bucket=TABLE_BUCKET, Key="doc.txt")
    assert error_of(excinfo) == ("AccessDenied", "Access Denied", 403)


def test_template_access_settings(server):
    """AWS::S3::Bucket OwnershipControls and AccessControl, and AWS::S3::BucketPolicy, apply at start."""
    s3 = server.client("s3")
    controls = s3.get_bucket_ownership_controls(Bucket="policy-template")["OwnershipControls"]
    assert controls["Rules"] == [{"ObjectOwnership": "ObjectWriter"}]
    grants = s3.get_bucket_acl(Bucket="policy-template")["Grants"]
    assert {"Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/s3/LogDelivery"}, "Permission": "WRITE"} in grants
    document = json.loads(s3.get_bucket_policy(Bucket="policy-template")["Policy"])
    assert document["Statement"][0]["Sid"] == "LockedPrefix"
    assert s3.get_bucket_policy_status(Bucket="policy-template")["PolicyStatus"] == {"IsPublic": False}
    s3.put_object(Bucket="policy-template", Key="open/x", Body=b"x")
    with pytest.raises(ClientError) as excinfo:
        s3.put_object(Bucket="policy-template", Key="locked/x", Body=b"x")
    assert error_of(excinfo) == ("AccessDenied", (
        f'User: {ROOT} is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::policy-template/locked/x" '
        "with an explicit deny in a resource-based policy"), 403)
