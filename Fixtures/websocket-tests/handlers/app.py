"""Fixture handlers for the WebSocket end-to-end tests.

`handler` serves every route of both fixture APIs and appends each event it receives to
`$EVENT_LOG_DIR/<connectionId>.jsonl`, so tests can read `$connect`, message and `$disconnect` events.
It talks back to clients with the exact client line production handlers use:
`boto3.client("apigatewaymanagementapi", endpoint_url=f"https://{domainName}/{stage}")`.
"""

import json
import os
import time

import boto3
from botocore.exceptions import ClientError


def record(event):
    folder = os.environ["EVENT_LOG_DIR"]
    os.makedirs(folder, exist_ok=True)
    connection_id = event["requestContext"]["connectionId"]
    with open(os.path.join(folder, f"{connection_id}.jsonl"), "a") as log:
        log.write(json.dumps(event) + "\n")


def management(event):
    context = event["requestContext"]
    return boto3.client("apigatewaymanagementapi", endpoint_url=f"https://{context['domainName']}/{context['stage']}")


def handler(event, context):
    record(event)
    request_context = event["requestContext"]
    route = request_context["routeKey"]
    connection_id = request_context["connectionId"]
    if route == "$connect":
        query = event.get("queryStringParameters") or {}
        if "crash" in query:
            raise RuntimeError("connect handler crashed")
        if "sleep" in query:
            # A slow $connect: the client may hang up before it returns.
            time.sleep(float(query["sleep"]))
            record({"requestContext": {"connectionId": connection_id}, "connectFinished": True})
        if "post" in query:
            # A connection is not live before $connect returns: AWS answers GoneException.
            try:
                management(event).post_to_connection(ConnectionId=connection_id, Data=b"too early")
                outcome = "posted"
            except ClientError as error:
                outcome = error.response["Error"]["Code"]
            record({"requestContext": {"connectionId": connection_id}, "postDuringConnect": outcome})
        return {"statusCode": int(query.get("status", "200"))}
    if route == "$disconnect":
        return {"statusCode": 200}
    if route == "fail":
        raise RuntimeError("route handler crashed")
    if route == "twoway":
        return {"statusCode": 200, "body": "two-way:" + event["body"]}
    payload = {"route": route, "body": event["body"], "isBase64Encoded": event["isBase64Encoded"]}
    if route == "echo":
        payload["connectionId"] = connection_id
    try:
        management(event).post_to_connection(ConnectionId=connection_id, Data=json.dumps(payload).encode())
    except ClientError as error:
        # The execution role may manage connections of EchoApi only: StrictApi's posts are refused.
        record({"requestContext": {"connectionId": connection_id}, "postError": error.response["Error"]["Code"]})
        return {"statusCode": 500}
    return {"statusCode": 200}


def authorizer(event, context):
    token = (event.get("queryStringParameters") or {}).get("token")
    effect = "Allow" if token == "letmein" else "Deny"
    return {
        "principalId": "user-" + str(token),
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": event["methodArn"]}],
        },
        "context": {"tier": "gold"},
    }
