"""Handler behind the API-created HTTP API in the HTTP integrations fixture (issue 16)."""
import json


def echo(event, context):
    """Answers the event it received, with a header the response parameter mappings read."""
    return {"statusCode": 200, "headers": {"Content-Type": "application/json", "x-function": "echo"}, "body": json.dumps(event)}
