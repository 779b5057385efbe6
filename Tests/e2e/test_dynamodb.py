"""DynamoDB against the real binary with boto3 (client and resource APIs) and the AWS CLI.

Expected texts and shapes follow AWS's DynamoDB (API reference and observed responses); each test creates
its own tables with unique names, so tests are independent of each other.
"""

import json
import os
import signal
import subprocess
import threading
import time
import uuid
import zlib
from decimal import Decimal

import boto3
import pytest
import requests
from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError

from conftest import LOOPBACK, REGION, TEMPLATE, emulator_binary, free_port, stop_process, wait_until_healthy

SESSIONS_TABLE = "SynapScribe-Sessions"
JSON10 = "application/x-amz-json-1.0"


def unique(prefix="tbl"):
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def error_of(excinfo):
    error = excinfo.value.response["Error"]
    return error["Code"], error["Message"]


@pytest.fixture(scope="module")
def ddb(client):
    return client("dynamodb")


@pytest.fixture(scope="module")
def resource(boto_session, endpoint):
    from conftest import client_config
    return boto_session.resource("dynamodb", endpoint_url=endpoint, config=client_config())


def make_table(ddb, name=None, sort=("sk", "S"), gsis=(), lsis=(), extra_attributes=(), **kwargs):
    name = name or unique()
    definitions = {"pk": "S"}
    schema = [{"AttributeName": "pk", "KeyType": "HASH"}]
    if sort:
        definitions[sort[0]] = sort[1]
        schema.append({"AttributeName": sort[0], "KeyType": "RANGE"})
    for attribute, kind in extra_attributes:
        definitions[attribute] = kind
    params = dict(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": k, "AttributeType": v} for k, v in definitions.items()],
        KeySchema=schema,
        BillingMode="PAY_PER_REQUEST",
    )
    if gsis:
        params["GlobalSecondaryIndexes"] = list(gsis)
    if lsis:
        params["LocalSecondaryIndexes"] = list(lsis)
    params.update(kwargs)
    ddb.create_table(**params)
    return name


@pytest.fixture
def table(ddb):
    name = make_table(ddb)
    yield name
    ddb.delete_table(TableName=name)


# =========================================================================== tables


class TestTables:
    def test_template_table_exists_with_ttl(self, ddb):
        table = ddb.describe_table(TableName=SESSIONS_TABLE)["Table"]
        assert table["TableStatus"] == "ACTIVE"
        assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
        assert table["ProvisionedThroughput"]["ReadCapacityUnits"] == 0
        assert table["TableArn"] == f"arn:aws:dynamodb:{REGION}:000000000000:table/{SESSIONS_TABLE}"
        ttl = ddb.describe_time_to_live(TableName=SESSIONS_TABLE)["TimeToLiveDescription"]
        assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expiresAt"}
        tags = ddb.list_tags_of_resource(ResourceArn=table["TableArn"])["Tags"]
        assert {"Key": "Project", "Value": "SynapScribe"} in tags

    def test_create_describe_delete(self, ddb):
        name = unique()
        created = ddb.create_table(
            TableName=name,
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}, {"AttributeName": "g", "AttributeType": "N"}],
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 3},
            GlobalSecondaryIndexes=[{
                "IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
                "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
            }],
            Tags=[{"Key": "team", "Value": "a"}],
        )["TableDescription"]
        assert created["TableName"] == name and created["ItemCount"] == 0
        table = ddb.describe_table(TableName=name)["Table"]
        assert table["ProvisionedThroughput"]["ReadCapacityUnits"] == 5
        assert table["ProvisionedThroughput"]["WriteCapacityUnits"] == 3
        assert "BillingModeSummary" not in table
        assert len(table["TableId"]) == 36
        index = table["GlobalSecondaryIndexes"][0]
        assert index["IndexStatus"] == "ACTIVE"
        assert index["IndexArn"] == table["TableArn"] + "/index/by-g"
        assert index["Projection"] == {"ProjectionType": "KEYS_ONLY"}
        ddb.put_item(TableName=name, Item={"id": {"S": "1"}, "g": {"N": "1"}, "x": {"S": "hello"}})
        table = ddb.describe_table(TableName=name)["Table"]
        assert table["ItemCount"] == 1 and table["TableSizeBytes"] > 0
        deleted = ddb.delete_table(TableName=name)["TableDescription"]
        assert deleted["TableStatus"] == "DELETING"
        with pytest.raises(ddb.exceptions.ResourceNotFoundException) as excinfo:
            ddb.describe_table(TableName=name)
        assert error_of(excinfo) == ("ResourceNotFoundException", f"Requested resource not found: Table: {name} not found")
        assert name not in ddb.list_tables()["TableNames"]

    def test_create_existing_table(self, ddb, table):
        with pytest.raises(ddb.exceptions.ResourceInUseException) as excinfo:
            make_table(ddb, name=table)
        assert error_of(excinfo) == ("ResourceInUseException", f"Table already exists: {table}")

    def test_delete_unknown_table(self, ddb):
        with pytest.raises(ddb.exceptions.ResourceNotFoundException):
            ddb.delete_table(TableName="no-such-table-here")

    @pytest.mark.parametrize("kwargs, message", [
        (dict(AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "zz", "AttributeType": "S"}],
              KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST"),
         "One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions"),
        (dict(AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
              KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}]),
         "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED"),
        (dict(AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
              KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST",
              ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}),
         "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST"),
        (dict(AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
              KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST"),
         "One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [pk], AttributeDefinitions: [id]"),
    ])
    def test_create_table_validation(self, ddb, kwargs, message):
        with pytest.raises(ClientError) as excinfo:
            ddb.create_table(TableName=unique(), **kwargs)
        assert error_of(excinfo) == ("ValidationException", message)

    def test_list_tables_paginates(self, ddb):
        prefix = "list-" + uuid.uuid4().hex[:6]
        names = sorted(f"{prefix}-{i}" for i in range(5))
        for name in names:
            make_table(ddb, name=name, sort=None)
        try:
            seen, start = [], None
            while True:
                kwargs = {"Limit": 2}
                if start:
                    kwargs["ExclusiveStartTableName"] = start
                page = ddb.list_tables(**kwargs)
                assert len(page["TableNames"]) <= 2
                seen += page["TableNames"]
                start = page.get("LastEvaluatedTableName")
                if not start:
                    break
            assert [n for n in seen if n.startswith(prefix)] == names
            assert seen == sorted(seen)
            paginated = [n for p in ddb.get_paginator("list_tables").paginate(PaginationConfig={"PageSize": 3}) for n in p["TableNames"]]
            assert paginated == seen
        finally:
            for name in names:
                ddb.delete_table(TableName=name)

    def test_update_table_billing_and_gsi(self, ddb, table):
        for i in range(6):
            item = {"pk": {"S": f"p{i}"}, "sk": {"S": "s"}}
            if i % 2 == 0:
                item["color"] = {"S": "red"}
            ddb.put_item(TableName=table, Item=item)
        described = ddb.update_table(
            TableName=table,
            AttributeDefinitions=[{"AttributeName": "color", "AttributeType": "S"}],
            GlobalSecondaryIndexUpdates=[{"Create": {
                "IndexName": "by-color", "KeySchema": [{"AttributeName": "color", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"}}}],
        )["TableDescription"]
        assert [i["IndexName"] for i in described["GlobalSecondaryIndexes"]] == ["by-color"]
        result = ddb.query(TableName=table, IndexName="by-color", KeyConditionExpression="color = :c",
                           ExpressionAttributeValues={":c": {"S": "red"}})
        assert result["Count"] == 3  # backfilled, sparse
        ddb.update_table(TableName=table, BillingMode="PROVISIONED",
                         ProvisionedThroughput={"ReadCapacityUnits": 2, "WriteCapacityUnits": 2})
        described = ddb.describe_table(TableName=table)["Table"]
        assert described["BillingModeSummary"]["BillingMode"] == "PROVISIONED"
        assert described["ProvisionedThroughput"]["ReadCapacityUnits"] == 2
        ddb.update_table(TableName=table, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "by-color"}}])
        assert "GlobalSecondaryIndexes" not in ddb.describe_table(TableName=table)["Table"]
        with pytest.raises(ClientError) as excinfo:
            ddb.query(TableName=table, IndexName="by-color", KeyConditionExpression="color = :c",
                      ExpressionAttributeValues={":c": {"S": "red"}})
        assert error_of(excinfo) == ("ValidationException", "The table does not have the specified index: by-color")

    def test_tags(self, ddb, table):
        arn = ddb.describe_table(TableName=table)["Table"]["TableArn"]
        ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
        assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}]
        ddb.untag_resource(ResourceArn=arn, TagKeys=["a"])
        assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == [{"Key": "b", "Value": "2"}]
        with pytest.raises(ddb.exceptions.ResourceNotFoundException):
            ddb.list_tags_of_resource(ResourceArn=arn + "-missing")

    def test_time_to_live_settings(self, ddb, table):
        assert ddb.describe_time_to_live(TableName=table)["TimeToLiveDescription"] == {"TimeToLiveStatus": "DISABLED"}
        spec = ddb.update_time_to_live(TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
        assert spec["TimeToLiveSpecification"] == {"Enabled": True, "AttributeName": "exp"}
        assert ddb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]["TimeToLiveStatus"] == "ENABLED"
        with pytest.raises(ClientError) as excinfo:
            ddb.update_time_to_live(TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
        assert error_of(excinfo) == ("ValidationException", "TimeToLive is already enabled")


# =========================================================================== items


class TestItems:
    def test_round_trip_types_and_precision(self, ddb, table):
        item = {
            "pk": {"S": "types"}, "sk": {"S": "1"},
            "big": {"N": "12345678901234567890123456789012345678"},
            "tiny": {"N": "-0.000000000000000000000000000000000001"},
            "bin": {"B": b"\x00\xffdata"},
            "ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2.5"]}, "bs": {"BS": [b"x", b"y"]},
            "m": {"M": {"nested": {"L": [{"S": "x"}, {"NULL": True}, {"BOOL": False}]}}},
            "empty": {"S": ""},
        }
        ddb.put_item(TableName=table, Item=item)
        got = ddb.get_item(TableName=table, Key={"pk": {"S": "types"}, "sk": {"S": "1"}}, ConsistentRead=True)["Item"]
        assert got["big"] == {"N": "12345678901234567890123456789012345678"}
        assert got["tiny"] == {"N": "-0.000000000000000000000000000000000001"}
        assert got["bin"] == {"B": b"\x00\xffdata"}
        assert set(got["ss"]["SS"]) == {"a", "b"} and set(got["ns"]["NS"]) == {"1", "2.5"}
        assert set(got["bs"]["BS"]) == {b"x", b"y"}
        assert got["m"] == item["m"] and got["empty"] == {"S": ""}

    def test_missing_item(self, ddb, table):
        response = ddb.get_item(TableName=table, Key={"pk": {"S": "none"}, "sk": {"S": "x"}})
        assert "Item" not in response

    def test_put_return_values_and_capacity(self, ddb, table):
        key = {"pk": {"S": "rv"}, "sk": {"S": "1"}}
        first = ddb.put_item(TableName=table, Item={**key, "v": {"N": "1"}}, ReturnValues="ALL_OLD", ReturnConsumedCapacity="TOTAL")
        assert "Attributes" not in first
        assert first["ConsumedCapacity"] == {"TableName": table, "CapacityUnits": 1.0}
        second = ddb.put_item(TableName=table, Item={**key, "v": {"N": "2"}}, ReturnValues="ALL_OLD")
        assert second["Attributes"] == {**key, "v": {"N": "1"}}
        with pytest.raises(ClientError) as excinfo:
            ddb.put_item(TableName=table, Item=key, ReturnValues="ALL_NEW")
        assert error_of(excinfo)[0] == "ValidationException"

    def test_get_projection(self, ddb, table):
        ddb.put_item(TableName=table, Item={"pk": {"S": "p"}, "sk": {"S": "1"}, "a": {"M": {"b": {"L": [{"N": "1"}, {"N": "2"}, {"N": "3"}]}}},
                                            "name": {"S": "n"}, "c": {"S": "c"}})
        got = ddb.get_item(TableName=table, Key={"pk": {"S": "p"}, "sk": {"S": "1"}}, ProjectionExpression="a.b[2], #n",
                           ExpressionAttributeNames={"#n": "name"}, ReturnConsumedCapacity="TOTAL")
        assert got["Item"] == {"a": {"M": {"b": {"L": [{"N": "3"}]}}}, "name": {"S": "n"}}
        assert got["ConsumedCapacity"]["CapacityUnits"] == 0.5

    def test_update_return_values(self, ddb, table):
        key = {"pk": {"S": "u"}, "sk": {"S": "1"}}
        new = ddb.update_item(TableName=table, Key=key, UpdateExpression="SET a = :one, b = :two",
                              ExpressionAttributeValues={":one": {"N": "1"}, ":two": {"S": "x"}}, ReturnValues="ALL_NEW")
        assert new["Attributes"] == {**key, "a": {"N": "1"}, "b": {"S": "x"}}
        updated_old = ddb.update_item(TableName=table, Key=key, UpdateExpression="SET a = a + :one",
                                      ExpressionAttributeValues={":one": {"N": "1"}}, ReturnValues="UPDATED_OLD")
        assert updated_old["Attributes"] == {"a": {"N": "1"}}
        updated_new = ddb.update_item(TableName=table, Key=key, UpdateExpression="REMOVE b SET c = :v",
                                      ExpressionAttributeValues={":v": {"S": "z"}}, ReturnValues="UPDATED_NEW")
        assert updated_new["Attributes"] == {"c": {"S": "z"}}
        all_old = ddb.update_item(TableName=table, Key=key, UpdateExpression="ADD a :v",
                                  ExpressionAttributeValues={":v": {"N": "10"}}, ReturnValues="ALL_OLD")
        assert all_old["Attributes"] == {**key, "a": {"N": "2"}, "c": {"S": "z"}}
        assert ddb.get_item(TableName=table, Key=key)["Item"]["a"] == {"N": "12"}

    def test_update_key_attribute_rejected(self, ddb, table):
        with pytest.raises(ClientError) as excinfo:
            ddb.update_item(TableName=table, Key={"pk": {"S": "k"}, "sk": {"S": "1"}}, UpdateExpression="SET pk = :v",
                            ExpressionAttributeValues={":v": {"S": "x"}})
        assert error_of(excinfo) == ("ValidationException",
                                     "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key")

    def test_conditional_writes(self, ddb, table):
        key = {"pk": {"S": "c"}, "sk": {"S": "1"}}
        ddb.put_item(TableName=table, Item={**key, "v": {"N": "1"}}, ConditionExpression="attribute_not_exists(pk)")
        with pytest.raises(ddb.exceptions.ConditionalCheckFailedException) as excinfo:
            ddb.put_item(TableName=table, Item={**key, "v": {"N": "2"}}, ConditionExpression="attribute_not_exists(pk)",
                         ReturnValuesOnConditionCheckFailure="ALL_OLD")
        assert error_of(excinfo) == ("ConditionalCheckFailedException", "The conditional request failed")
        assert excinfo.value.response["Item"] == {**key, "v": {"N": "1"}}
        with pytest.raises(ddb.exceptions.ConditionalCheckFailedException) as excinfo:
            ddb.update_item(TableName=table, Key=key, UpdateExpression="SET v = :n", ConditionExpression="v > :n",
                            ExpressionAttributeValues={":n": {"N": "5"}})
        assert "Item" not in excinfo.value.response
        ddb.update_item(TableName=table, Key=key, UpdateExpression="SET v = :n", ConditionExpression="v < :n",
                        ExpressionAttributeValues={":n": {"N": "5"}})
        with pytest.raises(ddb.exceptions.ConditionalCheckFailedException):
            ddb.delete_item(TableName=table, Key=key, ConditionExpression="v = :x", ExpressionAttributeValues={":x": {"N": "4"}})
        old = ddb.delete_item(TableName=table, Key=key, ConditionExpression="v = :x", ExpressionAttributeValues={":x": {"N": "5"}},
                              ReturnValues="ALL_OLD")
        assert old["Attributes"]["v"] == {"N": "5"}
        assert "Item" not in ddb.get_item(TableName=table, Key=key)

    def test_errors_on_unknown_table(self, ddb):
        for call in (
            lambda: ddb.put_item(TableName="no-such-table", Item={"pk": {"S": "x"}}),
            lambda: ddb.get_item(TableName="no-such-table", Key={"pk": {"S": "x"}}),
            lambda: ddb.query(TableName="no-such-table", KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "x"}}),
        ):
            with pytest.raises(ddb.exceptions.ResourceNotFoundException) as excinfo:
                call()
            assert error_of(excinfo) == ("ResourceNotFoundException", "Requested resource not found")


# =========================================================================== validation errors (AWS texts)


VALIDATION_CASES = [
    ("get wrong key shape", "get_item", dict(Key={"pk": {"S": "a"}}), "The provided key element does not match the schema"),
    ("get wrong key type", "get_item", dict(Key={"pk": {"S": "a"}, "sk": {"N": "1"}}), "The provided key element does not match the schema"),
    ("get extra key", "get_item", dict(Key={"pk": {"S": "a"}, "sk": {"S": "1"}, "x": {"S": "1"}}),
     "The provided key element does not match the schema"),
    ("put missing key", "put_item", dict(Item={"pk": {"S": "a"}}), "One or more parameter values were invalid: Missing the key sk in the item"),
    ("put wrong type", "put_item", dict(Item={"pk": {"S": "a"}, "sk": {"N": "1"}}),
     "One or more parameter values were invalid: Type mismatch for key sk expected: S actual: N"),
    ("put empty key", "put_item", dict(Item={"pk": {"S": ""}, "sk": {"S": "1"}}),
     "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk"),
    ("put too large", "put_item", dict(Item={"pk": {"S": "a"}, "sk": {"S": "1"}, "big": {"S": "x" * (400 * 1024)}}),
     "Item size has exceeded the maximum allowed size"),
    ("reserved word", "update_item", dict(Key={"pk": {"S": "a"}, "sk": {"S": "1"}}, UpdateExpression="SET name = :v",
                                          ExpressionAttributeValues={":v": {"S": "x"}}),
     "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: name"),
    ("unused value", "put_item", dict(Item={"pk": {"S": "a"}, "sk": {"S": "1"}}, ConditionExpression="attribute_exists(pk)",
                                      ExpressionAttributeValues={":unused": {"S": "x"}}),
     "Value provided in ExpressionAttributeValues unused in expressions: keys: {:unused}"),
    ("undefined value", "put_item", dict(Item={"pk": {"S": "a"}, "sk": {"S": "1"}}, ConditionExpression="pk = :nope"),
     "Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :nope"),
    ("syntax error", "put_item", dict(Item={"pk": {"S": "a"}, "sk": {"S": "1"}}, ConditionExpression="pk = = :v",
                                      ExpressionAttributeValues={":v": {"S": "x"}}),
     'Invalid ConditionExpression: Syntax error; token: "=", near: "= = :v"'),
    ("empty set", "put_item", dict(Item={"pk": {"S": "a"}, "sk": {"S": "1"}, "s": {"SS": []}}),
     "One or more parameter values were invalid: An string set  may not be empty"),
    ("number precision", "put_item", dict(Item={"pk": {"S": "a"}, "sk": {"S": "1"}, "n": {"N": "1234567890123456789012345678901234567890"}}),
     "Attempting to store more than 38 significant digits in a Number"),
    ("query without partition", "query", dict(KeyConditionExpression="sk = :v", ExpressionAttributeValues={":v": {"S": "x"}}),
     "Query condition missed key schema element: pk"),
    ("bad select", "query", dict(KeyConditionExpression="pk = :v", ExpressionAttributeValues={":v": {"S": "x"}},
                                 Select="SPECIFIC_ATTRIBUTES"),
     "1 validation error detected: Value 'SPECIFIC_ATTRIBUTES' at 'select' failed to satisfy constraint: Member must be used with ProjectionExpression or AttributesToGet"),
    ("bad segment", "scan", dict(Segment=3, TotalSegments=2),
     "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 3 is not less than TotalSegments: 2"),
]


@pytest.mark.parametrize("label, operation, kwargs, message", VALIDATION_CASES, ids=[c[0] for c in VALIDATION_CASES])
def test_validation_errors(ddb, table, label, operation, kwargs, message):
    with pytest.raises(ClientError) as excinfo:
        getattr(ddb, operation)(TableName=table, **kwargs)
    assert error_of(excinfo) == ("ValidationException", message)
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert "Item" not in ddb.get_item(TableName=table, Key={"pk": {"S": "a"}, "sk": {"S": "1"}}), "nothing was written"


def test_serialization_error(signed_request):
    response = signed_request("dynamodb", headers={"X-Amz-Target": "DynamoDB_20120810.GetItem", "Content-Type": JSON10},
                              body=b'{"TableName": "x", "Key": {"pk": {"N": 5}}}')
    assert response.status_code == 400
    assert response.json()["__type"].endswith("SerializationException")


def test_crc32_header_matches_body(signed_request):
    response = signed_request("dynamodb", headers={"X-Amz-Target": "DynamoDB_20120810.ListTables", "Content-Type": JSON10}, body=b"{}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == JSON10
    assert int(response.headers["x-amz-crc32"]) == zlib.crc32(response.content)


def test_crc32_header_on_every_error(signed_request, endpoint):
    """DynamoDB checksums every response body, errors included: the service's own errors and the front door's
    (no signature, a wrong signature) alike, so botocore can check them all."""
    headers = {"X-Amz-Target": "DynamoDB_20120810.DescribeTable", "Content-Type": JSON10}
    responses = {
        "ResourceNotFoundException": signed_request("dynamodb", headers=headers, body=b'{"TableName": "no-such-table-crc"}'),
        "MissingAuthenticationTokenException": requests.post(endpoint, headers=headers, data=b"{}", timeout=30),
        "UnknownOperationException": signed_request(
            "dynamodb", headers={"X-Amz-Target": "DynamoDB_20120810.NoSuchOperation", "Content-Type": JSON10}, body=b"{}"),
        "InvalidSignatureException": signed_request("dynamodb", headers=headers, body=b"{}", secret_key="not-the-secret"),
    }
    for code, response in responses.items():
        assert response.status_code in (400, 403), (code, response.status_code)
        assert response.json()["__type"].endswith(code), (code, response.text)
        assert int(response.headers["x-amz-crc32"]) == zlib.crc32(response.content), code


# =========================================================================== expressions (table-driven, live)


EXPRESSION_ITEM = {
    "pk": {"S": "expr"}, "sk": {"S": "1"},
    "n": {"N": "10"}, "s": {"S": "hello world"}, "b": {"B": b"\x01\x02"}, "t": {"BOOL": True}, "z": {"NULL": True},
    "ss": {"SS": ["red", "green"]}, "ns": {"NS": ["1", "2", "3"]},
    "l": {"L": [{"S": "a"}, {"N": "2"}, {"M": {"deep": {"S": "x"}}}]},
    "m": {"M": {"inr": {"N": "5"}, "name": {"S": "bob"}}},
    "status": {"S": "active"},
}

CONDITION_CASES = [
    ("n = :ten", {":ten": {"N": "10"}}, None, True),
    ("n = :s", {":s": {"S": "10"}}, None, False),
    ("n <> :ten", {":ten": {"N": "10.0"}}, None, False),
    ("n < :v", {":v": {"N": "9.99999999999999999999999999"}}, None, False),
    ("n <= :v", {":v": {"N": "10"}}, None, True),
    ("n > :v", {":v": {"N": "-1e2"}}, None, True),
    ("s >= :v", {":v": {"S": "hello"}}, None, True),
    ("s < :v", {":v": {"S": "hellp"}}, None, True),
    ("b = :v", {":v": {"B": b"\x01\x02"}}, None, True),
    ("n BETWEEN :a AND :b", {":a": {"N": "1"}, ":b": {"N": "10"}}, None, True),
    ("n BETWEEN :a AND :b", {":a": {"N": "11"}, ":b": {"N": "20"}}, None, False),
    ("n IN (:a, :b)", {":a": {"N": "1"}, ":b": {"N": "10"}}, None, True),
    ("s IN (:a)", {":a": {"S": "nope"}}, None, False),
    ("attribute_exists(m.inr)", None, None, True),
    ("attribute_exists(m.absent)", None, None, False),
    ("attribute_exists(m.#r)", None, {"#r": "missing"}, False),
    ("attribute_not_exists(nothing)", None, None, True),
    ("attribute_type(ss, :t)", {":t": {"S": "SS"}}, None, True),
    ("attribute_type(z, :t)", {":t": {"S": "NULL"}}, None, True),
    ("attribute_type(n, :t)", {":t": {"S": "S"}}, None, False),
    ("begins_with(s, :p)", {":p": {"S": "hello"}}, None, True),
    ("begins_with(s, :p)", {":p": {"S": "world"}}, None, False),
    ("contains(s, :p)", {":p": {"S": "o w"}}, None, True),
    ("contains(ss, :p)", {":p": {"S": "red"}}, None, True),
    ("contains(ns, :p)", {":p": {"N": "4"}}, None, False),
    ("contains(l, :p)", {":p": {"S": "a"}}, None, True),
    ("size(s) = :v", {":v": {"N": "11"}}, None, True),
    ("size(l) > :v", {":v": {"N": "2"}}, None, True),
    ("size(ss) = :v", {":v": {"N": "2"}}, None, True),
    ("size(m) = :v", {":v": {"N": "2"}}, None, True),
    ("l[2].deep = :v", {":v": {"S": "x"}}, None, True),
    ("l[1] = :v", {":v": {"N": "2"}}, None, True),
    ("#st = :v", {":v": {"S": "active"}}, {"#st": "status"}, True),
    ("m.#nm = :v", {":v": {"S": "bob"}}, {"#nm": "name"}, True),
    ("t = :v", {":v": {"BOOL": True}}, None, True),
    ("NOT n = :v", {":v": {"N": "10"}}, None, False),
    ("n = :a OR n = :b AND s = :c", {":a": {"N": "10"}, ":b": {"N": "1"}, ":c": {"S": "x"}}, None, True),
    ("(n = :a OR n = :b) AND s = :c", {":a": {"N": "10"}, ":b": {"N": "1"}, ":c": {"S": "x"}}, None, False),
    ("NOT (n = :a AND s = :c)", {":a": {"N": "10"}, ":c": {"S": "x"}}, None, True),
    ("nothing = :v", {":v": {"S": "x"}}, None, False),
    ("nothing <> :v", {":v": {"S": "x"}}, None, True),
    ("m.inr = :five", {":five": {"N": "5"}}, None, True),
    ("m.#i = :five", {":five": {"N": "5"}}, {"#i": "inr"}, True),
]


@pytest.fixture(scope="module")
def expression_table(ddb):
    name = make_table(ddb)
    ddb.put_item(TableName=name, Item=EXPRESSION_ITEM)
    yield name
    ddb.delete_table(TableName=name)


@pytest.mark.parametrize("expression, values, names, expected", CONDITION_CASES, ids=[f"{c[0]}->{c[3]}" for c in CONDITION_CASES])
def test_condition_and_filter_expressions(ddb, expression_table, expression, values, names, expected):
    kwargs = {}
    if values:
        kwargs["ExpressionAttributeValues"] = values
    if names:
        kwargs["ExpressionAttributeNames"] = names
    scan = ddb.scan(TableName=expression_table, FilterExpression=expression, **kwargs)
    assert scan["Count"] == (1 if expected else 0)
    assert scan["ScannedCount"] == 1
    check = {"ConditionCheck": {"TableName": expression_table, "Key": {"pk": {"S": "expr"}, "sk": {"S": "1"}},
                                "ConditionExpression": expression, **kwargs}}
    if expected:
        ddb.transact_write_items(TransactItems=[check])
    else:
        with pytest.raises(ddb.exceptions.TransactionCanceledException):
            ddb.transact_write_items(TransactItems=[check])


UPDATE_CASES = [
    ("SET n = n + :one", {":one": {"N": "1"}}, {"n": {"N": "11"}}),
    ("SET n = n - :big", {":big": {"N": "0.5"}}, {"n": {"N": "9.5"}}),
    ("SET newattr = if_not_exists(newattr, :d)", {":d": {"S": "dflt"}}, {"newattr": {"S": "dflt"}}),
    ("SET n = if_not_exists(n, :d)", {":d": {"N": "0"}}, {"n": {"N": "10"}}),
    ("SET l = list_append(l, :more)", {":more": {"L": [{"S": "z"}]}}, {"l": {"L": EXPRESSION_ITEM["l"]["L"] + [{"S": "z"}]}}),
    ("SET l = list_append(:more, l)", {":more": {"L": [{"S": "z"}]}}, {"l": {"L": [{"S": "z"}] + EXPRESSION_ITEM["l"]["L"]}}),
    ("SET m.inr = :v, m.added = :w", {":v": {"N": "6"}, ":w": {"S": "new"}}, {"m": {"M": {"inr": {"N": "6"}, "name": {"S": "bob"}, "added": {"S": "new"}}}}),
    ("SET l[0] = :v", {":v": {"S": "A"}}, {"l": {"L": [{"S": "A"}] + EXPRESSION_ITEM["l"]["L"][1:]}}),
    ("REMOVE l[0], s", None, {"l": {"L": EXPRESSION_ITEM["l"]["L"][1:]}, "s": None}),
    ("REMOVE m.inr", None, {"m": {"M": {"name": {"S": "bob"}}}}),
    ("ADD ns :v", {":v": {"NS": ["3", "4"]}}, {"ns": {"NS": ["1", "2", "3", "4"]}}),
    ("ADD cnt :v", {":v": {"N": "5"}}, {"cnt": {"N": "5"}}),
    ("DELETE ss :v", {":v": {"SS": ["red"]}}, {"ss": {"SS": ["green"]}}),
    ("DELETE ss :v", {":v": {"SS": ["red", "green"]}}, {"ss": None}),
    ("SET a = :x REMOVE t ADD n :one", {":x": {"S": "x"}, ":one": {"N": "1"}}, {"a": {"S": "x"}, "t": None, "n": {"N": "11"}}),
]


def normalise(value):
    if value is None:
        return None
    if "NS" in value:
        return {"NS": sorted(value["NS"], key=Decimal)}
    if "SS" in value:
        return {"SS": sorted(value["SS"])}
    return value


@pytest.mark.parametrize("expression, values, expected", UPDATE_CASES, ids=[c[0] for c in UPDATE_CASES])
def test_update_expressions(ddb, expression, values, expected):
    name = make_table(ddb)
    try:
        ddb.put_item(TableName=name, Item=EXPRESSION_ITEM)
        kwargs = {"ExpressionAttributeValues": values} if values else {}
        ddb.update_item(TableName=name, Key={"pk": {"S": "expr"}, "sk": {"S": "1"}}, UpdateExpression=expression, **kwargs)
        item = ddb.get_item(TableName=name, Key={"pk": {"S": "expr"}, "sk": {"S": "1"}})["Item"]
        for attribute, value in expected.items():
            assert normalise(item.get(attribute)) == normalise(value), attribute
    finally:
        ddb.delete_table(TableName=name)


def test_update_expression_type_error(ddb, expression_table):
    with pytest.raises(ClientError) as excinfo:
        ddb.update_item(TableName=expression_table, Key={"pk": {"S": "expr"}, "sk": {"S": "1"}}, UpdateExpression="SET s = s + :one",
                        ExpressionAttributeValues={":one": {"N": "1"}})
    assert error_of(excinfo) == ("ValidationException", "An operand in the update expression has an incorrect data type")


# =========================================================================== query and scan


class TestQuery:
    @pytest.fixture(scope="class")
    def numbers(self, ddb):
        name = make_table(ddb, sort=("n", "N"))
        with_batches(ddb, name, [{"pk": {"S": "p"}, "n": {"N": str(v)}, "odd": {"BOOL": v % 2 == 1}} for v in range(-10, 40)]
                     + [{"pk": {"S": "other"}, "n": {"N": "1"}}])
        yield name
        ddb.delete_table(TableName=name)

    def query(self, ddb, table, condition, values, **kwargs):
        return ddb.query(TableName=table, KeyConditionExpression=condition, ExpressionAttributeValues=values, **kwargs)

    def test_numeric_order_and_ranges(self, ddb, numbers):
        result = self.query(ddb, numbers, "pk = :p", {":p": {"S": "p"}})
        assert [int(i["n"]["N"]) for i in result["Items"]] == list(range(-10, 40))
        result = self.query(ddb, numbers, "pk = :p AND n BETWEEN :a AND :b", {":p": {"S": "p"}, ":a": {"N": "-2"}, ":b": {"N": "2"}})
        assert [int(i["n"]["N"]) for i in result["Items"]] == [-2, -1, 0, 1, 2]
        result = self.query(ddb, numbers, "pk = :p AND n < :a", {":p": {"S": "p"}, ":a": {"N": "-8"}}, ScanIndexForward=False)
        assert [int(i["n"]["N"]) for i in result["Items"]] == [-9, -10]
        result = self.query(ddb, numbers, "pk = :p AND n >= :a", {":p": {"S": "p"}, ":a": {"N": "38"}})
        assert [int(i["n"]["N"]) for i in result["Items"]] == [38, 39]

    def test_pagination_limit_and_filter(self, ddb, numbers):
        seen, start, pages = [], None, 0
        while True:
            kwargs = {"Limit": 7, "FilterExpression": "odd = :t"}
            if start:
                kwargs["ExclusiveStartKey"] = start
            page = self.query(ddb, numbers, "pk = :p", {":p": {"S": "p"}, ":t": {"BOOL": True}}, **kwargs)
            assert page["ScannedCount"] <= 7
            seen += [int(i["n"]["N"]) for i in page["Items"]]
            pages += 1
            start = page.get("LastEvaluatedKey")
            if not start:
                break
        assert seen == [v for v in range(-10, 40) if v % 2 == 1]
        assert pages == 8  # 50 items, 7 evaluated per page: Limit counts before the filter

    def test_select_count(self, ddb, numbers):
        result = self.query(ddb, numbers, "pk = :p", {":p": {"S": "p"}}, Select="COUNT")
        assert result["Count"] == 50 and "Items" not in result

    def test_descending_pagination(self, ddb, numbers):
        first = self.query(ddb, numbers, "pk = :p", {":p": {"S": "p"}}, ScanIndexForward=False, Limit=3)
        assert [int(i["n"]["N"]) for i in first["Items"]] == [39, 38, 37]
        assert first["LastEvaluatedKey"] == {"pk": {"S": "p"}, "n": {"N": "37"}}
        second = self.query(ddb, numbers, "pk = :p", {":p": {"S": "p"}}, ScanIndexForward=False, Limit=3,
                            ExclusiveStartKey=first["LastEvaluatedKey"])
        assert [int(i["n"]["N"]) for i in second["Items"]] == [36, 35, 34]

    def test_begins_with_strings(self, ddb, table):
        for sk in ["a", "ab", "abc", "abd", "b", "a\u00e9"]:
            ddb.put_item(TableName=table, Item={"pk": {"S": "bw"}, "sk": {"S": sk}})
        result = self.query(ddb, table, "pk = :p AND begins_with(sk, :x)", {":p": {"S": "bw"}, ":x": {"S": "ab"}})
        assert [i["sk"]["S"] for i in result["Items"]] == ["ab", "abc", "abd"]
        result = self.query(ddb, table, "pk = :p", {":p": {"S": "bw"}})
        assert [i["sk"]["S"] for i in result["Items"]] == ["a", "ab", "abc", "abd", "a\u00e9", "b"]  # UTF-8 byte order

    def test_one_megabyte_pages(self, ddb, table):
        blob = "x" * 100_000
        with_batches(ddb, table, [{"pk": {"S": "big"}, "sk": {"S": f"{i:03d}"}, "data": {"S": blob}} for i in range(25)])
        first = self.query(ddb, table, "pk = :p", {":p": {"S": "big"}})
        assert 9 <= first["Count"] <= 11 and "LastEvaluatedKey" in first
        total = first["Count"]
        start = first["LastEvaluatedKey"]
        while start:
            page = self.query(ddb, table, "pk = :p", {":p": {"S": "big"}}, ExclusiveStartKey=start)
            total += page["Count"]
            start = page.get("LastEvaluatedKey")
        assert total == 25

    def test_indexes_and_projections(self, ddb):
        name = make_table(
            ddb,
            extra_attributes=[("g", "S"), ("lsk", "N")],
            gsis=[
                {"IndexName": "keys-only", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}], "Projection": {"ProjectionType": "KEYS_ONLY"}},
                {"IndexName": "include", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}, {"AttributeName": "lsk", "KeyType": "RANGE"}],
                 "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["extra"]}},
            ],
            lsis=[{"IndexName": "by-lsk", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "lsk", "KeyType": "RANGE"}],
                   "Projection": {"ProjectionType": "ALL"}}],
        )
        try:
            for i in range(6):
                item = {"pk": {"S": "p"}, "sk": {"S": f"s{i}"}, "lsk": {"N": str(10 - i)}, "extra": {"S": f"e{i}"}, "other": {"S": "o"}}
                if i < 4:
                    item["g"] = {"S": "G"}
                ddb.put_item(TableName=name, Item=item)
            keys_only = ddb.query(TableName=name, IndexName="keys-only", KeyConditionExpression="g = :g",
                                  ExpressionAttributeValues={":g": {"S": "G"}})
            assert keys_only["Count"] == 4  # sparse: items without g are not indexed
            assert all(set(i) == {"pk", "sk", "g"} for i in keys_only["Items"])
            include = ddb.query(TableName=name, IndexName="include", KeyConditionExpression="g = :g AND lsk > :l",
                                ExpressionAttributeValues={":g": {"S": "G"}, ":l": {"N": "7"}}, Limit=2)
            assert [i["lsk"]["N"] for i in include["Items"]] == ["8", "9"]
            assert set(include["Items"][0]) == {"pk", "sk", "g", "lsk", "extra"}
            assert include["LastEvaluatedKey"] == {"pk": {"S": "p"}, "sk": {"S": "s1"}, "g": {"S": "G"}, "lsk": {"N": "9"}}
            rest = ddb.query(TableName=name, IndexName="include", KeyConditionExpression="g = :g AND lsk > :l",
                             ExpressionAttributeValues={":g": {"S": "G"}, ":l": {"N": "7"}}, ExclusiveStartKey=include["LastEvaluatedKey"])
            assert [i["lsk"]["N"] for i in rest["Items"]] == ["10"]
            local = ddb.query(TableName=name, IndexName="by-lsk", KeyConditionExpression="pk = :p",
                              ExpressionAttributeValues={":p": {"S": "p"}}, ReturnConsumedCapacity="INDEXES")
            assert [i["lsk"]["N"] for i in local["Items"]] == ["5", "6", "7", "8", "9", "10"]
            assert "by-lsk" in local["ConsumedCapacity"]["LocalSecondaryIndexes"]
            with pytest.raises(ClientError) as excinfo:
                ddb.query(TableName=name, IndexName="keys-only", KeyConditionExpression="g = :g",
                          ExpressionAttributeValues={":g": {"S": "G"}}, ConsistentRead=True)
            assert error_of(excinfo) == ("ValidationException", "Consistent reads are not supported on global secondary indexes")
            with pytest.raises(ClientError) as excinfo:
                ddb.put_item(TableName=name, Item={"pk": {"S": "p"}, "sk": {"S": "bad"}, "g": {"N": "1"}})
            assert error_of(excinfo) == ("ValidationException",
                                         "One or more parameter values were invalid: Type mismatch for Index Key g Expected: S Actual: N IndexName: keys-only")
            # an update moving an item out of the index removes its index row
            ddb.update_item(TableName=name, Key={"pk": {"S": "p"}, "sk": {"S": "s0"}}, UpdateExpression="REMOVE g")
            assert ddb.query(TableName=name, IndexName="keys-only", KeyConditionExpression="g = :g",
                             ExpressionAttributeValues={":g": {"S": "G"}})["Count"] == 3
            assert ddb.scan(TableName=name, IndexName="keys-only")["Count"] == 3
        finally:
            ddb.delete_table(TableName=name)

    def test_scan_segments_partition_the_table(self, ddb, table):
        with_batches(ddb, table, [{"pk": {"S": f"p{i}"}, "sk": {"S": "x"}} for i in range(60)])
        segments = [ddb.scan(TableName=table, Segment=s, TotalSegments=4)["Items"] for s in range(4)]
        keys = [i["pk"]["S"] for seg in segments for i in seg]
        assert sorted(keys) == sorted(f"p{i}" for i in range(60))
        assert sum(1 for seg in segments if seg) >= 2
        paged, start = [], None
        while True:
            kwargs = {"Limit": 13}
            if start:
                kwargs["ExclusiveStartKey"] = start
            page = ddb.scan(TableName=table, **kwargs)
            paged += [i["pk"]["S"] for i in page["Items"]]
            start = page.get("LastEvaluatedKey")
            if not start:
                break
        assert sorted(paged) == sorted(keys)


def with_batches(ddb, table, items):
    for start in range(0, len(items), 25):
        ddb.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": item}} for item in items[start:start + 25]]})


# =========================================================================== batches and transactions


class TestBatches:
    def test_batch_write_and_get(self, ddb, table):
        response = ddb.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": {"pk": {"S": f"b{i}"}, "sk": {"S": "1"}}}} for i in range(25)]},
                                        ReturnConsumedCapacity="TOTAL")
        assert response["UnprocessedItems"] == {}
        assert response["ConsumedCapacity"] == [{"TableName": table, "CapacityUnits": 25.0}]
        ddb.batch_write_item(RequestItems={table: [{"DeleteRequest": {"Key": {"pk": {"S": "b0"}, "sk": {"S": "1"}}}}]})
        got = ddb.batch_get_item(RequestItems={table: {"Keys": [{"pk": {"S": f"b{i}"}, "sk": {"S": "1"}} for i in range(5)],
                                                       "ProjectionExpression": "pk"}})
        assert sorted(i["pk"]["S"] for i in got["Responses"][table]) == ["b1", "b2", "b3", "b4"]
        assert all(set(i) == {"pk"} for i in got["Responses"][table])
        assert got["UnprocessedKeys"] == {}

    def test_batch_limits(self, ddb, table):
        with pytest.raises(ClientError) as excinfo:
            ddb.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": {"pk": {"S": f"b{i}"}, "sk": {"S": "1"}}}} for i in range(26)]})
        assert error_of(excinfo)[0] == "ValidationException"
        assert "Member must have length less than or equal to 25" in error_of(excinfo)[1]
        with pytest.raises(ClientError) as excinfo:
            ddb.batch_get_item(RequestItems={table: {"Keys": [{"pk": {"S": f"b{i}"}, "sk": {"S": "1"}} for i in range(101)]}})
        assert error_of(excinfo) == ("ValidationException", "Too many items requested for the BatchGetItem call")
        with pytest.raises(ClientError) as excinfo:
            ddb.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": {"pk": {"S": "d"}, "sk": {"S": "1"}}}}] * 2})
        assert error_of(excinfo) == ("ValidationException", "One or more parameter values were invalid: Provided list of item keys contains duplicates")

    def test_resource_batch_writer_and_conditions(self, resource):
        table = resource.create_table(
            TableName=unique(), KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}, {"AttributeName": "n", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}, {"AttributeName": "n", "AttributeType": "N"}],
            BillingMode="PAY_PER_REQUEST")
        table.wait_until_exists()
        try:
            with table.batch_writer() as writer:
                for i in range(60):
                    writer.put_item(Item={"id": "r", "n": i, "price": Decimal("1.25") * i, "tags": {"a", "b"}})
            got = table.get_item(Key={"id": "r", "n": 3})["Item"]
            assert got["price"] == Decimal("3.75") and got["tags"] == {"a", "b"}
            result = table.query(KeyConditionExpression=Key("id").eq("r") & Key("n").between(10, 19), FilterExpression=Attr("price").gt(15))
            assert [int(i["n"]) for i in result["Items"]] == list(range(13, 20))
            table.update_item(Key={"id": "r", "n": 1}, UpdateExpression="SET price = price + :d", ExpressionAttributeValues={":d": Decimal("0.01")})
            assert table.get_item(Key={"id": "r", "n": 1})["Item"]["price"] == Decimal("1.26")
            assert table.scan(Select="COUNT")["Count"] == 60
        finally:
            table.delete()


class TestTransactions:
    def test_transact_write_all_or_nothing(self, ddb, table):
        key = lambda k: {"pk": {"S": k}, "sk": {"S": "1"}}  # noqa: E731
        ddb.put_item(TableName=table, Item={**key("acct"), "balance": {"N": "100"}})
        ddb.put_item(TableName=table, Item={**key("gone"), "v": {"N": "1"}})
        ddb.transact_write_items(TransactItems=[
            {"Update": {"TableName": table, "Key": key("acct"), "UpdateExpression": "SET balance = balance - :a",
                        "ConditionExpression": "balance >= :a", "ExpressionAttributeValues": {":a": {"N": "30"}}}},
            {"Put": {"TableName": table, "Item": {**key("log1"), "amount": {"N": "30"}}, "ConditionExpression": "attribute_not_exists(pk)"}},
            {"Delete": {"TableName": table, "Key": key("gone")}},
            {"ConditionCheck": {"TableName": table, "Key": key("missing"), "ConditionExpression": "attribute_not_exists(pk)"}},
        ])
        assert ddb.get_item(TableName=table, Key=key("acct"))["Item"]["balance"] == {"N": "70"}
        assert "Item" in ddb.get_item(TableName=table, Key=key("log1"))
        assert "Item" not in ddb.get_item(TableName=table, Key=key("gone"))
        with pytest.raises(ddb.exceptions.TransactionCanceledException) as excinfo:
            ddb.transact_write_items(TransactItems=[
                {"Put": {"TableName": table, "Item": {**key("log2"), "amount": {"N": "100"}}}},
                {"Update": {"TableName": table, "Key": key("acct"), "UpdateExpression": "SET balance = balance - :a",
                            "ConditionExpression": "balance >= :a", "ExpressionAttributeValues": {":a": {"N": "100"}},
                            "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
            ])
        code, message = error_of(excinfo)
        assert message == "Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]"
        reasons = excinfo.value.response["CancellationReasons"]
        assert reasons[0] == {"Code": "None"}
        assert reasons[1]["Code"] == "ConditionalCheckFailed" and reasons[1]["Item"]["balance"] == {"N": "70"}
        assert "Item" not in ddb.get_item(TableName=table, Key=key("log2")), "nothing of a cancelled transaction is written"

    def test_transaction_validation(self, ddb, table):
        put = {"Put": {"TableName": table, "Item": {"pk": {"S": "same"}, "sk": {"S": "1"}}}}
        with pytest.raises(ClientError) as excinfo:
            ddb.transact_write_items(TransactItems=[put, put])
        assert error_of(excinfo) == ("ValidationException", "Transaction request cannot include multiple operations on one item")

    def test_client_request_token_idempotency(self, ddb, table):
        token = uuid.uuid4().hex
        item = {"Update": {"TableName": table, "Key": {"pk": {"S": "idem"}, "sk": {"S": "1"}}, "UpdateExpression": "ADD c :one",
                           "ExpressionAttributeValues": {":one": {"N": "1"}}}}
        ddb.transact_write_items(TransactItems=[item], ClientRequestToken=token)
        ddb.transact_write_items(TransactItems=[item], ClientRequestToken=token)
        assert ddb.get_item(TableName=table, Key={"pk": {"S": "idem"}, "sk": {"S": "1"}})["Item"]["c"] == {"N": "1"}
        other = {"Put": {"TableName": table, "Item": {"pk": {"S": "idem2"}, "sk": {"S": "1"}}}}
        with pytest.raises(ClientError) as excinfo:
            ddb.transact_write_items(TransactItems=[other], ClientRequestToken=token)
        assert error_of(excinfo)[0] == "IdempotentParameterMismatchException"

    def test_transact_get(self, ddb, table):
        ddb.put_item(TableName=table, Item={"pk": {"S": "tg"}, "sk": {"S": "1"}, "v": {"S": "x"}, "w": {"S": "y"}})
        result = ddb.transact_get_items(TransactItems=[
            {"Get": {"TableName": table, "Key": {"pk": {"S": "tg"}, "sk": {"S": "1"}}, "ProjectionExpression": "v"}},
            {"Get": {"TableName": table, "Key": {"pk": {"S": "none"}, "sk": {"S": "1"}}}},
        ], ReturnConsumedCapacity="TOTAL")
        assert result["Responses"] == [{"Item": {"v": {"S": "x"}}}, {}]
        assert result["ConsumedCapacity"][0]["CapacityUnits"] == 4.0


# =========================================================================== TTL on the virtual clock


def test_ttl_deletes_after_clock_advance(ddb, table, clock, endpoint):
    ddb.update_time_to_live(TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    now = int(clock.now().timestamp())
    items = {
        "soon": {"exp": {"N": str(now + 3600)}},
        "later": {"exp": {"N": str(now + 10 * 86400)}},
        "string": {"exp": {"S": str(now - 10)}},
        "ancient": {"exp": {"N": str(now - 6 * 365 * 86400)}},
        "none": {},
    }
    for key, extra in items.items():
        ddb.put_item(TableName=table, Item={"pk": {"S": key}, "sk": {"S": "1"}, **extra})
    before = requests.get(f"{endpoint}/_local/health", timeout=5).json()["services"]["dynamodb"]["details"]["ttlDeleted"]
    clock.advance("2h")
    present = lambda k: "Item" in ddb.get_item(TableName=table, Key={"pk": {"S": k}, "sk": {"S": "1"}})  # noqa: E731
    assert not present("soon")
    assert present("later") and present("string") and present("ancient") and present("none")
    health = requests.get(f"{endpoint}/_local/health", timeout=5).json()["services"]["dynamodb"]
    assert health["state"] == "running"
    assert health["details"]["ttlDeleted"] >= before + 1
    assert health["resources"]["tables"] >= 2
    clock.advance("11d")
    assert not present("later") and present("string")


# =========================================================================== AWS CLI


def test_cli_put_get_query(aws_cli, ddb, table):
    code, _, stderr = aws_cli("dynamodb", "put-item", "--table-name", table, "--item", json.dumps({"pk": {"S": "cli"}, "sk": {"S": "1"}, "v": {"N": "7"}}))
    assert code == 0, stderr
    code, stdout, stderr = aws_cli("dynamodb", "get-item", "--table-name", table, "--key", json.dumps({"pk": {"S": "cli"}, "sk": {"S": "1"}}))
    assert code == 0, stderr
    assert json.loads(stdout)["Item"]["v"] == {"N": "7"}
    code, stdout, stderr = aws_cli("dynamodb", "query", "--table-name", table, "--key-condition-expression", "pk = :p",
                                   "--expression-attribute-values", json.dumps({":p": {"S": "cli"}}))
    assert code == 0, stderr
    assert json.loads(stdout)["Count"] == 1
    code, _, stderr = aws_cli("dynamodb", "put-item", "--table-name", table, "--item", json.dumps({"pk": {"S": "cli"}, "sk": {"S": "1"}}),
                              "--condition-expression", "attribute_not_exists(pk)")
    assert code == 255
    assert "ConditionalCheckFailedException" in stderr


# =========================================================================== durability (kill -9) and aws-like TTL


def start_binary(tmp_path, *extra):
    port = free_port()
    log = open(tmp_path / f"emulator-{port}.log", "wb")
    command = [str(emulator_binary()), "start", "--template", str(TEMPLATE), "--host", LOOPBACK, "--port", str(port),
               "--parameter-overrides", "AgentCoreEndpoint=http://127.0.0.1:9", "--log-level", "warning", *extra]
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    endpoint = f"http://{LOOPBACK}:{port}"
    wait_until_healthy(endpoint, process, tmp_path / f"emulator-{port}.log")
    session = boto3.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name=REGION)
    from conftest import client_config
    return process, session.client("dynamodb", endpoint_url=endpoint, config=client_config()), endpoint


def test_kill_9_keeps_every_acknowledged_write(tmp_path):
    data_dir = tmp_path / "data"
    process, ddb, _ = start_binary(tmp_path, "--data-dir", str(data_dir))
    acknowledged = []
    stop = threading.Event()

    def writer():
        i = 0
        while not stop.is_set():
            try:
                ddb.put_item(TableName=SESSIONS_TABLE, Item={"sessionId": {"S": f"s{i}"}, "lectureId": {"S": "l"}, "n": {"N": str(i)}})
            except Exception:
                return
            acknowledged.append(i)
            i += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while len(acknowledged) < 300 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(10)
    finally:
        stop.set()
        thread.join(10)
        stop_process(process)
    assert len(acknowledged) >= 300
    process, ddb, _ = start_binary(tmp_path, "--data-dir", str(data_dir))
    try:
        keys = [{"sessionId": {"S": f"s{i}"}, "lectureId": {"S": "l"}} for i in acknowledged]
        found = set()
        for start in range(0, len(keys), 100):
            response = ddb.batch_get_item(RequestItems={SESSIONS_TABLE: {"Keys": keys[start:start + 100]}})
            found |= {item["sessionId"]["S"] for item in response["Responses"][SESSIONS_TABLE]}
        missing = [i for i in acknowledged if f"s{i}" not in found]
        assert not missing, f"{len(missing)} acknowledged writes lost, e.g. {missing[:5]}"
        assert ddb.list_tables()["TableNames"].count(SESSIONS_TABLE) == 1
    finally:
        stop_process(process)


def test_aws_like_ttl_mode_keeps_expired_items_for_the_delay(tmp_path):
    process, ddb, endpoint = start_binary(tmp_path, "--ephemeral", "--ttl-mode", "aws-like", "--ttl-delay", "1h")
    try:
        now = int(time.time())
        ddb.put_item(TableName=SESSIONS_TABLE, Item={"sessionId": {"S": "x"}, "lectureId": {"S": "l"}, "expiresAt": {"N": str(now + 60)}})
        requests.post(f"{endpoint}/_local/clock", json={"advance": "30m"}, timeout=5).raise_for_status()
        time.sleep(1.5)
        assert "Item" in ddb.get_item(TableName=SESSIONS_TABLE, Key={"sessionId": {"S": "x"}, "lectureId": {"S": "l"}})
        requests.post(f"{endpoint}/_local/clock", json={"advance": "1h"}, timeout=5).raise_for_status()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and "Item" in ddb.get_item(TableName=SESSIONS_TABLE, Key={"sessionId": {"S": "x"}, "lectureId": {"S": "l"}}):
            time.sleep(0.1)
        assert "Item" not in ddb.get_item(TableName=SESSIONS_TABLE, Key={"sessionId": {"S": "x"}, "lectureId": {"S": "l"}})
        details = requests.get(f"{endpoint}/_local/health", timeout=5).json()["services"]["dynamodb"]["details"]
        assert details["ttlDeleted"] == 1 and details["items"] == 0
    finally:
        stop_process(process)
