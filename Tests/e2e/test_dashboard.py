"""The browser dashboard at /_local/ui, driven in a real headless Chromium (Debian's chromium + chromium-driver,
Selenium from PyPI): it loads with no console errors, lists the SynapScribe stack's resources, streams a function's
log lines after an invoke, shows a DynamoDB item with its TTL countdown, browses an S3 object with its metadata and
versions, lists a live WebSocket connection and posts a frame to it, shows a Cognito identity and an IAM denial with
its deciding statement, and moves the virtual clock. Each view's screenshot is written to
.build/e2e-artifacts/dashboard/ (SYNAPSCRIBE_ARTIFACTS overrides the folder)."""

import asyncio
import json
import os
import shutil
import threading
import time
import uuid
from pathlib import Path

import boto3
import pytest
import requests
import websockets
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import ACCOUNT_ID, REGION, REPO_ROOT, STACK_NAME, client_config, template_logical_ids

WAIT_SECONDS = 20
ARTIFACTS = Path(os.environ.get("SYNAPSCRIBE_ARTIFACTS", REPO_ROOT / ".build" / "e2e-artifacts")) / "dashboard"


def find_browser():
    """Chromium and its driver from the system (scripts/setup installs Debian's chromium and chromium-driver)."""
    browser = os.environ.get("SYNAPSCRIBE_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    driver = os.environ.get("SYNAPSCRIBE_CHROMEDRIVER") or shutil.which("chromedriver")
    assert browser and driver, "chromium and chromedriver are needed: run scripts/setup (installs Debian's chromium, chromium-driver)"
    return browser, driver


@pytest.fixture(scope="module")
def browser():
    binary, driver_path = find_browser()
    os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager must not look for drivers on the network
    options = Options()
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000",
                     "--no-first-run", "--disable-background-networking", "--disable-component-update"):
        options.add_argument(argument)
    options.binary_location = binary
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(driver_path))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def page(browser, endpoint):
    browser.get(f"{endpoint}/_local/ui")
    wait_for(browser, lambda: len(browser.find_elements(By.CSS_SELECTOR, "#resources tbody tr")) > 0, "resources listed")
    return browser


def wait_for(driver, condition, what):
    try:
        WebDriverWait(driver, WAIT_SECONDS, poll_frequency=0.2).until(lambda _: condition())
    except Exception as error:  # show what the page said
        status = driver.find_element(By.ID, "status").text
        raise AssertionError(f"timed out waiting for {what}; page status: {status!r}") from error


def click(driver, find, what):
    """Clicks what `find` returns, again if the page re-rendered it in between (lists refresh as data arrives)."""
    def attempt():
        try:
            element = find()
            if element is None:
                return False
            element.click()
            return True
        except (StaleElementReferenceException, StopIteration):
            return False
    wait_for(driver, attempt, f"a click on {what}")


def open_view(driver, view):
    driver.find_element(By.CSS_SELECTOR, f'#tabs button[data-view="{view}"]').click()
    wait_for(driver, lambda: driver.find_element(By.ID, f"view-{view}").is_displayed(), f"the {view} view")


def screenshot(driver, name):
    path = ARTIFACTS / f"{name}.png"
    driver.save_screenshot(str(path))
    assert path.stat().st_size > 10_000, path


def severe_console_entries(driver):
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def table_text(driver, selector):
    """The rendered rows' text, read in one script call (rows re-render as data arrives)."""
    return driver.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0] + ' tbody tr')).map((r) => r.innerText).join('\\n')", selector)


def stack_output(client, key):
    outputs = client("cloudformation").describe_stacks(StackName=STACK_NAME)["Stacks"][0]["Outputs"]
    return next(o["OutputValue"] for o in outputs if o["OutputKey"] == key)


def test_page_is_self_contained_and_refuses_framing(endpoint):
    response = requests.get(f"{endpoint}/_local/ui", timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.headers["X-Frame-Options"] == "DENY"
    policy = response.headers["Content-Security-Policy"]
    assert "connect-src 'self'" in policy and "frame-ancestors 'none'" in policy
    # No CDN: nothing is loaded from another origin.
    assert "https://" not in response.text and "src=\"http" not in response.text
    # The admin API's cross-site rules apply to the page too: another site's Host is refused (DNS rebinding).
    rebound = requests.get(f"{endpoint}/_local/ui", headers={"Host": "evil.example:80"}, timeout=10)
    assert rebound.status_code == 403


def test_overview_lists_the_stack_without_console_errors(page):
    text = table_text(page, "#resources")
    for logical_id in template_logical_ids():
        assert logical_id in text, logical_id
    wait_for(page, lambda: "SessionsTableName" in table_text(page, "#outputs"), "outputs listed")
    assert "running" in table_text(page, "#services")
    assert "synapscribe-mvp" in page.find_element(By.ID, "meta").text
    screenshot(page, "overview")
    assert severe_console_entries(page) == []


def test_lambda_view_streams_log_lines_of_an_invocation_made_after_it_opened(page, client):
    open_view(page, "lambda")
    functions = [a.text for a in page.find_elements(By.CSS_SELECTOR, "#functions a")]
    name = next(f for f in functions if "ValidateLecture" in f)
    click(page, lambda: page.find_element(By.CSS_SELECTOR, f'#functions a[data-function="{name}"]'), "the function")
    wait_for(page, lambda: page.find_element(By.ID, "fn-title").text == name, "function chosen")
    # Invoked from outside the page: the live log view picks it up by polling.
    response = client("lambda").invoke(FunctionName=name, Payload=json.dumps({"Records": []}).encode())
    request_id = response["ResponseMetadata"]["RequestId"]
    assert response["StatusCode"] == 200
    wait_for(page, lambda: f"REPORT RequestId: {request_id}" in page.find_element(By.ID, "fn-logs").text, "the REPORT line")
    assert f"START RequestId: {request_id}" in page.find_element(By.ID, "fn-logs").text
    wait_for(page, lambda: request_id[:8] in table_text(page, "#invocations"), "the invocation row")
    assert page.find_elements(By.CSS_SELECTOR, "#timeline rect") and page.find_elements(By.CSS_SELECTOR, "#histogram rect")
    # Invoked from the page's form.
    event = page.find_element(By.ID, "fn-event")
    event.clear()
    event.send_keys('{"Records": []}')
    page.find_element(By.ID, "fn-invoke").click()
    wait_for(page, lambda: '"processed": 0' in page.find_element(By.ID, "fn-result").text, "the page's invoke result")
    assert page.find_element(By.ID, "fn-result-status").text == "status 200"
    screenshot(page, "lambda")
    assert severe_console_entries(page) == []


def test_dynamodb_view_shows_an_item_and_its_ttl_countdown(page, client):
    table = stack_output(client, "SessionsTableName")
    session_id = f"dash-{uuid.uuid4().hex[:8]}"
    expires = int(time.time()) + 2 * 3600 + 30
    client("dynamodb").put_item(TableName=table, Item={
        "sessionId": {"S": session_id}, "lectureId": {"S": "lecture-1"}, "turns": {"N": "3"},
        "expiresAt": {"N": str(expires)}})
    open_view(page, "dynamodb")
    wait_for(page, lambda: page.find_element(By.ID, "ddb-title").text == table, "table chosen")
    page.find_element(By.ID, "ddb-mode").send_keys("Query")
    page.find_element(By.ID, "ddb-key").send_keys(session_id)
    page.find_element(By.ID, "ddb-run").click()
    wait_for(page, lambda: session_id in table_text(page, "#items"), "the item")
    row = table_text(page, "#items")
    assert "lecture-1" in row and "3" in row
    assert "2h 0m" in row or "1h 59m" in row, row  # the countdown to expiresAt on the virtual clock
    screenshot(page, "dynamodb")


def test_s3_view_browses_an_object_with_metadata_and_versions(page, client, tmp_path):
    bucket = stack_output(client, "AudioBucketName")
    key = f"queries/dash-{uuid.uuid4().hex[:8]}.webm"
    client("s3").put_object(Bucket=bucket, Key=key, Body=b"audio" * 100, ContentType="audio/webm",
                            Metadata={"lecture": "lecture-1"})
    open_view(page, "s3")
    click(page, lambda: page.find_element(By.CSS_SELECTOR, f'#buckets a[data-bucket="{bucket}"]'), "the bucket")
    wait_for(page, lambda: "queries/" in table_text(page, "#objects"), "the queries/ prefix")
    click(page, lambda: next(a for a in page.find_elements(By.CSS_SELECTOR, "#objects a") if a.text.endswith("queries/")),
          "the queries/ prefix")
    wait_for(page, lambda: key.split("/")[1] in table_text(page, "#objects"), "the object")
    click(page, lambda: page.find_element(By.CSS_SELECTOR, f'#objects tr[data-key="{key}"] a'), "the object")
    wait_for(page, lambda: "x-amz-meta-lecture" in table_text(page, "#s3-meta"), "the object's metadata")
    meta = table_text(page, "#s3-meta")
    assert "audio/webm" in meta and "AES256" in meta and "lecture-1" in meta
    wait_for(page, lambda: table_text(page, "#s3-versions") != "", "the versions table")
    # Upload through the page into the current prefix.
    upload = tmp_path / "from-page.txt"
    upload.write_text("uploaded by the dashboard")
    page.find_element(By.ID, "s3-file").send_keys(str(upload))
    page.find_element(By.ID, "s3-upload").click()
    wait_for(page, lambda: "from-page.txt" in table_text(page, "#objects"), "the uploaded object")
    body = client("s3").get_object(Bucket=bucket, Key="queries/from-page.txt")["Body"].read()
    assert body == b"uploaded by the dashboard"
    screenshot(page, "s3")


def test_websocket_view_lists_a_live_connection_and_posts_a_frame_to_it(page, client, boto_session):
    url = stack_output(client, "WebSocketURL")
    received = []
    connected = threading.Event()
    stop = threading.Event()

    async def run_client():
        async with websockets.connect(f"{url}?lectureId=lecture-1", open_timeout=20) as socket:
            connected.set()
            while not stop.is_set():
                try:
                    received.append(await asyncio.wait_for(socket.recv(), timeout=0.5))
                except asyncio.TimeoutError:
                    continue
                except websockets.ConnectionClosed:
                    received.append("<closed>")
                    return

    thread = threading.Thread(target=lambda: asyncio.run(run_client()), daemon=True)
    thread.start()
    try:
        assert connected.wait(30), "the WebSocket client did not connect"
        open_view(page, "websocket")
        wait_for(page, lambda: page.find_elements(By.CSS_SELECTOR, "#ws-connections tr[data-connection]"), "a live connection")
        connection_id = page.find_elements(By.CSS_SELECTOR, "#ws-connections tr[data-connection]")[-1].get_attribute("data-connection")
        click(page, lambda: page.find_element(By.CSS_SELECTOR, f'#ws-connections tr[data-connection="{connection_id}"] a'), "select")
        assert page.find_element(By.ID, "ws-target").get_attribute("value") == connection_id
        frame = page.find_element(By.ID, "ws-frame")
        frame.clear()
        frame.send_keys('{"from": "dashboard"}')
        page.find_element(By.ID, "ws-post").click()
        wait_for(page, lambda: '{"from": "dashboard"}' in received, f"the frame at the client (received: {received})")
        screenshot(page, "websocket")
        page.find_element(By.ID, "ws-delete").click()
        wait_for(page, lambda: "<closed>" in received, "the client to be disconnected")
        gone = boto_session.client("apigatewaymanagementapi", config=client_config(),
                                   endpoint_url=stack_output(client, "ConnectionsURL").rsplit("/@connections", 1)[0])
        with pytest.raises(ClientError) as excinfo:
            gone.get_connection(ConnectionId=connection_id)
        assert excinfo.value.response["Error"]["Code"] == "GoneException"
    finally:
        stop.set()
        thread.join(10)


def test_cognito_and_iam_views_show_an_identity_and_a_denial_with_its_statement(page, client, endpoint):
    pool_id = stack_output(client, "IdentityPoolId")
    bucket = stack_output(client, "AudioBucketName")
    unsigned = boto3.session.Session().client("cognito-identity", endpoint_url=endpoint, region_name=REGION,
                                              config=Config(signature_version=UNSIGNED))
    identity_id = unsigned.get_id(IdentityPoolId=pool_id)["IdentityId"]
    credentials = unsigned.get_credentials_for_identity(IdentityId=identity_id)["Credentials"]
    guest_s3 = boto3.session.Session().client(
        "s3", endpoint_url=endpoint, region_name=REGION, aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretKey"], aws_session_token=credentials["SessionToken"],
        config=Config(s3={"addressing_style": "path"}, retries={"total_max_attempts": 1}))
    with pytest.raises(ClientError):
        guest_s3.put_object(Bucket=bucket, Key="responses/not-allowed.webm", Body=b"x")
    open_view(page, "cognito")
    wait_for(page, lambda: identity_id in table_text(page, "#identities"), "the identity")
    screenshot(page, "cognito")
    open_view(page, "iam")
    wait_for(page, lambda: "responses/not-allowed.webm" in table_text(page, "#decisions"), "the denial")
    denial = next(line for line in table_text(page, "#decisions").splitlines() if "responses/not-allowed.webm" in line)
    assert "s3:PutObject" in denial and "implicit deny" in denial
    assert f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/" in denial
    assert "CognitoUnauthRole" in table_text(page, "#roles") or "Unauth" in table_text(page, "#roles")
    screenshot(page, "iam")


def test_clock_view_advances_the_virtual_clock(page, clock):
    open_view(page, "clock")
    before = clock.state()["offsetSeconds"]
    page.find_element(By.CSS_SELECTOR, 'button[data-advance="1d"]').click()
    wait_for(page, lambda: abs(clock.state()["offsetSeconds"] - before - 86400) < 5, "the clock to move a day")
    wait_for(page, lambda: "s from real time" in page.find_element(By.ID, "clock-offset").text, "the page to show the offset")
    assert page.find_element(By.ID, "clock-big").text[:10] == clock.state()["now"][:10]
    screenshot(page, "clock")
    assert severe_console_entries(page) == []


def test_faults_view_lists_an_active_fault_and_the_call_it_hit(page, client, endpoint):
    headers = {"Content-Type": "application/json"}
    requests.delete(f"{endpoint}/_local/faults", headers=headers, timeout=10)
    try:
        added = requests.post(f"{endpoint}/_local/faults", headers=headers, timeout=10,
                              data=json.dumps({"service": "dynamodb", "operation": "DescribeLimits", "error": "ThrottlingException"}))
        assert added.status_code == 200, added.text
        fault_id = added.json()["fault"]["id"]
        with pytest.raises(ClientError) as raised:
            client("dynamodb").describe_limits()
        assert raised.value.response["Error"]["Code"] == "ThrottlingException"
        open_view(page, "faults")
        wait_for(page, lambda: fault_id in table_text(page, "#faults"), "the active fault")
        assert "ThrottlingException" in table_text(page, "#faults")
        wait_for(page, lambda: "DescribeLimits" in table_text(page, "#injected"), "the injected call")
        screenshot(page, "faults")
        click(page, lambda: page.find_element(By.CSS_SELECTOR, "#faults-clear"), "clear all")
        wait_for(page, lambda: table_text(page, "#faults") == "", "the faults to be cleared")
        assert requests.get(f"{endpoint}/_local/faults", timeout=10).json()["faults"] == []
        assert severe_console_entries(page) == []
    finally:
        requests.delete(f"{endpoint}/_local/faults", headers=headers, timeout=10)
