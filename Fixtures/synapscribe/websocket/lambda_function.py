"""SynapScribe WebSocket handler.

Serves the three routes of the SynapScribe WebSocket API:

* ``$connect``    records the connection as a session item in DynamoDB;
* ``$disconnect`` marks the connection's session items as disconnected;
* ``query``       forwards a question to AgentCore, streams its JSON-lines answer back to the
                  client frame by frame, then appends the Q&A turn to the session item.

Environment: ``S3_BUCKET``, ``DYNAMODB_TABLE``, ``AGENTCORE_ENDPOINT``.
"""

import json
import os
import time
import urllib.error
import urllib.request
from datetime import datetime, timezone

import boto3
from botocore.exceptions import ClientError

S3_BUCKET = os.environ["S3_BUCKET"]
DYNAMODB_TABLE = os.environ["DYNAMODB_TABLE"]
AGENTCORE_ENDPOINT = os.environ.get("AGENTCORE_ENDPOINT", "").rstrip("/")
AGENTCORE_TIMEOUT_SECONDS = float(os.environ.get("AGENTCORE_TIMEOUT_SECONDS", "840"))
SESSION_TTL_SECONDS = 7 * 24 * 60 * 60
MAX_QUESTION_LENGTH = 4000

# Created once per execution environment and reused across warm invocations.
s3 = boto3.client("s3")
dynamodb = boto3.resource("dynamodb")
table = dynamodb.Table(DYNAMODB_TABLE)


class ClientGoneError(Exception):
    """The WebSocket client disconnected while we were still sending to it."""


class AgentCoreError(Exception):
    """AgentCore answered with an error line or a malformed stream."""


def log(level, message, **fields):
    """Write one structured (JSON) log line; Lambda forwards stdout to CloudWatch Logs."""
    print(json.dumps({"level": level, "message": message, **fields}, default=str), flush=True)


def now_iso():
    """Current UTC time as ISO 8601 with millisecond precision and a Z suffix."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def lambda_handler(event, context):
    """Entry point: dispatch on the WebSocket route key."""
    request_context = event.get("requestContext") or {}
    route_key = request_context.get("routeKey")
    connection_id = request_context.get("connectionId")
    log("INFO", "websocket event", routeKey=route_key, connectionId=connection_id,
        requestId=getattr(context, "aws_request_id", None))

    if route_key == "$connect":
        return handle_connect(event, connection_id)
    if route_key == "$disconnect":
        return handle_disconnect(connection_id)
    if route_key == "query":
        return handle_query(event, request_context, connection_id)

    log("WARNING", "unsupported route", routeKey=route_key)
    return {"statusCode": 400, "body": json.dumps({"message": f"Unsupported route: {route_key}"})}


# --------------------------------------------------------------------------- $connect / $disconnect


def handle_connect(event, connection_id):
    """Record the new connection as a session (sessionId = connectionId)."""
    params = event.get("queryStringParameters") or {}
    lecture_id = params.get("lectureId") or "none"
    identity = (event.get("requestContext") or {}).get("identity") or {}
    item = {
        "sessionId": connection_id,
        "lectureId": lecture_id,
        "connectionId": connection_id,
        "status": "connected",
        "createdAt": now_iso(),
        "expiresAt": int(time.time()) + SESSION_TTL_SECONDS,
        "conversation": [],
        "totalTurns": 0,
    }
    if identity.get("sourceIp"):
        item["sourceIp"] = identity["sourceIp"]
    try:
        table.put_item(Item=item)
    except ClientError as error:
        log("ERROR", "failed to record connection", connectionId=connection_id,
            error=error.response["Error"].get("Code"))
        return {"statusCode": 500}
    log("INFO", "connected", connectionId=connection_id, lectureId=lecture_id)
    return {"statusCode": 200}


def handle_disconnect(connection_id):
    """Mark every session item of this connection as disconnected; history stays until TTL."""
    try:
        response = table.query(
            KeyConditionExpression="sessionId = :sid",
            ExpressionAttributeValues={":sid": connection_id},
            ProjectionExpression="sessionId, lectureId",
        )
        for item in response.get("Items", []):
            table.update_item(
                Key={"sessionId": item["sessionId"], "lectureId": item["lectureId"]},
                UpdateExpression="SET #status = :disconnected, disconnectedAt = :now",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={":disconnected": "disconnected", ":now": now_iso()},
            )
    except ClientError as error:
        log("ERROR", "failed to clean up connection", connectionId=connection_id,
            error=error.response["Error"].get("Code"))
    log("INFO", "disconnected", connectionId=connection_id)
    return {"statusCode": 200}


# --------------------------------------------------------------------------- query


def handle_query(event, request_context, connection_id):
    """Ask AgentCore, stream each answer line to the client, then persist the turn."""
    management = boto3.client(
        "apigatewaymanagementapi",
        endpoint_url=f"https://{request_context['domainName']}/{request_context['stage']}",
    )

    def send(payload):
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode("utf-8")
        try:
            management.post_to_connection(ConnectionId=connection_id, Data=data)
        except ClientError as error:
            if error.response["Error"].get("Code") == "GoneException":
                raise ClientGoneError(connection_id) from error
            raise

    try:
        body = json.loads(event.get("body") or "{}")
    except json.JSONDecodeError:
        return report_error(send, connection_id, "Message body must be valid JSON", 400)
    if not isinstance(body, dict):
        return report_error(send, connection_id, "Message body must be a JSON object", 400)

    lecture_id = body.get("lectureId")
    question = body.get("question")
    query_audio_key = body.get("queryAudioKey")
    if not isinstance(lecture_id, str) or not lecture_id:
        return report_error(send, connection_id, "lectureId is required", 400)
    if not isinstance(question, str) or not question.strip():
        return report_error(send, connection_id, "question is required", 400)
    if len(question) > MAX_QUESTION_LENGTH:
        return report_error(send, connection_id, f"question exceeds {MAX_QUESTION_LENGTH} characters", 400)
    if query_audio_key is not None:
        if not isinstance(query_audio_key, str) or not query_audio_key.startswith("queries/"):
            return report_error(send, connection_id, "queryAudioKey must be an object key under queries/", 400)
        try:
            s3.head_object(Bucket=S3_BUCKET, Key=query_audio_key)
        except ClientError as error:
            log("WARNING", "query audio not found", key=query_audio_key, error=error.response["Error"].get("Code"))
            return report_error(send, connection_id, f"Query audio not found: {query_audio_key}", 400)

    asked_at = now_iso()
    request_body = {
        "sessionId": connection_id,
        "connectionId": connection_id,
        "lectureId": lecture_id,
        "question": question,
        "queryAudio": {"bucket": S3_BUCKET, "key": query_audio_key} if query_audio_key else None,
    }
    try:
        answer, sources = stream_agentcore_answer(request_body, send)
    except ClientGoneError:
        log("INFO", "client disconnected during streaming", connectionId=connection_id)
        return {"statusCode": 410}
    except AgentCoreError as error:
        log("ERROR", "AgentCore reported an error", error=str(error))
        return report_error(send, connection_id, str(error), 502)
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        log("ERROR", "AgentCore request failed", endpoint=AGENTCORE_ENDPOINT, error=repr(error))
        return report_error(send, connection_id, "AgentCore is unavailable, please retry", 502)
    except ClientError as error:
        log("ERROR", "failed to post to connection", connectionId=connection_id,
            error=error.response["Error"].get("Code"))
        return {"statusCode": 500}

    turn = {
        "question": question,
        "answer": answer,
        "sources": sources,
        "askedAt": asked_at,
        "answeredAt": now_iso(),
    }
    if query_audio_key:
        turn["queryAudioKey"] = query_audio_key
    try:
        record_turn(connection_id, lecture_id, turn)
    except ClientError as error:
        log("ERROR", "failed to record turn", connectionId=connection_id,
            error=error.response["Error"].get("Code"))
        return report_error(send, connection_id, "Answer delivered but could not be saved", 500)
    log("INFO", "query answered", connectionId=connection_id, lectureId=lecture_id, answerLength=len(answer))
    return {"statusCode": 200}


def stream_agentcore_answer(request_body, send):
    """POST the question to AgentCore and relay each JSON line to the client as it arrives.

    Returns the final answer text and its sources. Raises AgentCoreError if AgentCore reports an
    error or sends a line that is not JSON.
    """
    request = urllib.request.Request(
        f"{AGENTCORE_ENDPOINT}/query",
        data=json.dumps(request_body).encode("utf-8"),
        headers={"Content-Type": "application/json", "Accept": "application/x-ndjson"},
        method="POST",
    )
    tokens, answer, sources = [], None, []
    with urllib.request.urlopen(request, timeout=AGENTCORE_TIMEOUT_SECONDS) as response:
        for raw_line in response:
            line = raw_line.strip()
            if not line:
                continue
            try:
                message = json.loads(line)
            except json.JSONDecodeError as error:
                raise AgentCoreError("AgentCore sent a malformed response") from error
            if not isinstance(message, dict):
                raise AgentCoreError("AgentCore sent a malformed response")
            send(line)
            kind = message.get("type")
            if kind == "token":
                tokens.append(message.get("text", ""))
            elif kind == "answer":
                answer = message.get("text", "")
                sources = message.get("sources") or []
            elif kind == "error":
                raise AgentCoreError(f"AgentCore error: {message.get('message')}")
            elif kind == "done":
                break
    return (answer if answer is not None else "".join(tokens)), sources


def record_turn(connection_id, lecture_id, turn):
    """Append one Q&A turn to the session item, creating the item if needed."""
    table.update_item(
        Key={"sessionId": connection_id, "lectureId": lecture_id},
        UpdateExpression=(
            "SET conversation = list_append(if_not_exists(conversation, :empty), :turn), "
            "updatedAt = :now, createdAt = if_not_exists(createdAt, :now), "
            "expiresAt = if_not_exists(expiresAt, :expires), connectionId = :cid "
            "ADD totalTurns :one"
        ),
        ExpressionAttributeValues={
            ":empty": [],
            ":turn": [turn],
            ":now": now_iso(),
            ":expires": int(time.time()) + SESSION_TTL_SECONDS,
            ":cid": connection_id,
            ":one": 1,
        },
    )


def report_error(send, connection_id, message, status_code):
    """Send an error frame to the client (if it is still there) and build the route response."""
    log("WARNING", "query rejected", connectionId=connection_id, reason=message)
    try:
        send({"type": "error", "message": message})
    except ClientGoneError:
        log("INFO", "client already gone", connectionId=connection_id)
    except ClientError as error:
        log("ERROR", "failed to post error frame", connectionId=connection_id,
            error=error.response["Error"].get("Code"))
    return {"statusCode": status_code}
