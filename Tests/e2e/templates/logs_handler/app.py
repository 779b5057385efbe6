import json


def handler(event, context):
    """Prints a plain line and a JSON line, so filter patterns have both kinds to match."""
    print(f"hello {event.get('name', 'world')}", flush=True)
    print(json.dumps({"level": event.get("level", "INFO"), "latency": event.get("latency", 5)}), flush=True)
    if event.get("fail"):
        raise ValueError("asked to fail")
    return {"ok": True, "stream": context.log_stream_name, "group": context.log_group_name}
