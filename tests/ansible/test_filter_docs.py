"""Every filter's documentation as ``ansible-doc`` shows it: each return value intact.

A sidecar's flow mapping (``{description: A, b, type: str}``) turns each unquoted comma into a
new key, and ``ansible-doc`` then shows a truncated description and stray entries. These tests
read the documentation through the real ``ansible-doc``, so they see what a user sees.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from playbook_runner import REPO, ansible_bin, base_env

SIDECARS = sorted((REPO / "plugins" / "filter").glob("*.yml"))
# The fields ansible-doc knows for a return value; anything else is a fragment of a broken line.
RETURN_FIELDS = {
    "description",
    "type",
    "returned",
    "sample",
    "contains",
    "elements",
    "version_added",
}
NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


def walk(entries: Mapping[str, Any], path: str) -> Iterator[tuple[str, Any]]:
    for key, entry in entries.items():
        yield f"{path}.{key}", entry
        if isinstance(entry, Mapping) and isinstance(entry.get("contains"), Mapping):
            yield from walk(entry["contains"], f"{path}.{key}")


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    home = tmp_path_factory.mktemp("doc-home")
    names = [f"kubetiming.node_timing.{sidecar.stem}" for sidecar in SIDECARS]
    result = subprocess.run(
        [str(ansible_bin() / "ansible-doc"), "-t", "filter", "--json", *names],
        capture_output=True,
        text=True,
        env=base_env(home),
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    shown: dict[str, Any] = json.loads(result.stdout)
    return shown


def test_every_sidecar_is_found(docs: dict[str, Any]) -> None:
    assert len(SIDECARS) >= 10
    assert sorted(docs) == sorted(f"kubetiming.node_timing.{s.stem}" for s in SIDECARS)


@pytest.mark.parametrize("sidecar", SIDECARS, ids=lambda p: p.stem)
def test_every_return_value_is_shown_intact(docs: dict[str, Any], sidecar: Path) -> None:
    shown = docs[f"kubetiming.node_timing.{sidecar.stem}"]
    returns = shown.get("return") or {}
    assert returns, f"{sidecar.name}: no RETURN shown"
    for path, entry in walk(returns, "RETURN"):
        assert NAME.match(path.rsplit(".", 1)[1]), f"{sidecar.name}: {path} is not a name"
        assert isinstance(entry, Mapping), f"{sidecar.name}: {path} is {entry!r}"
        stray = set(entry) - RETURN_FIELDS
        assert not stray, f"{sidecar.name}: {path} has stray fields {sorted(stray)}"
        description = entry.get("description")
        text = " ".join(description) if isinstance(description, list) else description
        assert isinstance(text, str) and text.strip(), f"{sidecar.name}: {path} has no description"
        assert "type" in entry, f"{sidecar.name}: {path} has no type"
