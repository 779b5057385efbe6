def something_else(event, context):
    return "never"
