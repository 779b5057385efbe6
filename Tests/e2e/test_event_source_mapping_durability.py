"""Event source mappings survive `kill -9` with the data folder (issue 12): a mapping CreateEventSourceMapping
acknowledged, the changes of UpdateEventSourceMapping and DeleteEventSourceMapping, and every mapping's checkpoint
(the template's too), so after a restart on the same folder the mappings are listed with the same UUID and
configuration and polling resumes after the last record the function acknowledged: nothing delivered before the
kill is delivered again, nothing written while the emulator was down is skipped.

The template (Tests/e2e/templates/dynamodb_streams.yaml) maps `streams-source` (keys `esm-*`) to the Recorder
handler, which prints every batch it gets; /_local/logs/Recorder is per process, so the second process's log holds
exactly what it delivered.
"""

import json
import os
import signal
import time
from pathlib import Path

import pytest
import requests
from botocore.exceptions import ClientError
from conftest import EmulatorProcess

TEMPLATE = Path(__file__).parent / "templates" / "dynamodb_streams.yaml"
STACK = ["--stack-name", "esm-durable"]
SOURCE = "streams-source"


def delivered(server, timeout, until):
    """The keys of the batches the Recorder printed in this process, polled until `until(batches)` holds."""
    deadline = time.monotonic() + timeout
    while True:
        lines = requests.get(f"{server.endpoint}/_local/logs/Recorder", timeout=10).json().get("lines", [])
        seen = [[r["pk"] for r in json.loads(line["message"])["batch"]] for line in lines if line["message"].startswith('{"batch"')]
        if until(seen) or time.monotonic() >= deadline:
            return seen
        time.sleep(0.25)


def stream_table(ddb, name):
    ddb.create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    return ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"]


def acknowledged(lam, uuid, timeout=30):
    """Waits until the mapping reports its last batch done (the checkpoint is stored before that shows)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if lam.get_event_source_mapping(UUID=uuid)["LastProcessingResult"] == "OK":
            return True
        time.sleep(0.2)
    return False


CONFIG_KEYS = ["UUID", "FunctionArn", "EventSourceArn", "StartingPosition", "BatchSize", "MaximumBatchingWindowInSeconds",
               "MaximumRetryAttempts", "MaximumRecordAgeInSeconds", "BisectBatchOnFunctionError", "FunctionResponseTypes",
               "FilterCriteria", "State", "LastModified", "EventSourceMappingArn"]


def config(mapping):
    return {key: mapping.get(key) for key in CONFIG_KEYS}


def test_mappings_and_checkpoints_survive_kill_9(tmp_path):
    data = tmp_path / "data"
    first = EmulatorProcess(tmp_path, *STACK, template=TEMPLATE, data_dir=data)
    try:
        ddb, lam = first.client("dynamodb"), first.client("lambda")
        template_mapping = lam.list_event_source_mappings()["EventSourceMappings"][0]
        function = template_mapping["FunctionArn"]
        api_stream = stream_table(ddb, "esm-durable-api")
        created = lam.create_event_source_mapping(
            FunctionName=function, EventSourceArn=api_stream, StartingPosition="TRIM_HORIZON", BatchSize=3,
            MaximumRetryAttempts=4, FilterCriteria={"Filters": [{"Pattern": '{"eventName": ["INSERT", "MODIFY"]}'}]})
        updated_stream = stream_table(ddb, "esm-durable-updated")
        to_update = lam.create_event_source_mapping(FunctionName=function, EventSourceArn=updated_stream,
                                                    StartingPosition="LATEST")
        lam.update_event_source_mapping(UUID=to_update["UUID"], Enabled=False, BatchSize=5, BisectBatchOnFunctionError=True)
        deleted_stream = stream_table(ddb, "esm-durable-deleted")
        to_delete = lam.create_event_source_mapping(FunctionName=function, EventSourceArn=deleted_stream,
                                                    StartingPosition="LATEST")
        lam.delete_event_source_mapping(UUID=to_delete["UUID"])

        # One transaction each: the records are committed together, so each mapping delivers them as one batch.
        ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": "esm-durable-api", "Item": {"pk": {"S": key}}}} for key in ["a1", "a2", "a3"]])
        ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": SOURCE, "Item": {"pk": {"S": key}}}} for key in ["esm-t1", "esm-t2"]])
        seen = delivered(first, 90, lambda b: ["a1", "a2", "a3"] in b and ["esm-t1", "esm-t2"] in b)
        assert sorted(seen) == [["a1", "a2", "a3"], ["esm-t1", "esm-t2"]], seen
        assert acknowledged(lam, created["UUID"]) and acknowledged(lam, template_mapping["UUID"])
        before = {m["UUID"]: config(m) for m in lam.list_event_source_mappings()["EventSourceMappings"]}
        assert set(before) == {template_mapping["UUID"], created["UUID"], to_update["UUID"]}
        assert before[to_update["UUID"]]["State"] == "Disabled" and before[to_update["UUID"]]["BatchSize"] == 5

        os.kill(first.process.pid, signal.SIGKILL)
        first.process.wait(timeout=10)
    finally:
        first.stop()

    second = EmulatorProcess(tmp_path, *STACK, template=TEMPLATE, data_dir=data)
    try:
        ddb, lam = second.client("dynamodb"), second.client("lambda")
        after = {m["UUID"]: config(m) for m in lam.list_event_source_mappings()["EventSourceMappings"]}
        assert after == before
        assert config(lam.get_event_source_mapping(UUID=created["UUID"])) == before[created["UUID"]]
        with pytest.raises(ClientError) as excinfo:
            lam.get_event_source_mapping(UUID=to_delete["UUID"])
        error = excinfo.value.response["Error"]
        assert (excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"], error["Code"], error["Message"]) == (
            404, "ResourceNotFoundException", "The resource you requested does not exist.")

        # Polling resumes after the last acknowledged record, for the API's mapping and the template's.
        ddb.put_item(TableName="esm-durable-api", Item={"pk": {"S": "a4"}})
        ddb.put_item(TableName=SOURCE, Item={"pk": {"S": "esm-t3"}})
        ddb.put_item(TableName="esm-durable-updated", Item={"pk": {"S": "u1"}})  # disabled: not delivered
        delivered(second, 90, lambda b: ["a4"] in b and ["esm-t3"] in b)
        time.sleep(2)  # anything redelivered or delivered by the disabled mapping would show by now
        seen = delivered(second, 0, lambda b: True)
        assert sorted(seen) == [["a4"], ["esm-t3"]], seen
    finally:
        second.stop()
