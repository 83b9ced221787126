"""pip may install only what the tests cover: the ansible-core range against the test matrix."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

REPO = Path(__file__).resolve().parents[1]


def project() -> dict[str, object]:
    with (REPO / "pyproject.toml").open("rb") as f:
        data: dict[str, object] = tomllib.load(f)["project"]
    return data


def matrix_specs() -> dict[str, SpecifierSet]:
    text = (REPO / ".ci" / "ansible-matrix.sh").read_text(encoding="utf-8")
    found = re.findall(r'^\s*\[(\d+\.\d+)\]="ansible-core([^"]+)"$', text, re.MULTILINE)
    return {minor: SpecifierSet(spec) for minor, spec in found}


def test_every_ansible_core_pip_may_install_is_tested() -> None:
    deps = [Requirement(d) for d in project()["dependencies"]]  # type: ignore[attr-defined]
    core = next(d for d in deps if d.name == "ansible-core")
    tested = matrix_specs()
    # the cores kubespray 2.27-master pin (2.16.14+, 2.17, 2.18) and 2.19
    assert set(tested) == {"2.16", "2.17", "2.18", "2.19"}
    # every minor release of 2.14 to 2.22 that the dependency admits has its own matrix entry,
    # which tests a version of that minor the dependency admits
    for minor in range(14, 23):
        admitted = [
            Version(f"2.{minor}.{patch}")
            for patch in range(0, 40)
            if Version(f"2.{minor}.{patch}") in core.specifier
        ]
        if admitted:
            spec = tested[f"2.{minor}"]
            assert any(v in spec for v in admitted), f"2.{minor}: {spec} tests nothing admitted"
        else:
            assert f"2.{minor}" not in tested
    # the lowest admitted core (kubespray 2.27/2.28's ansible 9.13.0 ships 2.16.14) is the one
    # tested: the matrix pins it exactly
    assert Version("2.16.14") in core.specifier and Version("2.16.13") not in core.specifier
    assert list(tested["2.16"].filter(Version(f"2.16.{p}") for p in range(40))) == [
        Version("2.16.14")
    ]
    assert all(Version(f"2.17.{p}") in core.specifier for p in range(0, 15))
    assert Version("2.18.0") in core.specifier and Version("2.19.14") in core.specifier
    assert Version("2.20.0") not in core.specifier


def test_python_range_matches_what_the_tested_ansible_core_supports() -> None:
    python = SpecifierSet(str(project()["requires-python"]))
    # ansible-core 2.19 supports Python 3.11 to 3.13 (its own requires-python and support matrix)
    assert all(Version(v) in python for v in ("3.11", "3.12", "3.13"))
    assert Version("3.10") not in python and Version("3.14") not in python
