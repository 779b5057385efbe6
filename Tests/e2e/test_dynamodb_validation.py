"""DynamoDB validation parity against the real binary with boto3: AWS's error texts, word for word.

Covers the rules main answered differently: Select combinations, a parallel Scan's ExclusiveStartKey from another
segment, Segment without TotalSegments, TTL disabling with another attribute name, DeleteTable's description, Query
filters on key attributes, empty key values, unused/missing attribute definitions, member positions in enum errors,
table ARNs in place of names, the order of unused-placeholder and key-condition errors, UPDATED_* return values of
nested paths, and the error body of a failed condition that returns the old item.
"""

import pytest
from botocore.exceptions import ClientError

# The helpers and the unvalidated client fixture the legacy-parameter tests use.
from test_dynamodb_legacy import ddb, error_of, unique  # noqa: F401  (ddb is a fixture)

@pytest.fixture()
def table(ddb):
    name = unique()
    ddb.create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "g", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[{"IndexName": "keys", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "KEYS_ONLY"}}],
        BillingMode="PAY_PER_REQUEST",
    )
    yield name
    try:
        ddb.delete_table(TableName=name)
    except ClientError:
        pass


SELECT_CASES = [
    ("count with projection", "scan", dict(Select="COUNT", ProjectionExpression="pk"),
     "Cannot specify the ProjectionExpression when choosing to get only the Count"),
    ("count with attributes to get", "scan", dict(Select="COUNT", AttributesToGet=["pk"]),
     "Cannot specify the AttributesToGet when choosing to get only the Count"),
    ("all attributes with projection", "scan", dict(Select="ALL_ATTRIBUTES", ProjectionExpression="pk"),
     "Cannot specify the ProjectionExpression when choosing to get ALL_ATTRIBUTES"),
    ("all projected with projection", "scan", dict(Select="ALL_PROJECTED_ATTRIBUTES", IndexName="keys", ProjectionExpression="pk"),
     "Cannot specify the ProjectionExpression when choosing to get ALL_PROJECTED_ATTRIBUTES"),
    ("all projected without index", "query",
     dict(Select="ALL_PROJECTED_ATTRIBUTES", KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "a"}}),
     "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName"),
    ("all attributes on keys-only index", "scan", dict(Select="ALL_ATTRIBUTES", IndexName="keys"),
     "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index keys "
     "because its projection type is not ALL"),
]


@pytest.mark.parametrize("operation, params, message", [case[1:] for case in SELECT_CASES], ids=[case[0] for case in SELECT_CASES])
def test_select_combinations(ddb, table, operation, params, message):
    with pytest.raises(ClientError) as excinfo:
        getattr(ddb, operation)(TableName=table, **params)
    assert error_of(excinfo) == ("ValidationException", message)


def test_parallel_scan_start_key_from_another_segment(ddb, table):
    for index in range(20):
        ddb.put_item(TableName=table, Item={"pk": {"S": f"item-{index}"}})
    first = ddb.scan(TableName=table, Segment=0, TotalSegments=2)["Items"]
    assert first, "segment 0 holds some of the 20 items"
    start = {"pk": first[0]["pk"]}
    # The key is fine for its own segment...
    ddb.scan(TableName=table, Segment=0, TotalSegments=2, ExclusiveStartKey=start)
    # ...and refused for the other one.
    with pytest.raises(ClientError) as excinfo:
        ddb.scan(TableName=table, Segment=1, TotalSegments=2, ExclusiveStartKey=start)
    assert error_of(excinfo) == (
        "ValidationException",
        "The provided starting key is invalid: Invalid ExclusiveStartKey. Please use ExclusiveStartKey with correct Segment. "
        "TotalSegments: 2 Segment: 1")


def test_ttl_rules(ddb, table):
    ddb.update_time_to_live(TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    with pytest.raises(ClientError) as excinfo:
        ddb.update_time_to_live(TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": "other"})
    assert error_of(excinfo) == ("ValidationException", "TimeToLive is active on a different AttributeName: current AttributeName is exp")
    with pytest.raises(ClientError) as excinfo:
        ddb.update_time_to_live(TableName=table, TimeToLiveSpecification={"Enabled": False, "AttributeName": "other"})
    assert error_of(excinfo) == ("ValidationException", "TimeToLive is active on a different AttributeName: current AttributeName is exp")
    assert ddb.describe_time_to_live(TableName=table)["TimeToLiveDescription"] == {"TimeToLiveStatus": "ENABLED", "AttributeName": "exp"}
    ddb.update_time_to_live(TableName=table, TimeToLiveSpecification={"Enabled": False, "AttributeName": "exp"})
    with pytest.raises(ClientError) as excinfo:
        ddb.update_time_to_live(TableName=table, TimeToLiveSpecification={"Enabled": False, "AttributeName": "exp"})
    assert error_of(excinfo) == ("ValidationException", "TimeToLive is already disabled")


def test_delete_table_description(ddb, table):
    ddb.put_item(TableName=table, Item={"pk": {"S": "a"}})
    description = ddb.delete_table(TableName=table)["TableDescription"]
    assert description["TableStatus"] == "DELETING"
    assert description["TableName"] == table
    assert "TableArn" in description and "ItemCount" in description and "ProvisionedThroughput" in description
    for absent in ("KeySchema", "AttributeDefinitions", "CreationDateTime"):
        assert absent not in description, absent


def test_query_filter_on_key_attribute(ddb, table):
    with pytest.raises(ClientError) as excinfo:
        ddb.query(TableName=table, KeyConditionExpression="pk = :p", FilterExpression="attribute_exists(pk)",
                  ExpressionAttributeValues={":p": {"S": "a"}})
    assert error_of(excinfo) == ("ValidationException", "Filter Expression can only contain non-primary key attributes: Primary key attribute: pk")
    with pytest.raises(ClientError) as excinfo:
        ddb.query(TableName=table, KeyConditions={"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "a"}]}},
                  QueryFilter={"pk": {"ComparisonOperator": "NOT_NULL"}})
    assert error_of(excinfo) == ("ValidationException", "QueryFilter can only contain non-primary key attributes: Primary key attribute: pk")
    # On an index, the table's key is an ordinary attribute to filter on.
    ddb.query(TableName=table, IndexName="keys", KeyConditionExpression="g = :g", FilterExpression="attribute_exists(pk)",
              ExpressionAttributeValues={":g": {"S": "a"}})


@pytest.mark.parametrize("params, message", [
    (dict(Segment=0), "The TotalSegments parameter is required but was not present in the request when Segment parameter is present"),
    (dict(TotalSegments=2), "The Segment parameter is required but was not present in the request when parameter TotalSegments is present"),
])
def test_segment_without_total_segments(ddb, table, params, message):
    with pytest.raises(ClientError) as excinfo:
        ddb.scan(TableName=table, **params)
    assert error_of(excinfo) == ("ValidationException", message)


KEYS = [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]
SORT = [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "x", "KeyType": "SORT"}]


@pytest.mark.parametrize("extra, member", [
    (dict(KeySchema=SORT), "keySchema.2.member.keyType"),
    (dict(KeySchema=KEYS, GlobalSecondaryIndexes=[{"IndexName": "g1", "KeySchema": SORT, "Projection": {"ProjectionType": "ALL"}}]),
     "globalSecondaryIndexes.1.member.keySchema.2.member.keyType"),
    (dict(KeySchema=KEYS, LocalSecondaryIndexes=[{"IndexName": "l1", "KeySchema": SORT, "Projection": {"ProjectionType": "ALL"}}]),
     "localSecondaryIndexes.1.member.keySchema.2.member.keyType"),
])
def test_key_schema_member_positions_in_messages(ddb, extra, member):
    with pytest.raises(ClientError) as excinfo:
        ddb.create_table(
            TableName=unique(),
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
            **extra,
        )
    assert error_of(excinfo) == (
        "ValidationException",
        f"1 validation error detected: Value 'SORT' at '{member}' failed to satisfy constraint: "
        "Member must satisfy enum value set: [HASH, RANGE]")


def test_table_arn_in_place_of_the_name(ddb, table):
    arn = ddb.describe_table(TableName=table)["Table"]["TableArn"]
    ddb.transact_write_items(TransactItems=[{"Update": {"TableName": arn, "Key": {"pk": {"S": "a"}}, "UpdateExpression": "SET x = :x",
                                                        "ExpressionAttributeValues": {":x": {"S": "1"}}}}])
    ddb.put_item(TableName=arn, Item={"pk": {"S": "b"}})
    assert sorted(item["pk"]["S"] for item in ddb.scan(TableName=arn)["Items"]) == ["a", "b"]
    got = ddb.batch_get_item(RequestItems={arn: {"Keys": [{"pk": {"S": "a"}}]}})["Responses"]
    assert got == {arn: [{"pk": {"S": "a"}, "x": {"S": "1"}}]}
    ddb.batch_write_item(RequestItems={arn: [{"DeleteRequest": {"Key": {"pk": {"S": "b"}}}}]})
    assert "Item" not in ddb.get_item(TableName=arn, Key={"pk": {"S": "b"}})
    other_account = arn.replace(arn.split(":")[4], "999999999999")
    with pytest.raises(ClientError) as excinfo:
        ddb.get_item(TableName=other_account, Key={"pk": {"S": "a"}})
    assert error_of(excinfo) == ("ResourceNotFoundException", "Requested resource not found")


def test_condition_failure_body_spells_message_as_aws_does(ddb, table):
    ddb.put_item(TableName=table, Item={"pk": {"S": "a"}, "v": {"S": "old"}})
    with pytest.raises(ClientError) as excinfo:
        ddb.put_item(TableName=table, Item={"pk": {"S": "a"}}, ConditionExpression="attribute_not_exists(pk)",
                     ReturnValuesOnConditionCheckFailure="ALL_OLD")
    response = excinfo.value.response
    assert response["Error"] == {"Message": "The conditional request failed", "Code": "ConditionalCheckFailedException"}
    assert response["Item"] == {"pk": {"S": "a"}, "v": {"S": "old"}}
    assert "message" not in response
    with pytest.raises(ClientError) as excinfo:
        ddb.put_item(TableName=table, Item={"pk": {"S": "a"}}, ConditionExpression="attribute_not_exists(pk)")
    assert excinfo.value.response["message"] == "The conditional request failed"
    assert "Item" not in excinfo.value.response


def test_unused_names_reported_before_key_condition_structure(ddb, table):
    with pytest.raises(ClientError) as excinfo:
        ddb.query(TableName=table, KeyConditionExpression="(#0 = x)", ExpressionAttributeNames={"#0": "pk", "#count": "count"})
    assert error_of(excinfo) == ("ValidationException", "Value provided in ExpressionAttributeNames unused in expressions: keys: {#count}")


@pytest.mark.parametrize("params, key", [
    (dict(KeyConditionExpression="pk = :e", ExpressionAttributeValues={":e": {"S": ""}}), "pk"),
    (dict(KeyConditions={"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": ""}]}}), "pk"),
])
def test_query_with_empty_key_value(ddb, table, params, key):
    with pytest.raises(ClientError) as excinfo:
        ddb.query(TableName=table, **params)
    assert error_of(excinfo) == (
        "ValidationException",
        f"One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: {key}")


def test_updated_return_values_hold_only_the_updated_paths(ddb, table):
    ddb.put_item(TableName=table, Item={"pk": {"S": "a"}, "m": {"M": {"b": {"L": [{"S": "x"}]}, "c": {"S": "keep"}}}})
    out = ddb.update_item(TableName=table, Key={"pk": {"S": "a"}}, UpdateExpression="SET m.b = list_append(m.b, :v)",
                          ExpressionAttributeValues={":v": {"L": [{"S": "y"}]}}, ReturnValues="UPDATED_NEW")
    assert out["Attributes"] == {"m": {"M": {"b": {"L": [{"S": "x"}, {"S": "y"}]}}}}
    out = ddb.update_item(TableName=table, Key={"pk": {"S": "a"}}, UpdateExpression="SET m.c = :v",
                          ExpressionAttributeValues={":v": {"S": "new"}}, ReturnValues="UPDATED_OLD")
    assert out["Attributes"] == {"m": {"M": {"c": {"S": "keep"}}}}


GSI_USER = [{"IndexName": "by-user", "KeySchema": [{"AttributeName": "user", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}]
PREFIX = "One or more parameter values were invalid: "


@pytest.mark.parametrize("definitions, keys, extra, message", [
    (["id", "created_at"], [("id", "HASH")], {},
     PREFIX + "Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions"),
    (["id", "user", "created_at"], [("id", "HASH")], dict(GlobalSecondaryIndexes=GSI_USER),
     PREFIX + "Some AttributeDefinitions are not used. AttributeDefinitions: [created_at, id, user], keys used: [id, user]"),
    (["id"], [("id", "HASH"), ("created_at", "RANGE")], {}, "Invalid KeySchema: Some index key attribute have no definition"),
    (["id"], [("id", "HASH")], dict(GlobalSecondaryIndexes=GSI_USER),
     PREFIX + "Some index key attributes are not defined in AttributeDefinitions. Keys: [user], AttributeDefinitions: [id]"),
    (["created_at"], [("id", "HASH")], {},
     PREFIX + "Some index key attributes are not defined in AttributeDefinitions. Keys: [id], AttributeDefinitions: [created_at]"),
    (["id", "created_at"], [("id", "HASH")], dict(GlobalSecondaryIndexes=GSI_USER),
     PREFIX + "Some index key attributes are not defined in AttributeDefinitions. Keys: [user], AttributeDefinitions: [created_at, id]"),
])
def test_attribute_definitions_unused_or_missing(ddb, definitions, keys, extra, message):
    with pytest.raises(ClientError) as excinfo:
        ddb.create_table(
            TableName=unique(),
            AttributeDefinitions=[{"AttributeName": name, "AttributeType": "S"} for name in definitions],
            KeySchema=[{"AttributeName": name, "KeyType": kind} for name, kind in keys],
            BillingMode="PAY_PER_REQUEST",
            **extra,
        )
    assert error_of(excinfo) == ("ValidationException", message)


def test_update_leaving_an_empty_index_key(ddb, table):
    ddb.put_item(TableName=table, Item={"pk": {"S": "a"}, "g": {"S": "x"}})
    with pytest.raises(ClientError) as excinfo:
        ddb.update_item(TableName=table, Key={"pk": {"S": "a"}}, UpdateExpression="SET g = :e",
                        ExpressionAttributeValues={":e": {"S": ""}})
    assert error_of(excinfo) == (
        "ValidationException",
        "One or more parameter values are not valid. The update expression attempted to update a secondary index key to a value "
        "that is not supported. The AttributeValue for a key attribute cannot contain an empty string value.")
    assert ddb.get_item(TableName=table, Key={"pk": {"S": "a"}})["Item"]["g"] == {"S": "x"}


@pytest.mark.parametrize("member", ["LocalSecondaryIndexes", "GlobalSecondaryIndexes"])
def test_create_table_with_an_empty_index_list(ddb, member):
    with pytest.raises(ClientError) as excinfo:
        ddb.create_table(
            TableName=unique(),
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}],
            KeySchema=KEYS, BillingMode="PAY_PER_REQUEST", **{member: []},
        )
    assert error_of(excinfo) == ("ValidationException", f"One or more parameter values were invalid: List of {member} is empty")
