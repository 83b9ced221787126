"""`thresholds:` in .node-timing.yml: a rule's threshold that is a choice can be moved, an upstream
one cannot; the value reaches the verdict and the message of lint, rules ID and fix alike."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from lintkit import make_inventory, of

from node_timing import jsonschemas, thresholds
from node_timing.cli import main
from node_timing.config import CONFIG_NAME, ConfigError, load_config
from node_timing.evaluate.options import Options
from node_timing.findings import Finding
from node_timing.rules import ids
from node_timing.rules.runner import lint_inventory
from node_timing.thresholds import Thresholds

ROOT = Path(__file__).resolve().parent.parent
KNOWN = set(ids())
K8S = "group_vars/k8s_cluster/k8s-cluster.yml"


def write_config(directory: Path, text: str) -> Path:
    path = directory / CONFIG_NAME
    path.write_text(text, encoding="utf-8")
    return path


def verdict(tmp_path: Path, variables: str, rule: str, config: str | None) -> list[Finding]:
    """The findings of ``rule`` for an inventory of ``variables``, with ``config`` (a
    .node-timing.yml text) read as lint reads it, or none."""
    inv = make_inventory(tmp_path, {K8S: variables})
    chosen = Thresholds()
    if config is not None:
        chosen = load_config(write_config(tmp_path, config), KNOWN).thresholds
    _ctx, findings = lint_inventory(inv, Options(thresholds=chosen))
    return of(findings, rule)


# Per configurable threshold: inventories whose verdict the configured value flips, each way.
# (threshold, value, variables, rule, severities with the default, severities configured)
FLIPS = [
    # 40s / 10s = 4 heartbeats: a warning below 5, none below 4
    ("grace-vs-heartbeat.warning", 4, "kube_controller_node_monitor_grace_period: 40s\nkubelet_status_update_frequency: 10s\n", "grace-vs-heartbeat", {"warning"}, set()),
    # 50s / 10s = 5 heartbeats: none below 5, a warning below 6
    ("grace-vs-heartbeat.warning", 6, "kube_controller_node_monitor_grace_period: 50s\nkubelet_status_update_frequency: 10s\n", "grace-vs-heartbeat", set(), {"warning"}),
    # 15s / 10s = 1.5: an error below 2, only a warning below 1
    ("grace-vs-heartbeat.error", 1, "kube_controller_node_monitor_grace_period: 15s\nkubelet_status_update_frequency: 10s\n", "grace-vs-heartbeat", {"error"}, {"warning"}),
    # 30s / 10s = 3: a warning with the default, an error below 4
    ("grace-vs-heartbeat.error", 4, "kube_controller_node_monitor_grace_period: 30s\nkubelet_status_update_frequency: 10s\n", "grace-vs-heartbeat", {"warning"}, {"error"}),
    # period = grace: a warning at 1 × grace; at 1.5 × only the info (period > grace / 2)
    ("monitor-period.warning", 1.5, "kube_controller_node_monitor_period: 40s\nkube_controller_node_monitor_grace_period: 40s\n", "monitor-period", {"warning"}, {"info"}),
    # period = 0.75 grace: info with the defaults, a warning at 0.75
    ("monitor-period.warning", 0.75, "kube_controller_node_monitor_period: 30s\nkube_controller_node_monitor_grace_period: 40s\n", "monitor-period", {"info"}, {"warning"}),
    ("monitor-period.info", 0.8, "kube_controller_node_monitor_period: 30s\nkube_controller_node_monitor_grace_period: 40s\n", "monitor-period", {"info"}, set()),
    ("monitor-period.info", 0.25, "kube_controller_node_monitor_period: 15s\nkube_controller_node_monitor_grace_period: 40s\n", "monitor-period", set(), {"info"}),
    # startup grace 1m against a grace of 2m: reported below 1 × grace, none below 0.5 ×
    ("startup-grace.info", 0.5, "kube_controller_node_monitor_grace_period: 2m0s\nkube_kubeadm_controller_extra_args:\n  node-startup-grace-period: 1m0s\n", "startup-grace", {"info"}, set()),
    # 1m against 40s: none at 1 ×, reported below 2 × (80s)
    ("startup-grace.info", 2, "kube_controller_node_monitor_grace_period: 40s\nkube_kubeadm_controller_extra_args:\n  node-startup-grace-period: 1m0s\n", "startup-grace", set(), {"info"}),
    # update 3s (lease 40): a 3s deadline warns below 4s, not below 2s
    ("heartbeat-deadline.warning", 2, "kubelet_status_update_frequency: 3s\n", "heartbeat-deadline", {"warning"}, set()),
    # update 5s: no warning below 4s, a warning below 6s
    ("heartbeat-deadline.warning", 6, "kubelet_status_update_frequency: 5s\n", "heartbeat-deadline", set(), {"warning"}),
    # update 1m: reported at 60s, not at 120s
    ("slow-status.info", 120, "kubelet_status_update_frequency: 1m\n", "slow-status", {"info"}, set()),
    # update 30s: not reported at 60s, reported at 30s
    ("slow-status.info", 30, "kubelet_status_update_frequency: 30s\n", "slow-status", set(), {"info"}),
]  # fmt: skip


def test_every_configurable_threshold_is_flipped_both_ways_below() -> None:
    configurable = {t.name for t in thresholds.facts().values() if t.configurable}
    assert {name for name, *_ in FLIPS} == configurable
    for name in configurable:
        # one case where the configured value removes or demotes a finding, one where it adds or
        # promotes one
        cases = [(b, a) for n, _v, _x, _r, b, a in FLIPS if n == name]
        assert any(_rank(a) < _rank(b) for b, a in cases), name
        assert any(_rank(a) > _rank(b) for b, a in cases), name


def _rank(severities: set[str]) -> int:
    return max((("info", "warning", "error").index(s) + 1 for s in severities), default=0)


@pytest.mark.parametrize(("name", "value", "variables", "rule", "before", "after"), FLIPS)
def test_a_configured_threshold_flips_the_verdict(
    tmp_path: Path,
    name: str,
    value: float,
    variables: str,
    rule: str,
    before: set[str],
    after: set[str],
) -> None:
    default = verdict(tmp_path, variables, rule, None)
    assert {f.severity for f in default} == before
    assert not any("configured in" in f.message for f in default)
    configured = verdict(tmp_path, variables, rule, f"thresholds:\n  {name}: {value}\n")
    assert {f.severity for f in configured} == after
    if _rank(after) > _rank(before):
        # the finding the configured value made (or raised) says where that value comes from
        (f,) = [f for f in configured if f.severity not in before]
        assert f"{name} configured in" in f.message and CONFIG_NAME in f.message, f.message


def test_the_configured_message_replaces_the_defaults_origin(tmp_path: Path) -> None:
    variables = (
        "kube_controller_node_monitor_grace_period: 50s\nkubelet_status_update_frequency: 10s\n"
    )
    (finding,) = verdict(
        tmp_path, variables, "grace-vs-heartbeat", "thresholds:\n  grace-vs-heartbeat.warning: 6\n"
    )
    assert "grace-vs-heartbeat.warning configured in" in finding.message
    assert (
        "asks for 6" in finding.message and "kubespray's reliability guide" not in finding.message
    )
    # the advice meets the configured threshold: 6 heartbeats of 10s, a lease renewing every 50s / 6
    assert "to 1m0s or shorten the lease to 33" in finding.message


def test_two_lints_with_two_configurations_do_not_share_thresholds(tmp_path: Path) -> None:
    inv = make_inventory(
        tmp_path,
        {
            K8S: "kube_controller_node_monitor_grace_period: 40s\nkubelet_status_update_frequency: 10s\n"
        },
    )
    moved = Thresholds((("grace-vs-heartbeat.warning", 4),), str(tmp_path / CONFIG_NAME))
    for chosen, expected in [(moved, 0), (Thresholds(), 1), (moved, 0), (Thresholds(), 1)]:
        _ctx, found = lint_inventory(inv, Options(thresholds=chosen))
        assert len(of(found, "grace-vs-heartbeat")) == expected
    assert thresholds.facts()["grace-vs-heartbeat.warning"].value == 5


# --- refused configurations ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            "nodes: 3\nthresholds:\n  eviction-rate.zone-threshold-warning: 0.9\n",
            3,
            "thresholds: eviction-rate.zone-threshold-warning is not configurable: it is what "
            "Kubernetes does (upstream)",
        ),
        (
            "thresholds:\n  grace-vs-heartbeat.eror: 3\n",
            2,
            "unknown threshold 'grace-vs-heartbeat.eror'; did you mean grace-vs-heartbeat.error?",
        ),
        ("thresholds:\n  flap: 3\n", 2, "unknown threshold 'flap' (`node-timing rules ID`"),
        (
            "thresholds:\n  grace-vs-heartbeat.warning: '4'\n",
            2,
            "thresholds: grace-vs-heartbeat.warning must be an integer from 1 to 1000, got '4'",
        ),
        ("thresholds:\n  grace-vs-heartbeat.warning: 4.5\n", 2, "must be an integer from 1"),
        ("thresholds:\n  grace-vs-heartbeat.warning: true\n", 2, "must be an integer from 1"),
        ("thresholds:\n  grace-vs-heartbeat.error: 0\n", 2, "must be an integer from 1 to 1000, got 0"),
        ("thresholds:\n  grace-vs-heartbeat.warning: 1001\n", 2, "got 1001"),
        ("\n\nthresholds:\n  monitor-period.info: .nan\n", 4, "must be a number above 0 up to 100, got nan"),
        ("thresholds:\n  monitor-period.warning: .inf\n", 2, "got inf"),
        ("thresholds:\n  startup-grace.info: 0\n", 2, "must be a number above 0 up to 100, got 0"),
        ("thresholds:\n  startup-grace.info: [1]\n", 2, "must be a number above 0"),
        (
            "thresholds:\n  grace-vs-heartbeat.error: 6\n",
            2,
            "grace-vs-heartbeat.error (6) may not exceed grace-vs-heartbeat.warning (5); "
            "grace-vs-heartbeat.warning is the default",
        ),
        (
            "thresholds:\n  monitor-period.warning: 0.4\n",
            2,
            "monitor-period.info (0.5) may not exceed monitor-period.warning (0.4)",
        ),
        ("thresholds: [1]\n", 1, "thresholds must be a mapping of threshold name to value"),
        ("thresholds: 5\n", 1, "thresholds must be a mapping"),
    ],
)  # fmt: skip
def test_a_bad_threshold_is_one_error_with_file_and_line(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    path = write_config(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path, KNOWN)
    assert str(info.value).startswith(f"{path}:{line}: "), str(info.value)
    assert message in str(info.value)


def test_both_thresholds_of_a_pair_may_move_together(tmp_path: Path) -> None:
    text = "thresholds:\n  grace-vs-heartbeat.warning: 8\n  grace-vs-heartbeat.error: 8\n"
    config = load_config(write_config(tmp_path, text), KNOWN)
    assert config.thresholds.value("grace-vs-heartbeat.error") == 8
    assert config.thresholds.value("monitor-period.info") == 0.5  # untouched: the default


def test_lint_refuses_an_upstream_threshold_with_exit_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inv = make_inventory(tmp_path, {K8S: "kube_controller_node_monitor_grace_period: 40s\n"})
    config = write_config(tmp_path, "thresholds:\n  eviction-rate.zone-threshold-warning: 2\n")
    assert main(["lint", str(inv), "-q", "-c", str(config)]) == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"{config}:2: " in err[0] and "Traceback" not in err[0]


# --- lint, rules ID and fix through the command line ---------------------------------------


THREE_HEARTBEATS = (
    "kube_controller_node_monitor_grace_period: 30s\nkubelet_status_update_frequency: 10s\n"
)


def three_heartbeats(root: Path) -> Path:
    """A project (it has .git) whose inventory gives 30s / 10s = 3 heartbeats per grace period."""
    (root / ".git").mkdir()
    return make_inventory(root, {K8S: THREE_HEARTBEATS})


def test_lint_finds_the_config_upward_and_names_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    inv = three_heartbeats(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["lint", str(inv), "-q", "-f", "json"]) == 0  # 3 heartbeats: a warning
    capsys.readouterr()
    write_config(tmp_path, "thresholds:\n  grace-vs-heartbeat.error: 4\n")
    assert main(["lint", str(inv), "-q", "-f", "json"]) == 2  # now an error
    findings = json.loads(capsys.readouterr().out)
    assert any(
        f["rule"] == "grace-vs-heartbeat"
        and f["severity"] == "error"
        and "below 4 (grace-vs-heartbeat.error configured in .node-timing.yml)" in f["message"]
        for f in findings
    )


def test_rules_id_lists_thresholds_defaults_origins_and_how_to_configure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    assert main(["rules", "grace-vs-heartbeat"]) == 0
    out = capsys.readouterr().out
    assert "**Thresholds**" in out
    assert (
        "- `grace-vs-heartbeat.warning`: default 5 heartbeats per grace period; origin kubespray-guide"
        in out
    )
    assert (
        "- `grace-vs-heartbeat.error`: default 2 heartbeats per grace period; origin node-timing"
        in out
    )
    assert out.count("Configurable under `thresholds:` in .node-timing.yml") == 2
    assert "configured:" not in out
    assert main(["rules", "eviction-rate"]) == 0
    out = capsys.readouterr().out
    assert "origin upstream" in out and "Not configurable: it is what Kubernetes does." in out

    # the configuration found from the working directory, as lint finds one from its inventory
    write_config(tmp_path, "thresholds:\n  grace-vs-heartbeat.warning: 4\n")
    assert main(["rules", "grace-vs-heartbeat"]) == 0
    out = capsys.readouterr().out
    assert "N an integer from 1 to 1000); configured: 4 in .node-timing.yml." in out
    assert out.count("configured:") == 1


def test_rules_id_reads_config_option_and_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    elsewhere = tmp_path / "conf" / "lint.yml"
    elsewhere.parent.mkdir()
    elsewhere.write_text("thresholds:\n  monitor-period.info: 0.25\n")
    assert main(["rules", "monitor-period", "--format", "json", "-c", str(elsewhere)]) == 0
    data = json.loads(capsys.readouterr().out)
    by_name = {t["name"]: t for t in data["thresholds"]}
    assert by_name["monitor-period.info"] == {
        "name": "monitor-period.info",
        "default": 0.5,
        "unit": "fraction of the grace period",
        "origin": "node-timing",
        "source": thresholds.facts()["monitor-period.info"].source,
        "configurable": True,
        "configured": 0.25,
        "config": str(elsewhere),
    }
    assert by_name["monitor-period.warning"]["configured"] is None


def test_rules_id_with_a_broken_config_is_exit_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    write_config(tmp_path, "thresholds:\n  startup-grace.warnin: 2\n")
    assert main(["rules", "startup-grace"]) == 3
    err = capsys.readouterr().err.strip()
    assert err.endswith(
        "did you mean startup-grace.info? (`node-timing rules ID` lists a rule's thresholds)"
    )
    assert "2: thresholds: unknown threshold" in err
    assert main(["rules"]) == 0  # the list reads no configuration


def _messages(inv: Path, chosen: Thresholds) -> set[tuple[str, str, str]]:
    _ctx, found = lint_inventory(inv, Options(thresholds=chosen))
    return {(f.rule, f.severity, f.message) for f in found}


def test_fix_lints_with_the_configured_thresholds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # 30s / 10s = 3 heartbeats: a warning with the defaults, an error with this configuration;
    # report-frequency is fixable. fix must not call the result fixed while lint still fails.
    inv = three_heartbeats(tmp_path)
    config = write_config(tmp_path, "thresholds:\n  grace-vs-heartbeat.error: 4\n")
    chosen = load_config(config, KNOWN).thresholds
    monkeypatch.chdir(tmp_path)  # messages show the configuration's path from here
    before = _messages(inv, chosen)
    assert main(["fix", str(inv)]) == 2  # fixed report-frequency; the configured error remains
    out = capsys.readouterr().out
    assert "grace-vs-heartbeat.error configured in .node-timing.yml" in out
    after = _messages(inv, chosen)
    assert after <= before  # nothing new
    assert {r for r, _s, _m in before - after} == {"report-frequency"}
    assert ("grace-vs-heartbeat", "error") in {(r, s) for r, s, _m in after}


def test_fix_keeps_the_heartbeats_a_configured_threshold_accepts(tmp_path: Path) -> None:
    # update 10s, lease 80s (renewing every 20s): the status reports are the 10s heartbeat, 4 per
    # 40s grace, which the configured warning threshold accepts. Adding the report frequency
    # alone would leave the 20s lease renewals (2 heartbeats); fix shortens the lease with it.
    (tmp_path / ".git").mkdir()
    inv = make_inventory(
        tmp_path,
        {
            K8S: (
                "kube_controller_node_monitor_grace_period: 40s\n"
                "kubelet_status_update_frequency: 10s\n"
                "kubelet_config_extra_args:\n  nodeLeaseDurationSeconds: 80\n"
            )
        },
    )
    config = write_config(tmp_path, "thresholds:\n  grace-vs-heartbeat.warning: 4\n")
    chosen = load_config(config, KNOWN).thresholds
    before = _messages(inv, chosen)
    assert "grace-vs-heartbeat" not in {r for r, _s, _m in before}
    assert main(["fix", str(inv), "-c", str(config)]) in (0, 8)
    after = _messages(inv, chosen)
    assert after <= before and "report-frequency" not in {r for r, _s, _m in after}
    assert "nodeLeaseDurationSeconds: 40" in (inv / K8S).read_text()


# --- the data, the schema and the docs agree ------------------------------------------------


def test_every_threshold_has_a_type_and_range_its_default_meets() -> None:
    for t in thresholds.facts().values():
        assert t.origin in {"upstream", "kubespray-guide", "node-timing"}, t.name
        assert t.type in {"integer", "number"}, t.name
        assert t.maximum is not None and (t.minimum is not None or t.exclusive_minimum is not None)
        assert t.problem(t.value) is None, t.name
        assert t.rule in KNOWN, t.name
        if t.at_most is not None:
            assert t.value <= thresholds.facts()[t.at_most].value, t.name


def test_the_schema_lists_the_configurable_thresholds_as_the_data_does() -> None:
    schema = jsonschemas.load("lint-config")["properties"]["thresholds"]
    assert schema["additionalProperties"] is False
    assert schema["properties"] == thresholds.schema_properties()


def test_docs_table_is_generated_from_the_data() -> None:
    text = (ROOT / "docs" / "thresholds.md").read_text(encoding="utf-8")
    table = re.search(
        r"<!-- thresholds table: generated -->\n(.*?)<!-- end of the thresholds table -->",
        text,
        re.DOTALL,
    )
    assert table is not None
    assert table.group(1) == thresholds.table()
    for t in thresholds.facts().values():
        assert f"| `{t.name}` | {t.value:g} {t.unit} | {t.origin} |" in table.group(1)


def test_deployed_files_are_linted_with_the_configured_thresholds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # node1 runs a startup grace of 2m against a grace period of 2m: fine at 1 ×, short at 1.5 ×
    node = ROOT / "examples" / "collected" / "node1" / "etc" / "kubernetes"
    files = [
        str(node / "manifests" / "kube-controller-manager.yaml"),
        str(node / "kubelet-config.yaml"),
    ]
    monkeypatch.chdir(tmp_path)
    assert main(["lint", *files, "-q", "--strict", "-f", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    config = write_config(tmp_path, "thresholds:\n  startup-grace.info: 1.5\n")
    # information: it does not fail even a strict run
    assert main(["lint", *files, "-q", "--strict", "-f", "json", "-c", str(config)]) == 0
    (finding,) = json.loads(capsys.readouterr().out)
    assert (finding["rule"], finding["severity"]) == ("startup-grace", "info")
    assert (
        "shorter than 1.5 × the grace period 2m0s (startup-grace.info configured in"
        in (finding["message"])
    )
    assert "at least 3m0s" in finding["message"]


def test_the_ansible_lint_rule_reads_thresholds_from_node_timing_yml(tmp_path: Path) -> None:
    from node_timing import ansible_lint as bridge

    inv = make_inventory(tmp_path, {K8S: "kube_controller_node_monitor_grace_period: 15s\n"})
    (tmp_path / ".git").mkdir()
    target = inv / K8S
    tagged = {r.tag: r for r in bridge.Evaluations().reports(target)}
    assert tagged["node-timing[grace-vs-heartbeat]"].fails  # 1.5 heartbeats: an error
    write_config(tmp_path, "thresholds:\n  grace-vs-heartbeat.error: 1\n")
    tagged = {r.tag: r for r in bridge.Evaluations().reports(target)}
    assert not tagged["node-timing[grace-vs-heartbeat]"].fails  # below 5, not below 1: a warning
