"""DynamoDB ConsumedCapacity against the real binary with boto3, for items of known sizes.

AWS's rules (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html): reads in
4 KB units (eventually consistent reads half), writes in 1 KB units, transactions twice the table's figure, Query and
Scan on the summed size of the items read (not returned), global secondary index writes charged on the index when
its entry appears, changes or goes. Only the transactional operations report `ReadCapacityUnits` /
`WriteCapacityUnits` beside `CapacityUnits`; `INDEXES` adds the `Table` / `GlobalSecondaryIndexes` breakdown.
"""

import uuid

import pytest


def unique(prefix="cap"):
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="module")
def ddb(client):
    return client("dynamodb")


@pytest.fixture()
def table(ddb):
    """Partition key `pk`, a KEYS_ONLY GSI `byOwner` on `owner`."""
    name = unique()
    ddb.create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "owner", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[{
            "IndexName": "byOwner",
            "KeySchema": [{"AttributeName": "owner", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"},
        }],
        BillingMode="PAY_PER_REQUEST",
    )
    yield name
    ddb.delete_table(TableName=name)


def item(pk, size, owner=None):
    """An item of exactly `size` bytes (attribute names count, as AWS sizes items)."""
    base = {"pk": {"S": pk}}
    used = 2 + len(pk) + 4  # "pk" + value + "blob"
    if owner is not None:
        base["owner"] = {"S": owner}
        used += 5 + len(owner)
    return {**base, "blob": {"S": "x" * (size - used)}}


def test_item_operations_report_capacity_units_and_index_writes(ddb, table):
    # Single-item operations report CapacityUnits alone (no read/write split), as AWS does.
    put = ddb.put_item(TableName=table, Item=item("a", 1500), ReturnConsumedCapacity="TOTAL")
    assert put["ConsumedCapacity"] == {"TableName": table, "CapacityUnits": 2.0}
    got = ddb.get_item(TableName=table, Key={"pk": {"S": "a"}}, ReturnConsumedCapacity="TOTAL")
    assert got["ConsumedCapacity"] == {"TableName": table, "CapacityUnits": 0.5}
    ddb.put_item(TableName=table, Item=item("big", 9000))
    got = ddb.get_item(TableName=table, Key={"pk": {"S": "big"}}, ConsistentRead=True, ReturnConsumedCapacity="INDEXES")
    assert got["ConsumedCapacity"] == {"TableName": table, "CapacityUnits": 3.0, "Table": {"CapacityUnits": 3.0}}
    gone = ddb.delete_item(TableName=table, Key={"pk": {"S": "big"}}, ReturnConsumedCapacity="TOTAL")
    assert gone["ConsumedCapacity"] == {"TableName": table, "CapacityUnits": 9.0}
    for mode in ("NONE", None):
        kwargs = {"ReturnConsumedCapacity": mode} if mode else {}
        assert "ConsumedCapacity" not in ddb.get_item(TableName=table, Key={"pk": {"S": "a"}}, **kwargs)
        assert "ConsumedCapacity" not in ddb.put_item(TableName=table, Item=item("a", 1500), **kwargs)

    put = ddb.put_item(TableName=table, Item=item("g", 1500, owner="ann"), ReturnConsumedCapacity="INDEXES")
    assert put["ConsumedCapacity"] == {
        "TableName": table, "CapacityUnits": 3.0, "Table": {"CapacityUnits": 2.0},
        "GlobalSecondaryIndexes": {"byOwner": {"CapacityUnits": 1.0}},
    }
    # Changing the index key: a delete and a put on the index.
    moved = ddb.update_item(TableName=table, Key={"pk": {"S": "g"}}, UpdateExpression="SET #o = :o",
                            ExpressionAttributeNames={"#o": "owner"}, ExpressionAttributeValues={":o": {"S": "bob"}},
                            ReturnConsumedCapacity="INDEXES")
    assert moved["ConsumedCapacity"]["GlobalSecondaryIndexes"] == {"byOwner": {"CapacityUnits": 2.0}}
    assert moved["ConsumedCapacity"]["CapacityUnits"] == 4.0
    # A change outside the KEYS_ONLY projection leaves the index entry as it was: nothing charged on it.
    other = ddb.update_item(TableName=table, Key={"pk": {"S": "g"}}, UpdateExpression="SET extra = :v",
                            ExpressionAttributeValues={":v": {"N": "1"}}, ReturnConsumedCapacity="INDEXES")
    assert other["ConsumedCapacity"] == {"TableName": table, "CapacityUnits": 2.0, "Table": {"CapacityUnits": 2.0}}
    # TOTAL folds the index in.
    total = ddb.delete_item(TableName=table, Key={"pk": {"S": "g"}}, ReturnConsumedCapacity="TOTAL")
    assert total["ConsumedCapacity"] == {"TableName": table, "CapacityUnits": 3.0}


def test_query_and_scan_charge_the_items_read(ddb, table):
    for pk in ("q1", "q2", "q3"):
        ddb.put_item(TableName=table, Item=item(pk, 1500, owner="own"))
    # 3 x 1.5 KB read = 4.5 KB: two 4 KB units, halved for an eventually consistent read, filter or not.
    scan = ddb.scan(TableName=table, FilterExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "q1"}},
                    ReturnConsumedCapacity="TOTAL")
    assert scan["Count"] == 1
    assert scan["ConsumedCapacity"] == {"TableName": table, "CapacityUnits": 1.0}
    scan = ddb.scan(TableName=table, ConsistentRead=True, ReturnConsumedCapacity="TOTAL")
    assert scan["ConsumedCapacity"] == {"TableName": table, "CapacityUnits": 2.0}
    # The KEYS_ONLY index holds small entries; the read is charged to the index, the table arm is zero.
    query = ddb.query(TableName=table, IndexName="byOwner", KeyConditionExpression="#o = :o",
                      ExpressionAttributeNames={"#o": "owner"}, ExpressionAttributeValues={":o": {"S": "own"}},
                      ReturnConsumedCapacity="INDEXES")
    assert query["Count"] == 3
    assert query["ConsumedCapacity"] == {
        "TableName": table, "CapacityUnits": 0.5, "Table": {"CapacityUnits": 0.0},
        "GlobalSecondaryIndexes": {"byOwner": {"CapacityUnits": 0.5}},
    }
    # PartiQL SELECTs: by the partition key a Query of one item, otherwise a Scan of all three.
    select = ddb.execute_statement(Statement=f"SELECT pk FROM \"{table}\" WHERE pk = 'q2'", ConsistentRead=True,
                                   ReturnConsumedCapacity="TOTAL")
    assert select["Items"] == [{"pk": {"S": "q2"}}]
    assert select["ConsumedCapacity"] == {"TableName": table, "CapacityUnits": 1.0}
    select = ddb.execute_statement(Statement=f"SELECT pk FROM \"{table}\" WHERE begins_with(pk, 'q')",
                                   ReturnConsumedCapacity="TOTAL")
    assert len(select["Items"]) == 3
    assert select["ConsumedCapacity"] == {"TableName": table, "CapacityUnits": 1.0}


def test_batches_report_a_list_per_table(ddb, table):
    out = ddb.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": item(f"b{n}", 5000)}} for n in range(2)]},
                               ReturnConsumedCapacity="TOTAL")
    assert out["ConsumedCapacity"] == [{"TableName": table, "CapacityUnits": 10.0}]
    assert out["UnprocessedItems"] == {}
    got = ddb.batch_get_item(RequestItems={table: {"Keys": [{"pk": {"S": "b0"}}, {"pk": {"S": "b1"}}]}},
                             ReturnConsumedCapacity="TOTAL")
    # Each item read is rounded up to 4 KB units on its own: 2 + 2, halved.
    assert got["ConsumedCapacity"] == [{"TableName": table, "CapacityUnits": 2.0}]
    assert got["UnprocessedKeys"] == {}
    out = ddb.batch_execute_statement(Statements=[
        {"Statement": f"SELECT * FROM \"{table}\" WHERE pk = 'b0'"},
        {"Statement": f"UPDATE \"{table}\" SET n = 2 WHERE pk = 'b1'"},
    ], ReturnConsumedCapacity="TOTAL")
    assert out["ConsumedCapacity"] == [{"TableName": table, "CapacityUnits": 6.0}]


def test_transactions_double_and_split_read_and_write_units(ddb, table):
    out = ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": table, "Item": item("t1", 500)}},
        {"Put": {"TableName": table, "Item": item("t2", 1500, owner="ann")}},
    ], ReturnConsumedCapacity="INDEXES")
    # Table: 2 x 1 + 2 x 2 = 6 write units; the index entry costs what it costs outside a transaction.
    assert out["ConsumedCapacity"] == [{
        "TableName": table, "CapacityUnits": 7.0, "WriteCapacityUnits": 7.0,
        "Table": {"CapacityUnits": 6.0, "WriteCapacityUnits": 6.0},
        "GlobalSecondaryIndexes": {"byOwner": {"CapacityUnits": 1.0, "WriteCapacityUnits": 1.0}},
    }]
    check = ddb.transact_write_items(TransactItems=[
        {"ConditionCheck": {"TableName": table, "Key": {"pk": {"S": "t2"}}, "ConditionExpression": "attribute_exists(pk)"}},
    ], ReturnConsumedCapacity="TOTAL")
    assert check["ConsumedCapacity"] == [{"TableName": table, "CapacityUnits": 4.0, "WriteCapacityUnits": 4.0}]
    got = ddb.transact_get_items(TransactItems=[
        {"Get": {"TableName": table, "Key": {"pk": {"S": "t1"}}}},
        {"Get": {"TableName": table, "Key": {"pk": {"S": "missing"}}}},
    ], ReturnConsumedCapacity="INDEXES")
    assert got["ConsumedCapacity"] == [{
        "TableName": table, "CapacityUnits": 4.0, "ReadCapacityUnits": 4.0,
        "Table": {"CapacityUnits": 4.0, "ReadCapacityUnits": 4.0},
    }]


def test_partiql_capacity(ddb, table):
    out = ddb.execute_statement(Statement=f"INSERT INTO \"{table}\" VALUE {{'pk': 'p1', 'owner': 'ann'}}",
                                ReturnConsumedCapacity="INDEXES")
    assert out["ConsumedCapacity"] == {
        "TableName": table, "CapacityUnits": 2.0, "Table": {"CapacityUnits": 1.0},
        "GlobalSecondaryIndexes": {"byOwner": {"CapacityUnits": 1.0}},
    }
    out = ddb.execute_statement(Statement=f"SELECT * FROM \"{table}\".\"byOwner\" WHERE owner = 'ann'",
                                ReturnConsumedCapacity="INDEXES")
    assert out["ConsumedCapacity"] == {
        "TableName": table, "CapacityUnits": 0.5, "Table": {"CapacityUnits": 0.0},
        "GlobalSecondaryIndexes": {"byOwner": {"CapacityUnits": 0.5}},
    }
    out = ddb.execute_transaction(TransactStatements=[
        {"Statement": f"UPDATE \"{table}\" SET n = 1 WHERE pk = 'p1'"},
    ], ReturnConsumedCapacity="TOTAL")
    assert out["ConsumedCapacity"] == [{"TableName": table, "CapacityUnits": 2.0, "WriteCapacityUnits": 2.0}]
    out = ddb.execute_transaction(TransactStatements=[
        {"Statement": f"SELECT * FROM \"{table}\" WHERE pk = 'p1'"},
    ], ReturnConsumedCapacity="TOTAL")
    assert out["ConsumedCapacity"] == [{"TableName": table, "CapacityUnits": 2.0, "ReadCapacityUnits": 2.0}]
    out = ddb.batch_execute_statement(Statements=[
        {"Statement": f"SELECT * FROM \"{table}\" WHERE pk = 'p1'"},
        {"Statement": f"UPDATE \"{table}\" SET n = 2 WHERE pk = 'p1'"},
    ], ReturnConsumedCapacity="TOTAL")
    assert out["ConsumedCapacity"] == [{"TableName": table, "CapacityUnits": 1.5}]


def test_a_transaction_replay_is_charged_as_reads(ddb, table):
    request = {"TransactItems": [{"Put": {"TableName": table, "Item": item("r1", 1500)}}],
               "ClientRequestToken": unique("token"), "ReturnConsumedCapacity": "TOTAL"}
    first = ddb.transact_write_items(**request)
    assert first["ConsumedCapacity"] == [{"TableName": table, "CapacityUnits": 4.0, "WriteCapacityUnits": 4.0}]
    replay = ddb.transact_write_items(**request)
    assert replay["ConsumedCapacity"] == [{"TableName": table, "CapacityUnits": 2.0, "ReadCapacityUnits": 2.0}]


def test_batch_get_item_answers_keys_past_16_mb_in_unprocessed_keys(ddb, table):
    for n in range(60):
        ddb.put_item(TableName=table, Item={"pk": {"S": f"big{n:02d}"}, "blob": {"S": "x" * 300_000}})
    keys = [{"pk": {"S": f"big{n:02d}"}} for n in range(60)]
    out = ddb.batch_get_item(RequestItems={table: {"Keys": keys, "ConsistentRead": True}}, ReturnConsumedCapacity="TOTAL")
    # 300,011-byte items: 55 fit in 16 MB (16,777,216 bytes); the rest come back to be asked for again.
    assert len(out["Responses"][table]) == 55
    assert out["UnprocessedKeys"] == {table: {"Keys": keys[55:], "ConsistentRead": True}}
    assert out["ConsumedCapacity"] == [{"TableName": table, "CapacityUnits": 55 * 74.0}]
