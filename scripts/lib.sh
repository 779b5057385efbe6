# Shared by the scripts in this folder: paths and the Python environments.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"                 # test tools: pytest, boto3, awscli, websockets
RUNTIME_VENV="$ROOT/.venv-runtime" # what Lambda's python3.12 runtime provides: awslambdaric + boto3
BIN_DEBUG="$ROOT/.build/debug/synapscribe-local"

# The interpreter the SynapScribe functions run on (Runtime: python3.12).
find_python312() {
  # A pyenv shim may exist without a 3.12 selected: only take an interpreter that actually runs.
  if command -v python3.12 >/dev/null 2>&1 && python3.12 -c '' >/dev/null 2>&1; then command -v python3.12; return; fi
  if command -v pyenv >/dev/null 2>&1; then
    local candidate
    for candidate in "$(pyenv root)"/versions/3.12*/bin/python3.12; do
      [ -x "$candidate" ] && { echo "$candidate"; return; }
    done
  fi
  return 1
}

# The interpreter for the test tools (any python3 >= 3.10).
find_python3() {
  command -v python3 || return 1
}
