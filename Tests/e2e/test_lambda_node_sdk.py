"""The AWS SDK for JavaScript that AWS's Node.js runtime includes (issue 14, item 1): `synapscribe-local build` installs
the `@aws-sdk/*` packages a Node.js function imports (and does not vendor) into the runtime cache with npm, where a
registry is reachable; `start` then needs no registry. There is no public npm registry here: the test runs a small
registry on 127.0.0.1 serving a stub `@aws-sdk/client-sts` (npm's registry protocol: a packument per package, then its
tarball), so the real npm client does a real install.
"""

import base64
import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

import boto3
import pytest
from conftest import ACCESS_KEY, LOOPBACK, REGION, REPO_ROOT, SECRET_KEY, client_config, emulator_binary, free_port, \
    start_with_own_cache, stop_process

TEMPLATE = REPO_ROOT / "Fixtures" / "node-sdk" / "template.yaml"
PACKAGE = "@aws-sdk/client-sts"
VERSION = "3.999.0"

pytestmark = pytest.mark.skipif(shutil.which("npm") is None or shutil.which("node") is None,
                                reason="npm and node are not installed on this machine")


def stub_tarball():
    """The package as npm publishes it: a gzipped tar whose entries live under `package/`."""
    files = {
        "package/package.json": json.dumps({"name": PACKAGE, "version": VERSION, "main": "index.js"}).encode(),
        "package/index.js": b"exports.source = 'npm registry';\n",
    }
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o644
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


class Registry:
    """A loopback npm registry with one package; `requests` lists the paths asked for."""

    def __init__(self):
        self.tarball = stub_tarball()
        self.requests = []
        registry = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                registry.requests.append(self.path)
                path = unquote(self.path.split("?")[0])
                base = f"http://{LOOPBACK}:{registry.port}"
                if path == f"/{PACKAGE}":
                    body = json.dumps({
                        "name": PACKAGE, "dist-tags": {"latest": VERSION},
                        "versions": {VERSION: {
                            "name": PACKAGE, "version": VERSION, "main": "index.js",
                            "dist": {
                                "tarball": f"{base}/{PACKAGE}/-/client-sts-{VERSION}.tgz",
                                "shasum": hashlib.sha1(registry.tarball).hexdigest(),
                                "integrity": "sha512-" + base64.b64encode(hashlib.sha512(registry.tarball).digest()).decode(),
                            },
                        }},
                    }).encode()
                    content_type = "application/json"
                elif path == f"/{PACKAGE}/-/client-sts-{VERSION}.tgz":
                    body, content_type = registry.tarball, "application/octet-stream"
                else:
                    self.send_response(404)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"{}")
                    return
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer((LOOPBACK, 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


@pytest.fixture
def registry():
    server = Registry()
    yield server
    server.close()


def npm_env(base, registry_url):
    """The user cache in the test's folder, npm's registry and its own cache too (no retries: a refused connection
    fails at once)."""
    return dict(os.environ, XDG_CACHE_HOME=str(base / "cache"), npm_config_registry=registry_url,
                npm_config_cache=str(base / "npm-cache"), npm_config_fetch_retries="0", npm_config_update_notifier="false")


def build(base, registry_url):
    return subprocess.run([str(emulator_binary()), "build", "--template", str(TEMPLATE)], capture_output=True, text=True,
                          env=npm_env(base, registry_url), cwd=REPO_ROOT, timeout=300)


def test_build_installs_the_imported_sdk_package_then_start_uses_it_without_a_registry(tmp_path, registry):
    modules = tmp_path / "cache" / "synapscribe-local" / "runtimes" / "nodejs" / "node_modules"
    built = build(tmp_path, f"http://{LOOPBACK}:{registry.port}/")
    assert built.returncode == 0, built.stdout + built.stderr
    assert f"node-sdk-user: installed {PACKAGE} into {modules}" in built.stdout, built.stdout
    assert f"node-sdk-user: installing {PACKAGE} into {modules} with npm (once" in built.stderr, built.stderr
    assert any(unquote(path).startswith(f"/{PACKAGE}") for path in registry.requests), registry.requests
    assert json.loads((modules / PACKAGE / "package.json").read_text())["version"] == VERSION

    # Installed once: a second build asks the registry nothing.
    registry.requests.clear()
    again = build(tmp_path, f"http://{LOOPBACK}:{registry.port}/")
    assert again.returncode == 0, again.stdout + again.stderr
    assert f"node-sdk-user: AWS SDK packages {PACKAGE} already in {modules}" in again.stdout, again.stdout
    assert registry.requests == []

    # start reaches no registry: the function finds the package on the runtime's module path.
    registry.close()
    endpoint, _, process = start_with_own_cache(TEMPLATE, tmp_path)
    try:
        lam = boto3.client("lambda", endpoint_url=endpoint, region_name=REGION, aws_access_key_id=ACCESS_KEY,
                           aws_secret_access_key=SECRET_KEY, config=client_config())
        response = lam.invoke(FunctionName="node-sdk-user", Payload=b"{}")
        assert "FunctionError" not in response
        assert json.loads(response["Payload"].read()) == {"source": "npm registry"}
    finally:
        stop_process(process)


def test_build_without_a_reachable_registry_fails_naming_npm(tmp_path):
    closed = free_port()
    built = build(tmp_path, f"http://{LOOPBACK}:{closed}/")
    assert built.returncode == 1, built.stdout + built.stderr
    assert ("node-sdk-user: FAILED: The AWS SDK packages the function imports could not be installed into the runtime "
            "cache (npm failed): ") in built.stdout, built.stdout
    assert f"{LOOPBACK}:{closed}" in built.stdout or "ECONNREFUSED" in built.stdout, built.stdout
    modules = tmp_path / "cache" / "synapscribe-local" / "runtimes" / "nodejs" / "node_modules"
    assert not (modules / PACKAGE).exists()
