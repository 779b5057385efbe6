"""Handler shipped as a .zip CodeUri."""


def handler(event, context):
    return {"zipped": "python", "event": event}
