"""Lambda code packaging: inline code (`InlineCode`, `Code.ZipFile`), a `.zip` `CodeUri`, layers
(`AWS::Serverless::LayerVersion` / `AWS::Lambda::LayerVersion` with local content) and container image functions.

The fixture (`Fixtures/packaging/`) is copied to a temporary folder, whose `build/*.zip` are made from `zip-sources/`
first, so no archive is committed. Layer contents land on the paths AWS documents (`python`,
`python/lib/python3.X/site-packages`, `nodejs/node_modules`, `bin`), a later layer's files winning as in `/opt`.
"""

import json
import shutil
import zipfile

import boto3
import pytest
from botocore.exceptions import ClientError
from conftest import (
    ACCESS_KEY,
    REGION,
    REPO_ROOT,
    SECRET_KEY,
    client_config,
    read_tail,
    start_with_own_cache,
    stop_process,
)

FIXTURE = REPO_ROOT / "Fixtures" / "packaging"


def make_zip(source, target):
    """A .zip of `source`'s contents (file modes kept, so bin/ scripts stay executable)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(source.rglob("*")):
            archive.write(path, path.relative_to(source).as_posix())


@pytest.fixture(scope="module")
def packaged(tmp_path_factory):
    base = tmp_path_factory.mktemp("packaging")
    folder = base / "app"
    shutil.copytree(FIXTURE, folder)
    for name in ("python-app", "node-app", "py-override"):
        make_zip(folder / "zip-sources" / name, folder / "build" / f"{name}.zip")
    endpoint, log_path, process = start_with_own_cache(folder / "template.yaml", base)
    try:
        session = boto3.Session(aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY, region_name=REGION)
        yield session.client("lambda", endpoint_url=endpoint, config=client_config()), log_path, session, endpoint
    finally:
        stop_process(process)


def invoke(lam, name, payload=None):
    response = lam.invoke(FunctionName=name, Payload=json.dumps(payload if payload is not None else {}))
    body = response["Payload"].read()
    assert "FunctionError" not in response, body
    return json.loads(body)


def test_inline_code_python_and_node(packaged):
    lam = packaged[0]
    assert invoke(lam, "inline-python", {"a": 1}) == {"inline": "python", "file": "index.py", "event": {"a": 1}}
    assert invoke(lam, "inline-node", {"b": 2}) == {"inline": "node", "file": "index.js", "event": {"b": 2}}


def test_zipped_code_uri_python_and_node(packaged):
    lam = packaged[0]
    assert invoke(lam, "zipped-python", {"z": 1}) == {"zipped": "python", "event": {"z": 1}}
    assert invoke(lam, "zipped-node", {"z": 2}) == {"zipped": "node", "event": {"z": 2}}
    config = lam.get_function(FunctionName="zipped-node")["Configuration"]
    assert config["CodeSize"] == (packaged[1].parent / "app" / "build" / "node-app.zip").stat().st_size


def test_python_layers_in_order_with_bin_on_path(packaged):
    body = invoke(packaged[0], "layered-python")
    # greeting.py is in both layers: the later one wins, as when layers are extracted into /opt in order.
    assert body == {"greeting": "py-override", "onlyFirst": "from py-common", "tool": "layer tool on PATH"}


def test_node_layer_packages_for_require_and_import(packaged):
    lam, log_path = packaged[0], packaged[1]
    assert invoke(lam, "layered-node") == {"lib": "layer-lib from node-common"}
    assert invoke(lam, "layered-node-esm") == {"lib": "layer-lib from node-common"}
    assert ("layered-node: layer arn:aws:lambda:us-east-1:580247275435:layer:LambdaInsightsExtension:38 is not "
            "defined in the template and is not available locally") in read_tail(log_path, 200_000)


def test_layer_ref_is_the_layer_version_arn(packaged):
    session, endpoint = packaged[2], packaged[3]
    cfn = session.client("cloudformation", endpoint_url=endpoint, config=client_config())
    outputs = {o["OutputKey"]: o["OutputValue"] for o in cfn.describe_stacks()["Stacks"][0]["Outputs"]}
    assert outputs["PyCommonLayerArn"] == "arn:aws:lambda:us-east-1:000000000000:layer:py-common:1"
    # The start-up template's AWS::Lambda::LayerVersionPermission is in the version's policy from the start.
    layer_arn, statement_id = outputs["PyCommonShare"].split("#")
    assert layer_arn == outputs["PyCommonLayerArn"]
    policy = json.loads(packaged[0].get_layer_version_policy(LayerName="py-common", VersionNumber=1)["Policy"])
    assert policy["Statement"] == [{
        "Sid": statement_id, "Effect": "Allow", "Principal": "*", "Action": "lambda:GetLayerVersion",
        "Resource": layer_arn, "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abcdefghij"}}}]


def test_image_functions_are_refused_with_a_clear_message(packaged):
    lam, log_path = packaged[0], packaged[1]
    with pytest.raises(ClientError) as refused:
        lam.invoke(FunctionName="image-function", Payload=b"{}")
    error = refused.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert error["Error"]["Code"] == "ServiceException"
    assert error["Error"]["Message"] == (
        "The function cannot run locally: container image functions (PackageType: Image, "
        "000000000000.dkr.ecr.us-east-1.amazonaws.com/app:latest) are not run: no container engine is used")
    assert "image-function is a container image function (PackageType: Image" in read_tail(log_path, 200_000)
