"""Handlers behind the HTTP API Lambda/IAM authorizer fixture (issue 16)."""
import json
import uuid


def echo(event, context):
    """Answers the event it received."""
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": json.dumps(event)}


def simple(event, context):
    """A simple-response (payload 2.0) authorizer: `allow...` tokens pass, others do not. The context carries the
    event it saw and a fresh id, so a cached answer shows as the same id."""
    token = (event.get("identitySource") or [""])[0]
    if token == "explode":
        raise RuntimeError("authorizer failure")
    if token == "malformed":
        return {"isAuthorized": "yes"}
    return {"isAuthorized": token.startswith("allow"),
            "context": {"answer": str(uuid.uuid4()), "token": token, "count": 7, "flag": True,
                        "eventType": event.get("type"), "routeArn": event.get("routeArn"),
                        "version": event.get("version"), "routeKey": event.get("routeKey")}}


def policy(event, context):
    """An IAM-policy (payload 1.0) authorizer: `allow` allows the method ARN it was given, `deny` denies it."""
    token = event.get("authorizationToken", "")
    effect = "Allow" if token.startswith("allow") else "Deny"
    return {"principalId": "user-" + token,
            "policyDocument": {"Version": "2012-10-17", "Statement": [
                {"Action": "execute-api:Invoke", "Effect": effect, "Resource": event["methodArn"]}]},
            "context": {"answer": str(uuid.uuid4()), "eventType": event.get("type"), "version": event.get("version"),
                        "identitySource": event.get("identitySource"), "methodArn": event.get("methodArn")}}
