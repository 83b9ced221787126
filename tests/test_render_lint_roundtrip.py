"""A profile's own kubespray output never fails its own lint: render, put the file in an inventory
as kubespray's layout has it, lint --strict.

The HTTP/2 timeouts have no kubespray variable; the file carries them as the node_timing role's
variables, which lint reads (else grace-vs-http2 reports client-go's 45s against fast's 20s)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from node_timing import profiles
from node_timing.cli import main
from node_timing.render import KUBESPRAY_VARS, role_vars

INVENTORY = "[kube_control_plane]\ncp1\ncp2\ncp3\n\n[etcd:children]\nkube_control_plane\n\n[kube_node]\nn1\nn2\n"


def render_into_inventory(tmp_path: Path, *args: str) -> Path:
    out = tmp_path / "out"
    assert main(["render", *args, "--out", str(out)]) == 0
    inventory = tmp_path / "inventory"
    (inventory / "group_vars" / "k8s_cluster").mkdir(parents=True)
    (inventory / "inventory.ini").write_text(INVENTORY, encoding="utf-8")
    (inventory / "group_vars" / "k8s_cluster" / "node-timing.yml").write_bytes(
        (out / KUBESPRAY_VARS).read_bytes()
    )
    return inventory


# kubespray-default, and upstream before 1.32 (grace 40s), describe what ships: the rules exist to
# report those (grace-vs-heartbeat, grace-vs-http2, report-frequency), so they are not here.
@pytest.mark.parametrize(
    ("profile", "nodes", "version"),
    [
        (profile, nodes, version)
        for profile in ("fast", "medium", "low")
        for nodes, version in (("5", "1.35"), ("300", "1.31"), ("2000", "1.28"), ("5000", "1.35"))
    ]
    + [("upstream", "5", "1.35"), ("upstream", "300", "1.33")],
)
def test_profile_output_passes_its_own_strict_lint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], profile: str, nodes: str, version: str
) -> None:
    inventory = render_into_inventory(
        tmp_path, "--profile", profile, "--nodes", nodes, "--kube-version", version
    )
    capsys.readouterr()
    args = ["--strict", "--format", "json", "--nodes", nodes, "--kube-version", version]
    code = main(["lint", *args, str(inventory)])
    findings = json.loads(capsys.readouterr().out)
    if profile != "fast":
        assert code == 0, findings
        return
    # fast's HTTP/2 timeouts reach the kubelets only through the node_timing role's apply
    # (kubespray has no variable for the kubelet's environment): lint judges the 30 + 15 that
    # run without it, and says the apply's values would pass (a grace stretched for many nodes
    # above 45s passes either way)
    assert code == (2 if findings else 0)
    assert {f["rule"] for f in findings} <= {"grace-vs-http2"}, findings
    assert all("role's apply would deploy" in f["message"] for f in findings)
    assert all("which would pass" in f["message"] for f in findings)
    if nodes == "5":
        assert findings


def test_fast_carries_the_http2_environment_as_role_variables(tmp_path: Path) -> None:
    inventory = render_into_inventory(tmp_path, "--profile", "fast", "--nodes", "5")
    text = (inventory / "group_vars" / "k8s_cluster" / "node-timing.yml").read_text("utf-8")
    data = yaml.safe_load(text)
    assert data["node_timing_http2_read_idle_timeout_seconds"] == 10
    assert data["node_timing_http2_ping_timeout_seconds"] == 5
    assert "role's apply" in text


def test_without_them_fast_fails_strict_lint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """What the role variables prevent: the same file without them is reported."""
    inventory = render_into_inventory(tmp_path, "--profile", "fast", "--nodes", "5")
    path = inventory / "group_vars" / "k8s_cluster" / "node-timing.yml"
    kept = [ln for ln in path.read_text("utf-8").splitlines() if "node_timing_http2" not in ln]
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["lint", "--strict", str(inventory)]) == 2
    assert "grace-vs-http2" in capsys.readouterr().out


def test_client_go_defaults_add_no_role_variables() -> None:
    result = profiles.compute("upstream", 5, kube_version="1.35")
    assert role_vars(result.settings, result.kube_version) == {}
