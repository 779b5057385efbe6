"""DynamoDB PartiQL (ExecuteStatement, BatchExecuteStatement, ExecuteTransaction) against the real binary with boto3.

Statements run on the same store and expression evaluator as the item operations; answers and error texts are AWS's
(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.html). Each test creates its own table.
"""

import uuid

import pytest
from botocore.exceptions import ClientError

NOT_WELL_FORMED = "Statement wasn't well formed, can't be processed: "


def unique(prefix="pql"):
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def error_of(excinfo):
    error = excinfo.value.response["Error"]
    return error["Code"], error["Message"]


@pytest.fixture(scope="module")
def ddb(ddb_unvalidated):
    return ddb_unvalidated


@pytest.fixture()
def table(ddb):
    """A table with a string partition key and a number sort key."""
    name = unique()
    ddb.create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        BillingMode="PAY_PER_REQUEST",
    )
    yield name
    ddb.delete_table(TableName=name)


@pytest.fixture()
def simple(ddb):
    """A table with only a string partition key and a GSI on `owner`."""
    name = unique()
    ddb.create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "owner", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[{
            "IndexName": "byOwner",
            "KeySchema": [{"AttributeName": "owner", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"},
        }],
        BillingMode="PAY_PER_REQUEST",
    )
    yield name
    ddb.delete_table(TableName=name)


def run(ddb, statement, *parameters, **kwargs):
    if parameters:
        kwargs["Parameters"] = list(parameters)
    return ddb.execute_statement(Statement=statement, **kwargs)


# =========================================================================== SELECT


def test_select_query_scan_projection_and_filters(ddb, table):
    for sk in range(1, 6):
        ddb.put_item(TableName=table, Item={"pk": {"S": "a"}, "sk": {"N": str(sk)}, "v": {"S": f"v{sk}"},
                                            "m": {"M": {"l": {"L": [{"N": str(sk)}]}}}})
    ddb.put_item(TableName=table, Item={"pk": {"S": "b"}, "sk": {"N": "1"}, "tag": {"S": "x"}})

    items = run(ddb, f'SELECT * FROM "{table}" WHERE pk = ? AND sk BETWEEN 2 AND 4', {"S": "a"})["Items"]
    assert [item["sk"]["N"] for item in items] == ["2", "3", "4"]

    items = run(ddb, f'SELECT v, m.l[0] FROM "{table}" WHERE pk = \'a\' AND sk >= 4 ORDER BY sk DESC')["Items"]
    assert items == [{"v": {"S": "v5"}, "m": {"M": {"l": {"L": [{"N": "5"}]}}}},
                     {"v": {"S": "v4"}, "m": {"M": {"l": {"L": [{"N": "4"}]}}}}]

    # No partition key equality: a scan with the WHERE clause as its filter.
    items = run(ddb, f'SELECT pk FROM "{table}" WHERE tag IS NOT MISSING OR begins_with(v, \'v5\')')["Items"]
    assert sorted(item["pk"]["S"] for item in items) == ["a", "b"]
    items = run(ddb, f'SELECT * FROM "{table}" WHERE contains(v, \'3\') AND attribute_exists(m) AND NOT sk IN (1, 2)')["Items"]
    assert [item["v"]["S"] for item in items] == ["v3"]
    assert run(ddb, f'SELECT * FROM "{table}" WHERE pk = \'zz\'')["Items"] == []


def test_select_pages_with_limit_and_next_token(ddb, table):
    for sk in range(1, 8):
        ddb.put_item(TableName=table, Item={"pk": {"S": "p"}, "sk": {"N": str(sk)}})
    statement = f'SELECT sk FROM "{table}" WHERE pk = \'p\''
    seen, token, pages = [], None, 0
    while True:
        kwargs = {"Limit": 3}
        if token:
            kwargs["NextToken"] = token
        page = ddb.execute_statement(Statement=statement, **kwargs)
        seen += [item["sk"]["N"] for item in page["Items"]]
        pages += 1
        token = page.get("NextToken")
        if not token:
            break
        assert page["LastEvaluatedKey"]["sk"]["N"] == seen[-1]
    assert seen == [str(n) for n in range(1, 8)]
    assert pages == 3

    with pytest.raises(ClientError) as excinfo:
        ddb.execute_statement(Statement=statement, NextToken="not-a-token")
    assert error_of(excinfo)[0] == "ValidationException"


def test_select_on_an_index(ddb, simple):
    ddb.put_item(TableName=simple, Item={"pk": {"S": "1"}, "owner": {"S": "ann"}})
    ddb.put_item(TableName=simple, Item={"pk": {"S": "2"}, "owner": {"S": "bob"}})
    items = run(ddb, f'SELECT pk FROM "{simple}"."byOwner" WHERE owner = ?', {"S": "bob"})["Items"]
    assert items == [{"pk": {"S": "2"}}]
    with pytest.raises(ClientError) as excinfo:
        run(ddb, f'SELECT * FROM "{simple}"."nope" WHERE owner = \'bob\'')
    assert error_of(excinfo) == ("ValidationException", "The table does not have the specified index")
    with pytest.raises(ClientError) as excinfo:
        run(ddb, 'SELECT * FROM "missing-table-xyz"."byOwner" WHERE owner = \'bob\'')
    assert error_of(excinfo) == ("ResourceNotFoundException", "Requested resource not found")


# =========================================================================== INSERT / UPDATE / DELETE


def test_insert_then_duplicate(ddb, table):
    out = run(ddb, f"INSERT INTO \"{table}\" VALUE {{'pk': ?, 'sk': 1, 'l': [1, 'two'], 's': <<'a', 'b'>>, 'ok': true}}",
              {"S": "k"})
    assert out["Items"] == []
    got = ddb.get_item(TableName=table, Key={"pk": {"S": "k"}, "sk": {"N": "1"}})["Item"]
    assert got["l"] == {"L": [{"N": "1"}, {"S": "two"}]}
    assert sorted(got["s"]["SS"]) == ["a", "b"]
    assert got["ok"] == {"BOOL": True}

    with pytest.raises(ClientError) as excinfo:
        run(ddb, f"INSERT INTO \"{table}\" VALUE {{'pk': 'k', 'sk': 1, 'other': 1}}")
    assert error_of(excinfo) == ("DuplicateItemException", "Duplicate primary key exists in table")
    assert "other" not in ddb.get_item(TableName=table, Key={"pk": {"S": "k"}, "sk": {"N": "1"}})["Item"]


def test_update_set_remove_and_returning(ddb, table):
    key = {"pk": {"S": "u"}, "sk": {"N": "1"}}
    ddb.put_item(TableName=table, Item={**key, "n": {"N": "5"}, "gone": {"S": "x"}, "l": {"L": [{"N": "1"}]},
                                        "ss": {"SS": ["a"]}})
    out = run(ddb, f"UPDATE \"{table}\" SET n = n + 1 SET l = list_append(l, ?) SET ss = set_add(ss, <<'b'>>) "
                   f"REMOVE gone WHERE pk = 'u' AND sk = 1 RETURNING ALL NEW *", {"L": [{"N": "2"}]})
    new = out["Items"][0]
    assert new["n"] == {"N": "6"}
    assert new["l"] == {"L": [{"N": "1"}, {"N": "2"}]}
    assert sorted(new["ss"]["SS"]) == ["a", "b"]
    assert "gone" not in new

    out = run(ddb, f"UPDATE \"{table}\" SET n = 10 WHERE pk = 'u' AND sk = 1 RETURNING MODIFIED OLD *")
    assert out["Items"] == [{"n": {"N": "6"}}]
    assert run(ddb, f"UPDATE \"{table}\" SET n = 11 WHERE pk = 'u' AND sk = 1")["Items"] == []

    # The WHERE clause beyond the key is the condition; a missing item fails it too.
    with pytest.raises(ClientError) as excinfo:
        run(ddb, f"UPDATE \"{table}\" SET n = 0 WHERE pk = 'u' AND sk = 1 AND n = 99",
            ReturnValuesOnConditionCheckFailure="ALL_OLD")
    assert error_of(excinfo) == ("ConditionalCheckFailedException", "The conditional request failed")
    assert excinfo.value.response["Item"]["n"] == {"N": "11"}
    with pytest.raises(ClientError) as excinfo:
        run(ddb, f"UPDATE \"{table}\" SET n = 0 WHERE pk = 'absent' AND sk = 1")
    assert error_of(excinfo) == ("ConditionalCheckFailedException", "The conditional request failed")
    assert "Item" not in ddb.get_item(TableName=table, Key={"pk": {"S": "absent"}, "sk": {"N": "1"}})

    with pytest.raises(ClientError) as excinfo:
        run(ddb, f"UPDATE \"{table}\" SET n = 0 WHERE pk = 'u'")
    assert error_of(excinfo) == ("ValidationException", "Where clause does not contain a mandatory equality on all key attributes")


def test_delete_with_condition_and_returning(ddb, table):
    key = {"pk": {"S": "d"}, "sk": {"N": "1"}}
    ddb.put_item(TableName=table, Item={**key, "n": {"N": "1"}})
    with pytest.raises(ClientError) as excinfo:
        run(ddb, f"DELETE FROM \"{table}\" WHERE pk = 'd' AND sk = 1 AND n > 5")
    assert error_of(excinfo) == ("ConditionalCheckFailedException", "The conditional request failed")
    out = run(ddb, f"DELETE FROM \"{table}\" WHERE pk = ? AND sk = ? RETURNING ALL OLD *", {"S": "d"}, {"N": "1"})
    assert out["Items"] == [{**key, "n": {"N": "1"}}]
    assert "Item" not in ddb.get_item(TableName=table, Key=key)
    assert run(ddb, f"DELETE FROM \"{table}\" WHERE pk = 'd' AND sk = 1")["Items"] == []


# =========================================================================== errors


@pytest.mark.parametrize("statement, parameters, expected", [
    ('DROP TABLE "{t}"', None, ("ValidationException", NOT_WELL_FORMED + "Expected data manipulation")),
    ('SELECT * FROM "{t}" WHERE pk = 1 foo', None, ("ValidationException", NOT_WELL_FORMED + "Unexpected token after expression")),
    ('SELECT * FROM "{t}" t WHERE pk = \'x\'', None, ("ValidationException", "Aliasing is not supported")),
    ('SELECT * FROM "{t}" WHERE pk = ?', None, ("ValidationException", "Number of parameters in request and statement don't match.")),
    ('SELECT * FROM "{t}"', [{"S": "x"}], ("ValidationException", "Number of parameters in request and statement don't match.")),
    ('SELECT * FROM "{t}" WHERE pk = ?', [], ("ValidationException",
        "1 validation error detected: Value '[]' at 'parameters' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1")),
    ('SELECT * FROM "{t}" WHERE pk = 1e126', None, ("ValidationException",
        "Number overflow. Attempting to store a number with magnitude larger than supported range under root")),
    ('SELECT * FROM "missing-table-xyz"', None, ("ResourceNotFoundException", "Requested resource not found")),
    ('UPDATE "{t}" SET t = set_add(ss, <<\'x\'>>) WHERE pk = \'k\' AND sk = 1', None, ("ValidationException",
        "The first argument to SET_ADD must equal the assignment value at 1:{col}:7")),
])
def test_statement_errors(ddb, table, statement, parameters, expected):
    text = statement.replace("{t}", table)
    if "set_add" in text:  # DynamoDB gives the position of the function name (line:column:length)
        expected = (expected[0], expected[1].replace("{col}", str(text.index("set_add") + 1)))
    kwargs = {} if parameters is None else {"Parameters": parameters}
    with pytest.raises(ClientError) as excinfo:
        ddb.execute_statement(Statement=text, **kwargs)
    assert error_of(excinfo) == expected


def test_a_refused_statement_writes_nothing(ddb, table):
    with pytest.raises(ClientError):
        run(ddb, f"INSERT INTO \"{table}\" VALUE {{'pk': 'x', 'sk': 1}} foo")
    assert ddb.scan(TableName=table)["Items"] == []


# =========================================================================== BatchExecuteStatement


def test_batch_execute_statement_per_statement_errors(ddb, table):
    ddb.put_item(TableName=table, Item={"pk": {"S": "b"}, "sk": {"N": "1"}, "n": {"N": "1"}})
    out = ddb.batch_execute_statement(Statements=[
        {"Statement": f'SELECT * FROM "{table}" WHERE pk = ? AND sk = 1', "Parameters": [{"S": "b"}]},
        {"Statement": f'SELECT * FROM "{table}" WHERE pk = \'none\' AND sk = 1'},
        {"Statement": f'SELECT * FROM "{table}" WHERE pk = \'b\''},
        {"Statement": 'SELECT * FROM "missing-table-xyz" WHERE pk = \'b\''},
    ])["Responses"]
    assert out[0] == {"TableName": table, "Item": {"pk": {"S": "b"}, "sk": {"N": "1"}, "n": {"N": "1"}}}
    assert out[1] == {"TableName": table}
    assert out[2] == {"TableName": table, "Error": {
        "Code": "ValidationError",
        "Message": "Select statements within BatchExecuteStatement must specify the primary key in the where clause."}}
    assert out[3] == {"Error": {"Code": "ResourceNotFound", "Message": "Requested resource not found"}}

    out = ddb.batch_execute_statement(Statements=[
        {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': 'b', 'sk': 1}}"},
        {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': 'c', 'sk': 1}}"},
        {"Statement": f"UPDATE \"{table}\" SET n = 5 WHERE pk = 'b' AND sk = 1 AND n = 9",
         "ReturnValuesOnConditionCheckFailure": "ALL_OLD"},
        {"Statement": f"UPDATE \"{table}\" SET n = 2 WHERE pk = 'b' AND sk = 1"},
    ])["Responses"]
    assert out[0] == {"TableName": table, "Error": {"Code": "DuplicateItem", "Message": "Duplicate primary key exists in table"}}
    assert out[1] == {"TableName": table}
    assert out[2] == {"TableName": table, "Error": {
        "Code": "ConditionalCheckFailed", "Message": "The conditional request failed",
        "Item": {"pk": {"S": "b"}, "sk": {"N": "1"}, "n": {"N": "1"}}}}
    assert out[3] == {"TableName": table}
    assert ddb.get_item(TableName=table, Key={"pk": {"S": "b"}, "sk": {"N": "1"}})["Item"]["n"] == {"N": "2"}
    assert "Item" in ddb.get_item(TableName=table, Key={"pk": {"S": "c"}, "sk": {"N": "1"}})

    with pytest.raises(ClientError) as excinfo:
        ddb.batch_execute_statement(Statements=[{"Statement": f'SELECT * FROM "{table}"'}] * 26)
    assert error_of(excinfo) == ("ValidationException",
        "1 validation error detected: Value '[26 items]' at 'statements' failed to satisfy constraint: "
        "Member must have length less than or equal to 25")
    with pytest.raises(ClientError) as excinfo:
        ddb.batch_execute_statement(Statements=[])
    assert error_of(excinfo) == ("ValidationException",
        "1 validation error detected: Value '[]' at 'statements' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1")


# =========================================================================== ExecuteTransaction


def test_execute_transaction_all_or_nothing(ddb, table):
    ddb.put_item(TableName=table, Item={"pk": {"S": "t"}, "sk": {"N": "1"}, "n": {"N": "1"}})
    ddb.put_item(TableName=table, Item={"pk": {"S": "dup"}, "sk": {"N": "1"}})
    with pytest.raises(ClientError) as excinfo:
        ddb.execute_transaction(TransactStatements=[
            {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': 'new', 'sk': 1}}"},
            {"Statement": f"UPDATE \"{table}\" SET n = 2 WHERE pk = 't' AND sk = 1 AND n = 5",
             "ReturnValuesOnConditionCheckFailure": "ALL_OLD"},
            {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': 'dup', 'sk': 1}}"},
        ])
    code, message = error_of(excinfo)
    assert code == "TransactionCanceledException"
    assert message == ("Transaction cancelled, please refer cancellation reasons for specific reasons "
                       "[None, ConditionalCheckFailed, DuplicateItem]")
    assert excinfo.value.response["CancellationReasons"] == [
        {"Code": "None"},
        {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed",
         "Item": {"pk": {"S": "t"}, "sk": {"N": "1"}, "n": {"N": "1"}}},
        {"Code": "DuplicateItem", "Message": "Duplicate primary key exists in table"},
    ]
    assert "Item" not in ddb.get_item(TableName=table, Key={"pk": {"S": "new"}, "sk": {"N": "1"}})

    with pytest.raises(ClientError) as excinfo:
        ddb.execute_transaction(TransactStatements=[
            {"Statement": f"UPDATE \"{table}\" SET n = 2 WHERE pk = 't' AND sk = 1"},
            {"Statement": f"DELETE FROM \"{table}\" WHERE pk = 't' AND sk = 1"},
        ])
    assert error_of(excinfo) == ("ValidationException", "Transaction request cannot include multiple operations on one item")

    statements = [
        {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': 'new', 'sk': 1}}"},
        {"Statement": f"UPDATE \"{table}\" SET n = n + 1 WHERE pk = 't' AND sk = 1"},
    ]
    out = ddb.execute_transaction(TransactStatements=statements, ClientRequestToken="tok-1")
    assert out["Responses"] == []
    again = ddb.execute_transaction(TransactStatements=statements, ClientRequestToken="tok-1")
    assert again["Responses"] == []
    assert ddb.get_item(TableName=table, Key={"pk": {"S": "t"}, "sk": {"N": "1"}})["Item"]["n"] == {"N": "2"}

    out = ddb.execute_transaction(TransactStatements=[
        {"Statement": f'SELECT n FROM "{table}" WHERE pk = ? AND sk = 1', "Parameters": [{"S": "t"}]},
        {"Statement": f'SELECT * FROM "{table}" WHERE pk = \'nobody\' AND sk = 1'},
    ])
    assert out["Responses"] == [{"Item": {"n": {"N": "2"}}}, {}]

    with pytest.raises(ClientError) as excinfo:
        ddb.execute_transaction(TransactStatements=[{"Statement": f'SELECT * FROM "{table}" WHERE pk = \'t\''}])
    assert error_of(excinfo) == ("ValidationException",
        "Validation failed in TransactStatements[0]: Select statements within ExecuteTransaction must specify the "
        "primary key in the where clause.")


def test_execute_transaction_exists_is_a_condition_check(ddb, table):
    ddb.put_item(TableName=table, Item={"pk": {"S": "e"}, "sk": {"N": "1"}, "state": {"S": "open"}})
    ddb.execute_transaction(TransactStatements=[
        {"Statement": f"EXISTS(SELECT * FROM \"{table}\" WHERE pk = 'e' AND sk = 1 AND state = 'open')"},
        {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': 'e', 'sk': 2}}"},
    ])
    assert "Item" in ddb.get_item(TableName=table, Key={"pk": {"S": "e"}, "sk": {"N": "2"}})
    with pytest.raises(ClientError) as excinfo:
        ddb.execute_transaction(TransactStatements=[
            {"Statement": f"EXISTS(SELECT * FROM \"{table}\" WHERE pk = 'e' AND sk = 1 AND state = 'closed')"},
            {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': 'e', 'sk': 3}}"},
        ])
    assert error_of(excinfo)[0] == "TransactionCanceledException"
    assert [reason["Code"] for reason in excinfo.value.response["CancellationReasons"]] == ["ConditionalCheckFailed", "None"]
    assert "Item" not in ddb.get_item(TableName=table, Key={"pk": {"S": "e"}, "sk": {"N": "3"}})
    with pytest.raises(ClientError) as excinfo:
        ddb.execute_transaction(TransactStatements=[
            {"Statement": f"EXISTS(SELECT * FROM \"{table}\" WHERE pk = 'e' AND sk = 1)"},
            {"Statement": f"UPDATE \"{table}\" SET z = 1 WHERE pk = 'e' AND sk = 2"},
        ])
    assert error_of(excinfo) == ("ValidationException",
        "Validation failed in TransactStatements[0]: EXISTS() must contain a single item read with additional condition")
