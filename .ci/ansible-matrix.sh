#!/usr/bin/env bash
# Runs tests/ansible against each supported ansible-core, each in its own venv: the cores the
# supported kubespray releases pin (kubespray requirements.txt) and the newest that runs on 3.11:
#   2.16 (exactly 2.16.14, the lowest accepted: kubespray 2.27/2.28's ansible 9.13.0),
#   2.17 (the latest 2.17: kubespray 2.29/2.30's ansible 10.7.0),
#   2.18 (the latest 2.18: kubespray 2.31/master's ansible 11.13.0; the primary),
#   2.19 (data tagging).
# Each venv gets ansible-lint>=25.12 with its core: pip picks the newest ansible-lint that accepts
# that core (26.8+ needs >=2.16.19 and not 2.17; up to 26.6 take 2.16.14+ and 2.17, so 2.16 and
# 2.17 get 26.6.0), and the rule's tests run with it on every entry.
# Installing the project's wheel must leave the venv's ansible-core as it was (as `pip install`
# into kubespray's venv must): the matrix fails when it moves.
# Usage: .ci/ansible-matrix.sh [pytest args...]
#   NODE_TIMING_MATRIX_DIR   where the venvs live (default: .venv-ansible/ in the checkout)
#   NODE_TIMING_MATRIX       space-separated subset of "2.16 2.17 2.18 2.19"
#   PYTHON                   interpreter for the venvs (default: python3.11)
#   NODE_TIMING_MATRIX_FULL  1: run the tests marked one_core on every version too
# The venvs' dependencies are installed concurrently (the installs wait on the network, not the
# CPU), each with a line when it is ready; the project is built once as a wheel and installed
# into each (not editable: the tests use the checkout's collection and core, and
# test_ansible_collection.py checks the wheel on its own). Then each version's tests run with
# two workers, a module per worker (module fixtures build a venv or run a playbook once); the
# tests marked one_core (their verdict does not depend on ansible-core) run on 2.18 only.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
base="${NODE_TIMING_MATRIX_DIR:-$repo/.venv-ansible}"
python="${PYTHON:-python3.11}"
command -v "$python" >/dev/null || python=python3
versions="${NODE_TIMING_MATRIX:-2.16 2.17 2.18 2.19}"

declare -A spec=(
  [2.16]="ansible-core==2.16.14"
  [2.17]="ansible-core>=2.17.0,<2.18"
  [2.18]="ansible-core>=2.18.0,<2.19"
  [2.19]="ansible-core>=2.19.0,<2.20"
)

install() {
  local v=$1 venv="$base/ansible-$1"
  if [[ ! -x "$venv/bin/python" ]]; then
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --upgrade pip "setuptools>=77" wheel
  fi
  "$venv/bin/python" -m pip install --quiet "${spec[$v]}" "ansible-lint>=25.12" "pytest>=8" "pytest-xdist>=3.5"
}

mkdir -p "$base"
start=$SECONDS
declare -A pids
for v in $versions; do
  install "$v" >"$base/install-$v.log" 2>&1 &
  pids[$v]=$!
done
status=0
for v in $versions; do
  if wait "${pids[$v]}"; then
    echo "== ansible-core $v installed ($((SECONDS - start)) s since the matrix started)"
  else
    echo "== ansible-core $v: install failed:"
    cat "$base/install-$v.log"
    status=1
  fi
done
[[ $status -eq 0 ]] || exit $status

# One build: concurrent builds of the checkout would share its build/ directory.
wheels="$(mktemp -d)"
trap 'rm -rf "$wheels"' EXIT
first="$base/ansible-${versions%% *}"
"$first/bin/python" -m pip wheel --quiet --no-deps -w "$wheels" "$repo"
wheel=("$wheels"/node_timing-*.whl)
export NODE_TIMING_WHEEL="${wheel[0]}"  # the tests that install the wheel use this one
core_version() {
  "$1/bin/python" -c 'from importlib.metadata import version; print(version("ansible-core"))'
}
for v in $versions; do
  venv="$base/ansible-$v"
  before="$(core_version "$venv")"
  # the same version number as last time: install its dependencies, then replace the project
  "$venv/bin/python" -m pip install --quiet "${wheel[0]}"
  "$venv/bin/python" -m pip install --quiet --force-reinstall --no-deps "${wheel[0]}"
  after="$(core_version "$venv")"
  if [[ $before != "$after" ]]; then
    echo "== ansible-core $v: installing node-timing replaced ansible-core $before with $after"
    status=1
  fi
done
[[ $status -eq 0 ]] || exit $status
echo "== node-timing installed ($((SECONDS - start)) s)"

# kubespray's ansible-core runs everything; without it in the subset, the first version does
primary=2.18
[[ " $versions " == *" 2.18 "* ]] || primary="${versions%% *}"
for v in $versions; do
  venv="$base/ansible-$v"
  echo "== ansible-core $("$venv/bin/python" -c 'import ansible.release as r; print(r.__version__)')"
  begin=$SECONDS
  only=()
  if [[ $v != "$primary" && ${NODE_TIMING_MATRIX_FULL:-0} != 1 ]]; then
    only=(-m "not one_core")
  fi
  if ! (cd "$repo" && NODE_TIMING_ANSIBLE_BIN="$venv/bin" "$venv/bin/python" -m pytest \
    -p no:cacheprovider -n 2 --dist loadfile "${only[@]}" tests/ansible "$@"); then
    status=1
  fi
  echo "== ansible-core $v: $((SECONDS - begin)) s"
done
exit $status
