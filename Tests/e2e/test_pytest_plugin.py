"""pytest-synapscribe: the example suite in examples/pytest-sam/ runs with pytest in a subprocess, with the plugin
(python/pytest-synapscribe) loaded, the emulator started by the plugin on free ports (--port 0 + --ready-file) and
reset before every test."""

import os
import subprocess
import sys

from conftest import REPO_ROOT, emulator_binary

PLUGIN = REPO_ROOT / "python" / "pytest-synapscribe"
EXAMPLE = REPO_ROOT / "examples" / "pytest-sam"


def test_example_suite_passes_with_the_plugin(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("AWS_", "SYNAPSCRIBE_ENDPOINT"))}
    env["SYNAPSCRIBE_BIN"] = str(emulator_binary())
    env["PYTHONPATH"] = os.pathsep.join([str(PLUGIN), env.get("PYTHONPATH", "")])
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "pytest_synapscribe.plugin", "-q", "-p", "no:cacheprovider",
         "--basetemp", str(tmp_path / "basetemp"), "-rA"],
        cwd=EXAMPLE, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "5 passed" in result.stdout, result.stdout[-2000:]
