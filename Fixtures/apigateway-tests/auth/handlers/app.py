"""Handlers behind the API Gateway authorization e2e fixture (issue 16: authorizers, API keys)."""
import json
import os

import boto3


def _count(name):
    """Counts one authorizer invocation in the fixture's table (the side effect the cache tests read)."""
    boto3.client("dynamodb").update_item(
        TableName=os.environ["CALLS_TABLE"],
        Key={"token": {"S": name}},
        UpdateExpression="ADD calls :one",
        ExpressionAttributeValues={":one": {"N": "1"}},
    )


def _policy(effect, resource):
    return {"Version": "2012-10-17", "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}]}


def token_authorizer(event, context):
    """TOKEN authorizer: `Bearer <kind>[-<anything>]` decides the answer."""
    token = event["authorizationToken"]
    # Tokens ending in -nocount skip the side effect: the quota test moves the virtual clock by days, past the
    # expiry of the warm worker's execution-role credentials.
    if not token.endswith("-nocount"):
        _count(token)
    kind = token.split(" ", 1)[1].split("-", 1)[0]
    arn = event["methodArn"]
    api_prefix = arn.split("/", 1)[0]  # arn:aws:execute-api:region:account:apiId
    if kind == "unauthorized":
        raise Exception("Unauthorized")
    if kind == "broken":
        raise RuntimeError("the authorizer failed")
    if kind == "nopolicy":
        return {"principalId": "someone"}
    if kind == "deny":
        policy = _policy("Deny", arn)
    elif kind == "elsewhere":
        policy = _policy("Allow", f"{api_prefix}/*/POST/nothing")
    elif kind == "wild":
        policy = _policy("Allow", f"{api_prefix}/*/GET/*")
    else:
        policy = _policy("Allow", arn)
    return {
        "principalId": f"user-{kind}",
        "policyDocument": policy,
        "context": {
            "tier": "gold", "count": 3, "admin": True, "eventType": event["type"], "eventKeys": ",".join(sorted(event)),
            "methodArn": arn,
        },
    }


def request_authorizer(event, context):
    """REQUEST authorizer: allows X-User alice in tenant t1, denies everyone else."""
    _count("request:" + event["headers"].get("X-User", "") + ":" + (event["queryStringParameters"] or {}).get("tenant", ""))
    allowed = event["headers"].get("X-User") == "alice" and event["queryStringParameters"].get("tenant") == "t1"
    return {
        "principalId": event["headers"].get("X-User"),
        "policyDocument": _policy("Allow" if allowed else "Deny", event["methodArn"]),
        "context": {"eventType": event["type"], "eventKeys": ",".join(sorted(event)), "resource": event["resource"]},
    }


def echo(event, context):
    """Answers the event it received."""
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": json.dumps(event)}
