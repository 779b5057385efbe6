"""S3 wire details clients depend on, against the real emulator with boto3 and raw signed requests: an empty
Delimiter, lifecycle rules sent without an ID, ListBuckets paging.

Expected behaviour is S3's: status codes, error codes and message texts as S3 sends them.
"""

import hashlib
import uuid
import xml.etree.ElementTree as ET

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from conftest import ACCESS_KEY, REGION, SECRET_KEY

NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"


def signed_get(endpoint, path):
    request = AWSRequest(method="GET", url=f"{endpoint}{path}", headers={"x-amz-content-sha256": hashlib.sha256(b"").hexdigest()})
    SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "s3", REGION).add_auth(request)
    prepared = request.prepare()
    return requests.get(prepared.url, headers=dict(prepared.headers), timeout=30)


@pytest.fixture(scope="module")
def s3(client):
    return client("s3")


@pytest.fixture
def bucket(s3):
    name = f"wire-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    yield name
    for item in s3.list_objects_v2(Bucket=name).get("Contents", []):
        s3.delete_object(Bucket=name, Key=item["Key"])
    s3.delete_bucket(Bucket=name)


def test_empty_delimiter_is_not_echoed(s3, bucket, endpoint):
    s3.put_object(Bucket=bucket, Key="a/b", Body=b"x")
    for path in (f"/{bucket}?delimiter=", f"/{bucket}?list-type=2&delimiter="):
        response = signed_get(endpoint, path)
        assert response.status_code == 200
        root = ET.fromstring(response.content)
        assert root.find(NS + "Delimiter") is None, response.text
        assert [c.findtext(NS + "Key") for c in root.findall(NS + "Contents")] == ["a/b"]
        assert root.find(NS + "CommonPrefixes") is None
    listed = s3.list_objects_v2(Bucket=bucket, Delimiter="/")
    assert listed["Delimiter"] == "/" and listed["CommonPrefixes"] == [{"Prefix": "a/"}]


def test_lifecycle_rule_without_id_gets_one(s3, bucket):
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
        {"Status": "Enabled", "Filter": {"Prefix": "tmp/"}, "Expiration": {"Days": 3}}]})
    rule = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"][0]
    assert len(rule["ID"]) == 48
    assert s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"][0]["ID"] == rule["ID"]
    put = s3.put_object(Bucket=bucket, Key="tmp/x", Body=b"x")
    assert f'rule-id="{rule["ID"]}"' in put["Expiration"]


def test_list_buckets_paging_and_prefix(s3):
    stem = f"page-{uuid.uuid4().hex[:8]}"
    names = [f"{stem}-{index}" for index in range(5)]
    for name in names:
        s3.create_bucket(Bucket=name)
    try:
        first = s3.list_buckets(Prefix=stem, MaxBuckets=2)
        assert [b["Name"] for b in first["Buckets"]] == names[:2]
        assert first["Prefix"] == stem and first["ContinuationToken"]
        seen = []
        for page in s3.get_paginator("list_buckets").paginate(Prefix=stem, PaginationConfig={"PageSize": 2}):
            seen += [b["Name"] for b in page["Buckets"]]
        assert seen == names
        last = s3.list_buckets(Prefix=stem, MaxBuckets=5)
        assert [b["Name"] for b in last["Buckets"]] == names and "ContinuationToken" not in last
        assert [b["Name"] for b in s3.list_buckets(Prefix=stem, BucketRegion="eu-west-1")["Buckets"]] == []
        # Without paging parameters every bucket is listed, as before.
        assert set(names) <= {b["Name"] for b in s3.list_buckets()["Buckets"]}
    finally:
        for name in names:
            s3.delete_bucket(Bucket=name)


def test_list_buckets_max_buckets_is_checked(endpoint):
    # botocore refuses these before sending: raw requests as other clients send them.
    response = signed_get(endpoint, "/?max-buckets=abc")
    assert response.status_code == 400
    root = ET.fromstring(response.content)
    assert root.findtext("Code") == "InvalidArgument"
    assert root.findtext("Message") == "Provided max-buckets not an integer or within integer range"
    for bad in ("0", "10001"):
        response = signed_get(endpoint, f"/?max-buckets={bad}")
        assert response.status_code == 400
        root = ET.fromstring(response.content)
        assert root.findtext("Code") == "InvalidArgument" and root.findtext("ArgumentName") == "max-buckets"


def test_part_number_reads_one_part(s3, bucket):
    from botocore.exceptions import ClientError

    first, second = b"a" * (5 * 1024 * 1024), b"tail bytes"
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mp")
    parts = [s3.upload_part(Bucket=bucket, Key="mp", UploadId=upload["UploadId"], PartNumber=n, Body=data)["ETag"]
             for n, data in ((1, first), (2, second))]
    s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=upload["UploadId"], MultipartUpload={
        "Parts": [{"PartNumber": n + 1, "ETag": etag} for n, etag in enumerate(parts)]})
    got = s3.get_object(Bucket=bucket, Key="mp", PartNumber=2)
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert got["Body"].read() == second and got["PartsCount"] == 2
    assert got["ContentRange"] == f"bytes {len(first)}-{len(first) + len(second) - 1}/{len(first) + len(second)}"
    head = s3.head_object(Bucket=bucket, Key="mp", PartNumber=1)
    assert head["ContentLength"] == len(first) and head["PartsCount"] == 2
    assert head["ResponseMetadata"]["HTTPStatusCode"] == 206
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=bucket, Key="mp", PartNumber=3)
    response = excinfo.value.response
    assert (response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]) == (
        "InvalidPartNumber", "The requested partnumber is not satisfiable", 416)
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=bucket, Key="mp", PartNumber=1, Range="bytes=0-1")
    response = excinfo.value.response
    assert (response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]) == (
        "InvalidRequest", "Cannot specify both Range header and partNumber query parameter", 400)
    # An object uploaded in one piece is its own part 1.
    s3.put_object(Bucket=bucket, Key="single", Body=b"whole")
    single = s3.get_object(Bucket=bucket, Key="single", PartNumber=1)
    assert single["Body"].read() == b"whole" and "PartsCount" not in single
    with pytest.raises(ClientError) as excinfo:
        s3.head_object(Bucket=bucket, Key="single", PartNumber=2)
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 416


def test_part_number_out_of_range(endpoint, s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    response = signed_get(endpoint, f"/{bucket}/k?partNumber=10001")
    assert response.status_code == 400
    root = ET.fromstring(response.content)
    assert root.findtext("Code") == "InvalidArgument"
    assert root.findtext("Message") == "Part number must be an integer between 1 and 10000, inclusive"
    assert root.findtext("ArgumentName") == "partNumber" and root.findtext("ArgumentValue") == "10001"
