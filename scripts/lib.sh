# Shared by the scripts in this folder: paths and the Python environments.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"                 # test tools: pytest, boto3, awscli, websockets
RUNTIME_VENV="$ROOT/.venv-runtime" # what Lambda's python3.12 runtime provides: awslambdaric + boto3
BIN_DEBUG="$ROOT/.build/debug/synapscribe-local"

# pyenv's versions folder, found with or without `pyenv` on PATH.
pyenv_versions() {
  local root
  if command -v pyenv >/dev/null 2>&1; then root="$(pyenv root)"; else root="${PYENV_ROOT:-$HOME/.pyenv}"; fi
  [ -d "$root/versions" ] && echo "$root/versions"
}

# The interpreter the SynapScribe functions run on (Runtime: python3.12).
find_python312() {
  local candidate versions
  # pyenv's interpreters first: its python3.12 shim on PATH fails unless 3.12 is the selected version.
  if versions="$(pyenv_versions)"; then
    for candidate in "$versions"/3.12*/bin/python3.12; do
      [ -x "$candidate" ] && "$candidate" --version >/dev/null 2>&1 && { echo "$candidate"; return; }
    done
  fi
  candidate="$(command -v python3.12 || true)"
  [ -n "$candidate" ] && "$candidate" --version >/dev/null 2>&1 && { echo "$candidate"; return; }
  return 1
}

# The interpreter for the test tools: a python3 >= 3.10 (PATH first, then pyenv's) that can make a venv.
find_python3() {
  local candidate versions
  local candidates=()
  candidate="$(command -v python3 || true)"
  [ -n "$candidate" ] && candidates+=("$candidate")
  if versions="$(pyenv_versions)"; then
    for candidate in "$versions"/3.1[0-9]*/bin/python3; do candidates+=("$candidate"); done
  fi
  for candidate in "${candidates[@]}"; do
    [ -x "$candidate" ] || continue
    "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null || continue
    echo "$candidate"
    return
  done
  return 1
}

# Creates a venv with `$1 -m venv $2`, or says what to install when the interpreter cannot make one.
make_venv() {
  local python="$1" folder="$2"
  if ! "$python" -c 'import ensurepip, venv' >/dev/null 2>&1; then
    local version
    version="$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
    echo "$python cannot create virtual environments (no venv/ensurepip module)." >&2
    echo "Install it: on Debian/Ubuntu 'apt-get install python3-venv' (or python${version}-venv)." >&2
    return 1
  fi
  rm -rf "$folder"
  "$python" -m venv "$folder"
}
