"""The ansible-lint rule's decisions, without ansible-lint: which inventory a file belongs to, one
evaluation per inventory, each finding on the file that holds its value."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from kubespray_layout import SECRETS, post_deployment

from node_timing import ansible_lint as bridge
from node_timing import rules

REPO = Path(__file__).resolve().parents[1]
RULE_DIR = REPO / "src" / "ansiblelint" / "rules" / "custom" / "node_timing"

INI = """\
[kube_control_plane]
cp1
[kube_node]
node1
node2
[k8s_cluster:children]
kube_control_plane
kube_node
"""


def inventory(root: Path, k8s_cluster: str) -> Path:
    inv = root / "inventory" / "mycluster"
    (inv / "group_vars" / "all").mkdir(parents=True)
    (inv / "group_vars" / "k8s_cluster").mkdir()
    (inv / "inventory.ini").write_text(INI)
    (inv / "group_vars" / "all" / "all.yml").write_text("---\nbin_dir: /usr/local/bin\n")
    (inv / "group_vars" / "k8s_cluster" / "k8s-cluster.yml").write_text(k8s_cluster)
    return inv


TIGHT = "---\nkube_version: 1.33.5\nkube_controller_node_monitor_grace_period: 15s\n"


def test_a_file_belongs_to_the_inventory_that_holds_its_vars_directory(tmp_path: Path) -> None:
    inv = inventory(tmp_path, TIGHT)
    (inv / "host_vars").mkdir()
    (inv / "host_vars" / "node1.yml").write_text("---\n")
    (inv / "hosts.yaml").write_text("---\n")
    (tmp_path / "roles" / "r" / "vars").mkdir(parents=True)
    expected = str(inv)
    assert bridge.inventory_dir(inv / "group_vars" / "k8s_cluster" / "k8s-cluster.yml") == expected
    assert bridge.inventory_dir(inv / "group_vars" / "all.yml") == expected
    assert bridge.inventory_dir(inv / "host_vars" / "node1.yml") == expected
    assert bridge.inventory_dir(inv / "hosts.yaml") == expected
    assert bridge.inventory_dir(tmp_path / "roles" / "r" / "vars" / "main.yml") is None
    assert bridge.inventory_dir(tmp_path / "cluster.yml") is None
    assert bridge.inventory_dir(tmp_path / "inventory" / "README.yml") is None


def test_a_directory_above_the_project_named_group_vars_is_not_a_vars_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "group_vars" / "checkout"
    (project / "playbooks").mkdir(parents=True)
    monkeypatch.chdir(project)
    assert bridge.inventory_dir(project / "playbooks" / "site.yml") is None
    assert bridge.inventory_dir("playbooks/site.yml") is None


def test_the_project_is_ansible_lints_project_directory_not_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ansible-lint run from inside group_vars/ still takes its project from where its
    configuration file is: the inventory is the one above group_vars/, and it is linted."""
    inv = inventory(tmp_path, TIGHT)
    target = inv / "group_vars" / "k8s_cluster" / "k8s-cluster.yml"
    monkeypatch.chdir(target.parent)
    assert bridge.inventory_dir(target) is None  # the working directory as the project: lost
    assert bridge.inventory_dir(target, tmp_path) == str(inv)
    tags = {r.tag for r in bridge.Evaluations().reports(target, tmp_path)}
    assert "node-timing[grace-vs-heartbeat]" in tags


def test_findings_are_reported_on_the_file_and_line_of_the_value(tmp_path: Path) -> None:
    inv = inventory(tmp_path, TIGHT)
    reports = bridge.Evaluations().reports(inv / "group_vars" / "k8s_cluster" / "k8s-cluster.yml")
    by_tag = {r.tag: r for r in reports}
    grace = by_tag["node-timing[grace-vs-heartbeat]"]
    assert (grace.line, grace.column, grace.severity, grace.fails) == (3, 44, "HIGH", True)
    assert "grace 15s allows 1.5 heartbeats" in grace.message
    http2 = by_tag["node-timing[grace-vs-http2]"]
    assert (http2.line, http2.severity, http2.fails) == (3, "MEDIUM", False)
    # a kubespray default is reported where the cluster sets its other timing values, line 1
    defaults = [r for r in reports if "kubespray's default" in r.message]
    assert {(r.tag, r.line) for r in defaults} == {("node-timing[report-frequency]", 1)}
    assert not bridge.Evaluations().reports(inv / "group_vars" / "all" / "all.yml")


def test_a_finding_in_an_ini_inventory_is_reported_on_the_first_yaml_file(tmp_path: Path) -> None:
    inv = inventory(tmp_path, "---\nkube_version: 1.33.5\n")
    ini = INI.replace("cp1\n", "cp1 kube_controller_node_monitor_grace_period=15s\n")
    (inv / "inventory.ini").write_text(ini)
    reports = bridge.Evaluations().reports(inv / "group_vars" / "all" / "all.yml")
    grace = [r for r in reports if r.tag == "node-timing[grace-vs-heartbeat]"]
    assert grace and grace[0].line == 1 and grace[0].fails
    assert "(at inventory.ini:2, a file ansible-lint does not read)" in grace[0].message


def test_each_inventory_is_evaluated_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inv = inventory(tmp_path, TIGHT)
    (inv / "hosts.yaml").write_text("---\n")  # the same inventory, reached from beside group_vars
    calls: list[str] = []
    real = bridge.evaluate

    def counting(directory: str) -> bridge._Evaluated:
        calls.append(directory)
        return real(directory)

    monkeypatch.setattr(bridge, "evaluate", counting)
    evaluations = bridge.Evaluations()
    for rel in ("group_vars/k8s_cluster/k8s-cluster.yml", "group_vars/all/all.yml", "hosts.yaml"):
        evaluations.reports(inv / rel)
    evaluations.reports(tmp_path / "cluster.yml")  # outside any inventory: nothing evaluated
    assert calls == [str(inv)]


def test_a_vars_directory_without_an_inventory_is_left_alone(tmp_path: Path) -> None:
    # group_vars/ beside a playbook: Ansible reads it, but there is no inventory (no hosts) here
    (tmp_path / "playbooks" / "group_vars").mkdir(parents=True)
    vars_file = tmp_path / "playbooks" / "group_vars" / "all.yml"
    vars_file.write_text("---\nkube_controller_node_monitor_grace_period: 15s\n")
    assert bridge.Evaluations().reports(vars_file) == []


def test_node_timing_yml_applies_and_a_bad_one_is_one_config_report(tmp_path: Path) -> None:
    inv = inventory(tmp_path, TIGHT)
    (tmp_path / ".git").mkdir()
    config = tmp_path / ".node-timing.yml"
    config.write_text("skip_list: [grace-vs-heartbeat]\n")
    target = inv / "group_vars" / "k8s_cluster" / "k8s-cluster.yml"
    assert "node-timing[grace-vs-heartbeat]" not in {
        r.tag for r in bridge.Evaluations().reports(target)
    }
    # A .node-timing.yml beside the inventory cannot switch --allow-exec on: node-timing lint
    # exits 3; here it is one failing report, on the inventory's first YAML file.
    config.write_text("allow_exec: true\n")
    assert bridge.Evaluations().reports(target) == []
    (problem,) = bridge.Evaluations().reports(inv / "group_vars" / "all" / "all.yml")
    assert problem.tag == bridge.CONFIG_TAG and problem.fails
    assert ".node-timing.yml" in problem.message and "did not run" in problem.message


def test_a_deployed_inventory_runs_nothing_and_no_secret_is_reported(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    inv = post_deployment(tmp_path, marker)
    evaluations = bridge.Evaluations()
    reports = [
        r
        for f in sorted(inv.rglob("*"))
        if f.is_file()
        for r in evaluations.reports(f)  # every file, credentials/ and artifacts/ included
    ]
    assert "node-timing[grace-vs-heartbeat]" in {r.tag for r in reports}
    assert not marker.exists()
    assert not [s for s in SECRETS for r in reports if s in r.message]


def test_markup_in_a_value_is_shown_not_rendered() -> None:
    assert bridge.markup_safe("value [red]x[/] [link=http://x]y[/link]") == (
        "value [ red]x[ /] [ link=http://x]y[ /link]"
    )
    assert bridge.markup_safe("no markup: a[ b ] c") == "no markup: a[ b ] c"


def test_the_core_works_without_ansible_lint() -> None:
    # ansiblelint blocked: importing the bridge and running the CLI must not need it
    code = (
        "import sys; sys.modules['ansiblelint'] = None; "
        "import node_timing.ansible_lint, node_timing.cli; "
        "sys.exit(node_timing.cli.main(['rules']))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert "grace-vs-heartbeat" in proc.stdout


def test_the_rule_documentation_names_every_check() -> None:
    doc = (RULE_DIR / "node_timing.md").read_text(encoding="utf-8")
    for rule_id in [*rules.ids(), "config"]:
        assert f"`node-timing[{rule_id}]`" in doc, rule_id
    # the package ansible-lint loads: an __init__.py (its loader requires one) and the rule
    # module, whose name must not shadow the node_timing package when imported by its stem
    assert (RULE_DIR / "__init__.py").is_file()
    assert [p.stem for p in RULE_DIR.glob("*.py") if "__" not in p.stem] == ["node_timing_rule"]
