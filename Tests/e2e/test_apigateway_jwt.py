"""HTTP API JWT authorizers (issue 16): an `HttpApi` whose `Auth` names a JWT authorizer, its issuer a tiny
http.server the test runs on 127.0.0.1 (OpenID discovery + JWKS), tokens signed RS256 with `cryptography`.

API Gateway's answers for HTTP APIs ("Controlling access to HTTP APIs with JWT authorizers"): a missing or invalid
token (signature, issuer, audience, expiry, not-before) 401 `{"message":"Unauthorized"}`; a valid token without the
route's scopes 403 `{"message":"Forbidden"}`; claims and scopes in `requestContext.authorizer.jwt`.
"""

import base64
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from conftest import LOOPBACK, REPO_ROOT, Clock, EmulatorProcess

FIXTURE = REPO_ROOT / "Fixtures" / "apigateway-tests" / "jwt" / "template.yaml"
TIMEOUT = 60
UNAUTHORIZED = {"message": "Unauthorized"}


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def int_bytes(number):
    return number.to_bytes((number.bit_length() + 7) // 8, "big")


class Issuer:
    """An OpenID issuer on loopback: discovery document, JWKS, and RS256 token minting."""

    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        numbers = self.key.public_key().public_numbers()
        jwks = {"keys": [{"kty": "RSA", "kid": "k1", "use": "sig", "alg": "RS256",
                          "n": b64url(int_bytes(numbers.n)), "e": b64url(int_bytes(numbers.e))}]}
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path == "/.well-known/openid-configuration":
                    body = {"issuer": issuer.url, "jwks_uri": issuer.url + "/jwks.json"}
                elif self.path == "/jwks.json":
                    body = jwks
                else:
                    self.send_response(404)
                    self.end_headers()
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((LOOPBACK, 0), Handler)
        self.url = f"http://{LOOPBACK}:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def token(self, now, key=None, **claims):
        body = {"iss": self.url, "aud": "my-client", "sub": "user-1", "iat": int(now), "exp": int(now) + 600, **claims}
        body = {name: value for name, value in body.items() if value is not None}
        signing_input = b64url(json.dumps({"alg": "RS256", "typ": "JWT", "kid": "k1"}).encode()) + "." + b64url(json.dumps(body).encode())
        signature = (key or self.key).sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return signing_input + "." + b64url(signature)

    def stop(self):
        self.server.shutdown()


@pytest.fixture(scope="module")
def jwt_api(tmp_path_factory):
    issuer = Issuer()
    server = EmulatorProcess(tmp_path_factory.mktemp("apigw-jwt"), "--stack-name", "apigw-jwt",
                             "--parameter-overrides", f"Issuer={issuer.url}", template=FIXTURE)
    described = server.client("cloudformation").describe_stacks(StackName="apigw-jwt")["Stacks"][0]
    server.url = {o["OutputKey"]: o["OutputValue"] for o in described["Outputs"]}["JwtApiUrl"]
    server.issuer = issuer
    server.clock = Clock(server.endpoint)
    yield server
    server.clock.reset()
    server.stop()
    issuer.stop()


def now_of(server):
    return server.clock.now().timestamp()


def get(server, path, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.get(server.url + path, headers=headers, timeout=TIMEOUT)


def test_valid_token_passes_claims_and_scopes(jwt_api):
    token = jwt_api.issuer.token(now_of(jwt_api), scope="read admin", email="a@example.com")
    response = get(jwt_api, "me", token)
    assert response.status_code == 200, response.text
    jwt = response.json()["requestContext"]["authorizer"]["jwt"]
    assert jwt["scopes"] == ["read", "admin"]
    assert jwt["claims"]["sub"] == "user-1"
    assert jwt["claims"]["email"] == "a@example.com"
    assert jwt["claims"]["aud"] == "my-client"
    assert jwt["claims"]["iss"] == jwt_api.issuer.url
    assert jwt["claims"]["exp"].isdigit()  # payload 2.0 passes claims as strings


def test_missing_and_bad_tokens_are_401(jwt_api):
    now = now_of(jwt_api)
    issuer = jwt_api.issuer
    for token in [None, "not-a-jwt", issuer.token(now, key=issuer.other_key), issuer.token(now, aud="someone-else"),
                  issuer.token(now, iss="http://127.0.0.1:1/other"), issuer.token(now, exp=int(now) - 5),
                  issuer.token(now, nbf=int(now) + 300)]:
        response = get(jwt_api, "me", token)
        assert response.status_code == 401, (token, response.text)
        assert response.json() == UNAUTHORIZED


def test_expiry_follows_the_virtual_clock(jwt_api):
    token = jwt_api.issuer.token(now_of(jwt_api))
    assert get(jwt_api, "me", token).status_code == 200
    jwt_api.clock.advance("11m")
    response = get(jwt_api, "me", token)
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


def test_route_scopes_and_opt_out(jwt_api):
    now = now_of(jwt_api)
    response = get(jwt_api, "admin", jwt_api.issuer.token(now, scope="read"))
    assert response.status_code == 403
    assert response.json() == {"message": "Forbidden"}
    assert get(jwt_api, "admin", jwt_api.issuer.token(now, scope="read admin")).status_code == 200
    response = get(jwt_api, "public")
    assert response.status_code == 200
    assert "authorizer" not in response.json()["requestContext"]


def test_non_loopback_issuer_is_refused_at_start(tmp_path):
    server = EmulatorProcess(tmp_path, "--stack-name", "apigw-jwt-remote", "--parameter-overrides",
                             "Issuer=https://issuer.example.com", template=FIXTURE, wait=False)
    try:
        assert server.process.wait(timeout=TIMEOUT) != 0
        log = server.log_path.read_text(errors="replace")
        assert "fetches JWKS only from loopback issuers" in log
    finally:
        server.stop()
