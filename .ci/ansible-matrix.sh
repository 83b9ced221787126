#!/usr/bin/env bash
# Runs tests/ansible against each supported ansible-core, each in its own venv:
#   2.16 (>= 2.16.19, what ansible-lint 26 accepts), 2.18 (kubespray's), 2.19 (data tagging).
# Usage: .ci/ansible-matrix.sh [pytest args...]
#   NODE_TIMING_MATRIX_DIR   where the venvs live (default: .venv-ansible/ in the checkout)
#   NODE_TIMING_MATRIX       space-separated subset of "2.16 2.18 2.19"
#   PYTHON                   interpreter for the venvs (default: python3.11)
# Venvs are reused; the project is reinstalled on every run (not editable: the tests use the
# checkout's collection and core, and test_ansible_collection.py checks the wheel on its own).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
base="${NODE_TIMING_MATRIX_DIR:-$repo/.venv-ansible}"
python="${PYTHON:-python3.11}"
versions="${NODE_TIMING_MATRIX:-2.16 2.18 2.19}"

declare -A spec=(
  [2.16]="ansible-core>=2.16.19,<2.17"
  [2.18]="ansible-core>=2.18.0,<2.19"
  [2.19]="ansible-core>=2.19.0,<2.20"
)

status=0
for v in $versions; do
  venv="$base/ansible-$v"
  if [[ ! -x "$venv/bin/python" ]]; then
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --upgrade pip "setuptools>=77" wheel
  fi
  "$venv/bin/python" -m pip install --quiet "${spec[$v]}" "ansible-lint>=26" "pytest>=8"
  # A local directory is always rebuilt and reinstalled; satisfied dependencies stay put.
  "$venv/bin/python" -m pip install --quiet "$repo"
  echo "== ansible-core $("$venv/bin/python" -c 'import ansible.release as r; print(r.__version__)')"
  start=$SECONDS
  if ! (cd "$repo" && NODE_TIMING_ANSIBLE_BIN="$venv/bin" "$venv/bin/python" -m pytest -p no:cacheprovider tests/ansible "$@"); then
    status=1
  fi
  echo "== ansible-core $v: $((SECONDS - start)) s"
done
exit $status
