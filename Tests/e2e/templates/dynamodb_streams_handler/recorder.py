"""Prints each batch an event source mapping delivers; reports a record as failed the first time it sees one whose
new image has `failOnce`, so the mapping retries from it (ReportBatchItemFailures); fails the whole invocation when a
new image has `poison` (retries, bisect-on-error)."""

import json

failed_once = set()


def handler(event, context):
    batch = []
    failures = []
    for record in event["Records"]:
        change = record["dynamodb"]
        sequence = change["SequenceNumber"]
        batch.append({
            "pk": change["Keys"]["pk"]["S"],
            "eventName": record["eventName"],
            "sequence": sequence,
            "eventSourceARN": record["eventSourceARN"],
            "userIdentity": record.get("userIdentity"),
        })
        if "failOnce" in change.get("NewImage", {}) and sequence not in failed_once and not failures:
            failed_once.add(sequence)
            failures.append({"itemIdentifier": sequence})
    print(json.dumps({"batch": batch, "failed": [f["itemIdentifier"] for f in failures]}), flush=True)
    if any("poison" in record["dynamodb"].get("NewImage", {}) for record in event["Records"]):
        raise RuntimeError("poison record")
    return {"batchItemFailures": failures}
