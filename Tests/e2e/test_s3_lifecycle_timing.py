"""S3 lifecycle timing on the virtual clock, as AWS documents it: an object created at T with `Days: N` expires at the
first midnight UTC after T + N days, the instant `x-amz-expiration` announces; an incomplete multipart upload is
aborted at the `x-amz-abort-date` it was given. One second before that midnight the object is still there, at it the
sweeper removes it.

"Amazon S3 calculates the time by adding the number of days specified in the rule to the object creation time and
rounding the resulting time to the next day midnight UTC" (Lifecycle configuration elements, Days).
"""

import time
import uuid
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest
from botocore.exceptions import ClientError


@pytest.fixture
def s3(client):
    return client("s3")


@pytest.fixture
def bucket(s3):
    name = f"timing-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    yield name
    for item in s3.list_objects_v2(Bucket=name).get("Contents", []):
        s3.delete_object(Bucket=name, Key=item["Key"])
    for upload in s3.list_multipart_uploads(Bucket=name).get("Uploads", []):
        s3.abort_multipart_upload(Bucket=name, Key=upload["Key"], UploadId=upload["UploadId"])
    s3.delete_bucket(Bucket=name)


def exists(s3, bucket, key):
    try:
        s3.head_object(Bucket=bucket, Key=key)
        return True
    except ClientError as error:
        assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 404
        return False


def wait_until(predicate, seconds=10):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def http_date(moment):
    return format_datetime(moment, usegmt=True)


def test_days_expire_at_the_first_midnight_after_creation_plus_days(s3, bucket, clock):
    day = (datetime.now(timezone.utc) + timedelta(days=2)).replace(hour=0, minute=0, second=0, microsecond=0)
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
        {"ID": "one-day", "Status": "Enabled", "Filter": {"Prefix": "t/"}, "Expiration": {"Days": 1}},
        {"ID": "abort", "Status": "Enabled", "Filter": {"Prefix": "u/"}, "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}}]})

    # A witness created a day earlier falls due at the first midnight, so its removal shows a sweep ran there.
    clock.set(day - timedelta(days=1) + timedelta(hours=10, minutes=30))
    s3.put_object(Bucket=bucket, Key="t/witness", Body=b"w")
    clock.set(day + timedelta(hours=10, minutes=30))
    put = s3.put_object(Bucket=bucket, Key="t/object", Body=b"x")
    midnight = day + timedelta(days=2)  # day 10:30 + 1 day = next day 10:30, rounded up to the midnight after
    assert put["Expiration"] == f'expiry-date="{http_date(midnight)}", rule-id="one-day"'
    upload = s3.create_multipart_upload(Bucket=bucket, Key="u/pending")
    assert upload["AbortDate"] == midnight and upload["AbortRuleId"] == "abort"

    clock.set(midnight - timedelta(seconds=1))
    assert wait_until(lambda: not exists(s3, bucket, "t/witness"))
    assert exists(s3, bucket, "t/object")
    assert [u["Key"] for u in s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])] == ["u/pending"]

    clock.set(midnight)
    assert wait_until(lambda: not exists(s3, bucket, "t/object"))
    assert wait_until(lambda: s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == [])
