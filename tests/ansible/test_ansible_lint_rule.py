"""The node-timing rule inside the real ansible-lint, installed the way users install it.

A fresh virtual environment holds a copy of the ansible-lint under test (so that its
``rules/custom/`` directory is the venv's own) and this project's wheel; every other dependency is
borrowed from the Ansible under test. Nothing else tells ansible-lint about the rule: no
``ANSIBLE_LINT_CUSTOM_RULESDIR``, no ``-r``, no PYTHONPATH. The project linted is laid out like a
kubespray checkout: ``cluster.yml``, kubespray's ``.ansible-lint`` (no profile), a stock
``inventory/sample`` and ``inventory/mycluster`` as a deployment leaves it, with a grace period of
15s for kubelets that renew every 10s. The checkout is a git repository with kubespray's
``.gitignore``, so git ignores ``inventory/mycluster``.

Which files ansible-lint lints (ansible-lint 26.10.1, whose discovery code is v26.6.0's, 262624c; line
numbers are v26.6.0's): it does not ask git. ``get_all_files`` (src/ansiblelint/file_utils.py:604)
walks each directory it is given and matches the ``.gitignore`` of that directory (line 636) against
that directory's own entries only (line 648), then recurses with no patterns from above (line 656):
kubespray's ``inventory/*`` is matched against ``inventory`` itself, never against
``inventory/mycluster``, so git's verdict does not reach ansible-lint. Every lintable the command
line names, or the walk of ``.`` finds, is explicit (runner.py:113) and never excluded
(runner.py:154); the files found inside a directory named on the command line are not
(file_utils.py:592), and are dropped when outside the project directory (runner.py:158) or under
``exclude_paths``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from kubespray_layout import SECRETS, post_deployment
from playbook_runner import ansible_bin, ansible_python

pytestmark = pytest.mark.ansible

GRACE_FILE = "inventory/mycluster/group_vars/k8s_cluster/k8s-cluster.yml"
GRACE_LINE = 3
SAMPLE_FILE = "inventory/sample/group_vars/k8s_cluster/k8s-cluster.yml"
TAG = "node-timing[grace-vs-heartbeat]"
K8S_CLUSTER = """\
---
kube_version: 1.33.5
kube_controller_node_monitor_grace_period: 15s
kube_network_plugin: calico
"""
# kubespray's own .ansible-lint, shortened: a skip_list and exclude_paths, no profile.
KUBESPRAY_CONFIG = """\
---
skip_list:
  - role-name
  - var-naming[pattern]
exclude_paths:
  - .github
  - .ansible
  - .cache
"""
# kubespray's .gitignore, shortened to its lines about inventories and credentials: git ignores
# every inventory but the sample (and local), so a user's inventory/mycluster is untracked.
KUBESPRAY_GITIGNORE = """\
*.retry
.cache

# Ansible inventory
inventory/*
!inventory/local
!inventory/sample
inventory/*/artifacts/

__pycache__/
credentials/
"""
CLUSTER_YML = """\
---
- name: Install Kubernetes
  hosts: k8s_cluster
  gather_facts: false
  tasks:
    - name: Say hello
      ansible.builtin.debug:
        msg: hello
"""


@pytest.fixture(scope="module")
def lint_venv(tmp_path_factory: pytest.TempPathFactory, project_wheel: Path) -> Path:
    root = tmp_path_factory.mktemp("lint")
    wheel = project_wheel
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    deps = Path(
        subprocess.run(
            [
                ansible_python(),
                "-c",
                "import ansiblelint, os; print(os.path.dirname(os.path.dirname(ansiblelint.__file__)))",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    # ansible-lint itself is copied, without any node-timing rule the Ansible under test may
    # have installed (the CI matrix does): the wheel must put it there.
    shutil.copytree(
        deps / "ansiblelint",
        site / "ansiblelint",
        ignore=lambda d, names: (
            ["node_timing", "__pycache__"] if d.endswith("custom") else ["__pycache__"]
        ),
    )
    assert not (site / "ansiblelint" / "rules" / "custom" / "node_timing").exists()
    borrowed = root / "borrowed"
    borrowed.mkdir()
    for entry in deps.iterdir():
        name = entry.name.lower()
        if name == "ansiblelint" or name.startswith(
            ("node_timing", "node-timing", "ansible_collections", "__editable__")
        ):
            continue
        (borrowed / entry.name).symlink_to(entry)
    (site / "borrowed-dependencies.pth").write_text(f"{borrowed}\n", encoding="utf-8")
    proc = subprocess.run(
        [
            ansible_python(),
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "--no-index",
            "--quiet",
            str(wheel),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return venv


def _site(venv: Path) -> Path:
    return next((venv / "lib").glob("python*/site-packages"))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A kubespray-like checkout (a git repository, as ansible-lint expects)."""
    root = tmp_path / "kubespray"
    root.mkdir()
    (root / ".ansible-lint").write_text(KUBESPRAY_CONFIG)
    (root / "cluster.yml").write_text(CLUSTER_YML)
    sample = root / "inventory" / "sample"
    (sample / "group_vars" / "k8s_cluster").mkdir(parents=True)
    (sample / "inventory.ini").write_text("[kube_control_plane]\nnode1\n[kube_node]\nnode2\n")
    (sample / "group_vars" / "k8s_cluster" / "k8s-cluster.yml").write_text(
        "---\nkube_version: 1.33.5\n# kube_controller_node_monitor_grace_period: 40s\n"
    )
    inv = post_deployment(root, tmp_path / "ran")
    (inv / "group_vars" / "k8s_cluster" / "k8s-cluster.yml").write_text(K8S_CLUSTER)
    (root / ".gitignore").write_text(KUBESPRAY_GITIGNORE)
    for args in (["init", "-q"], ["add", "-A"]):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)
    return root


def lint_env(venv: Path, project: Path) -> dict[str, str]:
    """The environment ansible-lint runs in: its venv's tools (ansible-config) first on PATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    env.pop("PYTHONPATH", None)
    env.update(
        {
            "PATH": f"{venv / 'bin'}:{ansible_bin()}:{env.get('PATH', '')}",
            "ANSIBLE_HOME": str(project.parent / ".ansible"),
            "XDG_CACHE_HOME": str(project.parent / ".cache"),
            "NO_COLOR": "1",
        }
    )
    return env


def ansible_lint(
    venv: Path, project: Path, *args: str, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """ansible-lint in ``project`` (or run from ``cwd``, a directory inside it)."""
    return subprocess.run(
        [str(venv / "bin" / "python"), "-m", "ansiblelint", "--offline", *args],
        cwd=cwd or project,
        env=lint_env(venv, project),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def pep8_matches(proc: subprocess.CompletedProcess[str]) -> list[tuple[str, int, str]]:
    """(file, line, tag) of every match in ``-f pep8`` output."""
    return [
        (m.group(1), int(m.group(2)), m.group(3))
        for m in re.finditer(r"^(\S+?):(\d+)(?::\d+)?: ([^\s:]+)", proc.stdout, re.MULTILINE)
    ]


def test_the_wheel_adds_only_its_rule_package_to_ansible_lint(lint_venv: Path) -> None:
    site = _site(lint_venv)
    installed = site / "ansiblelint" / "rules" / "custom" / "node_timing"
    assert sorted(p.name for p in installed.iterdir() if p.name != "__pycache__") == [
        "__init__.py",
        "node_timing.md",
        "node_timing_rule.py",
    ]
    record = next(site.glob("node_timing-*.dist-info")).joinpath("RECORD").read_text()
    ours = [line.split(",")[0] for line in record.splitlines() if line.startswith("ansiblelint/")]
    # never ansible-lint's own __init__.py files: installing would overwrite them
    assert ours and all(p.startswith("ansiblelint/rules/custom/node_timing/") for p in ours)


def test_a_tight_grace_period_fails_ansible_lint_at_its_file_and_line(
    lint_venv: Path, project: Path
) -> None:
    assert _git_ignored(project, GRACE_FILE)  # and ansible-lint with no argument lints it anyway
    proc = ansible_lint(lint_venv, project, "-f", "pep8")
    assert proc.returncode == 2, proc.stdout + proc.stderr  # ansible-lint: violations found
    matches = pep8_matches(proc)
    assert (GRACE_FILE, GRACE_LINE, TAG) in matches, proc.stdout
    assert "grace 15s allows 1.5 heartbeats of 10s" in proc.stdout
    # the stock sample inventory fails nothing; ours fails only this
    failing = [m for m in matches if "(warning)" not in _line_of(proc, m)]
    assert [m for m in failing if m[2].startswith("node-timing")] == [
        (GRACE_FILE, GRACE_LINE, TAG)
    ], proc.stdout
    # a deployed inventory: its scripts never ran and no secret is printed
    assert not (project.parent / "ran").exists()
    assert not [s for s in SECRETS if s in proc.stdout + proc.stderr]


def _git_ignored(project: Path, path: str) -> bool:
    """Whether git ignores ``path`` in the checkout (the user's inventory, with kubespray's
    .gitignore)."""
    proc = subprocess.run(
        ["git", "check-ignore", "-q", path], cwd=project, capture_output=True, check=False
    )
    assert proc.returncode in (0, 1), proc.stderr  # 128: git failed
    return proc.returncode == 0


def _files(proc: subprocess.CompletedProcess[str], project: Path) -> set[str]:
    """The real path of every file with a match (ansible-lint prints paths below the working
    directory relative to it, others absolute or from ~/)."""
    return {
        os.path.realpath(project / os.path.expanduser(file)) for file, _, _ in pep8_matches(proc)
    }


@pytest.mark.one_core
def test_naming_a_git_ignored_inventory_or_one_of_its_files_lints_it(
    lint_venv: Path, project: Path
) -> None:
    assert _git_ignored(project, "inventory/mycluster/")
    # a directory: every file found inside it, the git-ignored ones too
    proc = ansible_lint(lint_venv, project, "-f", "pep8", "inventory/mycluster")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    matches = pep8_matches(proc)
    assert (GRACE_FILE, GRACE_LINE, TAG) in matches, proc.stdout
    # the finding about a value nobody set, where the user would set it (the file holding the
    # cluster's timing variables, line 1): linted from the directory like the rest
    assert (GRACE_FILE, 1, "node-timing[report-frequency]") in matches, proc.stdout
    assert all(m[0].startswith("inventory/mycluster/") for m in matches), proc.stdout
    # a file: that file only; ansible-lint hands the rule no other file of the inventory
    proc = ansible_lint(lint_venv, project, "-f", "pep8", GRACE_FILE)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    matches = pep8_matches(proc)
    assert (GRACE_FILE, GRACE_LINE, TAG) in matches, proc.stdout
    assert {m[0] for m in matches} == {GRACE_FILE}, proc.stdout


@pytest.mark.one_core
def test_run_from_inside_group_vars_the_inventory_is_still_found(
    lint_venv: Path, project: Path
) -> None:
    """ansible-lint takes its project directory from its configuration file, found upward, not
    from the working directory; the rule looks for the inventory up to that directory."""
    here = project / Path(GRACE_FILE).parent
    proc = ansible_lint(lint_venv, project, "-f", "pep8", Path(GRACE_FILE).name, cwd=here)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert (Path(GRACE_FILE).name, GRACE_LINE, TAG) in pep8_matches(proc), proc.stdout


@pytest.mark.one_core
def test_an_inventory_outside_the_checkout_is_linted_only_inside_the_project_dir(
    lint_venv: Path, project: Path, tmp_path: Path
) -> None:
    # kubespray's documentation also keeps inventories in a directory of their own
    elsewhere = post_deployment(tmp_path / "elsewhere", tmp_path / "ran", "prod")
    grace = elsewhere / "group_vars" / "k8s_cluster" / "k8s-cluster.yml"
    grace.write_text(K8S_CLUSTER)
    # named from the checkout, the project is the checkout: the files found in the directory lie
    # outside it and are dropped without a word; a file named on the command line is linted
    proc = ansible_lint(lint_venv, project, "-f", "pep8", str(elsewhere), str(grace))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert _files(proc, project) == {os.path.realpath(grace)}, proc.stdout
    # the command that works: a project directory holding the inventory, and the checkout's
    # configuration named (ansible-lint looks for it from the project directory on): its
    # warn_list turns the error into a warning
    config = project / ".ansible-lint"
    config.write_text(config.read_text() + f"warn_list:\n  - {TAG}\n")
    proc = ansible_lint(
        lint_venv,
        project,
        "-f",
        "pep8",
        "--project-dir",
        str(elsewhere),
        "-c",
        ".ansible-lint",
        str(elsewhere),
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert os.path.realpath(grace) in _files(proc, project), proc.stdout
    assert TAG in proc.stdout, proc.stdout
    assert not (tmp_path / "ran").exists()
    assert not [s for s in SECRETS if s in proc.stdout + proc.stderr]


@pytest.mark.one_core
def test_exclude_paths_drops_the_inventory_but_not_a_file_named_on_the_command_line(
    lint_venv: Path, project: Path
) -> None:
    config = project / ".ansible-lint"
    config.write_text(config.read_text() + "  - inventory/mycluster\n")  # exclude_paths is last
    proc = ansible_lint(lint_venv, project, "-f", "pep8")
    assert proc.returncode == 0, proc.stdout + proc.stderr  # the sample only warns
    files = {m[0] for m in pep8_matches(proc)}
    assert SAMPLE_FILE in files, proc.stdout
    assert not [f for f in files if f.startswith("inventory/mycluster/")], proc.stdout
    proc = ansible_lint(lint_venv, project, "-f", "pep8", GRACE_FILE)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert (GRACE_FILE, GRACE_LINE, TAG) in pep8_matches(proc), proc.stdout


def _line_of(proc: subprocess.CompletedProcess[str], match: tuple[str, int, str]) -> str:
    file, line, tag = match
    return next(
        text
        for text in proc.stdout.splitlines()
        if text.startswith(f"{file}:{line}") and tag in text
    )


def test_skip_list_and_warn_list_name_the_check(lint_venv: Path, project: Path) -> None:
    config = project / ".ansible-lint"
    base = config.read_text()
    config.write_text(base.replace("  - role-name\n", f"  - role-name\n  - {TAG}\n"))
    proc = ansible_lint(lint_venv, project, "-f", "pep8")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert TAG not in proc.stdout  # the sample's warning is skipped too: the id names the check
    assert (GRACE_FILE, GRACE_LINE, "node-timing[grace-vs-http2]") in pep8_matches(proc)

    config.write_text(base + f"warn_list:\n  - {TAG}\n")
    proc = ansible_lint(lint_venv, project, "-f", "pep8")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (GRACE_FILE, GRACE_LINE, TAG) in pep8_matches(proc)


def test_noqa_on_the_line_silences_it(lint_venv: Path, project: Path) -> None:
    path = project / GRACE_FILE
    path.write_text(K8S_CLUSTER.replace("15s\n", f"15s  # noqa: {TAG}\n"))
    proc = ansible_lint(lint_venv, project, "-f", "pep8")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert [m for m in pep8_matches(proc) if m[0] == GRACE_FILE and m[2] == TAG] == []
    assert (GRACE_FILE, GRACE_LINE, "node-timing[grace-vs-http2]") in pep8_matches(proc)


def test_a_profile_runs_the_rule_only_when_enabled(lint_venv: Path, project: Path) -> None:
    # ansible-lint keeps a profile's rules and enable_list's: as for its own rules outside it
    proc = ansible_lint(lint_venv, project, "--profile", "min", "-f", "pep8")
    assert "node-timing" not in proc.stdout, proc.stdout
    config = project / ".ansible-lint"
    config.write_text(config.read_text() + "enable_list:\n  - node-timing\n")
    proc = ansible_lint(lint_venv, project, "--profile", "min", "-f", "pep8")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert (GRACE_FILE, GRACE_LINE, TAG) in pep8_matches(proc)


def test_sarif_carries_the_finding(lint_venv: Path, project: Path) -> None:
    proc = ansible_lint(lint_venv, project, "-f", "sarif")
    assert proc.returncode == 2, proc.stderr
    report: dict[str, Any] = json.loads(proc.stdout)
    results = [
        r
        for run in report["runs"]
        for r in run["results"]
        if r["ruleId"] == TAG
        and r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == GRACE_FILE
    ]
    assert len(results) == 1, report
    (result,) = results
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == GRACE_LINE
    assert result["level"] == "error"
    assert "grace 15s allows 1.5 heartbeats" in result["message"]["text"]
    warnings = [
        r
        for run in report["runs"]
        for r in run["results"]
        if r["ruleId"] == "node-timing[grace-vs-http2]"
    ]
    assert warnings and warnings[0]["level"] == "warning"


def test_list_rules_shows_the_rule_and_its_documentation_is_loaded(lint_venv: Path) -> None:
    proc = ansible_lint(lint_venv, lint_venv.parent, "-L")
    assert proc.returncode == 0, proc.stderr
    listed = [line for line in proc.stdout.splitlines() if "node-timing" in line]
    assert listed and "Kubernetes node-health timing settings must fit together" in listed[0]
    # ansible-lint reads a rule's documentation from <id>.md beside it (rule.help)
    code = (
        "from ansiblelint.rules import RulesCollection; from ansiblelint.app import get_app; "
        "from ansiblelint.cli import get_rules_dirs; "
        "rules = RulesCollection(get_app(offline=True), get_rules_dirs([])); "
        "print(rules['node-timing'].help)"
    )
    doc = subprocess.run(
        [str(lint_venv / "bin" / "python"), "-c", code],
        capture_output=True,
        text=True,
        cwd=lint_venv.parent,
        env=lint_env(lint_venv, lint_venv.parent),
        check=False,
        timeout=600,
    )
    assert doc.returncode == 0, doc.stderr
    assert "`node-timing[grace-vs-heartbeat]`" in doc.stdout
