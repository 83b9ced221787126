"""The filters through real ansible-playbook: values, the shapes 2.19 passes in, error messages, docs."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from playbook_runner import REPO, ansible_python, play, run_playbook, run_tool, write_project

NS = "kubetiming.node_timing"
FILTERS = [
    "node_timing_profile",
    "node_timing_figures",
    "node_timing_host_vars",
    "node_timing_check",
    "node_timing_kubespray_vars",
    "node_timing_kubelet_config",
    "node_timing_controller_args",
    "node_timing_apiserver_args",
    "node_timing_render_all",
    "node_timing_patch_manifest",
    "go_duration",
    "duration_seconds",
]


def show(name: str, expr: str) -> dict[str, Any]:
    return {"name": name, "ansible.builtin.debug": {"msg": "{{ " + expr + " }}"}}


def expect_failure(name: str, expr: str) -> dict[str, Any]:
    return {**show(name, expr), "ignore_errors": True}


# Values come from group_vars so that they reach the filters as Ansible's own (on 2.19: lazy,
# tagged) containers, not as literals of the template.
GROUP_VARS = {
    "kube_version": "v1.31.4",
    "kube_controller_node_monitor_grace_period": "1m",
    "kubelet_config_extra_args": {"maxPods": 200, "nodeStatusUpdateFrequency": "7s"},
    "timing_overrides": {"controller_manager": {"node_monitor_grace_period": "1m30s"}},
    "unrelated_password": "{{ undefined_variable_that_must_not_be_templated }}",
    "kube_broken": "{{ also_undefined }}",
    "grace_text": "90s",
}

TASKS = [
    show(
        "fast at 5000", f"'fast' | {NS}.node_timing_profile(nodes=5000, kube_version=kube_version)"
    ),
    show("fast at 1000", f"('fast' | {NS}.node_timing_profile(nodes=1000)).figures"),
    show(
        "upstream with overrides",
        f"('upstream' | {NS}.node_timing_profile(nodes='3', overrides=timing_overrides,"
        " heartbeat_budget=500)).settings.controller_manager",
    ),
    show(
        "kubespray vars",
        f"'kubespray-default' | {NS}.node_timing_profile(nodes=10, kube_version='1.35')"
        f" | {NS}.node_timing_kubespray_vars(current=hostvars[inventory_hostname])",
    ),
    show(
        "figures of settings",
        f"{{'controller_manager': {{'node_monitor_grace_period': grace_text}}}} | {NS}.node_timing_figures(nodes=50)",
    ),
    show(
        "figures of a profile",
        f"'medium' | {NS}.node_timing_profile(nodes=1000) | {NS}.node_timing_figures",
    ),
    show("host vars", f"hostvars[inventory_hostname] | {NS}.node_timing_host_vars"),
    show(
        "durations",
        f"[grace_text | {NS}.go_duration, '60s' | {NS}.go_duration, 300 | {NS}.go_duration,"
        f" 1.5 | {NS}.go_duration, '0' | {NS}.go_duration, '1h0m0s' | {NS}.duration_seconds,"
        f" '1m30s' | {NS}.duration_seconds, '1.5s' | {NS}.duration_seconds, '500ms' | {NS}.duration_seconds]",
    ),
    show(
        "duration types",
        f"['5m' | {NS}.duration_seconds | type_debug, '1.5s' | {NS}.duration_seconds | type_debug]",
    ),
    expect_failure("unknown profile", f"'bogus' | {NS}.node_timing_profile(nodes=3)"),
    expect_failure("nodes missing", f"'fast' | {NS}.node_timing_profile"),
    expect_failure("negative nodes", f"'fast' | {NS}.node_timing_profile(nodes=-1)"),
    expect_failure(
        "bad version", f"'fast' | {NS}.node_timing_profile(nodes=3, kube_version='1.99')"
    ),
    expect_failure(
        "bad override",
        f"'fast' | {NS}.node_timing_profile(nodes=3, overrides={{'controller_manager.node_monitor_grace_period': '1d'}})",
    ),
    expect_failure(
        "unknown override",
        f"'fast' | {NS}.node_timing_profile(nodes=3, overrides={{'kubelet.grace': '1s'}})",
    ),
    expect_failure("bad budget", f"'fast' | {NS}.node_timing_profile(nodes=3, heartbeat_budget=0)"),
    expect_failure("day unit", f"'1d' | {NS}.go_duration"),
    expect_failure("bare number", f"'40' | {NS}.duration_seconds"),
    expect_failure("settings not a mapping", f"'40s' | {NS}.node_timing_figures(nodes=3)"),
    expect_failure(
        "bad duration in settings",
        f"{{'kubelet': {{'node_status_update_frequency': 10}}}} | {NS}.node_timing_figures(nodes=3)",
    ),
]


@pytest.fixture(scope="module")
def filter_run(tmp_path_factory: pytest.TempPathFactory) -> Any:
    root = tmp_path_factory.mktemp("filters")
    playbook, inventory = write_project(
        root, [play(TASKS)], groups={"k8s_cluster": ["localhost"]}, group_vars={"all": GROUP_VARS}
    )
    result = run_playbook(root, playbook, inventory)
    assert result.rc == 0, str(result)
    return result


def failure_message(run: Any, name: str) -> str:
    host = run.task(name)["localhost"]
    assert host.get("failed"), host
    return str(host["msg"])


def test_fast_profile_is_stretched_for_5000_nodes(filter_run: Any) -> None:
    result = filter_run.debug("fast at 5000")
    assert set(result) >= {"settings", "figures", "stretched", "kubespray"}
    assert result["stretched"] is True
    assert result["kube_version"] == "1.31.4"
    assert result["settings"]["kubelet"]["node_lease_duration_seconds"] == 40
    assert result["settings"]["controller_manager"]["node_monitor_grace_period"] == "50s"
    assert "5000 nodes" in result["stretch"]["reason"]


def test_profile_figures_match_the_reliability_doc(filter_run: Any) -> None:
    assert filter_run.debug("fast at 1000")["lease_writes_per_minute"] == 15000


def test_nested_overrides_from_group_vars_apply(filter_run: Any) -> None:
    assert filter_run.debug("upstream with overrides")["node_monitor_grace_period"] == "1m30s"


def test_kubespray_vars_keep_other_extra_args_and_drop_duplicates(filter_run: Any) -> None:
    result = filter_run.debug("kubespray vars")
    assert result["kubelet_status_update_frequency"] == "10s"
    assert result["kube_controller_node_monitor_grace_period"] == "40s"
    kubelet = result["kubelet_config_extra_args"]
    assert kubelet["maxPods"] == 200
    assert "nodeStatusUpdateFrequency" not in kubelet  # kubespray renders the first-class variable


def test_figures_of_partial_settings_and_of_a_profile_result(filter_run: Any) -> None:
    figures = filter_run.debug("figures of settings")
    assert figures["heartbeats_per_grace"] == 9
    assert figures["detection_seconds_max"] == 95
    assert figures["nodes"] == 50
    assert filter_run.debug("figures of a profile")["lease_writes_per_minute"] == 3000


def test_host_vars_reads_only_timing_variables_and_keeps_unresolved_templates(
    filter_run: Any,
) -> None:
    selected = filter_run.debug("host vars")
    assert selected["kube_version"] == "v1.31.4"
    assert selected["kubelet_config_extra_args"]["maxPods"] == 200
    assert "unrelated_password" not in selected
    assert selected["kube_broken"] == "{{ also_undefined }}"
    assert "grace_text" not in selected


def test_durations(filter_run: Any) -> None:
    assert filter_run.debug("durations") == [
        "1m30s",
        "1m0s",
        "5m0s",
        "1.5s",
        "0s",
        3600,
        90,
        1.5,
        0.5,
    ]
    assert filter_run.debug("duration types") == ["int", "float"]


@pytest.mark.parametrize(
    ("task", "words"),
    [
        (
            "unknown profile",
            ["unknown profile 'bogus'", "upstream, kubespray-default, fast, medium, low"],
        ),
        ("nodes missing", ["needs nodes=", "groups['k8s_cluster'] | length"]),
        ("negative nodes", ["nodes must be a whole number >= 0"]),
        ("bad version", ["1.99", "outside the known facts"]),
        ("bad override", ["controller_manager.node_monitor_grace_period", 'unknown unit "d"']),
        ("unknown override", ["unknown setting 'kubelet.grace'"]),
        ("bad budget", ["heartbeat budget"]),
        ("day unit", ["Go has no d unit"]),
        ("bare number", ['missing unit in duration "40"']),
        ("settings not a mapping", ["expects the settings mapping", "node_timing_profile"]),
        (
            "bad duration in settings",
            ["kubelet.node_status_update_frequency must be a Go duration string"],
        ),
    ],
)
def test_errors_say_what_to_change(filter_run: Any, task: str, words: list[str]) -> None:
    message = failure_message(filter_run, task)
    for word in words:
        assert word in message
    assert "Traceback" not in message


def test_ansible_doc_shows_every_filter(tmp_path: Path) -> None:
    proc = run_tool(
        tmp_path, "ansible-doc", "-t", "filter", "--json", *[f"{NS}.{name}" for name in FILTERS]
    )
    assert proc.returncode == 0, proc.stderr
    docs = json.loads(proc.stdout)
    for name in FILTERS:
        entry = docs[f"{NS}.{name}"]
        assert entry["doc"]["name"] == name
        assert entry["doc"]["short_description"]
        assert entry["examples"].strip()
        assert entry["return"]["_value"]["description"]
    text = run_tool(tmp_path, "ansible-doc", "-t", "filter", f"{NS}.node_timing_profile")
    assert text.returncode == 0, text.stderr
    assert "heartbeat_budget" in text.stdout
    assert "EXAMPLES" in text.stdout


def test_ansible_doc_shows_the_role(tmp_path: Path) -> None:
    proc = run_tool(tmp_path, "ansible-doc", "-t", "role", "--json", f"{NS}.node_timing")
    assert proc.returncode == 0, proc.stderr
    entry_points = json.loads(proc.stdout)[f"{NS}.node_timing"]["entry_points"]
    # main's inputs are documented under `validate`: a documented main would be validated by a
    # task on every host (see tasks/main.yml); main validates them once with the same spec.
    assert set(entry_points) == {"validate"}
    options = entry_points["validate"]["options"]
    assert options["node_timing_fail_on"]["choices"] == ["error", "warning", "never"]
    assert options["node_timing_heartbeat_budget"]["default"] == 500
    defaults = yaml.safe_load((REPO / "roles/node_timing/defaults/main.yml").read_text("utf-8"))
    # The HTTP/2 timeouts have no role default: a host's own value wins, else the profile's (the
    # profile is computed after the inputs are validated, so a default could not name it).
    computed = {
        "node_timing_http2_read_idle_timeout_seconds",
        "node_timing_http2_ping_timeout_seconds",
    }
    assert set(options) == set(defaults) | computed


def test_filters_say_when_the_core_is_missing(tmp_path: Path) -> None:
    # The plugin loaded in a Python where the node_timing package cannot be imported.
    code = (
        "import sys, importlib.util\n"
        "sys.modules['node_timing'] = None\n"
        f"spec = importlib.util.spec_from_file_location('f', {str(REPO / 'plugins/filter/node_timing.py')!r})\n"
        "mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)\n"
        "try:\n    mod.node_timing_profile('fast', nodes=3)\n"
        "except mod.AnsibleFilterError as exc:\n    print('AnsibleFilterError', exc)\n"
    )
    proc = subprocess.run(
        [ansible_python(), "-c", code], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("AnsibleFilterError")
    assert "pip install node-timing" in proc.stdout
