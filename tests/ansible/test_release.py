"""The release as users get it: the wheel and the sdist pass `twine check` and each, installed
into a clean virtual environment, runs the README's quick start; the collection tarball built by
`ansible-galaxy collection build` installs and its filters and role resolve
(test_pre_commit_hook.py checks the pre-commit hook).

The release workflow (.github/workflows/release.yml) runs this module on the files it publishes
(``NODE_TIMING_DIST``); the Ansible matrix runs it on files built here from the committed state.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from playbook_runner import REPO, ansible_bin, ansible_python, base_env
from tourkit import TOURS, clone, expected_exit, git_status, run_line, tour_lines

pytestmark = pytest.mark.one_core


def _run(args: list[str], **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, check=False, timeout=600, **kw
    )  # type: ignore[call-overload]


def tool(name: str) -> Path:
    """A release tool from the test environment (`pip install -e '.[test]'` installs build,
    twine and pre-commit; .ci/run's environment is on PATH while the Ansible matrix runs)."""
    found = shutil.which(name)
    assert found, f"{name} is not on PATH: pip install -e '.[test]'"
    return Path(found)


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, the sdist and the collection tarball of the committed state."""
    given = os.environ.get("NODE_TIMING_DIST")
    if given:
        return Path(given)
    root = tmp_path_factory.mktemp("dist")
    source = clone(root / "source")
    out = root / "dist"
    # no isolation: the build dependencies (setuptools>=77, wheel) are the test environment's
    proc = _run([tool("pyproject-build"), "--no-isolation", "--outdir", out, source])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    galaxy = ansible_bin() / "ansible-galaxy"
    proc = _run([galaxy, "collection", "build", "--output-path", out], cwd=source)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


def _artifact(dist: Path, kind: str) -> Path:
    pattern = {
        "wheel": "node_timing-*.whl",
        "sdist": "node_timing-*.tar.gz",
        "collection": "kubetiming-node_timing-*.tar.gz",
    }[kind]
    (found,) = dist.glob(pattern)
    return found


def test_twine_accepts_the_wheel_and_the_sdist(dist: Path) -> None:
    files = [_artifact(dist, "wheel"), _artifact(dist, "sdist")]
    proc = _run([tool("twine"), "check", "--strict", *files])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("PASSED") == 2


def _clean_venv(root: Path) -> Path:
    """A venv of its own whose dependencies (ansible-core, PyYAML, ...) are borrowed from the
    Ansible under test through a .pth file, never node-timing itself."""
    venv = root / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv]).check_returncode()
    python = venv / "bin" / "python"
    site = _run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]
    ).stdout.strip()
    deps = _run(
        [
            ansible_python(),
            "-c",
            "import ansible, os; print(os.path.dirname(os.path.dirname(ansible.__file__)))",
        ]
    ).stdout.strip()
    borrowed = root / "borrowed"
    borrowed.mkdir()
    for entry in Path(deps).iterdir():
        if not entry.name.lower().startswith(
            ("node_timing", "node-timing", "ansible_collections", "__editable__", "ansiblelint")
        ):
            (borrowed / entry.name).symlink_to(entry)
    (Path(site) / "borrowed-dependencies.pth").write_text(f"{borrowed}\n", encoding="utf-8")
    return venv


@pytest.mark.parametrize("kind", ["wheel", "sdist"])
def test_each_installs_in_a_clean_venv_and_runs_the_quick_start(
    dist: Path, tmp_path: Path, kind: str
) -> None:
    venv = _clean_venv(tmp_path)
    proc = _run(
        [
            ansible_python(),
            "-m",
            "pip",
            "--python",
            venv / "bin" / "python",
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            "--no-build-isolation",
            _artifact(dist, kind),
        ]
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    where = _run([venv / "bin" / "python", "-c", "import node_timing; print(node_timing.__file__)"])
    assert where.stdout.startswith(str(venv)), where.stdout + where.stderr
    repo = clone(tmp_path / "clone")  # the examples the tour names
    # the README's quick start (tests/test_tour.py runs every tour line on the same code)
    lines = tour_lines(TOURS[:1])
    assert len(lines) == 5
    for line in lines:
        result = run_line(line, repo, venv / "bin")
        assert result.returncode == expected_exit(line), f"{line}\n{result.stdout}{result.stderr}"
    assert git_status(repo) == ""


def test_the_collection_tarball_installs_and_resolves(dist: Path, tmp_path: Path) -> None:
    collections = tmp_path / "collections"
    env = base_env(tmp_path, collections=False)
    galaxy = ansible_bin() / "ansible-galaxy"
    proc = _run(
        [
            galaxy,
            "collection",
            "install",
            "--force",
            "-p",
            collections,
            _artifact(dist, "collection"),
        ],
        env=env,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # the collection from the tarball, its core from the package (pip install node-timing)
    env.update({"ANSIBLE_COLLECTIONS_PATH": str(collections), "PYTHONPATH": str(REPO / "src")})
    installed = collections / "ansible_collections" / "kubetiming" / "node_timing"
    assert (installed / "roles" / "node_timing" / "tasks" / "main.yml").is_file()
    assert not (installed / "tests").exists() and not (installed / "src").exists()
    doc = _run(
        [
            ansible_bin() / "ansible-doc",
            "-t",
            "filter",
            "--json",
            "kubetiming.node_timing.node_timing_profile",
        ],
        env=env,
    )
    assert doc.returncode == 0, doc.stderr
    assert str(installed) in doc.stdout  # the tarball's copy, not one on sys.path
    playbook = tmp_path / "play.yml"
    playbook.write_text(
        "- hosts: localhost\n  gather_facts: false\n  tasks:\n"
        "    - ansible.builtin.debug:\n"
        "        msg: \"evicts at {{ ('fast' | kubetiming.node_timing.node_timing_profile("
        'nodes=1000)).figures.eviction_seconds_max }}"\n'
        "    - ansible.builtin.include_role:\n"
        "        name: kubetiming.node_timing.node_timing\n"
        "        tasks_from: compute\n"
        "      vars:\n        node_timing_profile: medium\n",
        encoding="utf-8",
    )
    play = _run(
        [ansible_bin() / "ansible-playbook", "-i", "localhost,", "-c", "local", playbook],
        env=env,
        cwd=tmp_path,
    )
    assert play.returncode == 0, play.stdout + play.stderr
    assert "evicts at 52" in play.stdout
