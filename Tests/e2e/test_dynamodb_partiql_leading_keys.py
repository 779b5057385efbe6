"""PartiQL statements supply `dynamodb:LeadingKeys` to IAM as the item operations do (issue 12).

The identity pool's guest role (Tests/e2e/templates/partiql_leading_keys.yaml) may run PartiQL statements on a
table partitioned by Cognito identity only in its own partition: `ForAllValues:StringEquals` on
`${cognito-identity.amazonaws.com:sub}` plus `Null: false`. Each guest reads and writes its own partition through
ExecuteStatement, BatchExecuteStatement and ExecuteTransaction, and is denied another identity's partition (and a
statement that names no partition) with DynamoDB's AccessDeniedException.
"""

from pathlib import Path

import pytest
from botocore.exceptions import ClientError
from conftest import ACCOUNT_ID, REGION, EmulatorProcess

TEMPLATE = Path(__file__).parent / "templates" / "partiql_leading_keys.yaml"
STACK = "partiql-keys"
TABLE = "PartiQL-Notes"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    process = EmulatorProcess(tmp_path_factory.mktemp("partiql-keys"), "--stack-name", STACK, template=TEMPLATE)
    yield process
    process.stop()


@pytest.fixture(scope="module")
def role_name(server):
    resources = server.client("cloudformation").list_stack_resources(StackName=STACK)["StackResourceSummaries"]
    return next(r["PhysicalResourceId"] for r in resources if r["LogicalResourceId"] == "GuestRole")


def guest(server):
    """A new guest identity: (identity id, a dynamodb client signing with its Cognito credentials)."""
    outputs = server.client("cloudformation").describe_stacks(StackName=STACK)["Stacks"][0]["Outputs"]
    pool_id = next(o["OutputValue"] for o in outputs if o["OutputKey"] == "IdentityPoolId")
    cognito = server.client("cognito-identity")
    identity_id = cognito.get_id(IdentityPoolId=pool_id)["IdentityId"]
    credentials = cognito.get_credentials_for_identity(IdentityId=identity_id)["Credentials"]
    return identity_id, server.client("dynamodb", key=credentials["AccessKeyId"], secret=credentials["SecretKey"],
                                      token=credentials["SessionToken"])


def denial(role_name, action):
    return (f"User: arn:aws:sts::{ACCOUNT_ID}:assumed-role/{role_name}/CognitoIdentityCredentials "
            f"is not authorized to perform: dynamodb:{action} on resource: "
            f"arn:aws:dynamodb:{REGION}:{ACCOUNT_ID}:table/{TABLE} "
            f"because no identity-based policy allows the dynamodb:{action} action")


def assert_denied(excinfo, role_name, action):
    error = excinfo.value.response["Error"]
    assert (excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"], error["Code"], error["Message"]) == (
        400, "AccessDeniedException", denial(role_name, action))


def test_own_partition_allowed_other_partitions_denied(server, role_name):
    alice, alice_db = guest(server)
    bob, bob_db = guest(server)
    select = f'SELECT * FROM "{TABLE}" WHERE userId = ? AND noteId = ?'
    bob_db.execute_statement(Statement=f"INSERT INTO \"{TABLE}\" VALUE {{'userId': ?, 'noteId': 'secret', 'text': 'bob'}}",
                             Parameters=[{"S": bob}])
    alice_db.execute_statement(Statement=f"INSERT INTO \"{TABLE}\" VALUE {{'userId': ?, 'noteId': 'n1', 'text': 'alice'}}",
                               Parameters=[{"S": alice}])
    items = alice_db.execute_statement(Statement=select, Parameters=[{"S": alice}, {"S": "n1"}])["Items"]
    assert items == [{"userId": {"S": alice}, "noteId": {"S": "n1"}, "text": {"S": "alice"}}]
    alice_db.execute_statement(Statement=f"UPDATE \"{TABLE}\" SET text = 'edited' WHERE userId = ? AND noteId = 'n1'",
                               Parameters=[{"S": alice}])

    with pytest.raises(ClientError) as excinfo:
        alice_db.execute_statement(Statement=select, Parameters=[{"S": bob}, {"S": "secret"}])
    assert_denied(excinfo, role_name, "PartiQLSelect")
    with pytest.raises(ClientError) as excinfo:
        alice_db.execute_statement(Statement=f"INSERT INTO \"{TABLE}\" VALUE {{'userId': ?, 'noteId': 'forged'}}",
                                   Parameters=[{"S": bob}])
    assert_denied(excinfo, role_name, "PartiQLInsert")
    with pytest.raises(ClientError) as excinfo:
        alice_db.execute_statement(Statement=f"UPDATE \"{TABLE}\" SET text = 'x' WHERE userId = ? AND noteId = 'secret'",
                                   Parameters=[{"S": bob}])
    assert_denied(excinfo, role_name, "PartiQLUpdate")
    with pytest.raises(ClientError) as excinfo:
        alice_db.execute_statement(Statement=f"DELETE FROM \"{TABLE}\" WHERE userId = ? AND noteId = 'secret'",
                                   Parameters=[{"S": bob}])
    assert_denied(excinfo, role_name, "PartiQLDelete")
    # A statement naming no partition reads every partition: no leading key, refused by the policy's Null condition.
    with pytest.raises(ClientError) as excinfo:
        alice_db.execute_statement(Statement=f'SELECT * FROM "{TABLE}"')
    assert_denied(excinfo, role_name, "PartiQLSelect")

    # In a transaction one statement in another partition denies the whole request; nothing is written.
    with pytest.raises(ClientError) as excinfo:
        alice_db.execute_transaction(TransactStatements=[
            {"Statement": f"INSERT INTO \"{TABLE}\" VALUE {{'userId': ?, 'noteId': 't1'}}", "Parameters": [{"S": alice}]},
            {"Statement": f"DELETE FROM \"{TABLE}\" WHERE userId = ? AND noteId = 'secret'", "Parameters": [{"S": bob}]},
        ])
    assert_denied(excinfo, role_name, "PartiQLDelete")
    # In a batch each statement is authorized alone and answers its own error.
    responses = alice_db.batch_execute_statement(Statements=[
        {"Statement": select, "Parameters": [{"S": alice}, {"S": "n1"}]},
        {"Statement": select, "Parameters": [{"S": bob}, {"S": "secret"}]},
    ])["Responses"]
    assert responses[0]["Item"]["text"] == {"S": "edited"}
    assert responses[1]["Error"]["Code"] == "AccessDenied"
    assert responses[1]["Error"]["Message"] == denial(role_name, "PartiQLSelect")

    admin = server.client("dynamodb")
    assert admin.get_item(TableName=TABLE, Key={"userId": {"S": bob}, "noteId": {"S": "secret"}})["Item"]["text"] == {"S": "bob"}
    assert "Item" not in admin.get_item(TableName=TABLE, Key={"userId": {"S": bob}, "noteId": {"S": "forged"}})
    assert "Item" not in admin.get_item(TableName=TABLE, Key={"userId": {"S": alice}, "noteId": {"S": "t1"}})
