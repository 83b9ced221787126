"""``-e``/``--extra-vars``: ansible-playbook's three forms, above every inventory variable, with
findings at the place the winning value was written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lintkit import make_inventory

from node_timing.errors import UsageError
from node_timing.inventory import load_inventory

K8S = "group_vars/k8s_cluster/k8s-cluster.yml"
GRACE = "kube_controller_node_monitor_grace_period"


def _inventory(tmp_path: Path) -> Path:
    return make_inventory(
        tmp_path,
        {
            K8S: f"{GRACE}: 40s\nkubelet_status_update_frequency: 10s\n",
            "host_vars/node1.yml": "kubelet_status_update_frequency: 20s\n",
        },
    )


def test_a_vars_file_wins_over_group_vars_and_host_vars(tmp_path: Path) -> None:
    inv = _inventory(tmp_path)
    extra = tmp_path / "vars.yml"
    extra.write_text(f"---\n# pipeline\n{GRACE}: 15s\nkubelet_status_update_frequency: 4s\n")
    loaded = load_inventory(inv, extra_vars=[f"@{extra}"])
    node1 = loaded.host_vars("node1")
    assert node1["kubelet_status_update_frequency"].value == "4s"
    assert (node1[GRACE].path, node1[GRACE].line, node1[GRACE].column) == (str(extra), 3, 44)
    # the per-layout split agrees with the host's own view
    _layout, shared, own = loaded.host_vars_parts("node1")
    assert {**shared, **own}["kubelet_status_update_frequency"].path == str(extra)


def test_lint_reports_a_finding_in_the_extra_vars_file(cli, tmp_path: Path) -> None:
    inv = _inventory(tmp_path)
    extra = tmp_path / "vars.yml"
    extra.write_text(f"---\n{GRACE}: 15s\n")
    without = cli("lint", str(inv), "-f", "json")
    assert without.code == 0, without.err
    r = cli("lint", str(inv), "-e", f"@{extra}", "-f", "json", cwd=tmp_path)
    assert r.code == 2, r.err
    found = [f for f in r.json() if f["rule"] == "grace-vs-heartbeat"]
    assert found and {(f["path"], f["line"]) for f in found} == {("vars.yml", 2)}


def test_key_value_and_inline_json_on_the_command_line(cli, tmp_path: Path) -> None:
    inv = _inventory(tmp_path)
    r = cli("lint", str(inv), "-e", f"cluster_name=a {GRACE}=15s", "-f", "pep8")
    assert r.code == 2, r.err
    assert "--extra-vars:1:16: grace-vs-heartbeat:" in r.out
    # the last -e wins key by key, as in ansible-playbook
    r2 = cli("lint", str(inv), "-e", f"{GRACE}=15s", "-e", json.dumps({GRACE: "40s"}))
    assert r2.code == 0, r2.out + r2.err


def test_explain_and_render_read_the_extra_vars(cli, tmp_path: Path) -> None:
    inv = _inventory(tmp_path)
    r = cli("explain", str(inv), "-e", f"{GRACE}=50s", "--format", "json")
    assert r.code == 0, r.err
    assert '"50s"' in r.out and "--extra-vars" in r.out
    out = tmp_path / "out"
    rendered = cli("render", "--inventory", str(inv), "-e", f"{GRACE}=50s", "--out", str(out))
    assert rendered.code == 0, rendered.err
    assert "50s" in "".join(p.read_text() for p in out.rglob("*") if p.is_file())


@pytest.mark.parametrize(
    ("argument", "said"),
    [
        ("./vars.yml", "must start with @"),
        ("@missing.yml", "no such file"),
        ("[1, 2]", "mapping"),
        ("justaword", "not key=value"),
        ("{a: [", "--extra-vars {a: ["),
    ],
)
def test_what_ansible_playbook_refuses_is_a_usage_error(
    cli, tmp_path: Path, argument: str, said: str
) -> None:
    inv = _inventory(tmp_path)
    r = cli("lint", str(inv), "-e", argument, cwd=tmp_path)
    assert r.code == 3, r.out + r.err
    assert said in r.err and "Traceback" not in r.err


def test_a_credentials_file_is_never_read_as_extra_vars(tmp_path: Path) -> None:
    inv = _inventory(tmp_path)
    secret = tmp_path / "credentials" / "vars.yml"
    secret.parent.mkdir()
    secret.write_text("a: 1\n")
    with pytest.raises(UsageError, match="not read"):
        load_inventory(inv, extra_vars=[f"@{secret}"])


def test_fix_leaves_the_extra_vars_file_alone_and_says_why(cli, tmp_path: Path) -> None:
    inv = _inventory(tmp_path)
    extra = tmp_path / "vars.yml"
    text = "kube_controller_pod_eviction_timeout: 30s\n"
    extra.write_text(text)
    lint = cli("lint", str(inv), "-e", f"@{extra}", "-f", "json")
    assert any(f["rule"] == "removed-setting" for f in lint.json()), lint.out
    r = cli("fix", str(inv), "-e", f"@{extra}")
    assert extra.read_text() == text
    assert "comes from --extra-vars" in r.err and "removed-setting" in r.out


def test_extra_vars_with_a_profile_is_a_usage_error(cli) -> None:
    r = cli("render", "--profile", "medium", "--nodes", "10", "-e", f"{GRACE}=50s", "--out", "x")
    assert r.code == 3 and "--extra-vars goes with --inventory" in r.err
