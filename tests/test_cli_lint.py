"""The lint, rules and explain commands as a user runs them."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from lintkit import make_inventory

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = str(ROOT / "examples" / "inventory" / "mycluster")
K8S = "group_vars/k8s_cluster/k8s-cluster.yml"


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    env.update(extra)
    return env


def test_example_warns_and_passes(cli) -> None:
    r = cli("lint", EXAMPLE, env=_env())
    assert r.code == 0, r.err
    assert "report-frequency" in r.out and "removed-setting" in r.out
    assert "Passed: 0 failure(s)" in r.out
    strict = cli("lint", EXAMPLE, "--strict", env=_env())
    assert strict.code == 2


def test_json_findings_have_the_contract_fields(cli) -> None:
    r = cli("lint", EXAMPLE, "--format", "json", env=_env())
    data = json.loads(r.out)
    assert data and all(
        {"rule", "severity", "message", "path", "line", "column", "hosts"} <= set(f) for f in data
    )
    removed = [f for f in data if f["rule"] == "removed-setting"]
    assert removed[0]["path"].endswith("k8s-cluster.yml") and removed[0]["line"] == 10


def test_pep8_and_github(cli) -> None:
    pep8 = cli("lint", EXAMPLE, "--format", "pep8", env=_env())
    assert any(
        line.endswith(": removed-setting: " + line.split(": removed-setting: ")[-1])
        for line in pep8.out.splitlines()
    )
    auto = cli("lint", EXAMPLE, env=_env(GITHUB_ACTIONS="true"))
    assert auto.out.startswith("::warning file=")


def test_errors_fail_with_exit_2(cli, tmp_path: Path) -> None:
    inv = make_inventory(tmp_path, {K8S: "kube_controller_node_monitor_grace_period: 15s\n"})
    r = cli("lint", str(inv), "--format", "pep8", env=_env())
    assert r.code == 2
    assert f"{K8S}:1:44: grace-vs-heartbeat:" in r.out


@pytest.mark.parametrize("number", [".inf", "-.inf", ".nan", "1.0e+300", "9223372037"])
def test_bare_numbers_no_duration_can_hold_are_a_finding(cli, tmp_path: Path, number: str) -> None:
    """Found by the property tests: YAML's .inf crashed the hint that suggests a duration."""
    inv = make_inventory(tmp_path, {K8S: f"kubelet_status_update_frequency: {number}\n"})
    r = cli("lint", str(inv), "--format", "json", env=_env())
    assert r.code == 2, r.err
    (finding,) = [f for f in json.loads(r.out) if f["rule"] == "duration-format"]
    assert finding["line"] == 1
    assert (
        "Go durations need a unit" in finding["message"] or "needs a duration" in finding["message"]
    )
    assert "10s" in finding["message"]


def test_noqa_and_config_silence(cli, tmp_path: Path) -> None:
    inv = make_inventory(
        tmp_path,
        {K8S: "kube_controller_node_monitor_grace_period: 15s  # noqa: grace-vs-heartbeat\n"},
    )
    r = cli("lint", str(inv), "--format", "json", env=_env())
    assert "grace-vs-heartbeat" not in {f["rule"] for f in json.loads(r.out)}
    inv2 = make_inventory(tmp_path / "b", {K8S: "kube_controller_node_monitor_grace_period: 15s\n"})
    (tmp_path / "b" / ".node-timing.yml").write_text("warn_list: [grace-vs-heartbeat]\n")
    r2 = cli("lint", str(inv2), env=_env())
    assert r2.code == 0 and "grace-vs-heartbeat" in r2.out
    (tmp_path / "b" / ".node-timing.yml").write_text("skip_list: [no-such-rule]\n")
    r3 = cli("lint", str(inv2), env=_env())
    assert r3.code == 3 and ".node-timing.yml" in r3.err


@pytest.mark.parametrize(
    ("comment", "silenced"),
    [
        ("# noqa: node-timing[grace-vs-heartbeat]", True),  # ansible-lint's tag for the check
        ("# noqa: node-timing", True),  # ansible-lint's rule: every check
        ("# noqa: yaml, node-timing[grace-vs-heartbeat]", True),
        ("# noqa: node-timing[report-frequency]", False),  # another check
        ("# noqa: node-timing[]", False),
        ("# noqa: node-timing[grace-vs-heartbeat", False),
    ],
)
def test_ansible_lint_spelling_of_noqa_silences_the_same_check(
    cli, tmp_path: Path, comment: str, silenced: bool
) -> None:
    """One comment serves both tools: what silences the finding in ansible-lint silences it here."""
    inv = make_inventory(
        tmp_path, {K8S: f"kube_controller_node_monitor_grace_period: 15s  {comment}\n"}
    )
    r = cli("lint", str(inv), "--format", "json", env=_env())
    rules = {f["rule"] for f in json.loads(r.out)}
    assert ("grace-vs-heartbeat" not in rules) is silenced, (comment, rules)
    assert r.code == (0 if silenced else 2), r.err


def test_missing_inventory_is_exit_5(cli, tmp_path: Path) -> None:
    r = cli("lint", str(tmp_path / "nowhere"), env=_env())
    assert r.code == 5
    assert len(r.err.strip().splitlines()) == 1
    empty = tmp_path / "empty"
    empty.mkdir()
    assert cli("lint", str(empty), env=_env()).code == 5


def test_bad_options_are_exit_3(cli) -> None:
    for args in (["--kube-version", "banana"], ["--nodes", "-1"], ["--format", "xml"]):
        r = cli("lint", EXAMPLE, *args, env=_env())
        assert r.code == 3, (args, r.err)
        assert "Traceback" not in r.err


def test_rules_command(cli) -> None:
    listing = cli("rules")
    assert (
        listing.code == 0
        and "grace-vs-heartbeat" in listing.out
        and "unresolved-value" in listing.out
    )
    doc = cli("rules", "report-frequency")
    assert doc.code == 0 and "deckhouse#22175" in doc.out and "**Fails**" in doc.out
    assert cli("rules", "nope").code == 3


def test_explain_shows_origins_and_figures(cli) -> None:
    r = cli("explain", EXAMPLE, "--format", "json")
    assert r.code == 0, r.err
    data = json.loads(r.out)
    big = max(data["groups"], key=lambda g: len(g["hosts"]))
    assert big["settings"]["controller_manager.node_monitor_grace_period"]["value"] == "20s"
    assert (
        big["settings"]["controller_manager.node_startup_grace_period"]["from"]
        == "Kubernetes default"
    )
    assert big["figures"]["eviction_seconds_max"] == 52
    node07 = [g for g in data["groups"] if g["hosts"] == ["node07"]]
    assert node07 and node07[0]["settings"]["kubelet.node_lease_duration_seconds"]["value"] == 40
