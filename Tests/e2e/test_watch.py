"""`synapscribe-local start --watch`: edits to the template are applied to the running stack (a table keeps its
items when a GSI is added, a new resource appears), edits to a handler's code folder reach the next invocation, one
printed line per change; a template that fails to load prints its error and the running stack is kept."""

import json
import time

import pytest

from conftest import EmulatorProcess

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Items:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: watch-items
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - {AttributeName: pk, AttributeType: S}
      KeySchema:
        - {AttributeName: pk, KeyType: HASH}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: watch-fn
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
"""

WITH_GSI_AND_BUCKET = TEMPLATE.replace(
    "        - {AttributeName: pk, AttributeType: S}\n",
    "        - {AttributeName: pk, AttributeType: S}\n        - {AttributeName: user, AttributeType: S}\n",
).replace(
    "        - {AttributeName: pk, KeyType: HASH}\n",
    "        - {AttributeName: pk, KeyType: HASH}\n"
    "      GlobalSecondaryIndexes:\n"
    "        - IndexName: byUser\n"
    "          KeySchema: [{AttributeName: user, KeyType: HASH}]\n"
    "          Projection: {ProjectionType: ALL}\n",
) + """\
  Uploads:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: watch-uploads
"""


def handler_source(version):
    return f"def handler(event, context):\n    return {{'version': {version}}}\n"


def wait_for(predicate, what, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


@pytest.fixture
def watched(tmp_path):
    project = tmp_path / "project"
    (project / "src").mkdir(parents=True)
    (project / "template.yaml").write_text(TEMPLATE)
    (project / "src" / "app.py").write_text(handler_source(1))
    process = EmulatorProcess(tmp_path, "--watch", template=project / "template.yaml", cwd=project)
    process.project = project
    yield process
    process.stop()


def log_of(process):
    return process.log_path.read_text(errors="replace")


def test_template_and_code_edits_apply_to_the_running_stack(watched):
    ddb = watched.client("dynamodb")
    lam = watched.client("lambda")
    assert json.loads(lam.invoke(FunctionName="watch-fn")["Payload"].read()) == {"version": 1}
    ddb.put_item(TableName="watch-items", Item={"pk": {"S": "i1"}, "user": {"S": "ada"}})

    # A template edit: a GSI added to the table (its items kept and backfilled) and a new bucket.
    (watched.project / "template.yaml").write_text(WITH_GSI_AND_BUCKET)
    wait_for(lambda: "Created Uploads (AWS::S3::Bucket)" in log_of(watched), "the Created line")
    log = log_of(watched)
    assert "Updated Items (added GSI byUser)" in log
    table = ddb.describe_table(TableName="watch-items")["Table"]
    assert [index["IndexName"] for index in table["GlobalSecondaryIndexes"]] == ["byUser"]
    found = ddb.query(TableName="watch-items", IndexName="byUser", KeyConditionExpression="#u = :u",
                      ExpressionAttributeNames={"#u": "user"}, ExpressionAttributeValues={":u": {"S": "ada"}})["Items"]
    assert found == [{"pk": {"S": "i1"}, "user": {"S": "ada"}}]
    assert watched.client("s3").head_bucket(Bucket="watch-uploads")["ResponseMetadata"]["HTTPStatusCode"] == 200

    # A code edit: the next invocation runs the new code in a fresh environment.
    (watched.project / "src" / "app.py").write_text(handler_source(2))
    wait_for(lambda: "Updated Fn (code in" in log_of(watched), "the code line")
    assert json.loads(lam.invoke(FunctionName="watch-fn")["Payload"].read()) == {"version": 2}

    # A broken template is reported and the running stack is kept.
    (watched.project / "template.yaml").write_text(WITH_GSI_AND_BUCKET + "  Broken: [unclosed\n")
    wait_for(lambda: "Template not applied (the running stack is kept):" in log_of(watched), "the error line")
    assert ddb.get_item(TableName="watch-items", Key={"pk": {"S": "i1"}})["Item"]["user"] == {"S": "ada"}
    assert watched.client("s3").head_bucket(Bucket="watch-uploads")["ResponseMetadata"]["HTTPStatusCode"] == 200

    # Removing a resource from the template deletes it.
    (watched.project / "template.yaml").write_text(TEMPLATE)
    wait_for(lambda: "Deleted Uploads (AWS::S3::Bucket)" in log_of(watched), "the Deleted line")
    assert "Updated Items (removed GSI byUser)" in log_of(watched)
    assert "watch-uploads" not in [b["Name"] for b in watched.client("s3").list_buckets()["Buckets"]]
