# Shared by the scripts in this folder: paths and the Python environments.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"                 # test tools: pytest, boto3, awscli, websockets
RUNTIME_VENV="$ROOT/.venv-runtime" # what Lambda's python3.12 runtime provides: awslambdaric + boto3
BIN_DEBUG="$ROOT/.build/debug/synapscribe-local"

# The interpreter the SynapScribe functions run on (Runtime: python3.12).
find_python312() {
  local candidate
  # pyenv first: its python3.12 shim on PATH fails unless 3.12 is the selected version.
  if command -v pyenv >/dev/null 2>&1; then
    for candidate in "$(pyenv root)"/versions/3.12*/bin/python3.12; do
      [ -x "$candidate" ] && "$candidate" --version >/dev/null 2>&1 && { echo "$candidate"; return; }
    done
  fi
  candidate="$(command -v python3.12 || true)"
  [ -n "$candidate" ] && "$candidate" --version >/dev/null 2>&1 && { echo "$candidate"; return; }
  return 1
}

# The interpreter for the test tools (any python3 >= 3.10).
find_python3() {
  command -v python3 || return 1
}
