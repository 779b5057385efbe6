"""S3 ACLs and Object Ownership against the real emulator with boto3 and raw signed requests (issue 13 item 2).

Expected behaviour is S3's: ACLs as data (Get/PutBucketAcl, Get/PutObjectAcl, canned ACLs, x-amz-grant-* headers,
the AccessControlPolicy body) and Object Ownership (BucketOwnerEnforced by default since April 2023: ACLs other than
the owner's full control refused with AccessControlListNotSupported, reads still answered). Status codes, error codes
and message texts as S3 sends them.
"""

import hashlib
import uuid

import pytest
from botocore.exceptions import ClientError
from conftest import EmulatorProcess, drop_s3_bucket

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
LOG_DELIVERY = "http://acs.amazonaws.com/groups/s3/LogDelivery"
EC2_CANONICAL_USER = "6aa5a366c34c1cbe25dc49211496e913e0351eb0e8c37aa3477e40942ec6b97c"
OTHER_ID = "0f" * 32


def error_of(excinfo):
    response = excinfo.value.response
    return response["Error"].get("Code"), response["Error"].get("Message", ""), response["ResponseMetadata"]["HTTPStatusCode"]


def unique(prefix="acl"):
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def sha(body=b""):
    return {"x-amz-content-sha256": hashlib.sha256(body).hexdigest()}


def grants_of(acl):
    """Grants as comparable tuples: (type, id or uri, permission)."""
    out = []
    for grant in acl["Grants"]:
        grantee = grant["Grantee"]
        out.append((grantee["Type"], grantee.get("ID") or grantee.get("URI"), grant["Permission"]))
    return out


@pytest.fixture(scope="module")
def s3(client):
    return client("s3")


@pytest.fixture(scope="module")
def owner_id(s3):
    name = unique("owner")
    s3.create_bucket(Bucket=name)
    try:
        return s3.get_bucket_acl(Bucket=name)["Owner"]["ID"]
    finally:
        drop_s3_bucket(s3, name)


@pytest.fixture
def enforced_bucket(s3):
    name = unique("enforced")
    s3.create_bucket(Bucket=name)
    yield name
    drop_s3_bucket(s3, name)


@pytest.fixture
def acl_bucket(s3):
    """A bucket with ACLs enabled (ObjectWriter) and no public access block."""
    name = unique("writer")
    s3.create_bucket(Bucket=name, ObjectOwnership="ObjectWriter")
    s3.delete_public_access_block(Bucket=name)
    yield name
    drop_s3_bucket(s3, name)


class TestOwnership:
    def test_new_buckets_are_bucket_owner_enforced_and_read_as_owner_full_control(self, s3, enforced_bucket):
        controls = s3.get_bucket_ownership_controls(Bucket=enforced_bucket)["OwnershipControls"]
        assert controls == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
        acl = s3.get_bucket_acl(Bucket=enforced_bucket)
        owner = acl["Owner"]["ID"]
        assert len(owner) == 64 and all(c in "0123456789abcdef" for c in owner)
        assert "DisplayName" not in acl["Owner"]
        assert grants_of(acl) == [("CanonicalUser", owner, "FULL_CONTROL")]
        s3.put_object(Bucket=enforced_bucket, Key="k", Body=b"x")
        assert grants_of(s3.get_object_acl(Bucket=enforced_bucket, Key="k")) == [("CanonicalUser", owner, "FULL_CONTROL")]

    def test_acls_are_refused_when_the_bucket_owner_enforces_ownership(self, s3, enforced_bucket):
        with pytest.raises(ClientError) as excinfo:
            s3.put_object(Bucket=enforced_bucket, Key="k", Body=b"x", ACL="public-read")
        assert error_of(excinfo) == ("AccessControlListNotSupported", "The bucket does not allow ACLs", 400)
        with pytest.raises(ClientError) as excinfo:
            s3.put_bucket_acl(Bucket=enforced_bucket, ACL="authenticated-read")
        assert error_of(excinfo) == ("AccessControlListNotSupported", "The bucket does not allow ACLs", 400)
        with pytest.raises(ClientError) as excinfo:
            s3.create_multipart_upload(Bucket=enforced_bucket, Key="m", GrantRead=f'uri="{ALL_USERS}"')
        assert error_of(excinfo) == ("AccessControlListNotSupported", "The bucket does not allow ACLs", 400)
        # The owner's full control in any form is accepted.
        s3.put_object(Bucket=enforced_bucket, Key="k", Body=b"x", ACL="bucket-owner-full-control")
        s3.put_object(Bucket=enforced_bucket, Key="k2", Body=b"x", ACL="private")
        s3.put_bucket_acl(Bucket=enforced_bucket, ACL="private")
        with pytest.raises(ClientError) as excinfo:
            s3.get_object(Bucket=enforced_bucket, Key="absent")
        assert error_of(excinfo)[0] == "NoSuchKey"

    def test_create_bucket_with_a_granting_acl(self, s3):
        name = unique("create")
        with pytest.raises(ClientError) as excinfo:
            s3.create_bucket(Bucket=name, ACL="public-read")
        assert error_of(excinfo) == (
            "InvalidBucketAclWithObjectOwnership", "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting", 400)
        with pytest.raises(ClientError) as excinfo:
            s3.create_bucket(Bucket=name, ACL="public-read", ObjectOwnership="ObjectWriter")
        assert error_of(excinfo) == (
            "InvalidBucketAclWithBlockPublicAccessError", "Bucket cannot have public ACLs set with BlockPublicAccess enabled", 400)
        with pytest.raises(ClientError):
            s3.head_bucket(Bucket=name)
        s3.create_bucket(Bucket=name, ACL="log-delivery-write", ObjectOwnership="BucketOwnerPreferred")
        try:
            assert ("Group", LOG_DELIVERY, "WRITE") in grants_of(s3.get_bucket_acl(Bucket=name))
            assert s3.get_bucket_ownership_controls(Bucket=name)["OwnershipControls"]["Rules"][0]["ObjectOwnership"] == "BucketOwnerPreferred"
        finally:
            drop_s3_bucket(s3, name)

    def test_put_get_delete_ownership_controls(self, s3, enforced_bucket):
        s3.put_bucket_ownership_controls(Bucket=enforced_bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]})
        assert s3.get_bucket_ownership_controls(Bucket=enforced_bucket)["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "ObjectWriter"}]
        s3.put_bucket_acl(Bucket=enforced_bucket, ACL="log-delivery-write")
        # Enforcing again is refused while the bucket ACL grants others.
        with pytest.raises(ClientError) as excinfo:
            s3.put_bucket_ownership_controls(Bucket=enforced_bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})
        assert error_of(excinfo) == (
            "InvalidBucketAclWithObjectOwnership", "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting", 400)
        s3.delete_bucket_ownership_controls(Bucket=enforced_bucket)
        with pytest.raises(ClientError) as excinfo:
            s3.get_bucket_ownership_controls(Bucket=enforced_bucket)
        assert error_of(excinfo) == ("OwnershipControlsNotFoundError", "The bucket ownership controls were not found", 404)
        assert excinfo.value.response["Error"]["BucketName"] == enforced_bucket
        # Without ownership controls ACLs are enabled (ObjectWriter).
        s3.put_object(Bucket=enforced_bucket, Key="k", Body=b"x", ACL="log-delivery-write")

    def test_malformed_ownership_controls(self, s3, enforced_bucket, signed_request):
        body = (b'<OwnershipControls xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ObjectOwnership>Mine'
                b"</ObjectOwnership></Rule></OwnershipControls>")
        response = signed_request("s3", method="PUT", path=f"/{enforced_bucket}?ownershipControls", body=body, headers=sha(body))
        assert response.status_code == 400
        assert "<Code>MalformedXML</Code>" in response.text


class TestCannedAndGrants:
    @pytest.mark.parametrize("canned,extra", [
        ("private", []),
        ("public-read", [("Group", ALL_USERS, "READ")]),
        ("public-read-write", [("Group", ALL_USERS, "READ"), ("Group", ALL_USERS, "WRITE")]),
        ("authenticated-read", [("Group", AUTHENTICATED_USERS, "READ")]),
        ("aws-exec-read", [("CanonicalUser", EC2_CANONICAL_USER, "READ")]),
        ("bucket-owner-read", []),
        ("bucket-owner-full-control", []),
        ("log-delivery-write", [("Group", LOG_DELIVERY, "WRITE"), ("Group", LOG_DELIVERY, "READ_ACP")]),
    ])
    def test_each_canned_acl_round_trips(self, s3, acl_bucket, owner_id, canned, extra):
        expected = [("CanonicalUser", owner_id, "FULL_CONTROL")] + extra
        s3.put_object(Bucket=acl_bucket, Key="put", Body=b"x", ACL=canned)
        assert grants_of(s3.get_object_acl(Bucket=acl_bucket, Key="put")) == expected
        s3.put_object(Bucket=acl_bucket, Key="later", Body=b"x")
        s3.put_object_acl(Bucket=acl_bucket, Key="later", ACL=canned)
        assert grants_of(s3.get_object_acl(Bucket=acl_bucket, Key="later")) == expected
        s3.put_bucket_acl(Bucket=acl_bucket, ACL=canned)
        assert grants_of(s3.get_bucket_acl(Bucket=acl_bucket)) == expected

    def test_grant_headers_on_put_copy_and_multipart(self, s3, acl_bucket, owner_id):
        s3.put_object(Bucket=acl_bucket, Key="granted", Body=b"x", GrantRead=f'uri="{ALL_USERS}", id="{OTHER_ID}"',
                      GrantWriteACP=f'id="{owner_id}"')
        assert grants_of(s3.get_object_acl(Bucket=acl_bucket, Key="granted")) == [
            ("Group", ALL_USERS, "READ"), ("CanonicalUser", OTHER_ID, "READ"), ("CanonicalUser", owner_id, "WRITE_ACP")]
        # A copy does not inherit its source's ACL; it takes its own headers.
        s3.copy_object(Bucket=acl_bucket, Key="copy", CopySource={"Bucket": acl_bucket, "Key": "granted"})
        assert grants_of(s3.get_object_acl(Bucket=acl_bucket, Key="copy")) == [("CanonicalUser", owner_id, "FULL_CONTROL")]
        s3.copy_object(Bucket=acl_bucket, Key="copy2", CopySource={"Bucket": acl_bucket, "Key": "granted"}, ACL="authenticated-read")
        assert ("Group", AUTHENTICATED_USERS, "READ") in grants_of(s3.get_object_acl(Bucket=acl_bucket, Key="copy2"))
        upload = s3.create_multipart_upload(Bucket=acl_bucket, Key="multi", ACL="public-read")["UploadId"]
        etag = s3.upload_part(Bucket=acl_bucket, Key="multi", UploadId=upload, PartNumber=1, Body=b"part")["ETag"]
        s3.complete_multipart_upload(Bucket=acl_bucket, Key="multi", UploadId=upload,
                                     MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
        assert grants_of(s3.get_object_acl(Bucket=acl_bucket, Key="multi")) == [
            ("CanonicalUser", owner_id, "FULL_CONTROL"), ("Group", ALL_USERS, "READ")]

    def test_access_control_policy_body_round_trips(self, s3, acl_bucket, owner_id):
        policy = {
            "Owner": {"ID": owner_id},
            "Grants": [
                {"Grantee": {"Type": "CanonicalUser", "ID": owner_id}, "Permission": "FULL_CONTROL"},
                {"Grantee": {"Type": "Group", "URI": LOG_DELIVERY}, "Permission": "READ_ACP"},
                {"Grantee": {"Type": "CanonicalUser", "ID": OTHER_ID}, "Permission": "WRITE"},
            ],
        }
        s3.put_bucket_acl(Bucket=acl_bucket, AccessControlPolicy=policy)
        assert grants_of(s3.get_bucket_acl(Bucket=acl_bucket)) == [
            ("CanonicalUser", owner_id, "FULL_CONTROL"), ("Group", LOG_DELIVERY, "READ_ACP"), ("CanonicalUser", OTHER_ID, "WRITE")]
        s3.put_object(Bucket=acl_bucket, Key="k", Body=b"x")
        s3.put_object_acl(Bucket=acl_bucket, Key="k", AccessControlPolicy=policy)
        assert grants_of(s3.get_object_acl(Bucket=acl_bucket, Key="k")) == grants_of(s3.get_bucket_acl(Bucket=acl_bucket))

    def test_acl_of_a_version(self, s3, acl_bucket, owner_id):
        s3.put_bucket_versioning(Bucket=acl_bucket, VersioningConfiguration={"Status": "Enabled"})
        first = s3.put_object(Bucket=acl_bucket, Key="v", Body=b"1", ACL="public-read")["VersionId"]
        second = s3.put_object(Bucket=acl_bucket, Key="v", Body=b"2")["VersionId"]
        response = s3.get_object_acl(Bucket=acl_bucket, Key="v", VersionId=first)
        assert response["ResponseMetadata"]["HTTPHeaders"]["x-amz-version-id"] == first
        assert ("Group", ALL_USERS, "READ") in grants_of(response)
        assert grants_of(s3.get_object_acl(Bucket=acl_bucket, Key="v")) == [("CanonicalUser", owner_id, "FULL_CONTROL")]
        s3.put_object_acl(Bucket=acl_bucket, Key="v", VersionId=second, ACL="authenticated-read")
        assert ("Group", AUTHENTICATED_USERS, "READ") in grants_of(s3.get_object_acl(Bucket=acl_bucket, Key="v", VersionId=second))
        assert ("Group", ALL_USERS, "READ") in grants_of(s3.get_object_acl(Bucket=acl_bucket, Key="v", VersionId=first))

    def test_block_public_acls_refuses_public_acls(self, s3):
        name = unique("blocked")
        s3.create_bucket(Bucket=name, ObjectOwnership="ObjectWriter")  # new buckets block all public access
        try:
            with pytest.raises(ClientError) as excinfo:
                s3.put_object(Bucket=name, Key="k", Body=b"x", ACL="public-read")
            assert error_of(excinfo) == ("AccessDenied", "Access Denied", 403)
            with pytest.raises(ClientError) as excinfo:
                s3.put_bucket_acl(Bucket=name, ACL="public-read")
            assert error_of(excinfo) == ("AccessDenied", "Access Denied", 403)
            s3.put_object(Bucket=name, Key="k", Body=b"x", ACL="log-delivery-write")
        finally:
            drop_s3_bucket(s3, name)


class TestAclErrors:
    def test_header_errors(self, s3, acl_bucket, owner_id):
        with pytest.raises(ClientError) as excinfo:
            s3.put_object(Bucket=acl_bucket, Key="k", Body=b"x", ACL="privatee")
        code, message, status = error_of(excinfo)
        assert (code, message or "", status) == ("InvalidArgument", "", 400)  # S3 sends an empty <Message>
        assert excinfo.value.response["Error"]["ArgumentName"] == "x-amz-acl"
        assert excinfo.value.response["Error"]["ArgumentValue"] == "privatee"
        with pytest.raises(ClientError) as excinfo:
            s3.put_object(Bucket=acl_bucket, Key="k", Body=b"x", ACL="private", GrantRead=f'id="{owner_id}"')
        assert error_of(excinfo) == ("InvalidRequest", "Specifying both Canned ACLs and Header Grants is not allowed", 400)
        with pytest.raises(ClientError) as excinfo:
            s3.put_object(Bucket=acl_bucket, Key="k", Body=b"x", GrantFullControl="fdjklasaj")
        assert error_of(excinfo) == ("InvalidArgument", "Argument format not recognized", 400)
        assert excinfo.value.response["Error"]["ArgumentName"] == "x-amz-grant-full-control"
        with pytest.raises(ClientError) as excinfo:
            s3.put_object(Bucket=acl_bucket, Key="k", Body=b"x", GrantRead='id="0123"')
        assert error_of(excinfo) == ("InvalidArgument", "Invalid id", 400)
        assert excinfo.value.response["Error"]["ArgumentValue"] == "0123"
        with pytest.raises(ClientError) as excinfo:
            s3.put_object(Bucket=acl_bucket, Key="k", Body=b"x", GrantRead='uri="http://acs.amazonaws.com/groups/global/Authenticated"')
        assert error_of(excinfo) == ("InvalidArgument", "Invalid group uri", 400)
        with pytest.raises(ClientError) as excinfo:
            s3.head_object(Bucket=acl_bucket, Key="k")
        assert error_of(excinfo)[2] == 404  # nothing was written

    def test_put_acl_needs_exactly_one_source(self, s3, acl_bucket, signed_request):
        response = signed_request("s3", method="PUT", path=f"/{acl_bucket}?acl", headers=sha())
        assert response.status_code == 400
        assert "<Code>MissingSecurityHeader</Code>" in response.text
        assert "<Message>Your request was missing a required header</Message>" in response.text
        response = signed_request("s3", method="PUT", path=f"/{acl_bucket}?acl",
                                  headers={"x-amz-acl": "private", **sha(b"<AccessControlPolicy/>")}, body=b"<AccessControlPolicy/>")
        assert response.status_code == 400
        assert "<Code>UnexpectedContent</Code>" in response.text
        for body in (b"<AccessControlPolicy><AccessControlList/></AccessControlPolicy>", b"not xml"):
            response = signed_request("s3", method="PUT", path=f"/{acl_bucket}?acl", body=body, headers=sha(body))
            assert response.status_code == 400
            assert "<Code>MalformedACLError</Code>" in response.text
            assert ("<Message>The XML you provided was not well-formed or did not validate against our published schema"
                    "</Message>") in response.text

    def test_bad_grantees_in_the_body(self, s3, acl_bucket, owner_id):
        policy = {"Owner": {"ID": owner_id},
                  "Grants": [{"Grantee": {"Type": "CanonicalUser", "ID": "nope"}, "Permission": "READ"}]}
        with pytest.raises(ClientError) as excinfo:
            s3.put_bucket_acl(Bucket=acl_bucket, AccessControlPolicy=policy)
        assert error_of(excinfo) == ("InvalidArgument", "Invalid id", 400)
        assert excinfo.value.response["Error"]["ArgumentName"] == "CanonicalUser/ID"
        policy["Grants"] = [{"Grantee": {"Type": "AmazonCustomerByEmail", "EmailAddress": "a@example.com"}, "Permission": "READ"}]
        # us-east-1 stopped accepting e-mail grantees on 1 October 2025 (405).
        with pytest.raises(ClientError) as excinfo:
            s3.put_bucket_acl(Bucket=acl_bucket, AccessControlPolicy=policy)
        assert error_of(excinfo)[0] == "MethodNotAllowed" and error_of(excinfo)[2] == 405

    def test_missing_object_and_bucket(self, s3, acl_bucket):
        with pytest.raises(ClientError) as excinfo:
            s3.get_object_acl(Bucket=acl_bucket, Key="absent")
        assert error_of(excinfo) == ("NoSuchKey", "The specified key does not exist.", 404)
        with pytest.raises(ClientError) as excinfo:
            s3.get_bucket_acl(Bucket=unique("missing"))
        assert error_of(excinfo) == ("NoSuchBucket", "The specified bucket does not exist", 404)


def test_object_acls_survive_a_restart(tmp_path):
    """Object ACLs are kept with the object version in the data folder."""
    data = tmp_path / "data"
    server = EmulatorProcess(tmp_path, data_dir=data)
    try:
        s3 = server.client("s3")
        s3.create_bucket(Bucket="kept", ObjectOwnership="ObjectWriter")
        s3.put_object(Bucket="kept", Key="k", Body=b"x", ACL="log-delivery-write")
        s3.put_bucket_acl(Bucket="kept", GrantRead=f'id="{OTHER_ID}"')
    finally:
        server.stop()
    server = EmulatorProcess(tmp_path, data_dir=data)
    try:
        s3 = server.client("s3")
        assert ("Group", LOG_DELIVERY, "WRITE") in grants_of(s3.get_object_acl(Bucket="kept", Key="k"))
        assert grants_of(s3.get_bucket_acl(Bucket="kept")) == [("CanonicalUser", OTHER_ID, "READ")]
        assert s3.get_bucket_ownership_controls(Bucket="kept")["OwnershipControls"]["Rules"][0]["ObjectOwnership"] == "ObjectWriter"
    finally:
        server.stop()
