"""No finding in any format sits at line 0: an editor or a code-scanning view cannot show it.
A finding about a value nobody set is located where the user would set it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from lintkit import make_inventory

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = [
    "examples/inventory/mycluster",
    "examples/inventory/kubespray-current",
    "examples/inventory/upstream-explicit",
    "examples/manifests/kube-controller-manager.yaml",
    *sorted(
        str(p.relative_to(ROOT))
        for p in (ROOT / "examples/collected/node1").rglob("*")
        if p.is_file() and p.suffix in (".yaml", ".env", ".conf")
    ),
]


def _lines(fmt: str, out: str) -> list[int]:
    if fmt == "json":
        return [f["line"] for f in json.loads(out)]
    if fmt == "sarif":
        runs = json.loads(out)["runs"]
        return [
            r["locations"][0]["physicalLocation"]["region"]["startLine"]
            for run in runs
            for r in run["results"]
        ]
    if fmt == "github":
        return [
            int(part[5:])
            for line in out.splitlines()
            for part in line.split(",")
            if part.startswith("line=")
        ]
    found = (re.match(r"^.+?:(\d+):(\d+): [a-z-]+: ", line) for line in out.splitlines())
    return [int(m.group(1)) for m in found if m]


@pytest.mark.parametrize("fmt", ["json", "pep8", "sarif", "github"])
def test_no_finding_of_the_examples_at_line_0(cli, fmt: str) -> None:
    seen = 0
    for example in EXAMPLES:
        r = cli("lint", example, "-f", fmt, cwd=ROOT)
        assert r.code in (0, 2), r.err
        lines = _lines(fmt, r.out)
        assert 0 not in lines, (example, r.out)
        seen += len(lines)
    assert seen > 5  # the examples do have findings


def test_defaults_are_located_where_the_cluster_sets_its_timing(cli, tmp_path: Path) -> None:
    k8s = "group_vars/k8s_cluster/k8s-cluster.yml"
    inv = make_inventory(
        tmp_path, {k8s: "kube_network_plugin: calico\nkubelet_status_update_frequency: 10s\n"}
    )
    r = cli("lint", str(inv), "-f", "json")
    about_grace = [f for f in r.json() if f.get("from_default")]
    assert about_grace, r.out
    assert {(f["path"], f["line"]) for f in about_grace} == {(str(inv / k8s), 1)}
    # nothing set anywhere: line 1 of the inventory file
    bare = make_inventory(tmp_path / "bare", {})
    r = cli("lint", str(bare), "-f", "json")
    defaults = [f for f in r.json() if f.get("from_default")]
    assert defaults and {(f["path"], f["line"], f["column"]) for f in defaults} == {
        (str(bare / "inventory.ini"), 1, 1)
    }
