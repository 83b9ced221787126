"""The metadata the wheel, the collection and the GitHub Action are published with names files
that exist, under one licence."""

from __future__ import annotations

import tomllib
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]


def test_galaxy_metadata_points_at_files_that_exist() -> None:
    galaxy = yaml.safe_load((REPO / "galaxy.yml").read_text(encoding="utf-8"))
    assert (REPO / galaxy["readme"]).is_file()
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert galaxy["license"] == [pyproject["project"]["license"]] == ["Apache-2.0"]
    text = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    # the collection and the sdist carry the licence; neither ignores it
    assert "LICENSE" not in galaxy["build_ignore"]
    assert "LICENSE" in (REPO / "MANIFEST.in").read_text(encoding="utf-8").split()
    path = galaxy["documentation"].split("/blob/main/", 1)[1]
    assert (REPO / path).is_file(), galaxy["documentation"]
