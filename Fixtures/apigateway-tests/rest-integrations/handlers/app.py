"""Handler behind the REST API Lambda non-proxy integrations of the rest-integrations fixture (issue 16)."""
import json


def mapper(event, context):
    """Adds `a` and `b` of the mapped event; `a` names an error to raise instead: `bad` (a standard error the 400
    response selects), `conflict` (a custom error whose errorMessage is JSON), `other` (no pattern matches it)."""
    a = event.get("a") if isinstance(event, dict) else None
    if a == "bad":
        raise ValueError("Bad input: a must be a number")
    if a == "conflict":
        raise Exception(json.dumps({"errorType": "Conflict", "httpStatus": 409, "trace": {"line": 7}}))
    if a == "other":
        raise Exception("something else went wrong")
    b = event.get("b", 0) if isinstance(event, dict) else 0
    total = a + b if isinstance(a, (int, float)) and isinstance(b, (int, float)) else None
    return {"sum": total, "mode": event.get("mode") if isinstance(event, dict) else None,
            "stage": event.get("stage") if isinstance(event, dict) else None, "event": event}
