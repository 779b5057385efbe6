"""pytest plugin for scripts/dynamodb-conformance: after each test of the third-party suite, delete the DynamoDB
tables that test created on the emulator, so tests that reuse table names start clean; tables that existed before
the test (a test class's shared tables) are left to the class. moto's suite resets its own server through moto's
/moto-api/reset, which is moto's, not AWS's."""

import os

import boto3
import pytest

REGIONS = ("us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1")


def _client(region):
    return boto3.client("dynamodb", endpoint_url=os.environ["TEST_SERVER_MODE_ENDPOINT"], region_name=region,
                        aws_access_key_id="test", aws_secret_access_key="test")


def _tables(region):
    try:
        return set(_client(region).list_tables()["TableNames"])
    except Exception:
        return set()


@pytest.fixture(autouse=True)
def _delete_tables_the_test_created():
    before = {region: _tables(region) for region in REGIONS}
    yield
    for region in REGIONS:
        client = _client(region)
        for name in _tables(region) - before[region]:
            try:
                client.update_table(TableName=name, DeletionProtectionEnabled=False)
            except Exception:
                pass
            try:
                client.delete_table(TableName=name)
            except Exception:
                pass
