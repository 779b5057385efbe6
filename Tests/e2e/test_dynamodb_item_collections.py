"""Item collection size limit of tables with local secondary indexes (AWS: 10 GB), on a server whose limit is
lowered with --item-collection-limit so the limit can be reached in a test."""

import pytest
from botocore.exceptions import ClientError

from conftest import EmulatorProcess


def create(dynamodb, name, local_index):
    params = {
        "TableName": name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}]
        + ([{"AttributeName": "alt", "AttributeType": "S"}] if local_index else []),
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
    }
    if local_index:
        params["LocalSecondaryIndexes"] = [{
            "IndexName": "by-alt",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "alt", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "ALL"},
        }]
    dynamodb.create_table(**params)


def item(pk, n):
    return {"pk": {"S": pk}, "sk": {"S": f"{n:04d}"}, "alt": {"S": f"a{n:04d}"}, "data": {"S": "x" * 1000}}


def test_item_collection_limit_applies_to_tables_with_local_indexes(tmp_path):
    server = EmulatorProcess(tmp_path, "--item-collection-limit", 20_000)
    try:
        dynamodb = server.client("dynamodb", "test", "test")
        create(dynamodb, "with-lsi", local_index=True)
        create(dynamodb, "without-lsi", local_index=False)
        # Each item is ~1 KB and counted twice (table + local index entry): the 10th write crosses 20,000 bytes.
        written = 0
        with pytest.raises(ClientError) as excinfo:
            for n in range(20):
                dynamodb.put_item(TableName="with-lsi", Item=item("big", n))
                written += 1
        error = excinfo.value.response["Error"]
        assert error["Code"] == "ItemCollectionSizeLimitExceededException"
        assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        assert 5 <= written < 20
        # The refused write left nothing behind; other partitions and tables without LSIs are not limited.
        count = dynamodb.query(TableName="with-lsi", KeyConditionExpression="pk = :p",
                               ExpressionAttributeValues={":p": {"S": "big"}}, Select="COUNT")["Count"]
        assert count == written
        dynamodb.put_item(TableName="with-lsi", Item=item("other", 0))
        for n in range(30):
            dynamodb.put_item(TableName="without-lsi", Item=item("big", n))
        # Shrinking the collection makes room again.
        dynamodb.delete_item(TableName="with-lsi", Key={"pk": {"S": "big"}, "sk": {"S": "0000"}})
        dynamodb.put_item(TableName="with-lsi", Item=item("big", 19))
    finally:
        server.stop()
