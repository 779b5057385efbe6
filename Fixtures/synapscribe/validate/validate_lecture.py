"""SynapScribe lecture validation.

Triggered by S3 ``ObjectCreated`` notifications for keys under ``lectures/``. For each uploaded
object it checks the file extension, the stored content type and the size, then records the
lecture in the sessions table (sessionId ``lecture``) with status ``ready`` or ``invalid``.

Environment: ``S3_BUCKET``, ``DYNAMODB_TABLE``.
"""

import json
import os
import posixpath
import urllib.parse
from datetime import datetime, timezone

import boto3
from botocore.exceptions import ClientError

S3_BUCKET = os.environ["S3_BUCKET"]
DYNAMODB_TABLE = os.environ["DYNAMODB_TABLE"]

LECTURE_PREFIX = "lectures/"
LECTURE_SESSION_ID = "lecture"
MAX_SIZE_BYTES = 500 * 1024 * 1024

# Extension -> content types accepted for it (browsers and SDKs disagree on audio MIME types).
ALLOWED_CONTENT_TYPES = {
    ".mp3": {"audio/mpeg", "audio/mp3", "audio/mpeg3"},
    ".wav": {"audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave"},
    ".m4a": {"audio/mp4", "audio/m4a", "audio/x-m4a"},
    ".ogg": {"audio/ogg", "application/ogg"},
    ".webm": {"audio/webm", "video/webm"},
}
# Uploads without an explicit Content-Type are stored with one of these; the extension decides.
GENERIC_CONTENT_TYPES = {"binary/octet-stream", "application/octet-stream"}

s3 = boto3.client("s3")
dynamodb = boto3.resource("dynamodb")
table = dynamodb.Table(DYNAMODB_TABLE)


def log(level, message, **fields):
    """Write one structured (JSON) log line; Lambda forwards stdout to CloudWatch Logs."""
    print(json.dumps({"level": level, "message": message, **fields}, default=str), flush=True)


def to_iso(value):
    """Format a datetime as ISO 8601 UTC with a Z suffix."""
    return value.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def lecture_id_for(key):
    """``lectures/intro/week-1.mp3`` -> ``intro/week-1``."""
    relative = key[len(LECTURE_PREFIX):] if key.startswith(LECTURE_PREFIX) else key
    stem, _ = posixpath.splitext(relative)
    return stem or relative


def validate(key, content_type, size):
    """Return None when the object is an acceptable lecture, else the reason it is not."""
    extension = posixpath.splitext(key)[1].lower()
    if extension not in ALLOWED_CONTENT_TYPES:
        allowed = ", ".join(sorted(ALLOWED_CONTENT_TYPES))
        return f"Unsupported file extension '{extension or '(none)'}'; expected one of {allowed}"
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type not in ALLOWED_CONTENT_TYPES[extension] and media_type not in GENERIC_CONTENT_TYPES:
        return f"Content type '{content_type}' does not match extension '{extension}'"
    if size <= 0:
        return "File is empty"
    if size >= MAX_SIZE_BYTES:
        return f"File is {size} bytes; the limit is {MAX_SIZE_BYTES} bytes"
    return None


def process_record(record):
    """Validate one S3 notification record and write the lecture item."""
    bucket = record["s3"]["bucket"]["name"]
    key = urllib.parse.unquote_plus(record["s3"]["object"]["key"])
    lecture_id = lecture_id_for(key)
    if bucket != S3_BUCKET:
        log("WARNING", "notification for unexpected bucket", bucket=bucket, expected=S3_BUCKET)

    try:
        head = s3.head_object(Bucket=bucket, Key=key)
    except ClientError as error:
        code = error.response["Error"].get("Code")
        if code not in ("404", "NoSuchKey", "NotFound"):
            raise
        log("WARNING", "object disappeared before validation", bucket=bucket, key=key)
        head = None

    if head is None:
        content_type, size, uploaded_at, reason = None, 0, record.get("eventTime"), "Object not found"
    else:
        content_type = head.get("ContentType")
        size = int(head.get("ContentLength", 0))
        uploaded_at = to_iso(head["LastModified"]) if head.get("LastModified") else record.get("eventTime")
        reason = validate(key, content_type, size)

    status = "invalid" if reason else "ready"
    item = {
        "sessionId": LECTURE_SESSION_ID,
        "lectureId": lecture_id,
        "s3Bucket": bucket,
        "s3Key": key,
        "status": status,
        "size": size,
        "contentType": content_type or "unknown",
        "uploadedAt": uploaded_at or to_iso(datetime.now(timezone.utc)),
        "validatedAt": to_iso(datetime.now(timezone.utc)),
    }
    if head is not None and head.get("ETag"):
        item["eTag"] = head["ETag"].strip('"')
    if reason:
        item["reason"] = reason
    table.put_item(Item=item)

    log("INFO", "lecture validated", lectureId=lecture_id, key=key, status=status, reason=reason, size=size)
    result = {"lectureId": lecture_id, "key": key, "status": status}
    if reason:
        result["reason"] = reason
    return result


def lambda_handler(event, context):
    """Entry point for S3 ObjectCreated notifications."""
    records = event.get("Records") or []
    log("INFO", "validation started", records=len(records), requestId=getattr(context, "aws_request_id", None))
    results = [process_record(record) for record in records if record.get("eventSource") == "aws:s3"]
    summary = {
        "processed": len(results),
        "ready": sum(1 for result in results if result["status"] == "ready"),
        "invalid": sum(1 for result in results if result["status"] == "invalid"),
        "results": results,
    }
    log("INFO", "validation finished", **{k: v for k, v in summary.items() if k != "results"})
    return summary
