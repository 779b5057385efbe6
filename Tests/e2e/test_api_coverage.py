"""The control-plane coverage sweep (scripts/coverage.py) against the binary under test: every operation of
botocore's models for lambda, apigateway, apigatewayv2, iam, cognito-identity, sts and cloudformation, sent once with the
smallest input its model allows, gets either its own answer or AWS's unknown-operation error; never a 5xx, a hang or
an answer botocore cannot parse."""

import json
import subprocess
import sys

from conftest import REPO_ROOT, emulator_binary

# What main serves today; a lower count is a regression (a served operation fell back to "unknown operation").
MINIMUM_SERVED = {"lambda": 39, "apigateway": 72, "apigatewayv2": 43, "iam": 64, "cognito-identity": 17, "cognito-idp": 20, "sts": 6, "cloudformation": 19}
UNKNOWN_OPERATION = {"UnknownOperationException", "InvalidAction", "NotImplemented", "UnknownOperation"}


def test_every_operation_is_served_or_answers_the_unknown_operation_error(tmp_path):
    report = tmp_path / "coverage.json"
    result = subprocess.run([sys.executable, str(REPO_ROOT / "scripts" / "coverage.py"), "--bin", str(emulator_binary()),
                             "--json", str(report)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    results = json.loads(report.read_text())
    assert set(results) == set(MINIMUM_SERVED)
    broken = [(service, name, answer) for service, ops in results.items() for name, (served, answer) in ops.items()
              if served and (answer.startswith("5") or answer.startswith("client-side") or answer == "InternalFailure")]
    assert broken == []
    for service, ops in results.items():
        assert all(answer in UNKNOWN_OPERATION for served, answer in ops.values() if not served), service
        served = sum(1 for ok, _ in ops.values() if ok)
        assert served >= MINIMUM_SERVED[service], (service, served)
