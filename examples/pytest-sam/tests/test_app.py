"""An example suite for a SAM project: copy it, point it at your template, and write tests like these."""

import uuid


def test_function_records_a_note(synapscribe):
    response, body = synapscribe.invoke("RecordNote", {"id": "n1", "text": "hello"})
    assert "FunctionError" not in response, body
    assert body == {"id": "n1", "notes": 1}
    table = synapscribe.resource("dynamodb").Table(synapscribe.physical_id("Notes"))
    assert table.get_item(Key={"id": "n1"})["Item"]["text"] == "hello"


def test_every_test_starts_from_the_template_state(synapscribe):
    # The note of the previous test is gone: the reset before each test emptied the table.
    _, body = synapscribe.invoke("RecordNote", {"id": "n2"})
    assert body["notes"] == 1


def test_buckets_are_emptied_between_tests(synapscribe):
    s3 = synapscribe.client("s3")
    bucket = synapscribe.physical_id("Uploads")
    assert s3.list_objects_v2(Bucket=bucket).get("KeyCount", 0) == 0
    s3.put_object(Bucket=bucket, Key=f"upload-{uuid.uuid4()}.txt", Body=b"x")
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 1


def test_buckets_are_emptied_again(synapscribe):
    s3 = synapscribe.client("s3")
    assert s3.list_objects_v2(Bucket=synapscribe.physical_id("Uploads")).get("KeyCount", 0) == 0


def test_virtual_clock(synapscribe, clock):
    before = clock.now()
    clock.advance("7d")
    assert (clock.now() - before).days == 7
