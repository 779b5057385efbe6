"""Handler behind the Cognito-authorized APIs of the user pool fixture (issue 16)."""
import json


def echo(event, context):
    """Answers the event it received."""
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": json.dumps(event)}
