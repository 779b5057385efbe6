"""DynamoDB Streams and Lambda event source mappings (issue 12 item 3).

A table's `StreamSpecification` makes a real stream: boto3's `dynamodbstreams` client (same endpoint) lists and
describes it, reads it with every iterator type and view type, sees TTL deletions as service deletions, and gets
AWS's errors for bad iterators, expired iterators (15 minutes on the virtual clock), trimmed records (24 hours) and
unknown streams. The template (Tests/e2e/templates/dynamodb_streams.yaml) maps the stream of `streams-source` to a
Python handler with BatchSize 2, a filter on the key prefix `esm-` and ReportBatchItemFailures.
"""

import json
import os
import re
import signal
import time
from pathlib import Path

import pytest
import requests
from botocore.exceptions import ClientError
from conftest import ACCOUNT_ID, REGION, Clock, EmulatorProcess

TEMPLATE = Path(__file__).parent / "templates" / "dynamodb_streams.yaml"
SOURCE = "streams-source"
VIEW_TYPES = ["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    process = EmulatorProcess(tmp_path_factory.mktemp("dynamodb-streams"), "--stack-name", "streams", template=TEMPLATE)
    yield process
    process.stop()


@pytest.fixture(scope="module")
def ddb(server):
    return server.client("dynamodb")


@pytest.fixture(scope="module")
def streams(server):
    return server.client("dynamodbstreams")


@pytest.fixture(scope="module")
def lam(server):
    return server.client("lambda")


@pytest.fixture
def vclock(server):
    helper = Clock(server.endpoint)
    yield helper
    helper.reset()


def error_of(excinfo):
    error = excinfo.value.response["Error"]
    return excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"], error["Code"], error["Message"]


def make_table(ddb, name, view_type="NEW_AND_OLD_IMAGES"):
    ddb.create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": view_type},
    )
    return ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"]


def shard_of(streams, arn):
    return streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]


def read_all(streams, arn, kind="TRIM_HORIZON", **extra):
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard_of(streams, arn), ShardIteratorType=kind, **extra)["ShardIterator"]
    return streams.get_records(ShardIterator=iterator)["Records"]


# --------------------------------------------------------------------------- event source mapping (runs first)


def batches(server, timeout, until):
    """The batches the Recorder printed, polled until `until(batches)` holds or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        lines = requests.get(f"{server.endpoint}/_local/logs/Recorder", timeout=10).json().get("lines", [])
        seen = [json.loads(line["message"]) for line in lines if line["message"].startswith('{"batch"')]
        if until(seen):
            return seen
        time.sleep(0.25)
    return seen


def test_mapping_delivers_batches_in_order_with_filter_and_batch_item_failures(server, ddb):
    arn = ddb.describe_table(TableName=SOURCE)["Table"]["LatestStreamArn"]
    # Filtered out: the pattern asks for keys starting with esm-.
    ddb.put_item(TableName=SOURCE, Item={"pk": {"S": "other-1"}})
    # One transaction: five records committed at once, delivered as batches of at most 2.
    ddb.transact_write_items(TransactItems=[{"Put": {"TableName": SOURCE, "Item": {"pk": {"S": f"esm-{n}"}}}} for n in "abcde"])
    seen = batches(server, 90, lambda b: sum(len(x["batch"]) for x in b) >= 5)
    delivered = [record["pk"] for batch in seen for record in batch["batch"]]
    assert delivered == ["esm-a", "esm-b", "esm-c", "esm-d", "esm-e"], seen
    assert [len(batch["batch"]) for batch in seen] == [2, 2, 1]
    assert all(record["eventName"] == "INSERT" and record["eventSourceARN"] == arn for batch in seen for record in batch["batch"])
    sequences = [int(record["sequence"]) for batch in seen for record in batch["batch"]]
    assert sequences == sorted(sequences) and all(len(record["sequence"]) >= 21 for batch in seen for record in batch["batch"])

    # ReportBatchItemFailures: f1 fails once; the mapping resumes from f1 (f0 is not delivered again).
    ddb.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": SOURCE, "Item": {"pk": {"S": "esm-f0"}}}},
            {"Put": {"TableName": SOURCE, "Item": {"pk": {"S": "esm-f1"}, "failOnce": {"BOOL": True}}}},
            {"Put": {"TableName": SOURCE, "Item": {"pk": {"S": "esm-f2"}}}},
        ]
    )
    seen = batches(server, 90, lambda b: any("esm-f2" in [r["pk"] for r in x["batch"]] for x in b))
    later = [[record["pk"] for record in batch["batch"]] for batch in seen[3:]]
    assert later == [["esm-f0", "esm-f1"], ["esm-f1", "esm-f2"]], seen
    assert seen[3]["failed"] == [seen[3]["batch"][1]["sequence"]]
    assert not any(record["pk"].startswith("other") for batch in seen for record in batch["batch"])


def test_mapping_delivers_ttl_removals_as_service_deletions(server, ddb, vclock):
    expires = int(vclock.now().timestamp()) + 60
    ddb.put_item(TableName=SOURCE, Item={"pk": {"S": "esm-ttl"}, "expires": {"N": str(expires)}})
    vclock.advance("5m")
    ddb.get_item(TableName=SOURCE, Key={"pk": {"S": "esm-ttl"}})  # the sweep runs once the clock moved
    seen = batches(server, 60, lambda b: any(r["pk"] == "esm-ttl" and r["eventName"] == "REMOVE" for x in b for r in x["batch"]))
    records = [r for batch in seen for r in batch["batch"] if r["pk"] == "esm-ttl"]
    assert [r["eventName"] for r in records] == ["INSERT", "REMOVE"], seen
    assert records[0]["userIdentity"] is None
    assert records[1]["userIdentity"] == {"type": "Service", "principalId": "dynamodb.amazonaws.com"}


def test_template_mapping_is_listed_with_its_settings(lam, ddb):
    arn = ddb.describe_table(TableName=SOURCE)["Table"]["LatestStreamArn"]
    mappings = lam.list_event_source_mappings(EventSourceArn=arn)["EventSourceMappings"]
    assert len(mappings) == 1
    mapping = mappings[0]
    assert mapping["State"] == "Enabled"
    assert mapping["BatchSize"] == 2 and mapping["StartingPosition"] == "TRIM_HORIZON"
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["MaximumRetryAttempts"] == 5
    assert re.fullmatch(rf"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:.*Recorder.*", mapping["FunctionArn"])
    assert json.loads(mapping["FilterCriteria"]["Filters"][0]["Pattern"]) == {"dynamodb": {"Keys": {"pk": {"S": [{"prefix": "esm-"}]}}}}
    assert lam.get_event_source_mapping(UUID=mapping["UUID"])["UUID"] == mapping["UUID"]


def test_mapping_api_errors_and_lifecycle(lam, ddb):
    source = ddb.describe_table(TableName=SOURCE)["Table"]["LatestStreamArn"]
    function = lam.list_event_source_mappings(EventSourceArn=source)["EventSourceMappings"][0]["FunctionArn"]
    existing = lam.list_event_source_mappings(EventSourceArn=source)["EventSourceMappings"][0]["UUID"]
    with pytest.raises(ClientError) as excinfo:
        lam.create_event_source_mapping(FunctionName=function, EventSourceArn=source, StartingPosition="LATEST")
    status, code, message = error_of(excinfo)
    name = function.rsplit(":", 1)[1]
    assert (status, code) == (409, "ResourceConflictException")
    assert message == (f'The event source arn (" {source} ") and function (" {name} ") provided mapping already exists. '
                       f"Please update or delete the existing mapping with UUID {existing}")
    with pytest.raises(ClientError) as excinfo:
        lam.get_event_source_mapping(UUID="00000000-0000-0000-0000-000000000000")
    assert error_of(excinfo) == (404, "ResourceNotFoundException", "The resource you requested does not exist.")
    with pytest.raises(ClientError) as excinfo:
        lam.create_event_source_mapping(FunctionName=function, EventSourceArn=source + "x", StartingPosition="LATEST")
    assert error_of(excinfo) == (400, "InvalidParameterValueException", f"Stream not found: {source}x")

    other = make_table(ddb, "streams-esm-api")
    created = lam.create_event_source_mapping(
        FunctionName=function, EventSourceArn=other, StartingPosition="LATEST", BatchSize=7,
        FilterCriteria={"Filters": [{"Pattern": '{"eventName": ["REMOVE"]}'}]})
    assert created["State"] == "Creating" and created["BatchSize"] == 7
    with pytest.raises(ClientError) as excinfo:
        lam.update_event_source_mapping(UUID=created["UUID"], FilterCriteria={"Filters": [{"Pattern": '{"eventName": "REMOVE"}'}]})
    assert error_of(excinfo) == (400, "InvalidParameterValueException", "Invalid filter pattern definition.")
    updated = lam.update_event_source_mapping(UUID=created["UUID"], Enabled=False)
    assert updated["State"] == "Disabling"
    assert lam.get_event_source_mapping(UUID=created["UUID"])["State"] == "Disabled"
    assert lam.delete_event_source_mapping(UUID=created["UUID"])["State"] == "Deleting"
    with pytest.raises(ClientError) as excinfo:
        lam.get_event_source_mapping(UUID=created["UUID"])
    assert error_of(excinfo)[1] == "ResourceNotFoundException"


def test_function_errors_bisect_then_retry_then_skip(server, lam, ddb):
    function = lam.list_event_source_mappings()["EventSourceMappings"][0]["FunctionArn"]
    arn = make_table(ddb, "streams-bisect")
    lam.create_event_source_mapping(FunctionName=function, EventSourceArn=arn, StartingPosition="TRIM_HORIZON", BatchSize=4,
                                    BisectBatchOnFunctionError=True, MaximumRetryAttempts=1)
    ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": "streams-bisect", "Item": {"pk": {"S": "p0"}}}},
        {"Put": {"TableName": "streams-bisect", "Item": {"pk": {"S": "p1"}, "poison": {"BOOL": True}}}},
        {"Put": {"TableName": "streams-bisect", "Item": {"pk": {"S": "p2"}}}},
        {"Put": {"TableName": "streams-bisect", "Item": {"pk": {"S": "p3"}}}},
    ])

    def attempts(seen):
        return [[r["pk"] for r in x["batch"]] for x in seen if x["batch"] and x["batch"][0]["pk"].startswith("p")]

    seen = batches(server, 90, lambda b: ["p2", "p3"] in attempts(b))
    # The batch fails, is halved (splits are not retries), p0 passes alone, p1 fails once more (one retry) and is
    # skipped, and the rest goes as one batch again.
    assert attempts(seen) == [["p0", "p1", "p2", "p3"], ["p0", "p1"], ["p0"], ["p1"], ["p1"], ["p2", "p3"]]


def test_latest_start_and_batching_window_on_the_virtual_clock(server, lam, ddb, vclock):
    function = lam.list_event_source_mappings()["EventSourceMappings"][0]["FunctionArn"]
    arn = make_table(ddb, "streams-window")
    ddb.put_item(TableName="streams-window", Item={"pk": {"S": "w-before"}})
    lam.create_event_source_mapping(FunctionName=function, EventSourceArn=arn, StartingPosition="LATEST", BatchSize=10,
                                    MaximumBatchingWindowInSeconds=60)
    time.sleep(1.5)  # the mapping starts (LATEST is where the stream ends then)
    ddb.put_item(TableName="streams-window", Item={"pk": {"S": "w1"}})
    ddb.put_item(TableName="streams-window", Item={"pk": {"S": "w2"}})

    def windowed(seen):
        return [[r["pk"] for r in x["batch"]] for x in seen if x["batch"] and x["batch"][0]["pk"].startswith("w")]

    # Two records, batch size 10: they wait for the 60 s window, which only the virtual clock moves past here.
    assert windowed(batches(server, 3, lambda b: bool(windowed(b)))) == []
    vclock.advance("2m")
    assert windowed(batches(server, 30, lambda b: bool(windowed(b)))) == [["w1", "w2"]]


# --------------------------------------------------------------------------- the Streams API


def test_describe_table_names_the_stream(ddb, streams):
    table = ddb.describe_table(TableName=SOURCE)["Table"]
    label = table["LatestStreamLabel"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}", label)
    assert table["LatestStreamArn"] == f"arn:aws:dynamodb:{REGION}:{ACCOUNT_ID}:table/{SOURCE}/stream/{label}"
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    listed = streams.list_streams(TableName=SOURCE)["Streams"]
    assert listed == [{"StreamArn": table["LatestStreamArn"], "TableName": SOURCE, "StreamLabel": label}]


@pytest.mark.parametrize("view_type", VIEW_TYPES)
def test_each_view_type(ddb, streams, view_type):
    name = f"streams-view-{view_type.lower().replace('_', '-')}"
    arn = make_table(ddb, name, view_type)
    ddb.put_item(TableName=name, Item={"pk": {"S": "k"}, "v": {"N": "1"}})
    ddb.put_item(TableName=name, Item={"pk": {"S": "k"}, "v": {"N": "2"}})
    ddb.put_item(TableName=name, Item={"pk": {"S": "k"}, "v": {"N": "2"}})  # identical: no record
    ddb.delete_item(TableName=name, Key={"pk": {"S": "k"}})
    ddb.delete_item(TableName=name, Key={"pk": {"S": "k"}})  # nothing to delete: no record
    records = read_all(streams, arn)
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE"]
    for record in records:
        assert record["eventVersion"] == "1.1" and record["eventSource"] == "aws:dynamodb" and record["awsRegion"] == REGION
        assert re.fullmatch(r"[0-9a-f]{32}", record["eventID"])
        change = record["dynamodb"]
        assert change["Keys"] == {"pk": {"S": "k"}} and change["StreamViewType"] == view_type and change["SizeBytes"] > 0
        assert re.fullmatch(r"\d{21,40}", change["SequenceNumber"])
    sequences = [int(r["dynamodb"]["SequenceNumber"]) for r in records]
    assert sequences == sorted(set(sequences))
    news = [r["dynamodb"].get("NewImage") for r in records]
    olds = [r["dynamodb"].get("OldImage") for r in records]
    one, two = {"pk": {"S": "k"}, "v": {"N": "1"}}, {"pk": {"S": "k"}, "v": {"N": "2"}}
    assert news == ([one, two, None] if view_type in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES") else [None, None, None])
    assert olds == ([None, one, two] if view_type in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES") else [None, None, None])


def test_iterator_types(ddb, streams):
    name = "streams-iterators"
    arn = make_table(ddb, name)
    for n in range(3):
        ddb.put_item(TableName=name, Item={"pk": {"S": f"k{n}"}})
    records = read_all(streams, arn)
    first, second, third = (r["dynamodb"]["SequenceNumber"] for r in records)
    at = read_all(streams, arn, "AT_SEQUENCE_NUMBER", SequenceNumber=second)
    assert [r["dynamodb"]["SequenceNumber"] for r in at] == [second, third]
    after = read_all(streams, arn, "AFTER_SEQUENCE_NUMBER", SequenceNumber=first)
    assert [r["dynamodb"]["SequenceNumber"] for r in after] == [second, third]
    latest = streams.get_shard_iterator(StreamArn=arn, ShardId=shard_of(streams, arn), ShardIteratorType="LATEST")["ShardIterator"]
    assert streams.get_records(ShardIterator=latest)["Records"] == []
    ddb.put_item(TableName=name, Item={"pk": {"S": "k3"}})
    page = streams.get_records(ShardIterator=latest, Limit=1)
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in page["Records"]] == ["k3"]
    assert streams.get_records(ShardIterator=page["NextShardIterator"])["Records"] == []
    # Limit and NextShardIterator page through TRIM_HORIZON.
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard_of(streams, arn), ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    keys = []
    for _ in range(5):
        page = streams.get_records(ShardIterator=iterator, Limit=1)
        keys += [r["dynamodb"]["Keys"]["pk"]["S"] for r in page["Records"]]
        iterator = page["NextShardIterator"]
    assert keys == ["k0", "k1", "k2", "k3"]


def test_writes_of_every_kind_and_failed_conditions(ddb, streams):
    name = "streams-writes"
    arn = make_table(ddb, name)
    ddb.batch_write_item(RequestItems={name: [{"PutRequest": {"Item": {"pk": {"S": f"b{n}"}}}} for n in range(2)]})
    ddb.update_item(TableName=name, Key={"pk": {"S": "b0"}}, UpdateExpression="SET x = :x", ExpressionAttributeValues={":x": {"N": "1"}})
    with pytest.raises(ClientError):
        ddb.put_item(TableName=name, Item={"pk": {"S": "b1"}, "y": {"S": "no"}}, ConditionExpression="attribute_not_exists(pk)")
    with pytest.raises(ClientError):
        ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": name, "Item": {"pk": {"S": "t0"}}}},
            {"ConditionCheck": {"TableName": name, "Key": {"pk": {"S": "none"}}, "ConditionExpression": "attribute_exists(pk)"}},
        ])
    records = read_all(streams, arn)
    assert [(r["eventName"], r["dynamodb"]["Keys"]["pk"]["S"]) for r in records] == [("INSERT", "b0"), ("INSERT", "b1"), ("MODIFY", "b0")]


def test_partiql_writes_are_recorded_and_failed_ones_are_not(ddb, streams):
    name = "streams-partiql"
    arn = make_table(ddb, name)
    ddb.execute_statement(Statement=f"INSERT INTO \"{name}\" VALUE {{'pk': ?, 'n': ?}}", Parameters=[{"S": "p0"}, {"N": "1"}])
    with pytest.raises(ClientError) as duplicate:
        ddb.execute_statement(Statement=f"INSERT INTO \"{name}\" VALUE {{'pk': ?}}", Parameters=[{"S": "p0"}])
    assert duplicate.value.response["Error"]["Code"] == "DuplicateItemException"
    ddb.execute_statement(Statement=f"UPDATE \"{name}\" SET n = n + 1 WHERE pk = 'p0'")
    ddb.batch_execute_statement(Statements=[
        {"Statement": f"INSERT INTO \"{name}\" VALUE {{'pk': 'p1'}}"},
        {"Statement": f"INSERT INTO \"{name}\" VALUE {{'pk': 'p0'}}"},
    ])
    ddb.execute_statement(Statement=f"DELETE FROM \"{name}\" WHERE pk = 'p0'")
    records = read_all(streams, arn)
    assert [(r["eventName"], r["dynamodb"]["Keys"]["pk"]["S"]) for r in records] == [
        ("INSERT", "p0"), ("MODIFY", "p0"), ("INSERT", "p1"), ("REMOVE", "p0"),
    ]
    assert records[1]["dynamodb"]["OldImage"]["n"] == {"N": "1"}
    assert records[1]["dynamodb"]["NewImage"]["n"] == {"N": "2"}


def test_list_and_describe_streams(ddb, streams):
    make_table(ddb, "streams-list-a")
    make_table(ddb, "streams-list-b")
    first = streams.list_streams(Limit=1)
    assert len(first["Streams"]) == 1 and first["LastEvaluatedStreamArn"] == first["Streams"][0]["StreamArn"]
    rest = streams.list_streams(ExclusiveStartStreamArn=first["LastEvaluatedStreamArn"], Limit=100)["Streams"]
    assert first["Streams"][0] not in rest and len(rest) >= 2
    arn = streams.list_streams(TableName="streams-list-b")["Streams"][0]["StreamArn"]
    description = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    assert description["StreamStatus"] == "ENABLED" and description["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert description["TableName"] == "streams-list-b"
    assert description["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}]
    shard = description["Shards"][0]
    assert re.fullmatch(r"shardId-\d{20}-[0-9a-f]{8}", shard["ShardId"])
    assert "EndingSequenceNumber" not in shard["SequenceNumberRange"]
    assert streams.describe_stream(StreamArn=arn, ExclusiveStartShardId=shard["ShardId"])["StreamDescription"]["Shards"] == []


def test_errors(ddb, streams, server):
    arn = make_table(ddb, "streams-errors")
    shard = shard_of(streams, arn)
    missing = f"arn:aws:dynamodb:{REGION}:{ACCOUNT_ID}:table/none/stream/2020-01-01T00:00:00.000"
    with pytest.raises(ClientError) as excinfo:
        streams.describe_stream(StreamArn=missing)
    assert error_of(excinfo) == (400, "ResourceNotFoundException", f"Requested resource not found: Stream: {missing} not found")
    with pytest.raises(ClientError) as excinfo:
        streams.get_shard_iterator(StreamArn=missing, ShardId=shard, ShardIteratorType="LATEST")
    assert error_of(excinfo)[1] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as excinfo:
        streams.get_records(ShardIterator="not-an-iterator")
    assert error_of(excinfo) == (400, "ValidationException", "Invalid ShardIterator")
    with pytest.raises(ClientError) as excinfo:
        streams.get_shard_iterator(StreamArn=arn, ShardId="shardId-00000000000000000000-00000000", ShardIteratorType="LATEST")
    assert error_of(excinfo) == (400, "ResourceNotFoundException", "Requested resource not found: Shard does not exist")
    with pytest.raises(ClientError) as excinfo:
        streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="AT_SEQUENCE_NUMBER")
    assert error_of(excinfo)[:2] == (400, "ValidationException")
    unvalidated = server.client("dynamodbstreams", parameter_validation=False)
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="LATEST")["ShardIterator"]
    with pytest.raises(ClientError) as excinfo:
        unvalidated.get_records(ShardIterator=iterator, Limit=0)
    assert error_of(excinfo) == (400, "ValidationException", "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: "
                                 "Member must have value greater than or equal to 1")
    with pytest.raises(ClientError) as excinfo:
        unvalidated.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="AT_TIMESTAMP")
    assert error_of(excinfo) == (400, "ValidationException", "1 validation error detected: Value 'AT_TIMESTAMP' at 'shardIteratorType' "
                                 "failed to satisfy constraint: Member must satisfy enum value set: "
                                 "[TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER]")


def test_stream_specification_rules(ddb):
    with pytest.raises(ClientError) as excinfo:
        ddb.create_table(
            TableName="streams-spec", AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True})
    assert error_of(excinfo) == (400, "ValidationException",
                                 "One or more parameter values were invalid: If stream is being enabled then UpdateViewType is required")
    make_table(ddb, "streams-spec")
    with pytest.raises(ClientError) as excinfo:
        ddb.update_table(TableName="streams-spec", StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    assert error_of(excinfo) == (400, "ValidationException", "Table already has an enabled stream: TableName: streams-spec")
    with pytest.raises(ClientError) as excinfo:
        ddb.update_table(TableName="streams-spec", StreamSpecification={"StreamEnabled": False, "StreamViewType": "KEYS_ONLY"})
    assert error_of(excinfo) == (400, "ValidationException",
                                 "One or more parameter values were invalid: If stream is being disabled, then UpdateViewType must not be specified")


def test_disabled_stream_stays_readable(ddb, streams, vclock):
    name = "streams-disable"
    arn = make_table(ddb, name, "KEYS_ONLY")
    ddb.put_item(TableName=name, Item={"pk": {"S": "before"}})
    ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})
    ddb.put_item(TableName=name, Item={"pk": {"S": "after"}})
    table = ddb.describe_table(TableName=name)["Table"]
    assert "StreamSpecification" not in table and table["LatestStreamArn"] == arn
    description = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    assert description["StreamStatus"] == "DISABLED"
    assert "EndingSequenceNumber" in description["Shards"][0]["SequenceNumberRange"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=description["Shards"][0]["ShardId"], ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    page = streams.get_records(ShardIterator=iterator)
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in page["Records"]] == ["before"]
    assert "NextShardIterator" not in page
    with pytest.raises(ClientError) as excinfo:
        ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})
    assert error_of(excinfo) == (400, "ValidationException", f"Table has no stream to disable: TableName: {name}")
    ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    assert ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"] != arn
    vclock.advance("25h")
    with pytest.raises(ClientError) as excinfo:
        streams.describe_stream(StreamArn=arn)
    assert error_of(excinfo)[1] == "ResourceNotFoundException"


def test_expired_iterator_and_trimmed_records(ddb, streams, vclock):
    name = "streams-retention"
    arn = make_table(ddb, name)
    ddb.put_item(TableName=name, Item={"pk": {"S": "old"}})
    shard = shard_of(streams, arn)
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    sequence = streams.get_records(ShardIterator=iterator)["Records"][0]["dynamodb"]["SequenceNumber"]
    vclock.advance("16m")
    with pytest.raises(ClientError) as excinfo:
        streams.get_records(ShardIterator=iterator)
    status, code, message = error_of(excinfo)
    assert (status, code) == (400, "ExpiredIteratorException")
    assert message.startswith("Iterator expired. The iterator was created at time ")
    vclock.advance("24h")
    with pytest.raises(ClientError) as excinfo:
        streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="AT_SEQUENCE_NUMBER", SequenceNumber=sequence)
    assert error_of(excinfo) == (400, "TrimmedDataAccessException", "The data you are trying to access has been trimmed")
    ddb.put_item(TableName=name, Item={"pk": {"S": "new"}})
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in read_all(streams, arn)] == ["new"]


def test_ttl_deletions_are_service_removals(ddb, streams, vclock):
    name = "streams-ttl"
    arn = make_table(ddb, name, "OLD_IMAGE")
    ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"})
    expires = int(vclock.now().timestamp()) + 60
    ddb.put_item(TableName=name, Item={"pk": {"S": "gone"}, "expires": {"N": str(expires)}})
    ddb.delete_item(TableName=name, Key={"pk": {"S": "none"}})
    vclock.advance("5m")
    deadline = time.monotonic() + 10
    while "Item" in ddb.get_item(TableName=name, Key={"pk": {"S": "gone"}}) and time.monotonic() < deadline:
        time.sleep(0.2)
    records = read_all(streams, arn)
    assert [r["eventName"] for r in records] == ["INSERT", "REMOVE"]
    assert "userIdentity" not in records[0]
    assert records[1]["userIdentity"] == {"Type": "Service", "PrincipalId": "dynamodb.amazonaws.com"}
    assert records[1]["dynamodb"]["OldImage"] == {"pk": {"S": "gone"}, "expires": {"N": str(expires)}}


def test_acknowledged_writes_and_their_records_survive_kill_9(tmp_path):
    data = tmp_path / "data"
    first = EmulatorProcess(tmp_path, "--stack-name", "streams-durable", template=TEMPLATE, data_dir=data)
    try:
        ddb = first.client("dynamodb")
        arn = make_table(ddb, "streams-durable")
        for n in range(20):
            ddb.put_item(TableName="streams-durable", Item={"pk": {"S": f"k{n:02}"}})
        os.kill(first.process.pid, signal.SIGKILL)
        first.process.wait(timeout=10)
    finally:
        first.stop()
    second = EmulatorProcess(tmp_path, "--stack-name", "streams-durable", template=TEMPLATE, data_dir=data)
    try:
        records = read_all(second.client("dynamodbstreams"), arn)
        assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in records] == [f"k{n:02}" for n in range(20)]
        assert second.client("dynamodb").scan(TableName="streams-durable", Select="COUNT")["Count"] == 20
    finally:
        second.stop()
