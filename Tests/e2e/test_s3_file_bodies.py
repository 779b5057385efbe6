"""Large S3 GET bodies: up to 2 MiB they are kept in memory once read (BodyCache), beyond that the edge port sends
them straight from the stored file (sendfile) and the TLS port reads them into buffers. Every way must hand over
exactly the object's bytes, for whole objects and ranges, one after another on a kept-alive connection, after an
overwrite or delete of a kept body, and while the object is overwritten and deleted under a body still being sent."""

import os
import uuid

import boto3
import pytest
import requests

from conftest import ACCESS_KEY, REGION, SECRET_KEY, client_config

SIZE = 300 * 1024 + 7


@pytest.fixture(scope="module")
def s3(client):
    return client("s3")


@pytest.fixture(scope="module")
def stored(s3):
    """A bucket with one object larger than the sendfile threshold (64 KiB), and its bytes."""
    bucket = f"file-bodies-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=bucket)
    data = os.urandom(SIZE)
    s3.put_object(Bucket=bucket, Key="large", Body=data)
    yield bucket, data
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            s3.delete_object(Bucket=bucket, Key=item["Key"])
    s3.delete_bucket(Bucket=bucket)


def test_whole_object_and_ranges_are_exact_on_one_connection(s3, stored):
    bucket, data = stored
    # One client, one kept-alive connection: large (sendfile) and small (buffered) bodies interleaved.
    for _ in range(3):
        whole = s3.get_object(Bucket=bucket, Key="large")
        assert whole["ContentLength"] == SIZE
        assert whole["Body"].read() == data
        small = s3.get_object(Bucket=bucket, Key="large", Range="bytes=10-19")
        assert small["Body"].read() == data[10:20]
    for spec, expected, content_range in [
        ("bytes=1000-200000", data[1000:200001], f"bytes 1000-200000/{SIZE}"),
        ("bytes=-100000", data[-100000:], f"bytes {SIZE - 100000}-{SIZE - 1}/{SIZE}"),
        ("bytes=70000-", data[70000:], f"bytes 70000-{SIZE - 1}/{SIZE}"),
        (f"bytes={SIZE - 65537}-{SIZE - 1}", data[-65537:], f"bytes {SIZE - 65537}-{SIZE - 1}/{SIZE}"),
    ]:
        part = s3.get_object(Bucket=bucket, Key="large", Range=spec)
        assert part["ResponseMetadata"]["HTTPStatusCode"] == 206
        assert part["ContentRange"] == content_range
        assert part["ContentLength"] == len(expected)
        assert part["Body"].read() == expected


def test_body_being_sent_survives_overwrite_and_delete(s3, stored):
    bucket, _ = stored
    original = os.urandom(16 * 1024 * 1024)
    s3.put_object(Bucket=bucket, Key="moving", Body=original)
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "moving"})
    with requests.get(url, stream=True, timeout=60) as response:
        assert response.status_code == 200
        chunks = response.iter_content(chunk_size=64 * 1024)
        received = bytearray(next(chunks))
        s3.put_object(Bucket=bucket, Key="moving", Body=b"replaced")
        s3.delete_object(Bucket=bucket, Key="moving")
        for chunk in chunks:
            received += chunk
    assert bytes(received) == original


def test_kept_bodies_follow_overwrites_deletes_and_versions(s3, stored):
    bucket, _ = stored
    first, second = os.urandom(200 * 1024), os.urandom(200 * 1024)
    s3.put_object(Bucket=bucket, Key="hot", Body=first)
    for _ in range(2):
        assert s3.get_object(Bucket=bucket, Key="hot")["Body"].read() == first
    s3.put_object(Bucket=bucket, Key="hot", Body=second)
    assert s3.get_object(Bucket=bucket, Key="hot")["Body"].read() == second
    assert s3.get_object(Bucket=bucket, Key="hot", Range="bytes=100-199")["Body"].read() == second[100:200]
    s3.delete_object(Bucket=bucket, Key="hot")
    with pytest.raises(s3.exceptions.NoSuchKey):
        s3.get_object(Bucket=bucket, Key="hot")

    versioned = f"file-bodies-v-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=versioned)
    s3.put_bucket_versioning(Bucket=versioned, VersioningConfiguration={"Status": "Enabled"})
    old = s3.put_object(Bucket=versioned, Key="hot", Body=first)["VersionId"]
    assert s3.get_object(Bucket=versioned, Key="hot")["Body"].read() == first
    new = s3.put_object(Bucket=versioned, Key="hot", Body=second)["VersionId"]
    assert s3.get_object(Bucket=versioned, Key="hot")["Body"].read() == second
    assert s3.get_object(Bucket=versioned, Key="hot", VersionId=old)["Body"].read() == first
    s3.delete_object(Bucket=versioned, Key="hot", VersionId=old)
    with pytest.raises(s3.exceptions.ClientError) as gone:
        s3.get_object(Bucket=versioned, Key="hot", VersionId=old)
    assert gone.value.response["Error"]["Code"] == "NoSuchVersion"
    assert s3.get_object(Bucket=versioned, Key="hot", VersionId=new)["Body"].read() == second
    s3.delete_object(Bucket=versioned, Key="hot", VersionId=new)
    s3.delete_bucket(Bucket=versioned)


def test_tls_port_sends_the_same_bytes(endpoint, stored):
    bucket, data = stored
    tls = requests.get(f"{endpoint}/_local/health", timeout=5).json()["tls"]
    session = boto3.Session(aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY, region_name=REGION)
    s3_tls = session.client("s3", endpoint_url=f"https://localhost:{tls['port']}", verify=tls["caBundlePath"],
                            config=client_config())
    for _ in range(2):
        assert s3_tls.get_object(Bucket=bucket, Key="large")["Body"].read() == data
    part = s3_tls.get_object(Bucket=bucket, Key="large", Range="bytes=5000-150000")
    assert part["Body"].read() == data[5000:150001]
