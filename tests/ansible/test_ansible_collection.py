"""The collection as users get it: from the wheel with no other setup, and from this checkout."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

import pytest
import yaml
from playbook_runner import REPO, ansible_python, base_env, play, run_playbook, write_project

PLAY = [
    play(
        [
            {
                "name": "profile",
                "ansible.builtin.debug": {
                    "msg": "{{ ('fast' | kubetiming.node_timing.node_timing_profile(nodes=1000)).figures }}"
                },
            },
            {
                "name": "compute through the role",
                "ansible.builtin.include_role": {
                    "name": "kubetiming.node_timing.node_timing",
                    "tasks_from": "compute",
                },
                "vars": {"node_timing_profile": "medium"},
            },
            {
                "name": "computed",
                "ansible.builtin.debug": {
                    "msg": "{{ __node_timing_profile.settings.controller_manager }}"
                },
            },
        ],
        hosts="all",
    )
]


def borrowing_venv(root: Path) -> Path:
    """A fresh venv with no project in it; ansible-core and every other package of the Ansible
    under test are borrowed through a .pth file, which adds them after the venv's own."""
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
    deps = subprocess.run(
        [
            ansible_python(),
            "-c",
            "import ansible, os; print(os.path.dirname(os.path.dirname(ansible.__file__)))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # Borrow every dependency but the project itself: the Ansible under test may have node-timing
    # installed (the CI matrix does), and it must not be what the venv resolves.
    borrowed = root / "borrowed"
    borrowed.mkdir()
    for entry in Path(deps).iterdir():
        name = entry.name.lower()
        if name.startswith(("node_timing", "node-timing", "ansible_collections", "__editable__")):
            continue
        (borrowed / entry.name).symlink_to(entry)
    (site / "borrowed-dependencies.pth").write_text(f"{borrowed}\n", encoding="utf-8")
    assert sysconfig.get_paths()["purelib"] != str(site)
    return venv


@pytest.fixture(scope="module")
def wheel_venv(tmp_path_factory: pytest.TempPathFactory, project_wheel: Path) -> Path:
    """A fresh venv holding only the wheel, its dependencies borrowed from the Ansible under test."""
    venv = borrowing_venv(tmp_path_factory.mktemp("wheel"))
    proc = subprocess.run(
        [
            ansible_python(),
            "-m",
            "pip",
            "--python",
            str(venv / "bin" / "python"),
            "install",
            "--no-deps",
            "--no-index",
            "--quiet",
            str(project_wheel),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return venv


def test_pip_install_keeps_the_ansible_core_it_finds(tmp_path: Path, project_wheel: Path) -> None:
    """What `pip install <checkout>` in kubespray's venv does to its pinned ansible-core: pip
    itself resolves the wheel against the core under test (every core the matrix runs is one a
    kubespray release pins, or newer) and must install the project without replacing it."""
    venv = borrowing_venv(tmp_path)
    core = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import ansible.release as r; print(r.__version__)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    proc = subprocess.run(
        [
            ansible_python(),
            "-m",
            "pip",
            "--python",
            str(venv / "bin" / "python"),
            "install",
            "--dry-run",
            "--quiet",
            "--report",
            "-",
            str(project_wheel),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    installs = {i["metadata"]["name"].lower(): i["metadata"]["version"] for i in report["install"]}
    assert "node-timing" in installs, installs  # the project is not in the venv: pip installs it
    assert "ansible-core" not in installs, f"pip would replace ansible-core {core}: {installs}"
    assert "ansible" not in installs, installs


def wheel_env(root: Path, venv: Path) -> dict[str, str]:
    env = base_env(root, collections=False)  # no collections path, no PYTHONPATH, no ansible.cfg
    env["PATH"] = f"{venv / 'bin'}:{env.get('PATH', '')}"
    return env


def ansible_in(venv: Path, tool: str) -> list[str]:
    # Runs the Ansible CLI with the venv's Python, so only sys.path can provide the collection.
    return [
        str(venv / "bin" / "python"),
        "-c",
        f"import sys; from ansible.cli.{tool} import main; sys.argv[0] = 'ansible-{tool}'; main()",
    ]


def test_wheel_carries_the_collection_without_symlinks(wheel_venv: Path) -> None:
    site = next((wheel_venv / "lib").glob("python*/site-packages"))
    collection = site / "ansible_collections" / "kubetiming" / "node_timing"
    for rel in (
        "galaxy.yml",
        "meta/runtime.yml",
        "plugins/filter/node_timing.py",
        "plugins/filter/go_duration.yml",
        "roles/node_timing/tasks/main.yml",
        "roles/node_timing/meta/argument_specs.yml",
    ):
        assert (collection / rel).is_file(), rel
    assert not [p for p in collection.rglob("*") if p.is_symlink()]


def test_pip_install_alone_makes_filters_and_role_resolvable(
    tmp_path: Path, wheel_venv: Path
) -> None:
    playbook, inventory = write_project(tmp_path, PLAY, groups={"kube_node": ["n1", "n2"]})
    inventory_file = inventory / "hosts"
    inventory_file.write_text(
        inventory_file.read_text(encoding="utf-8").replace(
            ansible_python(), str(wheel_venv / "bin" / "python")
        ),
        encoding="utf-8",
    )
    env = wheel_env(tmp_path, wheel_venv)
    cmd = [*ansible_in(wheel_venv, "playbook"), "-i", str(inventory), str(playbook)]
    result = run_playbook(tmp_path, playbook, inventory, env=env, command=cmd)
    assert result.rc == 0, str(result)
    assert result.debug("profile", "n1")["lease_writes_per_minute"] == 15000
    assert result.debug("computed", "n1")["node_monitor_grace_period"] == "2m0s"
    loaded = subprocess.run(
        [
            str(wheel_venv / "bin" / "python"),
            "-c",
            "import node_timing, ansible_collections.kubetiming.node_timing as c; print(node_timing.__file__); print(list(c.__path__))",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout
    assert str(wheel_venv) in loaded and str(REPO) not in loaded


def test_checkout_works_through_its_ansible_cfg(tmp_path: Path) -> None:
    playbook, inventory = write_project(tmp_path, PLAY, groups={"kube_node": ["n1"]})
    env = base_env(tmp_path, collections=False)
    env.pop("ANSIBLE_CONFIG")
    env["PYTHONPATH"] = str(REPO / "src")
    result = run_playbook(REPO, playbook, inventory, env=env)
    assert result.rc == 0, str(result)
    assert result.debug("computed", "n1")["node_monitor_grace_period"] == "2m0s"


def test_collection_and_package_versions_agree() -> None:
    galaxy: dict[str, Any] = yaml.safe_load((REPO / "galaxy.yml").read_text(encoding="utf-8"))
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    match = re.search(r'^version = "([^"]+)"', pyproject, re.MULTILINE)
    assert match and galaxy["version"] == match.group(1)
    assert (galaxy["namespace"], galaxy["name"]) == ("kubetiming", "node_timing")
    runtime = yaml.safe_load((REPO / "meta/runtime.yml").read_text(encoding="utf-8"))
    assert runtime["requires_ansible"] == ">=2.16.0"
    link = REPO / "collections/ansible_collections/kubetiming/node_timing"
    for name in ("plugins", "roles", "meta", "galaxy.yml"):
        assert (link / name).resolve() == (REPO / name).resolve()
