"""docs/adopting.md says what the code and the data say: its commands exist with the options it
uses, and the playbook it names for each setting is the one data/kubespray.yml records."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from node_timing import kubespray
from node_timing.cli import main

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "adopting.md").read_text(encoding="utf-8")


def _commands(tool: str) -> list[list[str]]:
    found = []
    for line in DOC.splitlines():
        if line.startswith(f"$ {tool} "):
            command = line[2:].split("  #")[0].split(" # ")[0]
            found.append(shlex.split(command))
    return found


@pytest.mark.parametrize("argv", _commands("node-timing"), ids=" ".join)
def test_every_node_timing_command_parses(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    command, options = argv[1], [a for a in argv[2:] if a.startswith("-")]
    with pytest.raises(SystemExit) as exited:
        main([command, "--help"])
    assert exited.value.code == 0
    helped = capsys.readouterr().out
    for option in options:
        assert option in helped, f"{' '.join(argv)}: {command} has no {option}"


def test_the_doc_uses_the_adoption_path() -> None:
    fixes = [a for a in _commands("node-timing") if a[1] == "fix"]
    assert [a for a in fixes[0] if a.startswith("-")][:3] == ["--profile", "--check", "--diff"]
    assert [a for a in fixes[1] if a.startswith("-")] == ["--profile"]
    assert any(a[1] == "verify" for a in _commands("node-timing"))
    assert (ROOT / "examples" / "playbooks" / "verify.yml").is_file()
    assert "examples/playbooks/verify.yml" in DOC
    # the range the doc quotes is the package's
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"ansible-core>=2.16.14,<2.20"' in pyproject and "`ansible-core>=2.16.14,<2.20`" in DOC


def _table() -> dict[str, str]:
    """The deployment table: its first column's words, mapped to its second column."""
    rows = {}
    for line in DOC.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| ") and len(cells) == 2 and not set(cells[0]) <= {"-"}:
            rows[cells[0]] = cells[1]
    return rows


@pytest.mark.parametrize(
    ("row_word", "component"),
    [
        ("kubelet:", "kubelet"),
        ("kube-controller-manager", "controller_manager"),
        ("kube-controller-manager", "apiserver"),
        ("HTTP/2", "kubelet_environment"),
    ],
)
def test_the_playbook_named_for_each_setting_is_the_data_s(row_word: str, component: str) -> None:
    facts = kubespray.deployment()
    (deployed_by,) = [v for k, v in _table().items() if row_word in k]
    named = re.findall(r"`([\w-]+\.yml)`", deployed_by)
    assert named == facts["components"][component]["playbooks"]
    if named:
        assert deployed_by.endswith("or the role's apply")
    else:
        assert deployed_by == "the role's apply only"


def test_every_kubespray_variable_is_in_the_row_of_its_component() -> None:
    from fnmatch import fnmatchcase

    rows = {k: re.findall(r"`([\w*]+)`", k) for k in _table()}
    for var, fact in [
        *kubespray.variables().items(),
        *((name, {"setting": f["component"] + "."}) for name, f in kubespray.extra_args().items()),
    ]:
        (row,) = [k for k, names in rows.items() if any(fnmatchcase(var, n) for n in names)]
        kubelet = str(fact["setting"]).startswith("kubelet.")
        assert row.startswith("kubelet:") == kubelet, (var, row)


def test_the_playbooks_that_deploy_the_inventory_alone_are_the_data_s() -> None:
    section = DOC.split("## Why the role's export is the exception", 1)[1]
    named = re.findall(r"`([\w-]+\.yml)`", section)
    assert named[:3] == kubespray.deployment()["inventory_only"]["playbooks"]
