"""The local admin API (/_local/*) is for the developer, not for web pages the developer visits.

Every test here fails on an emulator that lets a cross-site page or a DNS-rebinding host move the clock.
"""

import subprocess

import pytest
import requests

from conftest import EmulatorProcess, emulator_binary, stop_process

EVIL = "http://evil.example"
HUNDRED_YEARS = 100 * 365.25 * 86400


def offset(endpoint):
    return requests.get(f"{endpoint}/_local/clock", timeout=10).json()["offsetSeconds"]


def post_clock(endpoint, body, headers=None):
    return requests.post(f"{endpoint}/_local/clock", data=body, headers=headers or {}, timeout=10)


class TestCrossSiteRequests:
    @pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"])
    def test_cross_site_simple_request_cannot_move_the_clock(self, endpoint, clock, content_type):
        before = offset(endpoint)
        response = post_clock(endpoint, '{"advance": "1825d"}', {"Content-Type": content_type, "Origin": EVIL})
        assert response.status_code == 403, response.text
        body = response.json()
        assert body["__type"] == "AccessDeniedException"
        assert "Origin 'http://evil.example'" in body["message"] and "loopback" in body["message"]
        assert offset(endpoint) == pytest.approx(before, abs=1)

    def test_cross_site_json_is_refused_too(self, endpoint, clock):
        before = offset(endpoint)
        response = post_clock(endpoint, '{"set": "2000-01-01T00:00:00Z"}', {"Content-Type": "application/json", "Origin": EVIL})
        assert response.status_code == 403, response.text
        assert offset(endpoint) == pytest.approx(before, abs=1)

    @pytest.mark.parametrize("origin", ["null", "http://localhost.evil.example", "http://127.0.0.1.nip.io:4566"])
    def test_odd_origins_are_refused(self, endpoint, clock, origin):
        response = post_clock(endpoint, '{"advance": "1h"}', {"Content-Type": "application/json", "Origin": origin})
        assert response.status_code == 403, response.text

    def test_form_content_without_origin_gets_415(self, endpoint, clock):
        before = offset(endpoint)
        for content_type in ("text/plain", "application/x-www-form-urlencoded", None):
            headers = {"Content-Type": content_type} if content_type else {}
            response = post_clock(endpoint, '{"advance": "1825d"}', headers)
            assert response.status_code == 415, response.text
            assert response.json()["__type"] == "UnsupportedMediaTypeException"
            assert "application/json" in response.json()["message"]
        assert offset(endpoint) == pytest.approx(before, abs=1)

    def test_dns_rebinding_host_is_refused(self, endpoint, clock):
        before = offset(endpoint)
        port = endpoint.rsplit(":", 1)[1]
        response = post_clock(endpoint, '{"advance": "1825d"}', {"Content-Type": "application/json", "Host": f"evil.example:{port}"})
        assert response.status_code == 403, response.text
        assert "Host 'evil.example:" in response.json()["message"]
        assert offset(endpoint) == pytest.approx(before, abs=1)
        # Reads too: a rebound page must not read health or logs.
        health = requests.get(f"{endpoint}/_local/health", headers={"Host": f"evil.example:{port}"}, timeout=10)
        assert health.status_code == 403

    def test_preflight_from_another_site_grants_nothing(self, endpoint):
        response = requests.options(f"{endpoint}/_local/clock", timeout=10, headers={
            "Origin": EVIL, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"})
        assert response.status_code == 403
        assert not any(name.lower().startswith("access-control-allow") for name in response.headers)


class TestDeveloperTools:
    def test_loopback_reads_without_origin_keep_working(self, endpoint):
        for host in (None, "localhost", f"127.0.0.1:{endpoint.rsplit(':', 1)[1]}", "[::1]"):
            headers = {"Host": host} if host else {}
            assert requests.get(f"{endpoint}/_local/health", headers=headers, timeout=10).status_code == 200, host
            assert requests.get(f"{endpoint}/_local/clock", headers=headers, timeout=10).status_code == 200, host

    def test_loopback_origin_is_allowed_with_cors(self, endpoint, clock):
        preflight = requests.options(f"{endpoint}/_local/clock", timeout=10, headers={
            "Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST"})
        assert preflight.status_code == 204
        assert preflight.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
        assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
        moved = post_clock(endpoint, '{"advance": "1h"}', {"Content-Type": "application/json", "Origin": "http://localhost:3000"})
        assert moved.status_code == 200, moved.text
        assert moved.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"

    def test_clock_moves_are_bounded_to_a_century(self, endpoint, clock):
        before = offset(endpoint)
        for body in ({"advance": 1e19}, {"advance": "36600d"}, {"advance": -4e9}, {"set": "2300-01-01T00:00:00Z"},
                     {"set": "1900-01-01T00:00:00Z"}):
            response = clock.raw_post(body)
            assert response.status_code == 400, (body, response.text)
            assert response.json()["__type"] == "ValidationException"
            assert "within 100 years of real time" in response.json()["message"]
        assert offset(endpoint) == pytest.approx(before, abs=1)
        assert clock.raw_post({"advance": "36000d"}).status_code == 200
        # Touching time after a big (allowed) move still works.
        assert requests.get(f"{endpoint}/_local/health", timeout=10).status_code == 200


def start(tmp_path, *extra):
    """An emulator with extra start options: (its process, endpoint, log path)."""
    server = EmulatorProcess(tmp_path, *extra)
    return server.process, server.endpoint, server.log_path


def test_admin_token_guards_writes(tmp_path):
    process, endpoint, log_path = start(tmp_path, "--admin-token", "s3cret-token")
    try:
        assert "s3cret-token" in log_path.read_text(), "the token is printed at start"
        json_headers = {"Content-Type": "application/json"}
        refused = post_clock(endpoint, '{"advance": "1h"}', json_headers)
        assert refused.status_code == 403
        assert "--admin-token" in refused.json()["message"]
        assert post_clock(endpoint, '{"advance": "1h"}', {**json_headers, "Authorization": "Bearer wrong"}).status_code == 403
        assert offset(endpoint) == pytest.approx(0, abs=2)
        assert post_clock(endpoint, '{"advance": "1h"}', {**json_headers, "Authorization": "Bearer s3cret-token"}).status_code == 200
        assert post_clock(endpoint, '{"advance": "1h"}', {**json_headers, "X-Local-Admin-Token": "s3cret-token"}).status_code == 200
        assert offset(endpoint) == pytest.approx(7200, abs=2)
        assert requests.get(f"{endpoint}/_local/health", timeout=10).status_code == 200, "reads need no token"
        # Another name for the host (a container's host.docker.internal) is fine with the token, refused without.
        other_host = {"Host": f"host.docker.internal:{endpoint.rsplit(':', 1)[1]}"}
        assert requests.get(f"{endpoint}/_local/health", headers=other_host, timeout=10).status_code == 403
        assert requests.get(f"{endpoint}/_local/health", headers={**other_host, "X-Local-Admin-Token": "s3cret-token"},
                            timeout=10).status_code == 200
        # The CLI: refused without the token, works with --admin-token or SYNAPSCRIBE_ADMIN_TOKEN.
        cli = [str(emulator_binary()), "clock", "advance", "1h", "--endpoint", endpoint]
        env = {"PATH": "/usr/bin:/bin"}
        assert subprocess.run(cli, capture_output=True, text=True, timeout=60, env=env).returncode != 0
        result = subprocess.run([*cli, "--admin-token", "s3cret-token"], capture_output=True, text=True, timeout=60, env=env)
        assert result.returncode == 0, result.stdout + result.stderr
        result = subprocess.run(cli, capture_output=True, text=True, timeout=60, env={**env, "SYNAPSCRIBE_ADMIN_TOKEN": "s3cret-token"})
        assert result.returncode == 0, result.stdout + result.stderr
        assert offset(endpoint) == pytest.approx(4 * 3600, abs=2)
    finally:
        stop_process(process)


def test_generated_admin_token_is_printed(tmp_path):
    process, endpoint, log_path = start(tmp_path, "--admin-token", "generate")
    try:
        line = next(line for line in log_path.read_text().splitlines() if line.startswith("Admin token"))
        token = line.split()[2]
        assert len(token) == 32 and token != "generate"
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
        assert post_clock(endpoint, '{"advance": "1h"}', headers).status_code == 200
    finally:
        stop_process(process)
