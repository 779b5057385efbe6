"""Fixture handlers for the Lambda end-to-end tests (Tests/e2e/test_lambda.py)."""

import json
import os
import sys
import time
import urllib.request

COUNTER = {"calls": 0}
print("module initialised", flush=True)


def echo(event, context):
    print(f"echo {json.dumps(event)}", flush=True)
    return {
        "event": event,
        "context": {
            "function_name": context.function_name,
            "function_version": context.function_version,
            "invoked_function_arn": context.invoked_function_arn,
            "memory_limit_in_mb": context.memory_limit_in_mb,
            "aws_request_id": context.aws_request_id,
            "log_group_name": context.log_group_name,
            "log_stream_name": context.log_stream_name,
            "remaining_ms": context.get_remaining_time_in_millis(),
            "client_context": getattr(context.client_context, "custom", None) if context.client_context else None,
        },
    }


def environment(event, context):
    return dict(os.environ)


def counter(event, context):
    COUNTER["calls"] += 1
    return {"calls": COUNTER["calls"], "pid": os.getpid()}


def noop(event, context):
    return None


def fail(event, context):
    raise ValueError("something went wrong")


def sleepy(event, context):
    time.sleep(float(event.get("seconds", 10)))
    return "woke up"


def announce_and_sleep(event, context):
    """Prints where its Runtime API listens and which invocation it runs, then sleeps (the hijack test)."""
    print(f"runtime-api {os.environ['AWS_LAMBDA_RUNTIME_API']} request {context.aws_request_id} "
          f"marker {event.get('marker', '-')}", flush=True)
    time.sleep(float(event.get("seconds", 3)))
    return {"answeredBy": "worker", "pid": os.getpid()}


def crash(event, context):
    print("about to exit", flush=True)
    sys.stdout.flush()
    os._exit(1)


def oversized(event, context):
    return "x" * (7 * 1024 * 1024)


def egress(event, context):
    try:
        with urllib.request.urlopen(event["url"], timeout=5) as response:
            return {"status": response.status}
    except Exception as error:  # noqa: BLE001 - the test reads what happened
        return {"error": type(error).__name__, "detail": str(error)}


def call_lambda(event, context):
    import boto3

    client = boto3.client("lambda")
    response = client.get_function(FunctionName=event["name"])
    sts_identity = os.environ["AWS_ACCESS_KEY_ID"]
    result = {"name": response["Configuration"]["FunctionName"], "key": sts_identity}
    if event.get("list"):
        try:
            client.list_functions()
        except client.exceptions.ClientError as error:
            result["listError"] = error.response["Error"]
    return result
