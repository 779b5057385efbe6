"""Handlers behind the API Gateway e2e fixture APIs."""
import base64
import json
import time


def echo(event, context):
    """Answers the event it received, as JSON (a full proxy response)."""
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json", "X-Echo": "yes"},
        "multiValueHeaders": {"X-Multi": ["a", "b"]},
        "body": json.dumps(event),
    }


def http_echo(event, context):
    """HTTP API handler: simplified answers on some paths, the event otherwise."""
    path = event.get("rawPath") or event.get("path") or ""
    if path.endswith("/simple"):
        return {"simple": True, "routeKey": event.get("routeKey")}
    if path.endswith("/string"):
        return "hello from lambda"
    if path.endswith("/cookies"):
        return {"statusCode": 201, "cookies": ["a=1", "b=2; Path=/"], "headers": {"X-Kind": "full"}, "body": "made"}
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": json.dumps(event)}


def malformed(event, context):
    """A proxy response API Gateway refuses: the body is an object, not a string."""
    return {"statusCode": 200, "body": {"not": "a string"}}


def fails(event, context):
    raise RuntimeError("the handler failed")


def slow(event, context):
    time.sleep(3)
    return {"statusCode": 200, "body": "late"}


def image(event, context):
    """Binary answer: a PNG signature, base64-encoded."""
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "image/png"},
        "body": base64.b64encode(b"\x89PNG\r\n\x1a\n").decode(),
        "isBase64Encoded": True,
    }


def status(event, context):
    """Answers the status code the query names, with a body (204 and 304 must still frame correctly)."""
    query = event.get("queryStringParameters") or {}
    return {"statusCode": int(query.get("code", "200")), "body": "body text"}
