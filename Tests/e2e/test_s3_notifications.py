"""S3 event notifications naming SQS queues and SNS topics, which the emulator does not have yet: the configuration
is kept and returned by GetBucketNotificationConfiguration (from the template and from the API), and a warning
naming the target is logged and listed by `synapscribe-local validate`, instead of the configuration being dropped.
"""

import subprocess
import time
import uuid

import pytest
from conftest import EmulatorProcess, emulator_binary

QUEUE = "arn:aws:sqs:us-east-1:000000000000:uploads-queue"
TOPIC = "arn:aws:sns:us-east-1:000000000000:uploads-topic"

TEMPLATE = f"""AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Uploads:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: notify-targets
      NotificationConfiguration:
        QueueConfigurations:
          - Event: s3:ObjectCreated:*
            Queue: {QUEUE}
            Filter:
              S3Key:
                Rules:
                  - Name: prefix
                    Value: incoming/
        TopicConfigurations:
          - Event: s3:ObjectRemoved:*
            Topic: {TOPIC}
"""


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    path = tmp_path_factory.mktemp("notify-template") / "template.yaml"
    path.write_text(TEMPLATE)
    return path


@pytest.fixture(scope="module")
def server(tmp_path_factory, template):
    process = EmulatorProcess(tmp_path_factory.mktemp("notify"), "--stack-name", "notify", template=template)
    yield process
    process.stop()


def log_text(server):
    server.log.flush()
    return server.log_path.read_text(errors="replace")


def test_template_queue_and_topic_configurations_are_kept(server):
    s3 = server.client("s3")
    got = s3.get_bucket_notification_configuration(Bucket="notify-targets")
    assert [q["QueueArn"] for q in got["QueueConfigurations"]] == [QUEUE]
    assert got["QueueConfigurations"][0]["Events"] == ["s3:ObjectCreated:*"]
    assert got["QueueConfigurations"][0]["Filter"]["Key"]["FilterRules"] == [{"Name": "Prefix", "Value": "incoming/"}]
    assert [t["TopicArn"] for t in got["TopicConfigurations"]] == [TOPIC]
    assert got["TopicConfigurations"][0]["Events"] == ["s3:ObjectRemoved:*"]
    assert "LambdaFunctionConfigurations" not in got
    # Writes still succeed; the start-up log names each target that gets no events.
    s3.put_object(Bucket="notify-targets", Key="incoming/a", Body=b"x")
    text = log_text(server)
    assert f"S3 bucket notify-targets: notification Uploads-queue-1 names {QUEUE}" in text
    assert "(SQS is not emulated)" in text
    assert f"S3 bucket notify-targets: notification Uploads-topic-1 names {TOPIC}" in text
    assert "(SNS is not emulated)" in text


def test_api_configuration_naming_a_queue_is_stored_and_warned_about(server):
    s3 = server.client("s3")
    bucket = f"notify-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=bucket)
    queue = f"arn:aws:sqs:us-east-1:000000000000:{bucket}-queue"
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={
        "QueueConfigurations": [{"Id": "to-queue", "QueueArn": queue, "Events": ["s3:ObjectCreated:Put"]}],
        "TopicConfigurations": [{"Id": "to-topic", "TopicArn": TOPIC, "Events": ["s3:ObjectRemoved:Delete"]}]})
    got = s3.get_bucket_notification_configuration(Bucket=bucket)
    assert got["QueueConfigurations"] == [{"Id": "to-queue", "QueueArn": queue, "Events": ["s3:ObjectCreated:Put"]}]
    assert got["TopicConfigurations"] == [{"Id": "to-topic", "TopicArn": TOPIC, "Events": ["s3:ObjectRemoved:Delete"]}]
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and queue not in log_text(server):
        time.sleep(0.1)
    text = log_text(server)
    assert f"S3 bucket {bucket}: notification to-queue names {queue}" in text
    assert f"S3 bucket {bucket}: notification to-topic names {TOPIC}" in text
    s3.delete_bucket(Bucket=bucket)


def test_validate_lists_the_targets(template):
    result = subprocess.run([str(emulator_binary()), "validate", "--template", str(template)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if "Properties.NotificationConfiguration." in line]
    assert len(lines) == 2, result.stdout
    assert "resource Uploads (AWS::S3::Bucket): Properties.NotificationConfiguration.QueueConfigurations[0] names " + QUEUE in lines[0]
    assert "(SQS is not emulated)" in lines[0]
    assert "Properties.NotificationConfiguration.TopicConfigurations[0] names " + TOPIC in lines[1]
    assert "(SNS is not emulated)" in lines[1]
