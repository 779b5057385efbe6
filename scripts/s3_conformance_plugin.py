"""pytest plugin for scripts/s3-conformance: after each test of the third-party suite, empty and delete the S3
buckets that test created on the emulator (every version, delete marker and unfinished multipart upload first), so
tests that reuse bucket names start clean; buckets that existed before the test (a class's shared buckets, the
stack's own) are left alone. moto's suite resets its own server through moto's /moto-api/reset, which is moto's,
not AWS's."""

import os

import boto3
import pytest


def _client():
    return boto3.client("s3", endpoint_url=os.environ["TEST_SERVER_MODE_ENDPOINT"], region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test")


def _buckets(client):
    try:
        return {bucket["Name"] for bucket in client.list_buckets().get("Buckets", [])}
    except Exception:
        return set()


def _empty_and_delete(client, name):
    try:
        for page in client.get_paginator("list_object_versions").paginate(Bucket=name):
            entries = page.get("Versions", []) + page.get("DeleteMarkers", [])
            objects = [{"Key": entry["Key"], "VersionId": entry["VersionId"]} for entry in entries]
            if objects:
                client.delete_objects(Bucket=name, Delete={"Objects": objects, "Quiet": True})
        for page in client.get_paginator("list_multipart_uploads").paginate(Bucket=name):
            for upload in page.get("Uploads", []):
                client.abort_multipart_upload(Bucket=name, Key=upload["Key"], UploadId=upload["UploadId"])
    except Exception:
        pass
    try:
        client.delete_bucket(Bucket=name)
    except Exception:
        pass


@pytest.fixture(autouse=True)
def _delete_buckets_the_test_created():
    client = _client()
    before = _buckets(client)
    yield
    for name in _buckets(client) - before:
        _empty_and_delete(client, name)
