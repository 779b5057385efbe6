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
