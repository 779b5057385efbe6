"""S3 versioning against the real emulator with boto3 and the AWS CLI: every version kept, null versions, delete
markers, ListObjectVersions paging, version-addressed reads, deletes, copies and tags, and lifecycle on versions.

Expected behaviour is S3's (https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html): status codes,
error codes and message texts as S3 sends them.
"""

import hashlib
import json
import time
import uuid
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError
from conftest import ACCESS_KEY, REGION, SECRET_KEY, client_config

NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"


def error_of(excinfo):
    response = excinfo.value.response
    return response["Error"].get("Code"), response["Error"].get("Message", ""), response["ResponseMetadata"]["HTTPStatusCode"]


def headers_of(excinfo):
    return excinfo.value.response["ResponseMetadata"]["HTTPHeaders"]


def unique(prefix="v"):
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def empty_bucket(s3, name):
    """Deletes every version and delete marker, then the bucket."""
    try:
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=name):
            for entry in page.get("Versions", []) + page.get("DeleteMarkers", []):
                s3.delete_object(Bucket=name, Key=entry["Key"], VersionId=entry["VersionId"])
        s3.delete_bucket(Bucket=name)
    except ClientError:
        pass


@pytest.fixture(scope="module")
def s3(client):
    return client("s3")


@pytest.fixture
def plain_bucket(s3):
    name = unique("plain")
    s3.create_bucket(Bucket=name)
    yield name
    empty_bucket(s3, name)


@pytest.fixture
def versioned(s3):
    name = unique()
    s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    yield name
    empty_bucket(s3, name)


def body(s3, bucket, key, **kwargs):
    return s3.get_object(Bucket=bucket, Key=key, **kwargs)["Body"].read()


def raw_versions(endpoint, bucket, **query):
    """ListObjectVersions as S3 sends it: (entries in document order as (kind, key, version id, is latest), root)."""
    url = f"{endpoint}/{bucket}?versions" + ("&" + urlencode(query) if query else "")
    request = AWSRequest(method="GET", url=url, headers={"x-amz-content-sha256": hashlib.sha256(b"").hexdigest()})
    SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "s3", REGION).add_auth(request)
    prepared = request.prepare()
    response = requests.get(prepared.url, headers=dict(prepared.headers), timeout=30)
    assert response.status_code == 200, response.text
    root = ET.fromstring(response.content)
    entries = []
    for child in root:
        kind = {NS + "Version": "V", NS + "DeleteMarker": "M"}.get(child.tag)
        if kind:
            entries.append((kind, child.findtext(NS + "Key"), child.findtext(NS + "VersionId"), child.findtext(NS + "IsLatest") == "true"))
    return entries, root


@pytest.fixture
def listing(endpoint):
    def run(_s3, bucket, **query):
        return raw_versions(endpoint, bucket, **query)[0]
    return run


class TestVersions:
    def test_every_version_is_kept_and_readable(self, s3, versioned):
        first = s3.put_object(Bucket=versioned, Key="doc", Body=b"one")
        second = s3.put_object(Bucket=versioned, Key="doc", Body=b"two")
        assert first["VersionId"] != second["VersionId"]
        assert len(first["VersionId"]) == 32 and first["VersionId"] != "null"
        assert body(s3, versioned, "doc") == b"two"
        assert body(s3, versioned, "doc", VersionId=first["VersionId"]) == b"one"
        got = s3.get_object(Bucket=versioned, Key="doc", VersionId=second["VersionId"])
        assert got["VersionId"] == second["VersionId"] and got["Body"].read() == b"two"
        head = s3.head_object(Bucket=versioned, Key="doc", VersionId=first["VersionId"])
        assert head["VersionId"] == first["VersionId"] and head["ContentLength"] == 3
        versions = s3.list_object_versions(Bucket=versioned)["Versions"]
        assert [(v["VersionId"], v["IsLatest"]) for v in versions] == [(second["VersionId"], True), (first["VersionId"], False)]
        # ListObjects shows the current version only.
        assert [o["Key"] for o in s3.list_objects_v2(Bucket=versioned)["Contents"]] == ["doc"]
        assert s3.list_objects(Bucket=versioned)["Contents"][0]["Size"] == 3

    def test_delete_marker_hides_the_object_and_deleting_it_brings_it_back(self, listing, s3, versioned):
        put = s3.put_object(Bucket=versioned, Key="k", Body=b"data")
        deleted = s3.delete_object(Bucket=versioned, Key="k")
        assert deleted["DeleteMarker"] is True
        marker = deleted["VersionId"]
        assert marker and marker != put["VersionId"]
        assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204

        with pytest.raises(ClientError) as excinfo:
            s3.get_object(Bucket=versioned, Key="k")
        assert error_of(excinfo) == ("NoSuchKey", "The specified key does not exist.", 404)
        assert headers_of(excinfo)["x-amz-delete-marker"] == "true"
        assert headers_of(excinfo)["x-amz-version-id"] == marker
        with pytest.raises(ClientError) as excinfo:
            s3.head_object(Bucket=versioned, Key="k")
        assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
        assert headers_of(excinfo)["x-amz-delete-marker"] == "true"

        with pytest.raises(ClientError) as excinfo:
            s3.get_object(Bucket=versioned, Key="k", VersionId=marker)
        assert error_of(excinfo) == ("MethodNotAllowed", "The specified method is not allowed against this resource.", 405)
        assert headers_of(excinfo)["x-amz-delete-marker"] == "true"
        assert headers_of(excinfo)["allow"] == "DELETE"
        with pytest.raises(ClientError) as excinfo:
            s3.head_object(Bucket=versioned, Key="k", VersionId=marker)
        assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 405

        assert s3.list_objects_v2(Bucket=versioned)["KeyCount"] == 0
        assert body(s3, versioned, "k", VersionId=put["VersionId"]) == b"data"
        assert listing(s3, versioned) == [("M", "k", marker, True), ("V", "k", put["VersionId"], False)]

        removed = s3.delete_object(Bucket=versioned, Key="k", VersionId=marker)
        assert removed["DeleteMarker"] is True and removed["VersionId"] == marker
        assert body(s3, versioned, "k") == b"data"
        assert listing(s3, versioned) == [("V", "k", put["VersionId"], True)]

    def test_deleting_a_version_by_id_removes_only_that_version(self, listing, s3, versioned):
        first = s3.put_object(Bucket=versioned, Key="k", Body=b"first")
        second = s3.put_object(Bucket=versioned, Key="k", Body=b"second")
        deleted = s3.delete_object(Bucket=versioned, Key="k", VersionId=second["VersionId"])
        assert deleted["VersionId"] == second["VersionId"] and "DeleteMarker" not in deleted
        assert body(s3, versioned, "k") == b"first"
        assert listing(s3, versioned) == [("V", "k", first["VersionId"], True)]
        with pytest.raises(ClientError) as excinfo:
            s3.get_object(Bucket=versioned, Key="k", VersionId=second["VersionId"])
        assert error_of(excinfo) == ("NoSuchVersion", "The specified version does not exist.", 404)

    def test_suspended_writes_replace_the_null_version(self, listing, s3, versioned):
        kept = s3.put_object(Bucket=versioned, Key="k", Body=b"versioned")
        s3.put_bucket_versioning(Bucket=versioned, VersioningConfiguration={"Status": "Suspended"})
        assert s3.put_object(Bucket=versioned, Key="k", Body=b"null one")["VersionId"] == "null"
        assert s3.put_object(Bucket=versioned, Key="k", Body=b"null two")["VersionId"] == "null"
        assert listing(s3, versioned) == [("V", "k", "null", True), ("V", "k", kept["VersionId"], False)]
        assert body(s3, versioned, "k", VersionId="null") == b"null two"
        assert s3.head_object(Bucket=versioned, Key="k")["VersionId"] == "null"

        deleted = s3.delete_object(Bucket=versioned, Key="k")
        assert deleted["DeleteMarker"] is True and deleted["VersionId"] == "null"
        # The null delete marker replaced the null version; the versioned one is untouched.
        assert listing(s3, versioned) == [("M", "k", "null", True), ("V", "k", kept["VersionId"], False)]
        assert body(s3, versioned, "k", VersionId=kept["VersionId"]) == b"versioned"

        s3.put_bucket_versioning(Bucket=versioned, VersioningConfiguration={"Status": "Enabled"})
        again = s3.put_object(Bucket=versioned, Key="k", Body=b"again")
        assert again["VersionId"] not in ("null", kept["VersionId"])
        assert [entry[2] for entry in listing(s3, versioned)] == [again["VersionId"], "null", kept["VersionId"]]

    def test_objects_written_before_versioning_are_the_null_version(self, listing, s3, plain_bucket):
        put = s3.put_object(Bucket=plain_bucket, Key="old", Body=b"old")
        assert "VersionId" not in put
        assert "VersionId" not in s3.head_object(Bucket=plain_bucket, Key="old")
        assert listing(s3, plain_bucket) == [("V", "old", "null", True)]
        s3.put_bucket_versioning(Bucket=plain_bucket, VersioningConfiguration={"Status": "Enabled"})
        new = s3.put_object(Bucket=plain_bucket, Key="old", Body=b"new")
        assert s3.head_object(Bucket=plain_bucket, Key="old", VersionId="null")["VersionId"] == "null"
        assert body(s3, plain_bucket, "old", VersionId="null") == b"old"
        assert listing(s3, plain_bucket) == [("V", "old", new["VersionId"], True), ("V", "old", "null", False)]

    def test_never_versioned_bucket_deletes_for_good(self, s3, plain_bucket):
        s3.put_object(Bucket=plain_bucket, Key="a", Body=b"a")
        s3.put_object(Bucket=plain_bucket, Key="b", Body=b"b")
        deleted = s3.delete_object(Bucket=plain_bucket, Key="a")
        assert "DeleteMarker" not in deleted and "VersionId" not in deleted
        assert s3.delete_object(Bucket=plain_bucket, Key="b", VersionId="null")["VersionId"] == "null"
        assert s3.list_object_versions(Bucket=plain_bucket).get("Versions", []) == []
        assert "DeleteMarkers" not in s3.list_object_versions(Bucket=plain_bucket)
        s3.delete_bucket(Bucket=plain_bucket)

    def test_multipart_upload_and_copy_create_versions(self, listing, s3, versioned):
        upload = s3.create_multipart_upload(Bucket=versioned, Key="mp")
        part = s3.upload_part(Bucket=versioned, Key="mp", UploadId=upload["UploadId"], PartNumber=1, Body=b"multi")
        done = s3.complete_multipart_upload(Bucket=versioned, Key="mp", UploadId=upload["UploadId"],
                                            MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
        assert done["VersionId"] and done["VersionId"] != "null"
        later = s3.put_object(Bucket=versioned, Key="mp", Body=b"later")
        # Copy an older version over its own key: restores it as a new version.
        copied = s3.copy_object(Bucket=versioned, Key="mp", CopySource={"Bucket": versioned, "Key": "mp", "VersionId": done["VersionId"]})
        assert copied["CopySourceVersionId"] == done["VersionId"]
        assert copied["VersionId"] not in (done["VersionId"], later["VersionId"])
        assert body(s3, versioned, "mp") == b"multi"
        assert len(listing(s3, versioned)) == 3

    def test_copy_onto_itself_naming_the_current_version(self, listing, s3, versioned):
        """A copy whose source names a version (also the current one) is not a copy of the object onto itself."""
        current = s3.put_object(Bucket=versioned, Key="self", Body=b"same")["VersionId"]
        copied = s3.copy_object(Bucket=versioned, Key="self", CopySource={"Bucket": versioned, "Key": "self", "VersionId": current})
        assert copied["CopySourceVersionId"] == current and copied["VersionId"] != current
        assert len(listing(s3, versioned)) == 2
        with pytest.raises(ClientError) as excinfo:
            s3.copy_object(Bucket=versioned, Key="self", CopySource={"Bucket": versioned, "Key": "self"})
        assert error_of(excinfo) == ("InvalidRequest", (
            "This copy request is illegal because it is trying to copy an object to itself without changing the object's "
            "metadata, storage class, website redirect location or encryption attributes."), 400)

    def test_copy_source_delete_marker(self, s3, versioned):
        s3.put_object(Bucket=versioned, Key="src", Body=b"x")
        marker = s3.delete_object(Bucket=versioned, Key="src")["VersionId"]
        with pytest.raises(ClientError) as excinfo:
            s3.copy_object(Bucket=versioned, Key="dst", CopySource={"Bucket": versioned, "Key": "src"})
        assert error_of(excinfo) == ("NoSuchKey", "The specified key does not exist.", 404)
        with pytest.raises(ClientError) as excinfo:
            s3.copy_object(Bucket=versioned, Key="dst", CopySource={"Bucket": versioned, "Key": "src", "VersionId": marker})
        assert error_of(excinfo) == (
            "InvalidRequest", "The source of a copy request may not specifically refer to a delete marker by version id.", 400)

    def test_tagging_by_version(self, s3, versioned):
        first = s3.put_object(Bucket=versioned, Key="t", Body=b"1", Tagging="gen=one")
        second = s3.put_object(Bucket=versioned, Key="t", Body=b"2")
        put = s3.put_object_tagging(Bucket=versioned, Key="t", VersionId=first["VersionId"],
                                    Tagging={"TagSet": [{"Key": "gen", "Value": "first"}]})
        assert put["VersionId"] == first["VersionId"]
        got = s3.get_object_tagging(Bucket=versioned, Key="t", VersionId=first["VersionId"])
        assert got["VersionId"] == first["VersionId"] and got["TagSet"] == [{"Key": "gen", "Value": "first"}]
        current = s3.get_object_tagging(Bucket=versioned, Key="t")
        assert current["VersionId"] == second["VersionId"] and current["TagSet"] == []
        s3.delete_object_tagging(Bucket=versioned, Key="t", VersionId=first["VersionId"])
        assert s3.get_object_tagging(Bucket=versioned, Key="t", VersionId=first["VersionId"])["TagSet"] == []
        marker = s3.delete_object(Bucket=versioned, Key="t")["VersionId"]
        with pytest.raises(ClientError) as excinfo:
            s3.get_object_tagging(Bucket=versioned, Key="t")
        assert error_of(excinfo) == ("NoSuchKey", "The specified key does not exist.", 404)
        with pytest.raises(ClientError) as excinfo:
            s3.get_object_tagging(Bucket=versioned, Key="t", VersionId=marker)
        assert error_of(excinfo)[0::2] == ("MethodNotAllowed", 405)


class TestVersionIds:
    def test_malformed_and_unknown_version_ids(self, s3, versioned):
        put = s3.put_object(Bucket=versioned, Key="k", Body=b"x")
        other = s3.put_object(Bucket=versioned, Key="other", Body=b"y")["VersionId"]
        for call in (
            lambda: s3.get_object(Bucket=versioned, Key="k", VersionId="abc"),
            lambda: s3.delete_object(Bucket=versioned, Key="k", VersionId="abc"),
            lambda: s3.get_object_tagging(Bucket=versioned, Key="k", VersionId="abc"),
        ):
            with pytest.raises(ClientError) as excinfo:
                call()
            assert error_of(excinfo) == ("InvalidArgument", "Invalid version id specified", 400)
        with pytest.raises(ClientError) as excinfo:
            s3.head_object(Bucket=versioned, Key="k", VersionId="abc")
        assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        # A well-formed id of another key's version names nothing here.
        with pytest.raises(ClientError) as excinfo:
            s3.get_object(Bucket=versioned, Key="k", VersionId=other)
        assert error_of(excinfo) == ("NoSuchVersion", "The specified version does not exist.", 404)
        assert s3.delete_object(Bucket=versioned, Key="k", VersionId=other)["ResponseMetadata"]["HTTPStatusCode"] == 204
        assert body(s3, versioned, "k", VersionId=put["VersionId"]) == b"x"

    def test_list_markers_are_checked(self, s3, versioned):
        put = s3.put_object(Bucket=versioned, Key="k", Body=b"x")
        with pytest.raises(ClientError) as excinfo:
            s3.list_object_versions(Bucket=versioned, VersionIdMarker=put["VersionId"])
        assert error_of(excinfo) == ("InvalidArgument", "A version-id marker cannot be specified without a key marker.", 400)
        with pytest.raises(ClientError) as excinfo:
            s3.list_object_versions(Bucket=versioned, KeyMarker="k", VersionIdMarker="nonexistent-version-id")
        assert error_of(excinfo) == ("InvalidArgument", "Invalid version id specified", 400)


class TestListObjectVersions:
    def test_paging_with_markers(self, s3, versioned, endpoint):
        expected = []
        for key in ["a", "b/1", "b/2", "c"]:
            ids = [s3.put_object(Bucket=versioned, Key=key, Body=key.encode() * n)["VersionId"] for n in (1, 2, 3)]
            expected += [("V", key, version, index == 2) for index, version in reversed(list(enumerate(ids)))]
        marker = s3.delete_object(Bucket=versioned, Key="c")["VersionId"]
        expected = expected[:9] + [("M", "c", marker, True)] + [entry[:3] + (False,) for entry in expected[9:]]
        assert raw_versions(endpoint, versioned)[0] == expected

        # Pages of four, resumed with NextKeyMarker / NextVersionIdMarker, add up to the whole listing.
        seen, query = [], {"max-keys": "4"}
        while True:
            entries, root = raw_versions(endpoint, versioned, **query)
            seen += entries
            assert len(entries) <= 4 and root.findtext(NS + "MaxKeys") == "4"
            if root.findtext(NS + "IsTruncated") != "true":
                assert root.find(NS + "NextKeyMarker") is None
                break
            last = entries[-1]
            assert root.findtext(NS + "NextKeyMarker") == last[1] and root.findtext(NS + "NextVersionIdMarker") == last[2]
            query = {"max-keys": "4", "key-marker": last[1], "version-id-marker": last[2]}
        assert seen == expected

        # boto3's paginator sees every version and marker once.
        versions, markers = [], []
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=versioned, PaginationConfig={"PageSize": 3}):
            versions += [v["VersionId"] for v in page.get("Versions", [])]
            markers += [m["VersionId"] for m in page.get("DeleteMarkers", [])]
        assert markers == [marker]
        assert versions == [entry[2] for entry in expected if entry[0] == "V"]

        # Resuming inside a key's versions; a key marker alone skips the whole key.
        resumed = s3.list_object_versions(Bucket=versioned, KeyMarker="a", VersionIdMarker=expected[0][2], MaxKeys=2)
        assert [v["VersionId"] for v in resumed["Versions"]] == [expected[1][2], expected[2][2]]
        assert resumed["KeyMarker"] == "a" and resumed["VersionIdMarker"] == expected[0][2]
        after_a = s3.list_object_versions(Bucket=versioned, KeyMarker="a", MaxKeys=1)
        assert [v["Key"] for v in after_a["Versions"]] == ["b/1"]

    def test_prefix_delimiter_and_common_prefixes(self, s3, versioned):
        for key in ["dir/a", "dir/a", "dir/sub/b", "top", "dir2/x"]:
            s3.put_object(Bucket=versioned, Key=key, Body=b"x")
        rolled = s3.list_object_versions(Bucket=versioned, Delimiter="/")
        assert [p["Prefix"] for p in rolled["CommonPrefixes"]] == ["dir/", "dir2/"]
        assert [v["Key"] for v in rolled["Versions"]] == ["top"]
        assert rolled["Delimiter"] == "/"
        inside = s3.list_object_versions(Bucket=versioned, Prefix="dir/", Delimiter="/")
        assert [v["Key"] for v in inside["Versions"]] == ["dir/a", "dir/a"]
        assert [p["Prefix"] for p in inside["CommonPrefixes"]] == ["dir/sub/"]
        # A common prefix counts once toward MaxKeys and pages resume after it.
        first = s3.list_object_versions(Bucket=versioned, Delimiter="/", MaxKeys=1)
        assert [p["Prefix"] for p in first["CommonPrefixes"]] == ["dir/"] and first["IsTruncated"] is True
        assert first["NextKeyMarker"] == "dir/"
        second = s3.list_object_versions(Bucket=versioned, Delimiter="/", MaxKeys=1, KeyMarker=first["NextKeyMarker"])
        assert [p["Prefix"] for p in second["CommonPrefixes"]] == ["dir2/"]


class TestEmptyingBuckets:
    def test_delete_objects_with_version_ids(self, listing, s3, versioned):
        first = s3.put_object(Bucket=versioned, Key="a", Body=b"1")["VersionId"]
        second = s3.put_object(Bucket=versioned, Key="a", Body=b"2")["VersionId"]
        s3.put_object(Bucket=versioned, Key="b", Body=b"b")
        result = s3.delete_objects(Bucket=versioned, Delete={"Objects": [
            {"Key": "a", "VersionId": first}, {"Key": "b"}, {"Key": "a", "VersionId": "abc"}]})
        deleted = {(d["Key"], d.get("VersionId")): d for d in result["Deleted"]}
        assert set(deleted) == {("a", first), ("b", None)}
        assert deleted[("b", None)]["DeleteMarker"] is True and deleted[("b", None)]["DeleteMarkerVersionId"]
        assert result["Errors"] == [{"Key": "a", "VersionId": "abc", "Code": "NoSuchVersion",
                                     "Message": "The specified version does not exist."}]
        assert body(s3, versioned, "a") == b"2"
        assert listing(s3, versioned)[0] == ("V", "a", second, True)
        marker = deleted[("b", None)]["DeleteMarkerVersionId"]
        again = s3.delete_objects(Bucket=versioned, Delete={"Objects": [{"Key": "b", "VersionId": marker}]})
        assert again["Deleted"] == [{"Key": "b", "VersionId": marker, "DeleteMarker": True, "DeleteMarkerVersionId": marker}]
        assert body(s3, versioned, "b") == b"b"

    def test_boto3_object_versions_delete_empties_the_bucket(self, s3, boto_session, endpoint):
        name = unique()
        s3.create_bucket(Bucket=name)
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        for index in range(5):
            s3.put_object(Bucket=name, Key=f"k{index % 2}", Body=b"x" * index)
        s3.delete_object(Bucket=name, Key="k0")
        with pytest.raises(ClientError) as excinfo:
            s3.delete_bucket(Bucket=name)
        assert error_of(excinfo) == (
            "BucketNotEmpty", "The bucket you tried to delete is not empty. You must delete all versions in the bucket.", 409)
        resource = boto_session.resource("s3", endpoint_url=endpoint, config=client_config())
        resource.Bucket(name).object_versions.delete()
        assert s3.list_object_versions(Bucket=name).get("Versions", []) == []
        s3.delete_bucket(Bucket=name)

    def test_cli_rb_force_leaves_versions_as_s3_does(self, listing, s3, aws_cli, versioned):
        s3.put_object(Bucket=versioned, Key="one", Body=b"1")
        s3.put_object(Bucket=versioned, Key="one", Body=b"2")
        # `aws s3 rb --force` deletes current objects without version ids (adding delete markers), then DeleteBucket
        # fails as on S3: the versions are still there.
        code, out, err = aws_cli("s3", "rb", f"s3://{versioned}", "--force")
        assert code != 0
        assert "BucketNotEmpty" in err and "You must delete all versions in the bucket." in err
        entries = listing(s3, versioned)
        assert [(kind, latest) for kind, _, _, latest in entries] == [("M", True), ("V", False), ("V", False)]


class TestVersionLifecycle:
    def wait_for(self, predicate, clock, step="1d", attempts=3):
        for _ in range(attempts):
            clock.advance(step)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                if predicate():
                    return True
                time.sleep(0.1)
        return predicate()

    def test_noncurrent_versions_and_expired_delete_markers(self, listing, s3, versioned, clock):
        clock.reset()
        s3.put_bucket_lifecycle_configuration(Bucket=versioned, LifecycleConfiguration={"Rules": [
            {"ID": "old-versions", "Status": "Enabled", "Filter": {"Prefix": ""}, "NoncurrentVersionExpiration": {"NoncurrentDays": 1}},
            {"ID": "markers", "Status": "Enabled", "Filter": {"Prefix": ""}, "Expiration": {"ExpiredObjectDeleteMarker": True}}]})
        rules = s3.get_bucket_lifecycle_configuration(Bucket=versioned)["Rules"]
        assert rules[0]["NoncurrentVersionExpiration"] == {"NoncurrentDays": 1}
        s3.put_object(Bucket=versioned, Key="a", Body=b"old")
        current = s3.put_object(Bucket=versioned, Key="a", Body=b"new")["VersionId"]
        s3.put_object(Bucket=versioned, Key="gone", Body=b"x")
        s3.delete_object(Bucket=versioned, Key="gone")
        assert len(listing(s3, versioned)) == 4
        try:
            assert self.wait_for(lambda: listing(s3, versioned) == [("V", "a", current, True)], clock)
        finally:
            clock.reset()
        assert body(s3, versioned, "a") == b"new"

    def test_expiration_of_a_versioned_current_version_adds_a_delete_marker(self, listing, s3, versioned, clock):
        clock.reset()
        s3.put_bucket_lifecycle_configuration(Bucket=versioned, LifecycleConfiguration={"Rules": [
            {"ID": "expire", "Status": "Enabled", "Filter": {"Prefix": "tmp/"}, "Expiration": {"Days": 1}}]})
        put = s3.put_object(Bucket=versioned, Key="tmp/x", Body=b"keep me")
        try:
            assert self.wait_for(lambda: [e[0] for e in listing(s3, versioned)] == ["M", "V"], clock)
        finally:
            clock.reset()
        with pytest.raises(ClientError) as excinfo:
            s3.get_object(Bucket=versioned, Key="tmp/x")
        assert error_of(excinfo)[0] == "NoSuchKey"
        assert body(s3, versioned, "tmp/x", VersionId=put["VersionId"]) == b"keep me"


# --------------------------------------------------------------------------- event notifications

EVENTS_TEMPLATE = """AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  EventsBucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: versioned-events
      VersioningConfiguration:
        Status: Enabled
  Recorder:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: recorder/
      Handler: recorder.handler
      Runtime: python3.12
      Events:
        Created:
          Type: S3
          Properties:
            Bucket: !Ref EventsBucket
            Events: [s3:ObjectCreated:*, s3:ObjectRemoved:*]
"""

RECORDER = """import json


def handler(event, context):
    for record in event["Records"]:
        print(json.dumps({"event": record["eventName"], "object": record["s3"]["object"]}), flush=True)
"""


def test_events_carry_version_ids(tmp_path):
    from conftest import EmulatorProcess

    (tmp_path / "recorder").mkdir()
    (tmp_path / "recorder" / "recorder.py").write_text(RECORDER)
    template = tmp_path / "template.yaml"
    template.write_text(EVENTS_TEMPLATE)
    (tmp_path / "logs").mkdir()
    server = EmulatorProcess(tmp_path / "logs", "--stack-name", "version-events", template=template)
    try:
        s3 = server.client("s3")
        put = s3.put_object(Bucket="versioned-events", Key="k", Body=b"x")
        marker = s3.delete_object(Bucket="versioned-events", Key="k")["VersionId"]
        s3.delete_object(Bucket="versioned-events", Key="k", VersionId=put["VersionId"])
        expected = [
            ("ObjectCreated:Put", put["VersionId"]),
            ("ObjectRemoved:DeleteMarkerCreated", marker),
            ("ObjectRemoved:Delete", put["VersionId"]),
        ]
        seen = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            lines = requests.get(f"{server.endpoint}/_local/logs/Recorder", timeout=10).json().get("lines", [])
            seen = []
            for line in lines:
                message = line["message"]
                if message.startswith("{") and '"event"' in message:
                    record = json.loads(message)
                    seen.append((record["event"], record["object"].get("versionId")))
            if sorted(seen) == sorted(expected):
                break
            time.sleep(0.25)
        assert sorted(seen) == sorted(expected)
    finally:
        server.stop()
