"""DynamoDB's legacy (non-expression) parameters against the real binary with boto3.

AttributeUpdates, Expected + ConditionalOperator, KeyConditions, QueryFilter, ScanFilter and AttributesToGet, as
AWS evaluates them (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/LegacyConditionalParameters.html);
error texts are AWS's, word for word. Each test creates its own table.
"""

import uuid

import pytest
from botocore.exceptions import ClientError

PREFIX = "One or more parameter values were invalid: "


def unique(prefix="legacy"):
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def error_of(excinfo):
    error = excinfo.value.response["Error"]
    return error["Code"], error["Message"]


@pytest.fixture(scope="module")
def ddb(ddb_unvalidated):
    return ddb_unvalidated


@pytest.fixture()
def table(ddb):
    name = unique()
    ddb.create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        BillingMode="PAY_PER_REQUEST",
    )
    yield name
    ddb.delete_table(TableName=name)


def key(pk="p", sk=1):
    return {"pk": {"S": pk}, "sk": {"N": str(sk)}}


# =========================================================================== AttributeUpdates


def test_attribute_updates_put_add_delete(ddb, table):
    out = ddb.update_item(
        TableName=table, Key=key(),
        AttributeUpdates={
            "name": {"Value": {"S": "n1"}},  # default action PUT
            "count": {"Action": "ADD", "Value": {"N": "5"}},  # ADD on a missing attribute of a missing item
            "tags": {"Action": "ADD", "Value": {"SS": ["a", "b"]}},
            "log": {"Action": "ADD", "Value": {"L": [{"S": "first"}]}},
        },
        ReturnValues="ALL_NEW",
    )
    assert out["Attributes"] == {**key(), "name": {"S": "n1"}, "count": {"N": "5"}, "tags": {"SS": ["a", "b"]},
                                 "log": {"L": [{"S": "first"}]}}
    out = ddb.update_item(
        TableName=table, Key=key(),
        AttributeUpdates={
            "count": {"Action": "ADD", "Value": {"N": "-2.5"}},
            "tags": {"Action": "DELETE", "Value": {"SS": ["a", "zzz"]}},
            "log": {"Action": "ADD", "Value": {"L": [{"N": "2"}]}},
            "name": {"Action": "DELETE"},
        },
        ReturnValues="UPDATED_NEW",
    )
    assert out["Attributes"] == {"count": {"N": "2.5"}, "tags": {"SS": ["b"]}, "log": {"L": [{"S": "first"}, {"N": "2"}]}}
    ddb.update_item(TableName=table, Key=key(), AttributeUpdates={"tags": {"Action": "DELETE", "Value": {"SS": ["b"]}}})
    item = ddb.get_item(TableName=table, Key=key())["Item"]
    assert "tags" not in item and "name" not in item


@pytest.mark.parametrize("updates, message", [
    ({"a": {"Action": "PUT"}}, PREFIX + "Only DELETE action is allowed when no attribute value is specified"),
    ({"a": {"Action": "ADD"}}, PREFIX + "Only DELETE action is allowed when no attribute value is specified"),
    ({"a": {"Action": "ADD", "Value": {"S": "1"}}}, PREFIX + "ADD action is not supported for the type S"),
    ({"a": {"Action": "ADD", "Value": {"BOOL": True}}}, PREFIX + "ADD action is not supported for the type BOOL"),
    ({"a": {"Action": "DELETE", "Value": {"N": "1"}}}, PREFIX + "DELETE action with value is not supported for the type N"),
    ({"a": {"Action": "DELETE", "Value": {"L": []}}}, PREFIX + "DELETE action with value is not supported for the type L"),
    ({"sk": {"Value": {"N": "2"}}}, PREFIX + "Cannot update attribute sk. This attribute is part of the key"),
    ({"a": {"Action": "REPLACE", "Value": {"N": "1"}}},
     "1 validation error detected: Value 'REPLACE' at 'attributeUpdates.a.member.action' failed to satisfy constraint: "
     "Member must satisfy enum value set: [ADD, PUT, DELETE]"),
])
def test_attribute_updates_errors(ddb, table, updates, message):
    with pytest.raises(ClientError) as excinfo:
        ddb.update_item(TableName=table, Key=key(), AttributeUpdates=updates)
    assert error_of(excinfo) == ("ValidationException", message)
    assert "Item" not in ddb.get_item(TableName=table, Key=key())


def test_attribute_updates_type_mismatch_changes_nothing(ddb, table):
    ddb.put_item(TableName=table, Item={**key(), "s": {"S": "x"}, "ss": {"SS": ["a"]}})
    for updates in ({"s": {"Action": "ADD", "Value": {"N": "1"}}}, {"ss": {"Action": "DELETE", "Value": {"NS": ["1"]}}}):
        with pytest.raises(ClientError) as excinfo:
            ddb.update_item(TableName=table, Key=key(), AttributeUpdates=updates)
        assert error_of(excinfo) == ("ValidationException", "Type mismatch for attribute to update")
    assert ddb.get_item(TableName=table, Key=key())["Item"] == {**key(), "s": {"S": "x"}, "ss": {"SS": ["a"]}}


# =========================================================================== Expected


def test_expected_value_exists_and_operators(ddb, table):
    ddb.put_item(TableName=table, Item={**key(), "v": {"N": "3"}}, Expected={"pk": {"Exists": False}})
    with pytest.raises(ClientError) as excinfo:
        ddb.put_item(TableName=table, Item={**key(), "v": {"N": "4"}}, Expected={"pk": {"Exists": False}})
    assert error_of(excinfo) == ("ConditionalCheckFailedException", "The conditional request failed")
    ddb.put_item(TableName=table, Item={**key(), "v": {"N": "4"}}, Expected={"v": {"Value": {"N": "3"}}})
    ddb.update_item(TableName=table, Key=key(), AttributeUpdates={"w": {"Value": {"S": "x"}}},
                    Expected={"v": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "1"}, {"N": "4"}]}})
    with pytest.raises(ClientError) as excinfo:
        ddb.delete_item(TableName=table, Key=key(),
                        Expected={"v": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "4"}]},
                                  "w": {"ComparisonOperator": "NULL"}})
    assert error_of(excinfo)[0] == "ConditionalCheckFailedException"
    # OR: one of the two holds.
    ddb.delete_item(TableName=table, Key=key(), ConditionalOperator="OR",
                    Expected={"v": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "4"}]},
                              "w": {"ComparisonOperator": "NOT_NULL"}})
    assert "Item" not in ddb.get_item(TableName=table, Key=key())


@pytest.mark.parametrize("expected, message", [
    ({"a": {}}, PREFIX + "Value must be provided when Exists is null for Attribute: a"),
    ({"a": {"Exists": True}}, PREFIX + "Value must be provided when Exists is true for Attribute: a"),
    ({"a": {"Exists": False, "Value": {"S": "x"}}}, PREFIX + "Value cannot be used when Exists is false for Attribute: a"),
    ({"a": {"Value": {"S": "x"}, "AttributeValueList": [{"S": "x"}]}},
     PREFIX + "Value and AttributeValueList cannot be used together for Attribute: a"),
    ({"a": {"Exists": True, "ComparisonOperator": "EQ", "AttributeValueList": [{"S": "x"}]}},
     PREFIX + "Exists and ComparisonOperator cannot be used together for Attribute: a"),
    ({"a": {"AttributeValueList": [{"S": "x"}]}},
     PREFIX + "AttributeValueList can only be used with a ComparisonOperator for Attribute: a"),
    ({"a": {"ComparisonOperator": "EQ"}},
     PREFIX + "Value or AttributeValueList must be used with ComparisonOperator: EQ for Attribute: a"),
    ({"a": {"ComparisonOperator": "NULL", "Value": {"S": "x"}}},
     PREFIX + "Invalid number of argument(s) for the NULL ComparisonOperator"),
])
def test_expected_errors(ddb, table, expected, message):
    with pytest.raises(ClientError) as excinfo:
        ddb.put_item(TableName=table, Item=key(), Expected=expected)
    assert error_of(excinfo) == ("ValidationException", message)
    assert "Item" not in ddb.get_item(TableName=table, Key=key())


OPERATOR_CASES = [
    # (operator, AttributeValueList, matching keys among items sk=1 (v="apple"), sk=2 (v="banana"), sk=3 (no v))
    ("EQ", [{"S": "apple"}], [1]),
    ("NE", [{"S": "apple"}], [2, 3]),
    ("LE", [{"S": "apple"}], [1]),
    ("LT", [{"S": "b"}], [1]),
    ("GE", [{"S": "b"}], [2]),
    ("GT", [{"S": "apple"}], [2]),
    ("NOT_NULL", [], [1, 2]),
    ("NULL", [], [3]),
    ("CONTAINS", [{"S": "nan"}], [2]),
    ("NOT_CONTAINS", [{"S": "nan"}], [1, 3]),
    ("BEGINS_WITH", [{"S": "ap"}], [1]),
    ("IN", [{"S": "banana"}, {"S": "cherry"}], [2]),
    ("BETWEEN", [{"S": "a"}, {"S": "b"}], [1]),
]


@pytest.fixture()
def filled(ddb, table):
    ddb.put_item(TableName=table, Item={**key(sk=1), "v": {"S": "apple"}})
    ddb.put_item(TableName=table, Item={**key(sk=2), "v": {"S": "banana"}})
    ddb.put_item(TableName=table, Item=key(sk=3))
    return table


@pytest.mark.parametrize("operator, values, matches", OPERATOR_CASES, ids=[case[0] for case in OPERATOR_CASES])
def test_every_operator_in_query_filter_and_scan_filter(ddb, filled, operator, values, matches):
    condition = {"v": {"ComparisonOperator": operator, "AttributeValueList": values}}
    if not values:
        del condition["v"]["AttributeValueList"]
    queried = ddb.query(TableName=filled, KeyConditions={"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "p"}]}},
                        QueryFilter=condition)
    assert [int(item["sk"]["N"]) for item in queried["Items"]] == matches
    assert queried["ScannedCount"] == 3
    scanned = ddb.scan(TableName=filled, ScanFilter=condition)
    assert sorted(int(item["sk"]["N"]) for item in scanned["Items"]) == matches


@pytest.mark.parametrize("operator, values, message", [
    ("EQ", [], "Invalid number of argument(s) for the EQ ComparisonOperator"),
    ("BETWEEN", [{"S": "a"}], "Invalid number of argument(s) for the BETWEEN ComparisonOperator"),
    ("IN", [], "Invalid number of argument(s) for the IN ComparisonOperator"),
    ("NOT_NULL", [{"S": "a"}], "Invalid number of argument(s) for the NOT_NULL ComparisonOperator"),
    ("LT", [{"BOOL": True}], "ComparisonOperator LT is not valid for BOOL AttributeValue type"),
    ("IN", [{"SS": ["a"]}], "ComparisonOperator IN is not valid for SS AttributeValue type"),
    ("CONTAINS", [{"L": []}], "ComparisonOperator CONTAINS is not valid for L AttributeValue type"),
    ("BEGINS_WITH", [{"N": "1"}], "ComparisonOperator BEGINS_WITH is not valid for N AttributeValue type"),
    ("IN", [{"S": "b"}, {"N": "1"}], "AttributeValues inside AttributeValueList must be of same type"),
])
def test_scan_filter_errors(ddb, table, operator, values, message):
    with pytest.raises(ClientError) as excinfo:
        ddb.scan(TableName=table, ScanFilter={"v": {"ComparisonOperator": operator, "AttributeValueList": values}})
    assert error_of(excinfo) == ("ValidationException", PREFIX + message)


def test_between_bounds_in_wrong_order(ddb, table):
    with pytest.raises(ClientError) as excinfo:
        ddb.scan(TableName=table, ScanFilter={"v": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"S": "b"}, {"S": "a"}]}})
    assert error_of(excinfo) == (
        "ValidationException", "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound")


def test_conditional_operator_or_in_scan_filter(ddb, filled):
    scanned = ddb.scan(TableName=filled, ConditionalOperator="OR", ScanFilter={
        "v": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "apple"}]},
        "sk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "3"}]},
    })
    assert sorted(int(item["sk"]["N"]) for item in scanned["Items"]) == [1, 3]


# =========================================================================== KeyConditions


def test_key_conditions_range_operators(ddb, filled):
    def sks(sort_condition, **kwargs):
        conditions = {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "p"}]}}
        if sort_condition:
            conditions["sk"] = sort_condition
        return [int(item["sk"]["N"]) for item in ddb.query(TableName=filled, KeyConditions=conditions, **kwargs)["Items"]]

    assert sks(None) == [1, 2, 3]
    assert sks(None, ScanIndexForward=False) == [3, 2, 1]
    assert sks({"ComparisonOperator": "GT", "AttributeValueList": [{"N": "1"}]}) == [2, 3]
    assert sks({"ComparisonOperator": "LE", "AttributeValueList": [{"N": "2"}]}) == [1, 2]
    assert sks({"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "2"}, {"N": "3"}]}) == [2, 3]
    assert sks({"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "2"}]}) == [2]
    page = ddb.query(TableName=filled, Limit=1, KeyConditions={"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "p"}]}})
    assert page["LastEvaluatedKey"] == key(sk=1)


@pytest.mark.parametrize("conditions, message", [
    ({}, "Conditions can be of length 1 or 2 only"),
    ({"sk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "1"}]}}, "Query condition missed key schema element: pk"),
    ({"pk": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"S": "p"}]}}, "Query key condition not supported"),
    ({"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "p"}]},
      "sk": {"ComparisonOperator": "NE", "AttributeValueList": [{"N": "1"}]}}, "Query key condition not supported"),
    ({"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "1"}]}},
     PREFIX + "Condition parameter type does not match schema type"),
])
def test_key_conditions_errors(ddb, table, conditions, message):
    with pytest.raises(ClientError) as excinfo:
        ddb.query(TableName=table, KeyConditions=conditions)
    assert error_of(excinfo) == ("ValidationException", message)


# =========================================================================== AttributesToGet


def test_attributes_to_get(ddb, table):
    ddb.put_item(TableName=table, Item={**key(), "a": {"S": "1"}, "b": {"S": "2"}, "c": {"S": "3"}})
    assert ddb.get_item(TableName=table, Key=key(), AttributesToGet=["a", "c"])["Item"] == {"a": {"S": "1"}, "c": {"S": "3"}}
    got = ddb.batch_get_item(RequestItems={table: {"Keys": [key()], "AttributesToGet": ["b"]}})
    assert got["Responses"][table] == [{"b": {"S": "2"}}]
    queried = ddb.query(TableName=table, AttributesToGet=["pk", "c"],
                        KeyConditions={"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "p"}]}})
    assert queried["Items"] == [{"pk": {"S": "p"}, "c": {"S": "3"}}]
    with pytest.raises(ClientError) as excinfo:
        ddb.get_item(TableName=table, Key=key(), AttributesToGet=["a", "a"])
    assert error_of(excinfo) == ("ValidationException", PREFIX + "Duplicate value in attribute name: a")
    with pytest.raises(ClientError) as excinfo:
        ddb.scan(TableName=table, AttributesToGet=[])
    assert error_of(excinfo) == (
        "ValidationException",
        "1 validation error detected: Value '[]' at 'attributesToGet' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1")
    with pytest.raises(ClientError) as excinfo:
        ddb.scan(TableName=table, AttributesToGet=["a"], Select="ALL_ATTRIBUTES")
    assert error_of(excinfo) == ("ValidationException", "Cannot specify the AttributesToGet when choosing to get ALL_ATTRIBUTES")


# =========================================================================== mixing


MIXING_CASES = [
    ("update_item", dict(Key=key(), AttributeUpdates={"a": {"Value": {"S": "x"}}}, Expected={"a": {"Exists": False}},
                         UpdateExpression="SET b = :v", ConditionExpression="attribute_exists(pk)",
                         ExpressionAttributeValues={":v": {"S": "x"}}),
     "{AttributeUpdates, Expected} Expression parameters: {UpdateExpression, ConditionExpression}"),
    ("put_item", dict(Item=key(), Expected={"pk": {"Exists": False}}, ConditionExpression="attribute_not_exists(pk)"),
     "{Expected} Expression parameters: {ConditionExpression}"),
    ("delete_item", dict(Key=key(), Expected={"pk": {"Exists": False}}, ConditionExpression="attribute_not_exists(pk)"),
     "{Expected} Expression parameters: {ConditionExpression}"),
    ("get_item", dict(Key=key(), AttributesToGet=["a"], ProjectionExpression="a"),
     "{AttributesToGet} Expression parameters: {ProjectionExpression}"),
    ("query", dict(AttributesToGet=["a"], QueryFilter={"a": {"ComparisonOperator": "NULL"}}, ConditionalOperator="OR",
                   KeyConditions={"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "p"}]}},
                   ProjectionExpression="a", FilterExpression="attribute_exists(b)", KeyConditionExpression="pk = :p",
                   ExpressionAttributeValues={":p": {"S": "p"}}),
     "{AttributesToGet, QueryFilter, ConditionalOperator, KeyConditions} "
     "Expression parameters: {ProjectionExpression, FilterExpression, KeyConditionExpression}"),
    ("scan", dict(ScanFilter={"a": {"ComparisonOperator": "NULL"}}, FilterExpression="attribute_exists(b)"),
     "{ScanFilter} Expression parameters: {FilterExpression}"),
]


@pytest.mark.parametrize("operation, params, detail", MIXING_CASES, ids=[case[0] for case in MIXING_CASES])
def test_mixing_legacy_and_expression_parameters(ddb, table, operation, params, detail):
    with pytest.raises(ClientError) as excinfo:
        getattr(ddb, operation)(TableName=table, **params)
    assert error_of(excinfo) == (
        "ValidationException",
        "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: " + detail)


def test_key_conditions_with_filter_expression_is_allowed(ddb, filled):
    queried = ddb.query(TableName=filled, KeyConditions={"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "p"}]}},
                        FilterExpression="attribute_exists(v)")
    assert [int(item["sk"]["N"]) for item in queried["Items"]] == [1, 2]


@pytest.mark.parametrize("operation, params, message", [
    ("put_item", dict(Item=key(), Expected={"pk": {"Exists": False}}, ExpressionAttributeNames={"#a": "a"}),
     "ExpressionAttributeNames can only be specified when using expressions"),
    ("put_item", dict(Item=key(), ExpressionAttributeValues={":a": {"S": "a"}}),
     "ExpressionAttributeValues can only be specified when using expressions: ConditionExpression is null"),
    ("update_item", dict(Key=key(), ExpressionAttributeValues={":a": {"S": "a"}}),
     "ExpressionAttributeValues can only be specified when using expressions: UpdateExpression and ConditionExpression are null"),
    ("get_item", dict(Key=key(), ExpressionAttributeNames={"#a": "a"}),
     "ExpressionAttributeNames can only be specified when using expressions"),
    ("scan", dict(ExpressionAttributeValues={":a": {"S": "a"}}),
     "ExpressionAttributeValues can only be specified when using expressions: FilterExpression is null"),
    ("query", dict(KeyConditions={"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "p"}]}},
                   ExpressionAttributeValues={":a": {"S": "a"}}),
     "ExpressionAttributeValues can only be specified when using expressions: FilterExpression and KeyConditionExpression are null"),
])
def test_expression_maps_without_expressions(ddb, table, operation, params, message):
    with pytest.raises(ClientError) as excinfo:
        getattr(ddb, operation)(TableName=table, **params)
    assert error_of(excinfo) == ("ValidationException", message)


# =========================================================================== IAM condition keys


def test_legacy_parameters_supply_condition_keys(tmp_path):
    """A role allowed to update only `nickname` (dynamodb:Attributes) cannot slip other attributes in through the legacy
    AttributeUpdates or Expected maps (Tests/e2e/templates/condition_keys.yaml, the identity pool's guest role)."""
    from pathlib import Path

    from conftest import EmulatorProcess

    server = EmulatorProcess(tmp_path, "--stack-name", "legacykeys", template=Path(__file__).parent / "templates" / "condition_keys.yaml")
    try:
        cloudformation = server.client("cloudformation")
        pool_id = next(o["OutputValue"] for o in cloudformation.describe_stacks(StackName="legacykeys")["Stacks"][0]["Outputs"]
                       if o["OutputKey"] == "IdentityPoolId")
        cognito = server.client("cognito-identity")
        identity_id = cognito.get_id(IdentityPoolId=pool_id)["IdentityId"]
        credentials = cognito.get_credentials_for_identity(IdentityId=identity_id)["Credentials"]
        guest = server.client("dynamodb", key=credentials["AccessKeyId"], secret=credentials["SecretKey"],
                              token=credentials["SessionToken"])
        table, key = "ConditionKeys-Profiles", {"userId": {"S": "legacy"}}
        guest.update_item(TableName=table, Key=key, AttributeUpdates={"nickname": {"Value": {"S": "neo"}}})
        for params in (dict(AttributeUpdates={"email": {"Value": {"S": "x@example.com"}}}),
                       dict(AttributeUpdates={"nickname": {"Value": {"S": "x"}}}, Expected={"email": {"Exists": False}})):
            with pytest.raises(ClientError) as excinfo:
                guest.update_item(TableName=table, Key=key, **params)
            assert excinfo.value.response["Error"]["Code"] == "AccessDeniedException"
        assert server.client("dynamodb").get_item(TableName=table, Key=key)["Item"] == {**key, "nickname": {"S": "neo"}}
    finally:
        server.stop()
