"""S3 wire details clients depend on, against the real emulator with boto3 and raw signed requests: an empty
Delimiter, lifecycle rules sent without an ID, ListBuckets paging, encoding-type=url, metadata outside US-ASCII,
lifecycle dates, CORS forms, conditional and re-sent multipart completions, copy ranges, signature edge cases and
the body framings (aws-chunked with another content encoding, chunked transfer encoding).

Expected behaviour is S3's: status codes, error codes and message texts as S3 sends them.
"""

import base64
import gzip
import hashlib
import http.client
import uuid
from datetime import datetime, timezone
from email.utils import formatdate
from urllib.parse import urlsplit
import xml.etree.ElementTree as ET

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from conftest import ACCESS_KEY, REGION, SECRET_KEY

NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"


def signed_get(endpoint, path, headers=None):
    request = AWSRequest(method="GET", url=f"{endpoint}{path}", headers={"x-amz-content-sha256": hashlib.sha256(b"").hexdigest()})
    SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "s3", REGION).add_auth(request)
    prepared = request.prepare()
    return requests.get(prepared.url, headers={**dict(prepared.headers), **(headers or {})}, timeout=30)


def signed_put(s3, bucket, subresource, body):
    """A configuration document PUT as raw bytes (botocore validates what it sends), signed with SigV4."""
    endpoint = s3.meta.endpoint_url
    md5 = base64.b64encode(hashlib.md5(body).digest()).decode()
    request = AWSRequest(method="PUT", url=f"{endpoint}/{bucket}?{subresource}", data=body,
                         headers={"x-amz-content-sha256": hashlib.sha256(body).hexdigest(), "Content-MD5": md5})
    SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "s3", REGION).add_auth(request)
    prepared = request.prepare()
    return requests.put(prepared.url, headers=dict(prepared.headers), data=body, timeout=30)


def signed_raw_put(endpoint, path, body, headers):
    """A PUT signed by botocore and sent with http.client, header values as UTF-8 bytes (requests would send latin-1)."""
    request = AWSRequest(method="PUT", url=f"{endpoint}{path}", data=body,
                         headers={"x-amz-content-sha256": hashlib.sha256(body).hexdigest(), **headers})
    SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "s3", REGION).add_auth(request)
    prepared = request.prepare()
    parts = urlsplit(endpoint)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    connection.putrequest("PUT", path, skip_accept_encoding=True)
    for name, value in prepared.headers.items():
        connection.putheader(name, value.encode("utf-8") if isinstance(value, str) else value)
    connection.endheaders(body)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


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


# --------------------------------------------------------------------------- encoding-type=url


def test_encoding_type_url_encodes_as_s3_does(s3, bucket, endpoint):
    # Measured on S3: form encoding (space as '+', '+' as %2B), '/' kept, UTF-8 bytes as %XX. botocore decodes these
    # elements with unquote_plus, so boto3 callers get the stored keys back.
    keys = {"a b.txt": "a+b.txt", "a+b.txt": "a%2Bb.txt", "100%.csv": "100%25.csv", "(test)": "%28test%29",
            "한글/x.txt": "%ED%95%9C%EA%B8%80/x.txt"}
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    root = ET.fromstring(signed_get(endpoint, f"/{bucket}?list-type=2&encoding-type=url").content)
    assert root.findtext(NS + "EncodingType") == "url"
    assert sorted(c.findtext(NS + "Key") for c in root.findall(NS + "Contents")) == sorted(keys.values())
    assert sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]) == sorted(keys)
    # ListMultipartUploads encodes its keys, prefixes and markers the same way when asked.
    uploads = [s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"] for key in ("dir one/a+b", "dir one/c")]
    try:
        root = ET.fromstring(signed_get(endpoint, f"/{bucket}?uploads&encoding-type=url&prefix=dir%20one%2F").content)
        assert root.findtext(NS + "EncodingType") == "url"
        assert root.findtext(NS + "Prefix") == "dir+one/"
        assert [u.findtext(NS + "Key") for u in root.findall(NS + "Upload")] == ["dir+one/a%2Bb", "dir+one/c"]
        assert root.findtext(NS + "NextKeyMarker") == "dir+one/c"
        root = ET.fromstring(signed_get(endpoint, f"/{bucket}?uploads&encoding-type=url&delimiter=%20").content)
        assert [p.findtext(NS + "Prefix") for p in root.findall(NS + "CommonPrefixes")] == ["dir+"]
        assert root.findtext(NS + "Delimiter") == "+"
        response = signed_get(endpoint, f"/{bucket}?uploads&encoding-type=base64")
        assert response.status_code == 400
        root = ET.fromstring(response.content)
        assert (root.findtext("Code"), root.findtext("Message"), root.findtext("ArgumentValue")) == (
            "InvalidArgument", "Invalid Encoding Method specified in Request", "base64")
    finally:
        for key, upload in zip(("dir one/a+b", "dir one/c"), uploads):
            s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload)


# --------------------------------------------------------------------------- metadata outside US-ASCII


def test_non_ascii_metadata_round_trips_as_rfc_2047(s3, bucket, endpoint):
    from email.header import decode_header

    def decoded(value):
        return "".join(part.decode(charset) if isinstance(part, bytes) else part for part, charset in decode_header(value))

    text = "Grüße 中文"
    encoded = "=?UTF-8?B?" + base64.b64encode(text.encode()).decode() + "?="
    # boto3 refuses non-ASCII metadata, so its callers send RFC 2047 words; S3 decodes them before storing.
    s3.put_object(Bucket=bucket, Key="b", Body=b"x", Metadata={"title": encoded, "plain": "ascii only"})
    head = s3.head_object(Bucket=bucket, Key="b")
    assert head["Metadata"] == {"title": encoded, "plain": "ascii only"}
    # A Q-encoded word is decoded too, and comes back B-encoded.
    s3.put_object(Bucket=bucket, Key="q", Body=b"x", Metadata={"title": "=?UTF-8?Q?caf=C3=A9_au_lait?="})
    got = s3.get_object(Bucket=bucket, Key="q")["Metadata"]["title"]
    assert got == "=?UTF-8?B?" + base64.b64encode("café au lait".encode()).decode() + "?=" and decoded(got) == "café au lait"
    # Raw UTF-8 bytes in the header (curl, browsers' fetch) are stored and returned RFC 2047-encoded as well.
    response = signed_raw_put(endpoint, f"/{bucket}/raw", b"x", {"x-amz-meta-title": text})
    assert response.status == 200, response.read()
    head = s3.head_object(Bucket=bucket, Key="raw")
    assert head["Metadata"]["title"] == encoded and decoded(head["Metadata"]["title"]) == text


# --------------------------------------------------------------------------- lifecycle dates


@pytest.mark.parametrize("date", ["2030-01-01T10:00:00Z", "2030-01-01T00:00:01Z", "2030-01-01T00:00:00+01:00", "not a date"])
def test_lifecycle_date_must_be_midnight_gmt(s3, bucket, date):
    from botocore.exceptions import ClientError

    body = (f"<LifecycleConfiguration><Rule><ID>r</ID><Filter><Prefix></Prefix></Filter><Status>Enabled</Status>"
            f"<Expiration><Date>{date}</Date></Expiration></Rule></LifecycleConfiguration>").encode()
    for configuration in (body, body.replace(b"<Expiration>", b"<Transition><StorageClass>GLACIER</StorageClass>")
                          .replace(b"</Expiration>", b"</Transition>")):
        response = signed_put(s3, bucket, "lifecycle", configuration)
        assert response.status_code == 400, response.text
        root = ET.fromstring(response.content)
        assert (root.findtext("Code"), root.findtext("Message")) == ("InvalidArgument", "'Date' must be at midnight GMT")
    with pytest.raises(ClientError):
        s3.get_bucket_lifecycle_configuration(Bucket=bucket)
    midnight = body.replace(date.encode(), b"2030-01-01T00:00:00.000Z")
    assert signed_put(s3, bucket, "lifecycle", midnight).status_code == 200


# --------------------------------------------------------------------------- CORS


def test_cors_wildcards_are_limited_to_one(s3, bucket):
    from botocore.exceptions import ClientError

    for rule, message in (({"AllowedOrigins": ["http://*.*.example.com"], "AllowedMethods": ["GET"]},
                           'AllowedOrigin "http://*.*.example.com" can not have more than one wildcard.'),
                          ({"AllowedOrigins": ["*"], "AllowedMethods": ["GET"], "AllowedHeaders": ["x-*-*"]},
                           'AllowedHeader "x-*-*" can not have more than one wildcard.')):
        with pytest.raises(ClientError) as excinfo:
            s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [rule]})
        error = excinfo.value.response
        assert (error["Error"]["Code"], error["Error"]["Message"], error["ResponseMetadata"]["HTTPStatusCode"]) == (
            "InvalidRequest", message, 400)


def test_cors_origin_forms_on_answers_and_errors(s3, bucket, endpoint):
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [
        {"AllowedOrigins": ["https://app.example.com"], "AllowedMethods": ["PUT"], "AllowedHeaders": ["*"]},
        {"AllowedOrigins": ["http://*.example.com"], "AllowedMethods": ["GET", "HEAD"], "ExposeHeaders": ["ETag"]},
        {"AllowedOrigins": ["*"], "AllowedMethods": ["DELETE"]}]})
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    vary = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"
    cases = [  # (origin, preflight method, Allow-Origin, credentials)
        ("https://app.example.com", "PUT", "https://app.example.com", "true"),
        ("http://a.b.example.com", "GET", "http://a.b.example.com", "true"),
        ("https://elsewhere.test", "DELETE", "*", None)]
    for origin, method, allowed, credentials in cases:
        preflight = requests.options(f"{endpoint}/{bucket}/k", headers={
            "Origin": origin, "Access-Control-Request-Method": method, "Access-Control-Request-Headers": "X-Amz-Date"}, timeout=10)
        if method != "PUT":
            assert preflight.status_code == 403  # only the first rule allows request headers
            preflight = requests.options(f"{endpoint}/{bucket}/k", headers={"Origin": origin, "Access-Control-Request-Method": method},
                                         timeout=10)
        else:
            assert preflight.headers["Access-Control-Allow-Headers"] == "x-amz-date"
        assert preflight.status_code == 200, (origin, preflight.text)
        assert preflight.headers["Access-Control-Allow-Origin"] == allowed
        assert preflight.headers.get("Access-Control-Allow-Credentials") == credentials
        assert preflight.headers["Vary"] == vary
    # The actual request gets the headers too, and so does an error answer, which a browser can then read.
    got = signed_get(endpoint, f"/{bucket}/k", headers={"Origin": "http://www.example.com"})
    assert got.status_code == 200
    assert (got.headers["Access-Control-Allow-Origin"], got.headers["Access-Control-Expose-Headers"], got.headers["Vary"]) == (
        "http://www.example.com", "ETag", vary)
    missing = signed_get(endpoint, f"/{bucket}/missing", headers={"Origin": "http://www.example.com"})
    assert missing.status_code == 404
    assert ET.fromstring(missing.content).findtext("Code") == "NoSuchKey"
    assert missing.headers["Access-Control-Allow-Origin"] == "http://www.example.com"
    assert missing.headers["Vary"] == vary
    # An origin no rule names gets no CORS headers.
    other = signed_get(endpoint, f"/{bucket}/k", headers={"Origin": "http://example.org"})
    assert other.status_code == 200 and "Access-Control-Allow-Origin" not in other.headers


# --------------------------------------------------------------------------- multipart: re-sent completions, copy ranges


def client_error(call):
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError) as excinfo:
        call()
    response = excinfo.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


def test_resent_parts_and_resent_completion(s3, bucket):
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
    first = s3.upload_part(Bucket=bucket, Key="mp", UploadId=upload, PartNumber=1, Body=b"a" * (5 * 1024 * 1024))["ETag"]
    # The part is sent again (a retried UploadPart with other bytes): the last one counts.
    again = s3.upload_part(Bucket=bucket, Key="mp", UploadId=upload, PartNumber=1, Body=b"b" * (5 * 1024 * 1024))["ETag"]
    tail = s3.upload_part(Bucket=bucket, Key="mp", UploadId=upload, PartNumber=2, Body=b"tail")["ETag"]
    stale = {"Parts": [{"PartNumber": 1, "ETag": first}, {"PartNumber": 2, "ETag": tail}]}
    code, message, status = client_error(lambda: s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=upload, MultipartUpload=stale))
    assert (code, status) == ("InvalidPart", 400) and message.startswith("One or more of the specified parts could not be found.")
    parts = {"Parts": [{"PartNumber": 1, "ETag": again}, {"PartNumber": 2, "ETag": tail}]}
    done = s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=upload, MultipartUpload=parts)
    # The completion is sent again (the client lost the answer): S3 answers with the same result.
    resent = s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=upload, MultipartUpload=parts)
    assert resent["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert (resent["ETag"], resent["Key"], resent["Bucket"]) == (done["ETag"], "mp", bucket)
    assert s3.get_object(Bucket=bucket, Key="mp")["Body"].read() == b"b" * (5 * 1024 * 1024) + b"tail"
    # Other parts, or an object replaced since, are not that completion any more.
    assert client_error(lambda: s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=upload, MultipartUpload=stale)) == (
        "NoSuchUpload",
        "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
        404)
    s3.put_object(Bucket=bucket, Key="mp", Body=b"replaced")
    assert client_error(lambda: s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=upload, MultipartUpload=parts))[0] == "NoSuchUpload"


@pytest.mark.parametrize("header, message", [
    ("bytes=0-5", "Range specified is not valid for source object of size: 5"),
    ("bytes=5-9", "Range specified is not valid for source object of size: 5"),
    ("bytes=0-", "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based "
                 "offsets of the first and last bytes to copy"),
    ("bytes=3-1", "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based "
                  "offsets of the first and last bytes to copy"),
])
def test_copy_source_ranges_outside_the_source(s3, bucket, header, message):
    s3.put_object(Bucket=bucket, Key="src", Body=b"12345")
    upload = s3.create_multipart_upload(Bucket=bucket, Key="dst")["UploadId"]
    try:
        error = client_error(lambda: s3.upload_part_copy(Bucket=bucket, Key="dst", UploadId=upload, PartNumber=1,
                                                         CopySource={"Bucket": bucket, "Key": "src"}, CopySourceRange=header))
        assert error == ("InvalidArgument", message, 400)
        copied = s3.upload_part_copy(Bucket=bucket, Key="dst", UploadId=upload, PartNumber=1,
                                     CopySource={"Bucket": bucket, "Key": "src"}, CopySourceRange="bytes=1-4")
        assert copied["CopyPartResult"]["ETag"] == '"' + hashlib.md5(b"2345").hexdigest() + '"'
    finally:
        s3.abort_multipart_upload(Bucket=bucket, Key="dst", UploadId=upload)


# --------------------------------------------------------------------------- signatures


def raw_request(endpoint, method, path, headers, body=b"", chunks=None):
    """Sends bytes exactly as given with http.client; `chunks` sends the body with Transfer-Encoding: chunked."""
    parts = urlsplit(endpoint)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    connection.putrequest(method, path, skip_accept_encoding=True)
    for name, value in headers.items():
        connection.putheader(name, value)
    if chunks is None:
        connection.endheaders(body)
    else:
        connection.putheader("Transfer-Encoding", "chunked")
        connection.endheaders()
        for chunk in chunks:
            connection.send(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
        connection.send(b"0\r\n\r\n")
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, response.headers, data


def sigv4_headers(endpoint, method, path, headers):
    request = AWSRequest(method=method, url=f"{endpoint}{path}", headers=headers)
    SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "s3", REGION).add_auth(request)
    prepared = dict(request.prepare().headers)
    prepared.pop("Content-Length", None)
    return prepared


def test_empty_authorization_is_an_anonymous_request(s3, bucket, endpoint):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    for method, path in (("GET", f"/{bucket}/k"), ("PUT", f"/{bucket}/new"), ("GET", "/")):
        for authorization in ("", "   "):
            status, _, body = raw_request(endpoint, method, path, {"Authorization": authorization})
            root = ET.fromstring(body)
            assert (status, root.findtext("Code"), root.findtext("Message")) == (403, "AccessDenied", "Access Denied"), (method, path)
    # Missing altogether: the same anonymous answer; a bucket that does not exist is 404 NoSuchBucket.
    status, _, body = raw_request(endpoint, "GET", f"/{bucket}/k", {})
    assert (status, ET.fromstring(body).findtext("Code")) == (403, "AccessDenied")
    status, _, body = raw_request(endpoint, "GET", f"/no-such-{bucket}", {"Authorization": ""})
    assert (status, ET.fromstring(body).findtext("Code")) == (404, "NoSuchBucket")


def test_x_amz_date_wins_over_date(s3, bucket, endpoint):
    s3.put_object(Bucket=bucket, Key="k", Body=b"dated")
    empty = hashlib.sha256(b"").hexdigest()
    headers = sigv4_headers(endpoint, "GET", f"/{bucket}/k", {"x-amz-content-sha256": empty})
    # A stale (unsigned) Date beside a signed X-Amz-Date: X-Amz-Date is the request time.
    status, _, body = raw_request(endpoint, "GET", f"/{bucket}/k", {**headers, "Date": "Thu, 01 Jan 2015 00:00:00 GMT"})
    assert (status, body) == (200, b"dated")
    # Only Date (no X-Amz-Date), signed: it is the request time.

    class DateOnlyAuth(SigV4Auth):
        def _modify_request_before_signing(self, request):
            super()._modify_request_before_signing(request)
            del request.headers["X-Amz-Date"]
            moment = datetime.strptime(request.context["timestamp"], "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
            request.headers["Date"] = formatdate(moment.timestamp(), usegmt=True)

    request = AWSRequest(method="GET", url=f"{endpoint}/{bucket}/k", headers={"x-amz-content-sha256": empty})
    DateOnlyAuth(Credentials(ACCESS_KEY, SECRET_KEY), "s3", REGION).add_auth(request)
    headers = dict(request.prepare().headers)
    assert "date" in headers["Authorization"] and "X-Amz-Date" not in headers
    status, _, body = raw_request(endpoint, "GET", f"/{bucket}/k", headers)
    assert (status, body) == (200, b"dated")


# --------------------------------------------------------------------------- body framings


def test_aws_chunked_with_gzip_and_chunked_transfer_encoding(s3, bucket, endpoint):
    payload = gzip.compress(b"zipped payload")
    framed = b"%x\r\n" % len(payload) + payload + b"\r\n0\r\n\r\n"
    headers = sigv4_headers(endpoint, "PUT", f"/{bucket}/gz", {
        "Content-Encoding": "aws-chunked,gzip", "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        "x-amz-decoded-content-length": str(len(payload))})
    status, _, body = raw_request(endpoint, "PUT", f"/{bucket}/gz", {**headers, "Content-Length": str(len(framed))}, framed)
    assert status == 200, body
    got = s3.get_object(Bucket=bucket, Key="gz")
    assert got["ContentEncoding"] == "gzip" and got["ContentLength"] == len(payload)
    assert gzip.decompress(got["Body"].read()) == b"zipped payload"
    # Chunked transfer encoding without Content-Length: aws-chunked with x-amz-decoded-content-length is streamed in.
    inner = b"streamed without a length" * 1000
    framed = b"%x\r\n" % len(inner) + inner + b"\r\n0\r\n\r\n"
    headers = sigv4_headers(endpoint, "PUT", f"/{bucket}/te", {
        "Content-Encoding": "aws-chunked", "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        "x-amz-decoded-content-length": str(len(inner))})
    status, _, body = raw_request(endpoint, "PUT", f"/{bucket}/te", headers, chunks=[framed[:7], framed[7:5000], framed[5000:]])
    assert status == 200, body
    assert s3.get_object(Bucket=bucket, Key="te")["Body"].read() == inner
    # A plain body of unknown length is refused as S3 refuses it.
    headers = sigv4_headers(endpoint, "PUT", f"/{bucket}/plain", {"x-amz-content-sha256": "UNSIGNED-PAYLOAD"})
    status, _, body = raw_request(endpoint, "PUT", f"/{bucket}/plain", headers, chunks=[b"abc"])
    root = ET.fromstring(body)
    assert (status, root.findtext("Code"), root.findtext("Message")) == (
        411, "MissingContentLength", "You must provide the Content-Length HTTP header.")


def test_lifecycle_transitions_are_kept(s3, bucket):
    date = datetime(2030, 1, 1, tzinfo=timezone.utc)
    rules = [{"ID": "tiers", "Status": "Enabled", "Filter": {"Prefix": "logs/"},
              "Transitions": [{"Days": 30, "StorageClass": "STANDARD_IA"}, {"Days": 90, "StorageClass": "GLACIER"}],
              "NoncurrentVersionTransitions": [{"NoncurrentDays": 7, "StorageClass": "GLACIER", "NewerNoncurrentVersions": 2}]},
             {"ID": "on-date", "Status": "Enabled", "Filter": {"Prefix": "old/"}, "Transitions": [{"Date": date, "StorageClass": "DEEP_ARCHIVE"}]}]
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": rules})
    got = {rule["ID"]: rule for rule in s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]}
    assert got["tiers"]["Transitions"] == rules[0]["Transitions"]
    assert got["tiers"]["NoncurrentVersionTransitions"] == rules[0]["NoncurrentVersionTransitions"]
    assert got["on-date"]["Transitions"] == [{"Date": date, "StorageClass": "DEEP_ARCHIVE"}]


# --------------------------------------------------------------------------- found by moto's suite (aws_verified cases)


def test_listing_tagging_details(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    # An empty continuation token is not a token.
    assert client_error(lambda: s3.list_objects_v2(Bucket=bucket, ContinuationToken="")) == (
        "InvalidArgument", "The continuation token provided is incorrect", 400)
    # A continuation token takes precedence over StartAfter, which is then not echoed.
    for key in ("one", "three", "two"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    first = s3.list_objects_v2(Bucket=bucket, MaxKeys=1, StartAfter="one")
    assert (first["StartAfter"], [o["Key"] for o in first["Contents"]]) == ("one", ["three"])
    second = s3.list_objects_v2(Bucket=bucket, MaxKeys=1, StartAfter="one", ContinuationToken=first["NextContinuationToken"])
    assert [o["Key"] for o in second["Contents"]] == ["two"] and "StartAfter" not in second
    # More than ten object tags: BadRequest, as S3 words it.
    tags = {"TagSet": [{"Key": f"k{index}", "Value": "v"} for index in range(11)]}
    assert client_error(lambda: s3.put_object_tagging(Bucket=bucket, Key="k", Tagging=tags)) == (
        "BadRequest", "Object tags cannot be greater than 10", 400)
    # A bucket whose tag set was put empty has no tag set.
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "a", "Value": "b"}]})
    assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == [{"Key": "a", "Value": "b"}]
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": []})
    assert client_error(lambda: s3.get_bucket_tagging(Bucket=bucket)) == ("NoSuchTagSet", "The TagSet does not exist", 404)


# --------------------------------------------------------------------------- found by moto's suite, second pass


def test_delete_object_if_match(s3, bucket):
    """Conditional deletes (S3 general purpose buckets since September 2025): If-Match on the current version."""
    etag = s3.put_object(Bucket=bucket, Key="k", Body=b"test")["ETag"]
    error = client_error(lambda: s3.delete_object(Bucket=bucket, Key="k", IfMatch='"0123"'))
    assert error == ("PreconditionFailed", "At least one of the pre-conditions you specified did not hold", 412)
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"test"
    s3.delete_object(Bucket=bucket, Key="k", IfMatch=etag)
    assert client_error(lambda: s3.head_object(Bucket=bucket, Key="k"))[2] == 404
    assert client_error(lambda: s3.delete_object(Bucket=bucket, Key="k", IfMatch="*")) == (
        "NoSuchKey", "The specified key does not exist.", 404)
    # DeleteObjects: the <ETag> of each object.
    first = s3.put_object(Bucket=bucket, Key="a", Body=b"a")["ETag"]
    s3.put_object(Bucket=bucket, Key="b", Body=b"b")
    result = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "a", "ETag": first}, {"Key": "b", "ETag": '"0123"'}]})
    assert [entry["Key"] for entry in result.get("Deleted", [])] == ["a"]
    assert [(entry["Key"], entry["Code"]) for entry in result["Errors"]] == [("b", "PreconditionFailed")]
    assert s3.get_object(Bucket=bucket, Key="b")["Body"].read() == b"b"


def test_delete_object_if_match_in_a_versioned_bucket_adds_a_marker(s3):
    from conftest import drop_s3_bucket

    name = f"wire-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    try:
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        etag = s3.put_object(Bucket=name, Key="k", Body=b"v1")["ETag"]
        assert client_error(lambda: s3.delete_object(Bucket=name, Key="k", IfMatch='"0123"'))[0] == "PreconditionFailed"
        response = s3.delete_object(Bucket=name, Key="k", IfMatch=etag)
        assert response["DeleteMarker"] is True and response["VersionId"]
        versions = s3.list_object_versions(Bucket=name)
        assert len(versions["Versions"]) == 1 and len(versions["DeleteMarkers"]) == 1
    finally:
        drop_s3_bucket(s3, name)


def test_head_bucket_is_labelled_xml(s3, bucket):
    headers = s3.head_bucket(Bucket=bucket)["ResponseMetadata"]["HTTPHeaders"]
    assert headers["content-type"] == "application/xml"


def test_tagging_header_with_a_system_key(s3, bucket):
    assert client_error(lambda: s3.put_object(Bucket=bucket, Key="k", Body=b"x", Tagging="aws:foo=bar")) == (
        "InvalidTag", "Your TagKey cannot be prefixed with aws:", 400)
    # The tagging bodies keep their own text.
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    tags = {"TagSet": [{"Key": "aws:foo", "Value": "bar"}]}
    assert client_error(lambda: s3.put_object_tagging(Bucket=bucket, Key="k", Tagging=tags)) == (
        "InvalidTag", "System tags cannot be added/updated by requester", 400)


def test_create_bucket_owned_in_another_region(boto_session, endpoint, s3):
    from conftest import client_config

    name = f"wire-{uuid.uuid4().hex[:12]}"
    north = boto_session.client("s3", endpoint_url=endpoint, region_name="eu-north-1", config=client_config())
    north.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-north-1"})
    try:
        # us-east-1 answers 200 only for a bucket one owns in us-east-1.
        error = client_error(lambda: s3.create_bucket(Bucket=name))
        assert error == ("BucketAlreadyOwnedByYou", "Your previous request to create the named bucket succeeded and you already own it.", 409)
    finally:
        north.delete_bucket(Bucket=name)
    s3.create_bucket(Bucket=name)
    try:
        s3.create_bucket(Bucket=name)
    finally:
        s3.delete_bucket(Bucket=name)


def test_bucket_key_and_kms_key_id_are_returned(s3, bucket):
    put = s3.put_object(Bucket=bucket, Key="k", Body=b"x", ServerSideEncryption="aws:kms", SSEKMSKeyId="my-key",
                        BucketKeyEnabled=True)
    assert (put["ServerSideEncryption"], put["SSEKMSKeyId"], put["BucketKeyEnabled"]) == ("aws:kms", "my-key", True)
    got = s3.get_object(Bucket=bucket, Key="k")
    assert (got["ServerSideEncryption"], got["SSEKMSKeyId"], got["BucketKeyEnabled"]) == ("aws:kms", "my-key", True)
    # SSE-S3 has no bucket key.
    plain = s3.put_object(Bucket=bucket, Key="p", Body=b"x")
    assert plain["ServerSideEncryption"] == "AES256" and "BucketKeyEnabled" not in plain
    # The multipart operations report the upload's KMS key.
    created = s3.create_multipart_upload(Bucket=bucket, Key="m", ServerSideEncryption="aws:kms", SSEKMSKeyId="my-key",
                                         ChecksumAlgorithm="SHA256")
    assert (created["ServerSideEncryption"], created["SSEKMSKeyId"]) == ("aws:kms", "my-key")
    part = s3.upload_part(Bucket=bucket, Key="m", UploadId=created["UploadId"], PartNumber=1, Body=b"part",
                          ChecksumAlgorithm="SHA256")
    assert (part["ServerSideEncryption"], part["SSEKMSKeyId"]) == ("aws:kms", "my-key")
    uploads = s3.list_multipart_uploads(Bucket=bucket)["Uploads"]
    assert [(u["Key"], u["ChecksumAlgorithm"], u["ChecksumType"]) for u in uploads] == [("m", "SHA256", "COMPOSITE")]
    s3.abort_multipart_upload(Bucket=bucket, Key="m", UploadId=created["UploadId"])


def test_lifecycle_filter_and_excludes_other_members(s3, bucket):
    rule = {"ID": "r", "Status": "Enabled", "Expiration": {"Days": 1},
            "Filter": {"Tag": {"Key": "a", "Value": "b"},
                       "And": {"Prefix": "p/", "Tags": [{"Key": "a", "Value": "b"}, {"Key": "c", "Value": "d"}]}}}
    assert client_error(lambda: s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [rule]})) == (
        "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema", 400)


def test_unknown_object_ownership_names_the_value(s3):
    name = f"wire-{uuid.uuid4().hex[:12]}"
    error = client_error(lambda: s3.create_bucket(Bucket=name, ObjectOwnership="RandomValue"))
    assert error == ("InvalidArgument", "Invalid x-amz-object-ownership header: RandomValue", 400)


def test_part_checksum_must_use_the_uploads_algorithm(s3, bucket):
    upload = s3.create_multipart_upload(Bucket=bucket, Key="m", ChecksumAlgorithm="SHA256")["UploadId"]
    try:
        error = client_error(lambda: s3.upload_part(Bucket=bucket, Key="m", UploadId=upload, PartNumber=1, Body=b"part",
                                                    ChecksumAlgorithm="CRC32"))
        assert error == ("InvalidRequest", "Checksum Type mismatch occurred, expected checksum Type: sha256, actual checksum Type: crc32", 400)
        part = s3.upload_part(Bucket=bucket, Key="m", UploadId=upload, PartNumber=1, Body=b"part", ChecksumAlgorithm="SHA256")
        assert part["ChecksumSHA256"]
    finally:
        s3.abort_multipart_upload(Bucket=bucket, Key="m", UploadId=upload)
